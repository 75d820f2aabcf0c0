//! Not losing the last moments when the page is hidden or closed.
//!
//! When the tab is hidden, the page unloads or the browser freezes it, the
//! page finishes the worker's open segment itself from its copy
//! ([`crate::exit_copy`]) and sends it with `sendBeacon`, the one way a
//! request reliably outlives the page; there is no time to wait for the
//! worker. The worker is then told to close the same segment and to hand
//! back what waits in its queue.

use std::rc::Rc;

use tapedeck_model::CreationReason;
use web_sys::VisibilityState;

use crate::dom::EventListener;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// What the page-exit listeners need to call back into.
pub trait ExitFlusher: 'static {
    /// Sends what is recorded so far and tells the worker the page exits.
    fn flush_for_exit(&self, reason: CreationReason);
}

/// The running listeners; dropping them stops them.
#[must_use = "page exits stop being handled as soon as the handle is dropped"]
pub struct PageExitTracker {
    _listeners: Vec<EventListener>,
}

/// Listens for the page being hidden (`visibilitychange`), left
/// (`pagehide`) or frozen (`freeze`, after which the browser may discard
/// the page without another event).
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
    let on_hide = Rc::clone(&flusher);
    let page_hide = EventListener::new(recording.window.as_ref(), "pagehide", true, move |_| {
        on_hide.flush_for_exit(CreationReason::BeforeUnload);
    })?;
    let freeze = EventListener::new(recording.document.as_ref(), "freeze", true, move |_| {
        flusher.flush_for_exit(CreationReason::Freeze);
    })?;
    Ok(PageExitTracker {
        _listeners: vec![visibility, page_hide, freeze],
    })
}
