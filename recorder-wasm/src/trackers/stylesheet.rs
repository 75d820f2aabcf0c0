//! Changes made through the CSS object model, as StyleSheetRule and
//! StyleDeclaration events.
//!
//! `insertRule`, `deleteRule`, `replace`, `replaceSync` and a rule's
//! `style.setProperty` / `removeProperty` change what a page looks like
//! without touching the DOM, so no mutation reports them. The methods are
//! wrapped on the page's prototypes (see [`crate::dom::hooks`]). A rule
//! inside grouping rules (`@media`, `@supports`) is addressed by its index
//! path from the sheet down, as rrweb's replayer expects.
//! Each same-origin iframe has its own prototypes, wrapped when its
//! document is followed.

use std::rc::Rc;

use js_sys::Reflect;
use tapedeck_model::node::{write_raw, write_str, write_u32};
use tapedeck_model::IncrementalSource;
use wasm_bindgen::JsValue;

use crate::dom::cast::as_node;

use crate::dom::hooks::{prototype_of, Hook};
use crate::events::write_incremental;
use crate::recording::Recording;

/// How the replayer finds a stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetTarget {
    /// The `<style>` or `<link>` element owning the sheet.
    Node(u32),
    /// A constructed sheet, by its style id.
    Constructed(u32),
}

impl SheetTarget {
    fn write(self, out: &mut Vec<u8>) {
        let (name, id) = match self {
            Self::Node(id) => (",\"id\":", id),
            Self::Constructed(id) => (",\"styleId\":", id),
        };
        write_raw(out, name);
        write_u32(out, id);
    }
}

/// The installed wrappers; dropping the tracker removes them.
#[must_use = "CSSOM changes stop being recorded as soon as the handle is dropped"]
pub struct StyleSheetTracker {
    _hooks: Vec<Hook>,
}

/// Wraps the CSSOM methods of the window `global` (the page's, or an
/// iframe's: each has its own prototypes).
pub fn start(recording: &Rc<Recording>, global: &JsValue) -> StyleSheetTracker {
    let mut hooks = Vec::new();

    for owner in ["CSSStyleSheet", "CSSGroupingRule"] {
        let Some(proto) = prototype_of(global, owner) else {
            continue;
        };
        let for_insert = Rc::clone(recording);
        hooks.extend(Hook::method(
            &proto,
            "insertRule",
            move |this, args, result| {
                let rule = args.get(0).as_string().unwrap_or_default();
                let index = result.as_f64().unwrap_or(0.0) as u32;
                record_rule_change(&for_insert, &this, |out| {
                    write_raw(out, ",\"adds\":[{\"rule\":");
                    write_str(out, &rule);
                    write_raw(out, ",\"index\":");
                    write_index(out, &this, index);
                    write_raw(out, "}]");
                });
            },
        ));
        let for_delete = Rc::clone(recording);
        hooks.extend(Hook::method(&proto, "deleteRule", move |this, args, _| {
            let index = args.get(0).as_f64().unwrap_or(0.0) as u32;
            record_rule_change(&for_delete, &this, |out| {
                write_raw(out, ",\"removes\":[{\"index\":");
                write_index(out, &this, index);
                write_raw(out, "}]");
            });
        }));
    }

    if let Some(proto) = prototype_of(global, "CSSStyleSheet") {
        for method in ["replace", "replaceSync"] {
            let for_replace = Rc::clone(recording);
            hooks.extend(Hook::method(&proto, method, move |this, args, _| {
                let text = args.get(0).as_string().unwrap_or_default();
                record_rule_change(&for_replace, &this, |out| {
                    write_raw(out, ",\"");
                    write_raw(out, method);
                    write_raw(out, "\":");
                    write_str(out, &text);
                });
            }));
        }
    }

    if let Some(proto) = prototype_of(global, "CSSStyleDeclaration") {
        let for_set = Rc::clone(recording);
        hooks.extend(Hook::method(&proto, "setProperty", move |this, args, _| {
            let property = args.get(0).as_string().unwrap_or_default();
            let value = args.get(1).as_string();
            let priority = args
                .get(2)
                .as_string()
                .filter(|priority| !priority.is_empty());
            record_declaration_change(&for_set, &this, |out| {
                write_raw(out, ",\"set\":{\"property\":");
                write_str(out, &property);
                write_raw(out, ",\"value\":");
                match &value {
                    Some(value) => write_str(out, value),
                    None => write_raw(out, "null"),
                }
                if let Some(priority) = &priority {
                    write_raw(out, ",\"priority\":");
                    write_str(out, priority);
                }
                out.push(b'}');
            });
        }));
        let for_remove = Rc::clone(recording);
        hooks.extend(Hook::method(
            &proto,
            "removeProperty",
            move |this, args, _| {
                let property = args.get(0).as_string().unwrap_or_default();
                record_declaration_change(&for_remove, &this, |out| {
                    write_raw(out, ",\"remove\":{\"property\":");
                    write_str(out, &property);
                    out.push(b'}');
                });
            },
        ));
    }

    StyleSheetTracker { _hooks: hooks }
}

/// Records a StyleSheetRule event for a change made on `owner` (a sheet or
/// a grouping rule), when the replayer knows the sheet.
fn record_rule_change(
    recording: &Recording,
    owner: &JsValue,
    write_fields: impl FnOnce(&mut Vec<u8>),
) {
    if recording.is_stopped() {
        return;
    }
    let sheet = sheet_of(owner);
    let Some(target) = sheet_target(recording, &sheet) else {
        return;
    };
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::StyleSheetRule, |out| {
            target.write(out);
            write_fields(out);
        });
    });
}

/// Records a StyleDeclaration event for a change to a rule's style. Inline
/// `element.style` changes are left to the mutation observer, which sees
/// them as a `style` attribute change.
fn record_declaration_change(
    recording: &Recording,
    declaration: &JsValue,
    write_fields: impl FnOnce(&mut Vec<u8>),
) {
    if recording.is_stopped() {
        return;
    }
    let rule = get(declaration, "parentRule");
    if !rule.is_object() {
        return;
    }
    let sheet = sheet_of(&rule);
    let Some(target) = sheet_target(recording, &sheet) else {
        return;
    };
    let path = rule_path(&rule);
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::StyleDeclaration, |out| {
            target.write(out);
            write_raw(out, ",\"index\":[");
            write_path(out, &path);
            out.push(b']');
            write_fields(out);
        });
    });
}

/// Identifies a sheet for the replayer: by its owner element when it has
/// one, by style id when it is a constructed sheet already sent.
pub fn sheet_target(recording: &Recording, sheet: &JsValue) -> Option<SheetTarget> {
    if !sheet.is_object() {
        return None;
    }
    let owner = get(sheet, "ownerNode");
    if let Some(node) = as_node(&owner) {
        return recording.id_of(node).map(SheetTarget::Node);
    }
    let style_id = recording.node_map.style_id(sheet);
    // A constructed sheet the replayer has not received yet gets its rules
    // when it is adopted; a change before that needs no event.
    recording
        .node_map
        .is_style_sent(sheet)
        .then_some(SheetTarget::Constructed(style_id))
}

/// The stylesheet a sheet or rule belongs to.
fn sheet_of(owner: &JsValue) -> JsValue {
    let sheet = get(owner, "parentStyleSheet");
    if sheet.is_object() {
        sheet
    } else {
        owner.clone()
    }
}

/// Writes the index of a rule inserted into or deleted from `owner`: a
/// number for a sheet, a path for a grouping rule.
fn write_index(out: &mut Vec<u8>, owner: &JsValue, index: u32) {
    // A grouping rule belongs to a sheet; a sheet itself does not.
    if get(owner, "parentStyleSheet").is_object() {
        let mut path = rule_path(owner);
        path.push(index);
        out.push(b'[');
        write_path(out, &path);
        out.push(b']');
    } else {
        write_u32(out, index);
    }
}

/// The indexes leading from the sheet down to `rule`.
fn rule_path(rule: &JsValue) -> Vec<u32> {
    let mut path = Vec::new();
    let mut current = rule.clone();
    loop {
        let parent = get(&current, "parentRule");
        let list = if parent.is_object() {
            get(&parent, "cssRules")
        } else {
            get(&get(&current, "parentStyleSheet"), "cssRules")
        };
        let position = position_in(&list, &current);
        path.insert(0, position);
        if !parent.is_object() {
            return path;
        }
        current = parent;
    }
}

fn position_in(list: &JsValue, rule: &JsValue) -> u32 {
    let length = get(list, "length").as_f64().unwrap_or(0.0) as u32;
    (0..length)
        .find(|index| Reflect::get(list, &JsValue::from(*index)).is_ok_and(|item| &item == rule))
        .unwrap_or(0)
}

fn write_path(out: &mut Vec<u8>, path: &[u32]) {
    for (position, index) in path.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_u32(out, *index);
    }
}

/// Reads a property, `undefined` when it is missing or throws.
pub fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Rules of a sheet as `{rule, index}` entries, for adopting it.
pub fn write_sheet_rules(out: &mut Vec<u8>, sheet: &JsValue) {
    let rules = get(sheet, "cssRules");
    let length = get(&rules, "length").as_f64().unwrap_or(0.0) as u32;
    out.push(b'[');
    for index in 0..length {
        let rule = Reflect::get(&rules, &JsValue::from(index)).unwrap_or(JsValue::UNDEFINED);
        let text = get(&rule, "cssText").as_string().unwrap_or_default();
        if index > 0 {
            out.push(b',');
        }
        write_raw(out, "{\"rule\":");
        write_str(out, &text);
        write_raw(out, ",\"index\":");
        write_u32(out, index);
        out.push(b'}');
    }
    out.push(b']');
}
