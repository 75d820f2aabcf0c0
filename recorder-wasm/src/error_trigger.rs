//! Noticing the page's uncaught errors and unhandled promise rejections.
//!
//! Each one is recorded as a Custom event tagged `error`, so a replay shows
//! where it happened; in error-triggered mode it also sends the buffered
//! recording. The listeners are passive observers: they never prevent the
//! default handling, so the page's own error reporting sees everything.

use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::Event;

use crate::dom::EventListener;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// The Custom event tag errors are recorded under.
pub const ERROR_TAG: &str = "error";

/// What the error listeners call back into.
pub trait ErrorHandler: 'static {
    /// An uncaught error (`kind` "error") or an unhandled rejection
    /// (`kind` "unhandledrejection") happened, described by `message`.
    fn on_page_error(&self, kind: &str, message: &str);
}

/// The running listeners; dropping them stops them.
#[must_use = "errors stop being noticed as soon as the handle is dropped"]
pub struct ErrorTracker {
    _listeners: Vec<EventListener>,
}

/// Listens for `error` and `unhandledrejection` on the window. Only the
/// bubbling phase is used, so resource load failures (which reach the
/// window only while capturing) are not taken for script errors.
pub fn start(
    recording: &Rc<Recording>,
    handler: Rc<dyn ErrorHandler>,
) -> Result<ErrorTracker, RecorderError> {
    let on_rejection = Rc::clone(&handler);
    let error = EventListener::new(recording.window.as_ref(), "error", false, move |event| {
        handler.on_page_error("error", &error_message(&event));
    })?;
    let rejection = EventListener::new(
        recording.window.as_ref(),
        "unhandledrejection",
        false,
        move |event| {
            let reason = field(&event, "reason");
            on_rejection.on_page_error("unhandledrejection", &describe(&reason));
        },
    )?;
    Ok(ErrorTracker {
        _listeners: vec![error, rejection],
    })
}

/// The payload of the Custom event: `{"kind": …, "message": …}`.
pub fn error_payload(kind: &str, message: &str) -> String {
    #[derive(serde::Serialize)]
    struct Payload<'a> {
        kind: &'a str,
        message: &'a str,
    }
    serde_json::to_string(&Payload { kind, message }).expect("two strings always serialize")
}

fn error_message(event: &Event) -> String {
    let message = field(event, "message").as_string().unwrap_or_default();
    if message.is_empty() {
        describe(&field(event, "error"))
    } else {
        message
    }
}

fn field(event: &Event, name: &str) -> JsValue {
    Reflect::get(event, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// An `Error`'s message, a string as it is, anything else by its kind.
fn describe(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    Reflect::get(value, &"message".into())
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| {
            if value.is_undefined() {
                "undefined".into()
            } else {
                "a non-Error value".into()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_escapes_the_message() {
        let payload: serde_json::Value =
            serde_json::from_str(&error_payload("error", "bad \"quote\"\n")).unwrap();
        assert_eq!(payload["kind"], "error");
        assert_eq!(payload["message"], "bad \"quote\"\n");
    }
}
