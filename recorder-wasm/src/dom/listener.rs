//! Event listeners that remove themselves when dropped and never let a
//! failure escape into the host page.

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AddEventListenerOptions, Event, EventTarget};

use crate::failure;

/// A registered listener; dropping it removes it.
#[must_use = "the listener is removed as soon as the handle is dropped"]
pub struct EventListener {
    target: EventTarget,
    event_type: &'static str,
    capture: bool,
    guarded: Function,
    _closure: Closure<dyn FnMut(Event)>,
}

impl EventListener {
    /// Listens for `event_type` on `target`, passively. `capture` listeners
    /// on the document see events that do not bubble (focus, scroll on
    /// elements) and run before the page's own handlers can stop them.
    pub fn new(
        target: &EventTarget,
        event_type: &'static str,
        capture: bool,
        mut handler: impl FnMut(Event) + 'static,
    ) -> Result<Self, JsValue> {
        let closure = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            if failure::has_failed() {
                return;
            }
            handler(event);
        });
        let guarded = failure::guard(closure.as_ref().unchecked_ref());

        let options = AddEventListenerOptions::new();
        options.set_capture(capture);
        options.set_passive(true);
        target.add_event_listener_with_callback_and_add_event_listener_options(
            event_type, &guarded, &options,
        )?;

        Ok(Self {
            target: target.clone(),
            event_type,
            capture,
            guarded,
            _closure: closure,
        })
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        // Removing can only fail for a detached target, which no longer
        // calls the listener anyway.
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.event_type,
            &self.guarded,
            self.capture,
        );
    }
}
