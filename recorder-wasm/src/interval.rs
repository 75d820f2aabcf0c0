//! Repeating timers that are cancelled when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::failure;

/// A running `setInterval`; dropping it stops the calls.
#[must_use = "the timer stops as soon as the handle is dropped"]
pub struct Interval {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Interval {
    /// Calls `callback` every `period_ms` until dropped.
    pub fn new(period_ms: f64, mut callback: impl FnMut() + 'static) -> Result<Self, JsValue> {
        let closure = Closure::<dyn FnMut()>::new(move || {
            if !failure::has_failed() {
                callback();
            }
        });
        let guarded = failure::guard(closure.as_ref().unchecked_ref());
        // setInterval takes a 32-bit delay and treats larger ones as 0.
        let period_ms = period_ms.clamp(1.0, f64::from(i32::MAX)) as i32;
        let id = js_sys::global()
            .unchecked_into::<web_sys::Window>()
            .set_interval_with_callback_and_timeout_and_arguments_0(&guarded, period_ms)?;
        Ok(Self {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        js_sys::global()
            .unchecked_into::<web_sys::Window>()
            .clear_interval_with_handle(self.id);
    }
}
