//! Sending closed segments to the intake.
//!
//! The request is the wire contract's: a `POST` of `multipart/form-data`
//! with the zlib stream as `segment` and the metadata as `event`. The body
//! is a `FormData` of two `Blob`s and no header is set by hand, so the
//! request stays CORS-simple and needs no preflight from any site.
//!
//! Segments go out one at a time, in the order they were closed, from a
//! bounded queue. A network failure, a 408, a 429 or a 5xx is tried again
//! after a doubling delay, up to [`MAX_UPLOAD_ATTEMPTS`] times; any other
//! answer is final. The queue holds at most [`MAX_QUEUED_UPLOADS`] segments
//! and drops its oldest when full. That bounds memory while the intake is
//! unreachable but loses those segments; a queue that persists and resends
//! them needs storage the worker does not have yet (IndexedDB), and until
//! then the page's hand-back at exit is what saves the last segments.

use std::collections::VecDeque;

use js_sys::{Array, Uint8Array};
use tapedeck_segment::{
    Segment, EVENT_CONTENT_TYPE, EVENT_FIELD, EVENT_FILE_NAME, SEGMENT_CONTENT_TYPE, SEGMENT_FIELD,
    SEGMENT_FILE_NAME, UPLOAD_PATH,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, FormData, RequestInit};

use crate::scope;

/// How often one segment is sent before it is given up.
pub const MAX_UPLOAD_ATTEMPTS: u32 = 4;

/// The delay before the first retry; each further retry waits twice as long.
pub const FIRST_RETRY_DELAY_MS: u64 = 500;

/// How many closed segments may wait for their upload.
pub const MAX_QUEUED_UPLOADS: usize = 16;

/// A closed segment waiting to be sent.
pub struct PendingUpload {
    /// The intake's base URL, taken from the view's config when the segment
    /// closed, so a later view cannot redirect it.
    pub endpoint: String,
    /// The segment.
    pub segment: Segment,
    /// Its metadata as JSON, the `event` part.
    pub metadata_json: String,
}

/// Segments waiting for their upload, oldest first.
#[derive(Default)]
pub struct UploadQueue {
    pending: VecDeque<PendingUpload>,
    /// True while a task is sending from the queue.
    pub sending: bool,
}

impl UploadQueue {
    /// Adds a segment, returning the oldest one when the queue was full.
    pub fn push(&mut self, upload: PendingUpload) -> Option<PendingUpload> {
        let dropped = if self.pending.len() >= MAX_QUEUED_UPLOADS {
            self.pending.pop_front()
        } else {
            None
        };
        self.pending.push_back(upload);
        dropped
    }

    /// Takes the oldest segment.
    pub fn pop(&mut self) -> Option<PendingUpload> {
        self.pending.pop_front()
    }

    /// Takes every waiting segment, oldest first.
    pub fn drain(&mut self) -> Vec<PendingUpload> {
        self.pending.drain(..).collect()
    }
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The intake answered with this status, a success or a final refusal.
    Answered(u16),
    /// Every attempt failed; the last failure is described.
    GaveUp(String),
}

/// Sends one segment, retrying as the module docs describe.
pub async fn upload_with_retry(upload: &PendingUpload) -> UploadOutcome {
    let mut delay_ms = FIRST_RETRY_DELAY_MS;
    let mut attempt = 1;
    loop {
        let failure = match send(upload).await {
            Ok(status) if !is_retryable(status) => return UploadOutcome::Answered(status),
            Ok(status) => format!("the intake answered {status}"),
            Err(error) => format!("the request failed: {}", describe(&error)),
        };
        if attempt >= MAX_UPLOAD_ATTEMPTS {
            return UploadOutcome::GaveUp(failure);
        }

        scope::sleep(delay_ms).await;
        delay_ms *= 2;
        attempt += 1;
    }
}

/// True for answers that may succeed when sent again.
fn is_retryable(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

/// Sends one segment once and returns the intake's status.
async fn send(upload: &PendingUpload) -> Result<u16, JsValue> {
    let body = build_form_data(&upload.segment, &upload.metadata_json)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);

    let url = format!("{}{UPLOAD_PATH}", upload.endpoint);
    let response = scope::fetch(&url, &init).await?;
    Ok(response.status())
}

/// The upload's body: the zlib stream and the metadata as two file parts.
pub fn build_form_data(segment: &Segment, metadata_json: &str) -> Result<FormData, JsValue> {
    let segment_blob = blob(
        &Uint8Array::from(segment.bytes.as_slice()).into(),
        SEGMENT_CONTENT_TYPE,
    )?;
    let event_blob = blob(&JsValue::from_str(metadata_json), EVENT_CONTENT_TYPE)?;

    let form = FormData::new()?;
    form.append_with_blob_and_filename(SEGMENT_FIELD, &segment_blob, SEGMENT_FILE_NAME)?;
    form.append_with_blob_and_filename(EVENT_FIELD, &event_blob, EVENT_FILE_NAME)?;
    Ok(form)
}

fn blob(content: &JsValue, content_type: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(content_type);
    Blob::new_with_blob_sequence_and_options(&Array::of1(content), &options)
}

/// A JavaScript error's message, or its debug form for anything else.
pub fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .unwrap_or_else(|| format!("{error:?}"))
}
