//! Keeping the recorder's own failures away from the host page.
//!
//! Every fallible step returns a [`RecorderError`]; the first one that
//! reaches the top is reported once as a console warning and recording
//! stops. A panic (a bug) is handled the same way: the panic hook warns and
//! marks the recorder as failed, and every callback into the recorder goes
//! through a small try/catch trampoline, so the trap that follows a panic in
//! WebAssembly is swallowed instead of surfacing as an uncaught error on the
//! page.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use js_sys::Function;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

/// The prefix of every console message tapedeck writes.
pub const LOG_PREFIX: &str = "[tapedeck]";

// A wasm instance is single-threaded and a panic poisons all of it, so this
// flag is process-wide by nature rather than per recorder.
static FAILED: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// What can go wrong while recording.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    /// A browser API threw; the message is the browser's.
    #[error("a browser call failed: {0}")]
    Browser(String),
    /// The page has no `window` or `document` (for example, a worker).
    #[error("no document to record: tapedeck must run on a page's main thread")]
    NoDocument,
    /// The options passed to `init` are invalid.
    #[error(transparent)]
    Options(#[from] crate::options::OptionsError),
}

impl From<JsValue> for RecorderError {
    fn from(value: JsValue) -> Self {
        let message = value
            .as_string()
            .or_else(|| {
                js_sys::Reflect::get(&value, &"message".into())
                    .ok()
                    .and_then(|message| message.as_string())
            })
            .unwrap_or_else(|| format!("{value:?}"));
        Self::Browser(message)
    }
}

/// True once the recorder has failed; callbacks then return at once.
pub fn has_failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// Reports the failure that stops recording, once per page.
pub fn report_fatal(error: &dyn std::fmt::Display) {
    if !FAILED.swap(true, Ordering::Relaxed) {
        warn(&format!("recording stopped: {error}"));
    }
}

/// Writes one prefixed warning to the console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("{LOG_PREFIX} {message}").into());
}

/// Installs the panic hook that turns a bug into one warning.
pub fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            report_fatal(&format_args!("internal error ({info}); please report it"));
        }));
    });
}

// A trampoline in the generated JavaScript glue rather than `new Function`,
// so pages whose Content-Security-Policy forbids eval still work.
#[wasm_bindgen(inline_js = "export function guard_callback(callback) { \
    return function (argument) { try { callback(argument); } catch (_) {} }; }")]
extern "C" {
    #[wasm_bindgen(js_name = guard_callback)]
    fn guard_callback(callback: &Function) -> Function;
}

/// Wraps a callback so that nothing it throws reaches the caller (the
/// browser's event loop, and through it the page's error handlers).
pub fn guard(callback: &Function) -> Function {
    guard_callback(callback)
}
