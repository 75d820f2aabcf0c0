//! The few global functions the worker calls.
//!
//! They are bound on `globalThis` rather than on
//! `DedicatedWorkerGlobalScope`, so the same code runs in a worker, where it
//! is deployed, and on a page, where some of its browser tests run.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// A global scope with timers and `fetch`: a window or any worker.
    pub type GlobalScope;

    #[wasm_bindgen(method, catch, js_name = setTimeout)]
    fn set_timeout_js(
        this: &GlobalScope,
        handler: &Function,
        delay_ms: i32,
    ) -> Result<i32, JsValue>;

    #[wasm_bindgen(method, catch, js_name = fetch)]
    fn fetch_js(
        this: &GlobalScope,
        url: &str,
        init: &web_sys::RequestInit,
    ) -> Result<Promise, JsValue>;
}

/// The current global scope.
pub fn global_scope() -> GlobalScope {
    js_sys::global().unchecked_into()
}

/// Calls `handler` once after `delay_ms`.
pub fn set_timeout(handler: &Function, delay_ms: u64) -> Result<(), JsValue> {
    // setTimeout treats larger delays as 0; clamp instead of wrapping.
    let delay_ms = i32::try_from(delay_ms).unwrap_or(i32::MAX);
    global_scope().set_timeout_js(handler, delay_ms).map(drop)
}

/// Starts a `fetch` and waits for its response.
pub async fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response, JsValue> {
    let response = JsFuture::from(global_scope().fetch_js(url, init)?).await?;
    response.dyn_into()
}

/// Waits `delay_ms` without blocking the worker.
pub async fn sleep(delay_ms: u64) {
    let promise = Promise::new(&mut |resolve, _reject| {
        if set_timeout(&resolve, delay_ms).is_err() {
            // A timer that cannot be set only shortens a retry's back-off.
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    // The promise only ever resolves.
    let _ = JsFuture::from(promise).await;
}
