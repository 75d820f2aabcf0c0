//! Viewport size changes, as ViewportResize events.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use tapedeck_model::node::{write_f64, write_raw};
use tapedeck_model::IncrementalSource;

use crate::dom::{EventListener, Timeout};
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// Resizing fires continuously while a window is dragged; only the size it
/// settles on for this long is recorded.
pub const RESIZE_SETTLE_MS: i32 = 200;

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
    let timer: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
    let for_listener = Rc::clone(recording);
    let listener = EventListener::new(recording.window.as_ref(), "resize", false, move |_| {
        let (recording, last, timer_slot) = (
            Rc::clone(&for_listener),
            Rc::clone(&last),
            Rc::clone(&timer),
        );
        // Each resize restarts the wait, replacing the previous timer.
        let settled = Timeout::new(RESIZE_SETTLE_MS, move || {
            let size = viewport_size(&recording);
            if size == last.get() {
                return;
            }
            last.set(size);
            let timestamp = Recording::now();
            recording.record(timestamp, false, |out| {
                write_incremental(out, timestamp, IncrementalSource::ViewportResize, |out| {
                    write_raw(out, ",\"width\":");
                    write_f64(out, size.0);
                    write_raw(out, ",\"height\":");
                    write_f64(out, size.1);
                });
            });
        });
        match settled {
            Ok(settled) => *timer_slot.borrow_mut() = Some(settled),
            Err(error) => for_listener.fail(&error.into()),
        }
    })?;
    Ok(ViewportTracker {
        _listener: listener,
    })
}
