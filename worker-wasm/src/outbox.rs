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

    /// Tells the page what the open segment holds, so it can finish and
    /// send the segment itself when it is closed (see
    /// `tapedeck_segment::finish_synced`). `open` is the synced bytes, their
    /// Adler-32 and a `RecordsMeta` JSON with the raw size, or `None`
    /// when no segment is open.
    pub fn post_progress(
        &self,
        view_id: &str,
        seq: f64,
        index: u32,
        open: Option<(&[u8], u32, String)>,
    ) {
        let mut fields: Vec<(&str, JsValue)> = vec![
            ("view", view_id.into()),
            ("seq", seq.into()),
            ("index", index.into()),
        ];
        let transfer = Array::new();
        if let Some((bytes, adler, meta)) = open {
            let buffer = Uint8Array::from(bytes).buffer();
            transfer.push(&buffer);
            fields.push(("bytes", buffer.into()));
            fields.push(("adler", adler.into()));
            fields.push(("meta", meta.into()));
        }
        self.post(&message("progress", &fields), &transfer);
    }

    /// Asks the recorder for a new full snapshot: segments were dropped, so
    /// the replay needs one to go on after the gap.
    pub fn post_need_full_snapshot(&self) {
        self.post(&message("need-full-snapshot", &[]), &Array::new());
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
