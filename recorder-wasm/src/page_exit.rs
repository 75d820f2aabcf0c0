//! Not losing the last moments when the page is hidden or closed.
//!
//! When the tab is hidden or the page unloads, waiting events are handed to
//! the worker at once and the worker is asked to close its segment and
//! hand it back; the main thread then sends it with `sendBeacon`, the one
//! way a request reliably outlives the page.

use std::rc::Rc;

use tapedeck_model::CreationReason;
use web_sys::VisibilityState;

use crate::dom::EventListener;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// What the page-exit listeners need to call back into.
pub trait ExitFlusher: 'static {
    /// Records what is pending and asks the worker for the closed segment.
    fn flush_for_exit(&self, reason: CreationReason);
}

/// The running listeners; dropping them stops them.
#[must_use = "page exits stop being handled as soon as the handle is dropped"]
pub struct PageExitTracker {
    _listeners: Vec<EventListener>,
}

/// Listens for the page being hidden (`visibilitychange`) or left
/// (`pagehide`).
pub fn start(
    recording: &Rc<Recording>,
    flusher: Rc<dyn ExitFlusher>,
) -> Result<PageExitTracker, RecorderError> {
    let document = recording.document.clone();
    let on_hidden = Rc::clone(&flusher);
    let visibility = EventListener::new(
        recording.document.as_ref(),
        "visibilitychange",
        true,
        move |_| {
            if document.visibility_state() == VisibilityState::Hidden {
                on_hidden.flush_for_exit(CreationReason::VisibilityHidden);
            }
        },
    )?;
    let page_hide = EventListener::new(recording.window.as_ref(), "pagehide", true, move |_| {
        flusher.flush_for_exit(CreationReason::BeforeUnload);
    })?;
    Ok(PageExitTracker {
        _listeners: vec![visibility, page_hide],
    })
}
