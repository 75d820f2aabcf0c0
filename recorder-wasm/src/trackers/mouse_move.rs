//! Pointer paths, as sampled MouseMove and TouchMove events.
//!
//! A mousemove fires at the display's rate; recording each one would cost
//! more than it is worth. Positions are sampled every
//! [`SAMPLE_INTERVAL_MS`] and sent together every [`EMIT_INTERVAL_MS`],
//! each with its offset from the event's timestamp.

use std::cell::RefCell;
use std::rc::Rc;

use tapedeck_model::node::{write_f64, write_raw, write_u32};
use tapedeck_model::IncrementalSource;
use web_sys::{Event, EventTarget};

use crate::dom::cast::pointer_position;
use crate::dom::{EventListener, Timeout};
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;
use crate::trackers::target::target_id;

/// The minimum time between two recorded positions.
pub const SAMPLE_INTERVAL_MS: f64 = 50.0;

/// How long positions are collected before they are sent as one event.
pub const EMIT_INTERVAL_MS: i32 = 500;

struct Position {
    x: f64,
    y: f64,
    id: u32,
    time: f64,
}

#[derive(Default)]
struct Path {
    positions: Vec<Position>,
    trailing: Option<Position>,
    last_sample: f64,
    timer: Option<Timeout>,
}

/// The running tracker; dropping it stops it.
#[must_use = "pointer moves stop being recorded as soon as the handle is dropped"]
pub struct MouseMoveTracker {
    _listeners: Vec<EventListener>,
}

/// Starts sampling mouse and touch moves on the page.
pub fn start(recording: &Rc<Recording>) -> Result<MouseMoveTracker, RecorderError> {
    attach(recording, recording.document.as_ref())
}

/// Samples mouse and touch moves seen by `target` (a document).
pub fn attach(
    recording: &Rc<Recording>,
    target: &EventTarget,
) -> Result<MouseMoveTracker, RecorderError> {
    let mut listeners = Vec::new();
    for (event_type, source) in [
        ("mousemove", IncrementalSource::MouseMove),
        ("touchmove", IncrementalSource::TouchMove),
    ] {
        let path = Rc::new(RefCell::new(Path::default()));
        let for_listener = Rc::clone(recording);
        listeners.push(EventListener::new(
            target,
            event_type,
            true,
            move |event| sample(&for_listener, &path, source, &event),
        )?);
    }
    Ok(MouseMoveTracker {
        _listeners: listeners,
    })
}

fn sample(
    recording: &Rc<Recording>,
    path: &Rc<RefCell<Path>>,
    source: IncrementalSource,
    event: &Event,
) {
    let Some((x, y, _)) = pointer_position(event) else {
        return;
    };
    let Some(id) = target_id(recording, event) else {
        return;
    };
    let now = Recording::now();
    let position = Position {
        x,
        y,
        id,
        time: now,
    };

    let mut state = path.borrow_mut();
    // Between samples only the latest position is kept, so the pointer's
    // resting place is recorded even when it stops between two samples.
    if now - state.last_sample < SAMPLE_INTERVAL_MS {
        state.trailing = Some(position);
    } else {
        state.last_sample = now;
        state.trailing = None;
        state.positions.push(position);
    }
    if state.timer.is_some() {
        return;
    }
    let (for_timer, path_for_timer) = (Rc::clone(recording), Rc::clone(path));
    match Timeout::new(EMIT_INTERVAL_MS, move || {
        emit(&for_timer, &path_for_timer, source)
    }) {
        Ok(timer) => state.timer = Some(timer),
        Err(error) => recording.fail(&error.into()),
    }
}

fn emit(recording: &Recording, path: &Rc<RefCell<Path>>, source: IncrementalSource) {
    let positions = {
        let mut state = path.borrow_mut();
        // Dropping the timer from its own callback is safe: the closure is
        // freed once the call returns.
        state.timer = None;
        if let Some(trailing) = state.trailing.take() {
            state.last_sample = trailing.time;
            state.positions.push(trailing);
        }
        std::mem::take(&mut state.positions)
    };
    if positions.is_empty() {
        return;
    }
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, source, |out| {
            write_raw(out, ",\"positions\":[");
            for (index, position) in positions.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_raw(out, "{\"x\":");
                write_f64(out, position.x);
                write_raw(out, ",\"y\":");
                write_f64(out, position.y);
                write_raw(out, ",\"id\":");
                write_u32(out, position.id);
                write_raw(out, ",\"timeOffset\":");
                write_f64(out, (position.time - timestamp).min(0.0).round());
                out.push(b'}');
            }
            out.push(b']');
        });
    });
}
