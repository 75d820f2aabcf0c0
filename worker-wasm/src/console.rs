//! The worker's one way to speak to the site owner's console.
//!
//! Every line carries the `[tapedeck]` prefix so it can be told from the
//! host page's own logs, and only what someone must act on is logged.

/// Logs one warning with the `[tapedeck]` prefix.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("[tapedeck] {message}").into());
}
