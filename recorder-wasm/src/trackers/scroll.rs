//! Page and element scrolling, as throttled Scroll events.
//!
//! Scroll events fire every frame while scrolling; only the latest offset
//! of each scrolled node is sent, at most every [`SCROLL_THROTTLE_MS`].

use std::cell::RefCell;
use std::rc::Rc;

use tapedeck_model::node::{write_f64, write_raw, write_u32};
use tapedeck_model::IncrementalSource;
use web_sys::{Event, EventTarget};

use crate::dom::cast::{as_document, as_element, as_node};
use crate::dom::{EventListener, Timeout};
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;
use crate::trackers::target::target_id;

/// The shortest time between two Scroll events for one node.
pub const SCROLL_THROTTLE_MS: i32 = 100;

#[derive(Default)]
struct Pending {
    offsets: Vec<(u32, f64, f64)>,
    timer: Option<Timeout>,
}

/// The running tracker; dropping it stops it.
#[must_use = "scrolling stops being recorded as soon as the handle is dropped"]
pub struct ScrollTracker {
    _listener: EventListener,
}

/// Starts recording scrolls of the page and of any element.
pub fn start(recording: &Rc<Recording>) -> Result<ScrollTracker, RecorderError> {
    attach(recording, recording.document.as_ref())
}

/// Records scrolls seen by `target`: a document, or a shadow root, since
/// scroll events do not leave shadow trees.
pub fn attach(
    recording: &Rc<Recording>,
    target: &EventTarget,
) -> Result<ScrollTracker, RecorderError> {
    let pending = Rc::new(RefCell::new(Pending::default()));
    let for_listener = Rc::clone(recording);
    let listener = EventListener::new(target, "scroll", true, move |event| {
        on_scroll(&for_listener, &pending, &event);
    })?;
    Ok(ScrollTracker {
        _listener: listener,
    })
}

fn on_scroll(recording: &Rc<Recording>, pending: &Rc<RefCell<Pending>>, event: &Event) {
    let Some(id) = target_id(recording, event) else {
        return;
    };
    let Some(target) = event.target() else {
        return;
    };
    let target_node = as_node(&target);
    let (x, y) = if let Some(document) = target_node.and_then(as_document) {
        let Some(window) = document.default_view() else {
            return;
        };
        (
            window.scroll_x().unwrap_or(0.0),
            window.scroll_y().unwrap_or(0.0),
        )
    } else if let Some(element) = as_element(&target) {
        (element.scroll_left().into(), element.scroll_top().into())
    } else {
        return;
    };

    let mut state = pending.borrow_mut();
    match state
        .offsets
        .iter_mut()
        .find(|(existing, _, _)| *existing == id)
    {
        Some(entry) => *entry = (id, x, y),
        None => state.offsets.push((id, x, y)),
    }
    if state.timer.is_some() {
        return;
    }
    let (for_timer, pending_for_timer) = (Rc::clone(recording), Rc::clone(pending));
    match Timeout::new(SCROLL_THROTTLE_MS, move || {
        emit(&for_timer, &pending_for_timer)
    }) {
        Ok(timer) => state.timer = Some(timer),
        Err(error) => recording.fail(&error.into()),
    }
}

fn emit(recording: &Recording, pending: &Rc<RefCell<Pending>>) {
    let offsets = {
        let mut state = pending.borrow_mut();
        state.timer = None;
        std::mem::take(&mut state.offsets)
    };
    let timestamp = Recording::now();
    for (id, x, y) in offsets {
        recording.record(timestamp, false, |out| {
            write_incremental(out, timestamp, IncrementalSource::Scroll, |out| {
                write_raw(out, ",\"id\":");
                write_u32(out, id);
                write_raw(out, ",\"x\":");
                write_f64(out, x);
                write_raw(out, ",\"y\":");
                write_f64(out, y);
            });
        });
    }
}
