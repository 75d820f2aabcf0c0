//! Checking an upload before anything is stored.
//!
//! The order of the checks is chosen so that cheap ones come first: the
//! multipart parts ([`parts`]), then the metadata and ids, then the sizes the
//! metadata declares, and only then the bounded inflation and the events
//! ([`events`]). Whatever fails, the client learns which check it was.

pub mod events;
pub mod parts;

use serde::Deserialize;
use tapedeck_model::SegmentMetadata;

use crate::error::IntakeError;
use crate::ids::SafeId;
use crate::inflate::{inflate_segment, InflateLimits};
use crate::store::{NewSegment, SegmentKey, SegmentRecord};

pub use parts::{read_upload_parts, UploadParts};

/// The bounds an upload must stay within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// The most bytes a whole request body may have.
    pub max_body_bytes: usize,
    /// The bounds on inflating the segment.
    pub inflate: InflateLimits,
}

impl Default for IngestLimits {
    /// 1 MiB per request: the worker closes segments at about 60 kB, so
    /// this leaves ample room while keeping a single request cheap.
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            inflate: InflateLimits::default(),
        }
    }
}

/// An optional field of the `event` part beyond the wire contract's: a
/// client that knows its segment shows an error may say so.
#[derive(Debug, Default, Deserialize)]
struct ErrorFlag {
    #[serde(default)]
    has_error: bool,
}

/// Parses the `event` part and checks its ids, before any costly work, so
/// the caller can decide whether the application may upload at all.
pub fn parse_metadata(raw: &[u8]) -> Result<SegmentMetadata, IntakeError> {
    let metadata: SegmentMetadata = serde_json::from_slice(raw)
        .map_err(|error| IntakeError::InvalidMetadata(error.to_string()))?;
    check_id(&metadata.application.id, "application.id")?;
    check_id(&metadata.session.id, "session.id")?;
    check_id(&metadata.view.id, "view.id")?;
    Ok(metadata)
}

/// Checks the parts of an upload and turns them into a segment to store.
///
/// `authorize` sees the parsed metadata before the segment is inflated, so
/// an upload for an application the request may not write to costs no
/// inflation. This inflates the segment, so it is meant to run off the
/// async threads.
pub fn check_upload(
    parts: UploadParts,
    limits: IngestLimits,
    authorize: impl FnOnce(&SegmentMetadata) -> Result<(), IntakeError>,
) -> Result<NewSegment, IntakeError> {
    let metadata = parse_metadata(&parts.metadata)?;
    authorize(&metadata)?;
    let flag: ErrorFlag = serde_json::from_slice(&parts.metadata)
        .map_err(|error| IntakeError::InvalidMetadata(error.to_string()))?;
    let session_id = check_id(&metadata.session.id, "session.id")?;
    let view_id = check_id(&metadata.view.id, "view.id")?;
    if !(metadata.start.is_finite() && metadata.end.is_finite() && metadata.start <= metadata.end) {
        return Err(IntakeError::InvalidMetadata(
            "start and end must be epoch milliseconds with start <= end".to_owned(),
        ));
    }
    check_equal(
        "compressed_segment_size",
        metadata.compressed_segment_size,
        parts.segment.len(),
    )?;

    let inflated = inflate_segment(&parts.segment, limits.inflate)?;
    check_equal(
        "raw_segment_size",
        metadata.raw_segment_size,
        inflated.len(),
    )?;

    let summary = events::check_events(&inflated)?;
    check_equal(
        "records_count",
        u64::from(metadata.records_count),
        summary.count,
    )?;

    let key = SegmentKey {
        view_id,
        index_in_view: metadata.index_in_view,
    };
    Ok(NewSegment {
        session_id,
        key,
        record: SegmentRecord {
            metadata,
            page_url: summary.page_url,
            page_urls: summary.page_urls,
            has_error: summary.has_error || flag.has_error,
            received_at: Some(now_epoch_ms()),
        },
        compressed: parts.segment,
    })
}

/// The server's clock in epoch milliseconds.
pub fn now_epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |elapsed| elapsed.as_secs_f64() * 1000.0)
}

fn check_id(raw: &str, field: &'static str) -> Result<SafeId, IntakeError> {
    SafeId::parse(raw).ok_or(IntakeError::InvalidId { field })
}

fn check_equal(field: &'static str, declared: u64, actual: usize) -> Result<(), IntakeError> {
    let actual = u64::try_from(actual).unwrap_or(u64::MAX);
    if declared == actual {
        Ok(())
    } else {
        Err(IntakeError::Mismatch {
            field,
            declared,
            actual,
        })
    }
}
