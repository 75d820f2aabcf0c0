//! Reading the messages the recorder posts to the worker.
//!
//! A message crosses a thread boundary, so nothing about its shape is
//! trusted: every field is checked and every problem becomes a
//! [`MessageError`] the worker can report, never a panic. The message kinds
//! are described in `docs/ARCHITECTURE.md`.

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use tapedeck_model::{CreationReason, RecordsMeta, WorkerConfig};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};

/// One message from the recorder.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Begin recording a view.
    Start(WorkerConfig),
    /// Append a batch of events.
    Records {
        /// What the batch holds.
        meta: RecordsMeta,
        /// The events: JSON objects joined by commas.
        bytes: Vec<u8>,
        /// The batch's sequence number, echoed in `progress` so the page
        /// knows which batches the open segment holds.
        seq: Option<f64>,
    },
    /// Close the open segment now.
    Flush {
        /// Why, as the segment's metadata will say.
        reason: CreationReason,
        /// The page is exiting: hand back the queued segments.
        hand_back: bool,
        /// On exit, the `index_in_view` of the segment the page finished
        /// and sent itself from its copy; the worker drops its own copy of
        /// that segment only.
        sent_index: Option<u32>,
    },
    /// Close and upload the open segment, then take no more records.
    Stop,
}

/// What is wrong with a message from the recorder.
#[derive(Debug, Error)]
pub enum MessageError {
    /// The message is not an object.
    #[error("message is not an object")]
    NotAnObject,

    /// The message has no `kind` string.
    #[error("message has no `kind` string")]
    NoKind,

    /// A field the kind requires is absent.
    #[error("{kind} message has no `{field}` field")]
    MissingField {
        /// The message's kind.
        kind: &'static str,
        /// The absent field.
        field: &'static str,
    },

    /// A field has the wrong type.
    #[error("`{field}` of a {kind} message is not {expected}")]
    WrongType {
        /// The message's kind.
        kind: &'static str,
        /// The field.
        field: &'static str,
        /// The type the field must have.
        expected: &'static str,
    },

    /// A JSON field does not parse into what it must hold.
    #[error("`{field}` of a {kind} message is invalid: {source}")]
    InvalidJson {
        /// The message's kind.
        kind: &'static str,
        /// The field.
        field: &'static str,
        /// What the parser found.
        source: serde_json::Error,
    },

    /// The `reason` of a flush is not a creation reason.
    #[error("flush reason `{0}` is not a creation reason")]
    UnknownReason(String),

    /// The `kind` is not one the worker knows.
    #[error("message kind `{0}` is unknown")]
    UnknownKind(String),
}

impl Command {
    /// Reads a message's `data`.
    pub fn from_js(data: &JsValue) -> Result<Self, MessageError> {
        let kind = message_kind(data)?;
        match kind.as_str() {
            "start" => {
                let config = string_field(data, "start", "config")?;
                serde_json::from_str(&config)
                    .map(Command::Start)
                    .map_err(|source| MessageError::InvalidJson {
                        kind: "start",
                        field: "config",
                        source,
                    })
            }
            "records" => {
                let meta = string_field(data, "records", "meta")?;
                let meta =
                    serde_json::from_str(&meta).map_err(|source| MessageError::InvalidJson {
                        kind: "records",
                        field: "meta",
                        source,
                    })?;
                let bytes = bytes_field(data, "records", "bytes")?;
                let seq = optional_number_field(data, "records", "seq")?;
                Ok(Command::Records { meta, bytes, seq })
            }
            "flush" => {
                let name = string_field(data, "flush", "reason")?;
                let reason =
                    CreationReason::parse(&name).ok_or(MessageError::UnknownReason(name))?;
                let hand_back = optional_bool_field(data, "flush", "handBack")?;
                let sent_index = optional_number_field(data, "flush", "sentIndex")?
                    .filter(|index| index.fract() == 0.0 && *index >= 0.0)
                    .map(|index| index as u32);
                Ok(Command::Flush {
                    reason,
                    hand_back,
                    sent_index,
                })
            }
            "stop" => Ok(Command::Stop),
            _ => Err(MessageError::UnknownKind(kind)),
        }
    }
}

/// The `kind` of a message, read before the rest so the worker can tell a
/// broken `start` (fatal) from any other broken message (dropped).
pub fn message_kind(data: &JsValue) -> Result<String, MessageError> {
    if !data.is_object() {
        return Err(MessageError::NotAnObject);
    }
    field(data, "kind")
        .and_then(|kind| kind.as_string())
        .ok_or(MessageError::NoKind)
}

/// A field's value, `None` when it is absent, `undefined` or `null`.
fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    // Reflect.get only fails on non-objects, which callers rule out first.
    Reflect::get(data, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

fn string_field(
    data: &JsValue,
    kind: &'static str,
    name: &'static str,
) -> Result<String, MessageError> {
    field(data, name)
        .ok_or(MessageError::MissingField { kind, field: name })?
        .as_string()
        .ok_or(MessageError::WrongType {
            kind,
            field: name,
            expected: "a string",
        })
}

fn optional_bool_field(
    data: &JsValue,
    kind: &'static str,
    name: &'static str,
) -> Result<bool, MessageError> {
    match field(data, name) {
        None => Ok(false),
        Some(value) => value.as_bool().ok_or(MessageError::WrongType {
            kind,
            field: name,
            expected: "a boolean",
        }),
    }
}

fn optional_number_field(
    data: &JsValue,
    kind: &'static str,
    name: &'static str,
) -> Result<Option<f64>, MessageError> {
    match field(data, name) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or(MessageError::WrongType {
            kind,
            field: name,
            expected: "a number",
        }),
    }
}

/// Copies the bytes of an `ArrayBuffer` (what the recorder transfers) or of
/// a `Uint8Array` into wasm memory.
fn bytes_field(
    data: &JsValue,
    kind: &'static str,
    name: &'static str,
) -> Result<Vec<u8>, MessageError> {
    let value = field(data, name).ok_or(MessageError::MissingField { kind, field: name })?;
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else if let Some(array) = value.dyn_ref::<Uint8Array>() {
        Ok(array.to_vec())
    } else {
        Err(MessageError::WrongType {
            kind,
            field: name,
            expected: "an ArrayBuffer",
        })
    }
}
