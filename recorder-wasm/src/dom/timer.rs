//! One-shot timers that are cancelled when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::failure;

/// A pending `setTimeout`; dropping it cancels the call.
#[must_use = "the timer is cancelled as soon as the handle is dropped"]
pub struct Timeout {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `callback` once after `delay_ms`.
    pub fn new(delay_ms: i32, callback: impl FnOnce() + 'static) -> Result<Self, JsValue> {
        let mut callback = Some(callback);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if failure::has_failed() {
                return;
            }
            if let Some(callback) = callback.take() {
                callback();
            }
        });
        let guarded = failure::guard(closure.as_ref().unchecked_ref());
        let id = js_sys::global()
            .unchecked_into::<web_sys::Window>()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&guarded, delay_ms)?;
        Ok(Self {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        js_sys::global()
            .unchecked_into::<web_sys::Window>()
            .clear_timeout_with_handle(self.id);
    }
}
