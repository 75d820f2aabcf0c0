//! The messages the worker posts back to the recorder.

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use tapedeck_segment::Segment;
use wasm_bindgen::JsValue;
use web_sys::DedicatedWorkerGlobalScope;

use crate::console;

/// Where the worker's messages go.
pub enum Outbox {
    /// The page that started the worker, through `postMessage`.
    Scope(DedicatedWorkerGlobalScope),
    /// A function called with `(message, transfer)`, for hosts that relay
    /// the messages themselves and for tests.
    Function(Function),
}

impl Outbox {
    /// Says the worker accepts messages.
    pub fn post_ready(&self) {
        self.post(&message("ready", &[]), &Array::new());
    }

    /// Hands a closed segment back to the page, its bytes transferred.
    pub fn post_segment(&self, segment: &Segment, metadata_json: &str) {
        let bytes = Uint8Array::from(segment.bytes.as_slice()).buffer();
        let message = message(
            "segment",
            &[
                ("metadata", metadata_json.into()),
                ("bytes", bytes.clone().into()),
            ],
        );
        self.post(&message, &Array::of1(&bytes));
    }

    /// Reports the intake's answer to an upload.
    pub fn post_uploaded(&self, metadata_json: &str, status: u16) {
        let message = message(
            "uploaded",
            &[
                ("metadata", metadata_json.into()),
                ("status", status.into()),
            ],
        );
        self.post(&message, &Array::new());
    }

    /// Tells the recorder the worker cannot go on.
    pub fn post_failed(&self, reason: &str) {
        self.post(
            &message("failed", &[("message", reason.into())]),
            &Array::new(),
        );
    }

    fn post(&self, message: &Object, transfer: &Array) {
        let posted = match self {
            Self::Scope(scope) => scope.post_message_with_transfer(message, transfer),
            Self::Function(function) => function.call2(&JsValue::NULL, message, transfer).map(drop),
        };
        if let Err(error) = posted {
            console::warn(&format!("cannot post a message to the page: {error:?}"));
        }
    }
}

fn message(kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &"kind".into(), &kind.into());
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object
}
