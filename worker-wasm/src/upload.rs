//! Sending closed segments to the intake.
//!
//! The request is the wire contract's: a `POST` of `multipart/form-data`
//! with the zlib stream as `segment` and the metadata as `event`. The body
//! is a `FormData` of two `Blob`s and no header is set by hand, so the
//! request stays CORS-simple and needs no preflight from any site.
//!
//! A network failure, a 408, a 429 or a 5xx is tried again after a delay
//! that doubles up to half a minute, with jitter
//! ([`tapedeck_segment::retry_delay_ms`]), for as long as the worker lives:
//! the queue in front of it is bounded in bytes, so an intake that stays
//! down costs dropped old segments, never unbounded memory. Any other
//! answer is final.

use js_sys::{Array, Uint8Array};
use tapedeck_model::SegmentMetadata;
use tapedeck_segment::{
    is_retryable_status, retry_delay_ms, QueuedBytes, Segment, EVENT_CONTENT_TYPE, EVENT_FIELD,
    EVENT_FILE_NAME, SEGMENT_CONTENT_TYPE, SEGMENT_FIELD, SEGMENT_FILE_NAME,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, FormData, RequestInit};

use crate::scope;

/// After this many failed attempts at one segment the site owner is told
/// the intake is unreachable (once, until an upload succeeds again).
pub const ATTEMPTS_BEFORE_WARNING: u32 = 3;

/// A closed segment waiting to be sent.
pub struct PendingUpload {
    /// Where it goes: the view's upload URL when the segment closed, so a
    /// later view cannot redirect it.
    pub url: String,
    /// The segment.
    pub segment: Segment,
}

impl PendingUpload {
    /// The key the segment is kept under in IndexedDB until it is sent:
    /// unique per session, view and index, like the intake's own key.
    pub fn storage_key(&self) -> String {
        storage_key(&self.segment.metadata)
    }
}

/// The IndexedDB key of a segment with `metadata`.
pub fn storage_key(metadata: &SegmentMetadata) -> String {
    format!(
        "{}/{}/{}",
        metadata.session.id, metadata.view.id, metadata.index_in_view
    )
}

impl QueuedBytes for PendingUpload {
    fn queued_bytes(&self) -> u64 {
        self.segment.queued_bytes()
    }

    fn is_keyframe(&self) -> bool {
        self.segment.is_keyframe()
    }
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The intake answered with this final status, a success or a refusal.
    Answered(u16),
}

/// Sends one segment until the intake gives a final answer. `on_retry` is
/// called with the number of failed attempts and the last failure before
/// each wait.
pub async fn upload_with_retry(
    upload: &PendingUpload,
    event_json: &str,
    mut on_retry: impl FnMut(u32, &str),
) -> UploadOutcome {
    let mut failed_attempts = 0;
    loop {
        let failure = match send(upload, event_json).await {
            Ok(status) if !is_retryable_status(status) => return UploadOutcome::Answered(status),
            Ok(status) => format!("the intake answered {status}"),
            Err(error) => format!("the request failed: {}", describe(&error)),
        };
        failed_attempts += 1;
        on_retry(failed_attempts, &failure);
        scope::sleep(retry_delay_ms(failed_attempts, js_sys::Math::random())).await;
    }
}

/// Sends one segment once and returns the intake's status.
async fn send(upload: &PendingUpload, event_json: &str) -> Result<u16, JsValue> {
    let body = build_form_data(&upload.segment, event_json)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);

    let response = scope::fetch(&upload.url, &init).await?;
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
