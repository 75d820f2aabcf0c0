//! Viewport size changes, as ViewportResize events.

use std::cell::Cell;
use std::rc::Rc;

use tapedeck_model::node::{write_f64, write_raw};
use tapedeck_model::IncrementalSource;

use crate::dom::EventListener;
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// The running tracker; dropping it stops it.
#[must_use = "viewport changes stop being recorded as soon as the handle is dropped"]
pub struct ViewportTracker {
    _listener: EventListener,
}

/// The window's inner size.
pub fn viewport_size(recording: &Recording) -> (f64, f64) {
    let read = |value: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
        value.ok().and_then(|value| value.as_f64()).unwrap_or(0.0)
    };
    (
        read(recording.window.inner_width()),
        read(recording.window.inner_height()),
    )
}

/// Starts recording viewport changes.
pub fn start(recording: &Rc<Recording>) -> Result<ViewportTracker, RecorderError> {
    let last = Rc::new(Cell::new(viewport_size(recording)));
    let for_listener = Rc::clone(recording);
    // Each size is recorded when the browser reports it, not after a quiet
    // period: a scroll right after a resize must replay in the new
    // viewport, so the resize has to come first in the stream.
    let listener = EventListener::new(recording.window.as_ref(), "resize", false, move |_| {
        let size = viewport_size(&for_listener);
        if size == last.get() {
            return;
        }
        last.set(size);
        let timestamp = Recording::now();
        for_listener.record(timestamp, false, |out| {
            write_incremental(out, timestamp, IncrementalSource::ViewportResize, |out| {
                write_raw(out, ",\"width\":");
                write_f64(out, size.0);
                write_raw(out, ",\"height\":");
                write_f64(out, size.1);
            });
        });
    })?;
    Ok(ViewportTracker {
        _listener: listener,
    })
}
