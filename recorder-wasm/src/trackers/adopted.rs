//! Constructed stylesheets adopted by the document or shadow roots, as
//! AdoptedStyleSheet events.
//!
//! A constructed sheet has no element, so the replayer knows it by a style
//! id; its rules travel with the first event that adopts it after each
//! full snapshot. Assigning `adoptedStyleSheets` is recorded through a
//! wrapped setter. Known limit: changing the array in place (`push`) is
//! seen at the next assignment, not when it happens.

use std::rc::Rc;

use js_sys::Reflect;
use tapedeck_model::node::{write_raw, write_u32};
use tapedeck_model::IncrementalSource;
use wasm_bindgen::JsValue;

use crate::dom::cast::{as_node, as_shadow_root};

use crate::dom::hooks::{prototype_of, Hook};
use crate::events::write_incremental;
use crate::recording::Recording;
use crate::trackers::stylesheet::{get, write_sheet_rules};

/// The installed setter wrappers; dropping the tracker removes them.
#[must_use = "adopted stylesheets stop being recorded as soon as the handle is dropped"]
pub struct AdoptedStyleSheetTracker {
    _hooks: Vec<Hook>,
}

/// Wraps the `adoptedStyleSheets` setters of documents and shadow roots in
/// the realm of the window `global`.
pub fn start(recording: &Rc<Recording>, global: &JsValue) -> AdoptedStyleSheetTracker {
    let mut hooks = Vec::new();
    for owner in ["Document", "ShadowRoot"] {
        let Some(proto) = prototype_of(global, owner) else {
            continue;
        };
        let recording = Rc::clone(recording);
        hooks.extend(Hook::setter(
            &proto,
            "adoptedStyleSheets",
            move |this, _, _| {
                record_adopted(&recording, &this, true);
            },
        ));
    }
    AdoptedStyleSheetTracker { _hooks: hooks }
}

/// Records the sheets `root` (a document or shadow root) has adopted. With
/// `even_if_empty`, an empty list is recorded too (it un-adopts).
pub fn record_adopted(recording: &Recording, root: &JsValue, even_if_empty: bool) {
    if recording.is_stopped() {
        return;
    }
    let host: JsValue = match as_node(root).and_then(as_shadow_root) {
        Some(shadow_root) => shadow_root.host().into(),
        None => root.clone(),
    };
    let Some(host_id) = as_node(&host).and_then(|node| recording.id_of(node)) else {
        return;
    };
    let sheets = get(root, "adoptedStyleSheets");
    let length = get(&sheets, "length").as_f64().unwrap_or(0.0) as u32;
    if length == 0 && !even_if_empty {
        return;
    }
    let sheets: Vec<JsValue> = (0..length)
        .filter_map(|index| Reflect::get(&sheets, &JsValue::from(index)).ok())
        .collect();

    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(
            out,
            timestamp,
            IncrementalSource::AdoptedStyleSheet,
            |out| {
                write_raw(out, ",\"id\":");
                write_u32(out, host_id);
                write_raw(out, ",\"styleIds\":[");
                for (position, sheet) in sheets.iter().enumerate() {
                    if position > 0 {
                        out.push(b',');
                    }
                    write_u32(out, recording.node_map.style_id(sheet));
                }
                write_raw(out, "],\"styles\":[");
                let mut wrote = false;
                for sheet in &sheets {
                    if !recording.node_map.mark_style_sent(sheet) {
                        continue;
                    }
                    if wrote {
                        out.push(b',');
                    }
                    wrote = true;
                    write_raw(out, "{\"styleId\":");
                    write_u32(out, recording.node_map.style_id(sheet));
                    write_raw(out, ",\"rules\":");
                    write_sheet_rules(out, sheet);
                    out.push(b'}');
                }
                out.push(b']');
            },
        );
    });
}
