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
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Element, Event, EventTarget, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};

use crate::dom::cast::{as_element, is_html};
use crate::dom::hooks::{prototype_of, Hook};
use crate::dom::EventListener;
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// A field's state as last sent.
type FieldState = (String, bool);

/// What was last sent per field id, so unchanged states are not resent.
type LastSent = Rc<RefCell<HashMap<u32, FieldState>>>;

/// The running tracker; dropping it stops it.
#[must_use = "input stops being recorded as soon as the handle is dropped"]
pub struct InputTracker {
    _listeners: Vec<EventListener>,
    last_sent: LastSent,
    hooks: Vec<Hook>,
}

/// Starts recording input in text fields, text areas, selects, checkboxes
/// and radio buttons.
pub fn start(recording: &Rc<Recording>) -> Result<InputTracker, RecorderError> {
    let mut tracker = attach(recording, recording.document.as_ref())?;
    tracker.hooks = hook_setters(recording, &js_sys::global(), &tracker.last_sent);
    Ok(tracker)
}

/// Records input in an iframe's document, including values its scripts
/// set (through the setters of its own realm, `global`).
pub fn attach_with_setters(
    recording: &Rc<Recording>,
    document: &web_sys::Document,
    global: &JsValue,
) -> Result<InputTracker, RecorderError> {
    let mut tracker = attach(recording, document.as_ref())?;
    tracker.hooks = hook_setters(recording, global, &tracker.last_sent);
    Ok(tracker)
}

/// Field properties that change what a field shows when set from script,
/// which fires no event.
const FIELD_SETTERS: &[(&str, &str)] = &[
    ("HTMLInputElement", "value"),
    ("HTMLInputElement", "checked"),
    ("HTMLTextAreaElement", "value"),
    ("HTMLSelectElement", "value"),
    ("HTMLSelectElement", "selectedIndex"),
    ("HTMLOptionElement", "selected"),
];

fn hook_setters(recording: &Rc<Recording>, global: &JsValue, last_sent: &LastSent) -> Vec<Hook> {
    let mut hooks = Vec::new();
    for (constructor, property) in FIELD_SETTERS {
        let Some(proto) = prototype_of(global, constructor) else {
            continue;
        };
        let (recording, last_sent) = (Rc::clone(recording), Rc::clone(last_sent));
        hooks.extend(Hook::setter(&proto, property, move |this, _, _| {
            if recording.is_stopped() {
                return;
            }
            let Some(mut element) = as_element(&this).cloned() else {
                return;
            };
            // Selecting an option changes its select.
            if let Some(select) = is_html(&element, "option")
                .then(|| element.closest("select").ok().flatten())
                .flatten()
            {
                element = select;
            }
            on_field_change(&recording, &last_sent, &element, false);
        }));
    }
    hooks
}

/// Records input seen by `target` (a document or a shadow root: `change`
/// does not cross shadow boundaries).
pub fn attach(
    recording: &Rc<Recording>,
    target: &EventTarget,
) -> Result<InputTracker, RecorderError> {
    let last_sent: LastSent = Rc::default();
    let mut listeners = Vec::new();
    for event_type in ["input", "change"] {
        let (for_listener, last_sent) = (Rc::clone(recording), Rc::clone(&last_sent));
        listeners.push(EventListener::new(
            target,
            event_type,
            true,
            move |event| on_input(&for_listener, &last_sent, &event),
        )?);
    }
    Ok(InputTracker {
        _listeners: listeners,
        last_sent,
        hooks: Vec::new(),
    })
}

fn on_input(recording: &Recording, last_sent: &RefCell<HashMap<u32, FieldState>>, event: &Event) {
    let Some(element) = event
        .target()
        .and_then(|target| as_element(&target).cloned())
    else {
        return;
    };
    on_field_change(recording, last_sent, &element, event.is_trusted());
}

fn on_field_change(
    recording: &Recording,
    last_sent: &RefCell<HashMap<u32, FieldState>>,
    element: &Element,
    user_triggered: bool,
) {
    if is_html(element, "select") && element.unchecked_ref::<HtmlSelectElement>().multiple() {
        record_multiple_selection(recording, last_sent, element.unchecked_ref());
        return;
    }
    let Some(state) = field_state(recording, element) else {
        return;
    };
    record_field(recording, last_sent, element, state, user_triggered);

    // Checking a radio button unchecks the others of its group without an
    // event of their own.
    if !is_html(element, "input") {
        return;
    }
    let input = element.unchecked_ref::<HtmlInputElement>();
    if !input.type_().eq_ignore_ascii_case("radio") || !input.checked() || input.name().is_empty() {
        return;
    }
    let Some(document) = element.owner_document() else {
        return;
    };
    let group = document.get_elements_by_name(&input.name());
    for index in 0..group.length() {
        let Some(other) = group
            .item(index)
            .filter(|node| as_element(node).is_some_and(|other| is_html(other, "input")))
            .map(|node| node.unchecked_into::<HtmlInputElement>())
        else {
            continue;
        };
        if other.type_().eq_ignore_ascii_case("radio") && &other != input {
            if let Some(state) = field_state(recording, &other) {
                record_field(recording, last_sent, &other, state, user_triggered);
            }
        }
    }
}

/// The field's value (masked as its level demands) and checked state, or
/// `None` for elements that are not fields or are hidden.
fn field_state(recording: &Recording, element: &Element) -> Option<FieldState> {
    let level = recording.level_at(element.as_ref());
    if level == PrivacyLevel::Hidden {
        return None;
    }
    let autocomplete = element.get_attribute("autocomplete");
    if is_html(element, "input") {
        let input = element.unchecked_ref::<HtmlInputElement>();
        let kind = input.type_().to_ascii_lowercase();
        if kind == "checkbox" || kind == "radio" {
            // The replayer writes `text` into `value`, so the field's own
            // value (page content, not user input) goes along.
            return Some((input.value(), input.checked()));
        }
        let masked =
            level.masks_input() || is_always_masked_input(Some(&kind), autocomplete.as_deref());
        return Some((masked_if(input.value(), masked), false));
    }
    if is_html(element, "textarea") {
        let textarea = element.unchecked_ref::<HtmlTextAreaElement>();
        let masked = level.masks_input() || is_always_masked_input(None, autocomplete.as_deref());
        return Some((masked_if(textarea.value(), masked), false));
    }
    if is_html(element, "select") {
        let select = element.unchecked_ref::<HtmlSelectElement>();
        // A masked select records that a choice was made, not which.
        return Some((masked_if(select.value(), level.masks_input()), false));
    }
    None
}

/// A `<select multiple>` has no single value to replay, so its options'
/// `selected` state is sent as attribute changes, which the replayer
/// applies to each option. A masked select records nothing of the choice.
fn record_multiple_selection(
    recording: &Recording,
    last_sent: &RefCell<HashMap<u32, FieldState>>,
    select: &HtmlSelectElement,
) {
    let level = recording.level_at(select.as_ref());
    if level.masks_input() {
        return;
    }
    let Some(select_id) = recording.id_of(select.as_ref()) else {
        return;
    };
    let options = select.options();
    let mut states = Vec::new();
    for index in 0..options.length() {
        let Some(option) = options.item(index) else {
            continue;
        };
        let Some(id) = recording.id_of(option.as_ref()) else {
            continue;
        };
        states.push((
            id,
            option
                .unchecked_ref::<web_sys::HtmlOptionElement>()
                .selected(),
        ));
    }
    let summary: String = states
        .iter()
        .map(|(_, selected)| if *selected { '1' } else { '0' })
        .collect();
    let state = (summary, true);
    if last_sent.borrow().get(&select_id) == Some(&state) {
        return;
    }
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Mutation, |out| {
            write_raw(
                out,
                ",\"removes\":[],\"adds\":[],\"texts\":[],\"attributes\":[",
            );
            for (position, (id, selected)) in states.iter().enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                write_raw(out, "{\"id\":");
                write_u32(out, *id);
                write_raw(out, ",\"attributes\":{\"selected\":");
                write_raw(out, if *selected { "\"\"" } else { "null" });
                write_raw(out, "}}");
            }
            out.push(b']');
        });
    });
    last_sent.borrow_mut().insert(select_id, state);
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
    user_triggered: bool,
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
            write_raw(out, ",\"userTriggered\":");
            write_raw(out, if user_triggered { "true" } else { "false" });
        });
    });
    last_sent.borrow_mut().insert(id, state);
}
