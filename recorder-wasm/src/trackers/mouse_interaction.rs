//! Clicks, presses, focus changes and touches, as MouseInteraction events.

use std::rc::Rc;

use tapedeck_model::node::{write_f64, write_raw, write_u32};
use tapedeck_model::{IncrementalSource, MouseInteraction};
use web_sys::{Event, EventTarget};

use crate::dom::cast::pointer_position;
use crate::dom::EventListener;
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;
use crate::trackers::target::target_id;

/// The DOM events recorded as interactions. Focus and blur do not bubble,
/// which is why every listener is a capturing one.
const INTERACTION_EVENTS: &[&str] = &[
    "mousedown",
    "mouseup",
    "click",
    "dblclick",
    "contextmenu",
    "focus",
    "blur",
    "touchstart",
    "touchend",
    "touchcancel",
];

/// The running tracker; dropping it stops it.
#[must_use = "interactions stop being recorded as soon as the handle is dropped"]
pub struct MouseInteractionTracker {
    _listeners: Vec<EventListener>,
}

/// Starts recording interactions on the page.
pub fn start(recording: &Rc<Recording>) -> Result<MouseInteractionTracker, RecorderError> {
    attach(recording, recording.document.as_ref())
}

/// Records interactions seen by `target` (a document).
pub fn attach(
    recording: &Rc<Recording>,
    target: &EventTarget,
) -> Result<MouseInteractionTracker, RecorderError> {
    let mut listeners = Vec::new();
    for &event_type in INTERACTION_EVENTS {
        let Some(kind) = MouseInteraction::from_dom_event(event_type) else {
            continue;
        };
        let for_listener = Rc::clone(recording);
        listeners.push(EventListener::new(
            target,
            event_type,
            true,
            move |event| record_interaction(&for_listener, kind, &event),
        )?);
    }
    Ok(MouseInteractionTracker {
        _listeners: listeners,
    })
}

fn record_interaction(recording: &Recording, kind: MouseInteraction, event: &Event) {
    let Some(id) = target_id(recording, event) else {
        return;
    };
    // The position comes with rrweb's pointer type (0 mouse, 2 touch);
    // focus changes have none.
    let position = pointer_position(event);
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::MouseInteraction, |out| {
            write_raw(out, ",\"type\":");
            write_u32(out, kind as u32);
            write_raw(out, ",\"id\":");
            write_u32(out, id);
            if let Some((x, y, pointer_type)) = position {
                write_raw(out, ",\"x\":");
                write_f64(out, x);
                write_raw(out, ",\"y\":");
                write_f64(out, y);
                write_raw(out, ",\"pointerType\":");
                write_u32(out, pointer_type);
            }
        });
    });
}
