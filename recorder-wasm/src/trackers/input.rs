//! Form input, as Input events carrying each field's new state.
//!
//! The value is read from the field when the event fires (not from the
//! event), masked by the privacy level in force at the field, and only
//! sent when it differs from what was last sent for that field.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use tapedeck_model::node::{write_raw, write_str, write_u32};
use tapedeck_model::IncrementalSource;
use tapedeck_privacy::{is_always_masked_input, mask_input_value, PrivacyLevel};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::dom::EventListener;
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;
use crate::serialize::privacy_scope::level_at;

/// A field's state as last sent.
type FieldState = (String, bool);

/// The running tracker; dropping it stops it.
#[must_use = "input stops being recorded as soon as the handle is dropped"]
pub struct InputTracker {
    _listeners: Vec<EventListener>,
}

/// Starts recording input in text fields, text areas, selects, checkboxes
/// and radio buttons.
pub fn start(recording: &Rc<Recording>) -> Result<InputTracker, RecorderError> {
    let last_sent: Rc<RefCell<HashMap<u32, FieldState>>> = Rc::default();
    let mut listeners = Vec::new();
    for event_type in ["input", "change"] {
        let (for_listener, last_sent) = (Rc::clone(recording), Rc::clone(&last_sent));
        listeners.push(EventListener::new(
            recording.document.as_ref(),
            event_type,
            true,
            move |event| on_input(&for_listener, &last_sent, &event),
        )?);
    }
    Ok(InputTracker {
        _listeners: listeners,
    })
}

fn on_input(recording: &Recording, last_sent: &RefCell<HashMap<u32, FieldState>>, event: &Event) {
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
    else {
        return;
    };
    let Some(state) = field_state(recording, &element) else {
        return;
    };
    record_field(recording, last_sent, &element, state);

    // Checking a radio button unchecks the others of its group without an
    // event of their own.
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        if input.type_().eq_ignore_ascii_case("radio")
            && input.checked()
            && !input.name().is_empty()
        {
            let group = recording.document.get_elements_by_name(&input.name());
            for index in 0..group.length() {
                let Some(other) = group
                    .item(index)
                    .and_then(|node| node.dyn_into::<HtmlInputElement>().ok())
                else {
                    continue;
                };
                if other.type_().eq_ignore_ascii_case("radio") && &other != input {
                    if let Some(state) = field_state(recording, &other) {
                        record_field(recording, last_sent, &other, state);
                    }
                }
            }
        }
    }
}

/// The field's value (masked as its level demands) and checked state, or
/// `None` for elements that are not fields or are hidden.
fn field_state(recording: &Recording, element: &Element) -> Option<FieldState> {
    let level = level_at(element.as_ref(), recording.options.privacy);
    if level == PrivacyLevel::Hidden {
        return None;
    }
    let autocomplete = element.get_attribute("autocomplete");
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        let kind = input.type_().to_ascii_lowercase();
        if kind == "checkbox" || kind == "radio" {
            return Some((String::new(), input.checked()));
        }
        let masked =
            level.masks_input() || is_always_masked_input(Some(&kind), autocomplete.as_deref());
        return Some((masked_if(input.value(), masked), false));
    }
    if let Some(textarea) = element.dyn_ref::<HtmlTextAreaElement>() {
        let masked = level.masks_input() || is_always_masked_input(None, autocomplete.as_deref());
        return Some((masked_if(textarea.value(), masked), false));
    }
    if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        // A masked select records that a choice was made, not which.
        return Some((masked_if(select.value(), level.masks_input()), false));
    }
    None
}

fn masked_if(value: String, masked: bool) -> String {
    if masked {
        mask_input_value(&value)
    } else {
        value
    }
}

fn record_field(
    recording: &Recording,
    last_sent: &RefCell<HashMap<u32, FieldState>>,
    element: &Element,
    state: FieldState,
) {
    let Some(id) = recording.id_of(element.as_ref()) else {
        return;
    };
    if last_sent.borrow().get(&id) == Some(&state) {
        return;
    }
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Input, |out| {
            write_raw(out, ",\"id\":");
            write_u32(out, id);
            write_raw(out, ",\"text\":");
            write_str(out, &state.0);
            write_raw(out, ",\"isChecked\":");
            write_raw(out, if state.1 { "true" } else { "false" });
            write_raw(out, ",\"userTriggered\":true");
        });
    });
    last_sent.borrow_mut().insert(id, state);
}
