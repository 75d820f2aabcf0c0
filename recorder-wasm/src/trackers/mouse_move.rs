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
use wasm_bindgen::JsCast;
use web_sys::{Event, MouseEvent, TouchEvent};

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
    last_sample: f64,
    timer: Option<Timeout>,
}

/// The running tracker; dropping it stops it.
#[must_use = "pointer moves stop being recorded as soon as the handle is dropped"]
pub struct MouseMoveTracker {
    _listeners: Vec<EventListener>,
}

/// Starts sampling mouse and touch moves.
pub fn start(recording: &Rc<Recording>) -> Result<MouseMoveTracker, RecorderError> {
    let mut listeners = Vec::new();
    for (event_type, source) in [
        ("mousemove", IncrementalSource::MouseMove),
        ("touchmove", IncrementalSource::TouchMove),
    ] {
        let path = Rc::new(RefCell::new(Path::default()));
        let for_listener = Rc::clone(recording);
        listeners.push(EventListener::new(
            recording.document.as_ref(),
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
    let now = Recording::now();
    if now - path.borrow().last_sample < SAMPLE_INTERVAL_MS {
        return;
    }
    let Some((x, y)) = client_position(event) else {
        return;
    };
    let Some(id) = target_id(recording, event) else {
        return;
    };

    let mut state = path.borrow_mut();
    state.last_sample = now;
    state.positions.push(Position {
        x,
        y,
        id,
        time: now,
    });
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

fn client_position(event: &Event) -> Option<(f64, f64)> {
    if let Some(mouse) = event.dyn_ref::<MouseEvent>() {
        return Some((mouse.client_x().into(), mouse.client_y().into()));
    }
    let touch = event.dyn_ref::<TouchEvent>()?.changed_touches().get(0)?;
    Some((touch.client_x().into(), touch.client_y().into()))
}

fn emit(recording: &Recording, path: &Rc<RefCell<Path>>, source: IncrementalSource) {
    let positions = {
        let mut state = path.borrow_mut();
        // Dropping the timer from its own callback is safe: the closure is
        // freed once the call returns.
        state.timer = None;
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
