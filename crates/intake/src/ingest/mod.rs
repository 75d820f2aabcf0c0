//! Checking an upload before anything is stored.
//!
//! The order of the checks is chosen so that cheap ones come first: the
//! multipart parts ([`parts`]), then the metadata and ids, then the sizes the
//! metadata declares, and only then the bounded inflation and the events
//! ([`events`]). Whatever fails, the client learns which check it was.

pub mod events;
pub mod parts;

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

/// Checks the parts of an upload and turns them into a segment to store.
///
/// This inflates the segment, so it is meant to run off the async threads.
pub fn check_upload(parts: UploadParts, limits: IngestLimits) -> Result<NewSegment, IntakeError> {
    let metadata: SegmentMetadata = serde_json::from_slice(&parts.metadata)
        .map_err(|error| IntakeError::InvalidMetadata(error.to_string()))?;
    check_id(&metadata.application.id, "application.id")?;
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
        },
        compressed: parts.segment,
    })
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
