//! What can go wrong while building or encoding a segment.

use thiserror::Error;

/// Why a batch of records was refused or a segment could not be encoded.
///
/// A refused batch leaves the segment it was meant for exactly as it was, so
/// the caller can report the batch and carry on with the next one.
#[derive(Debug, Error)]
pub enum SegmentError {
    /// The records bytes hold nothing to append.
    #[error("records bytes are empty")]
    EmptyRecords,

    /// The records bytes are not UTF-8, so they cannot be JSON.
    #[error("records bytes are not utf-8: {0}")]
    NotUtf8(#[from] std::str::Utf8Error),

    /// The records bytes do not look like comma-separated JSON objects, for
    /// example because they still carry the array's brackets.
    #[error("records bytes must be json objects joined by commas, without brackets")]
    NotObjectList,

    /// The records metadata contradicts itself or the bytes.
    #[error("records meta is invalid: {0}")]
    InvalidMeta(&'static str),

    /// A segment cannot count more records than a `u32` holds.
    #[error("segment would hold more than u32::MAX records")]
    TooManyRecords,

    /// The compressor failed; with an in-memory sink this does not happen,
    /// but it is reported rather than assumed away.
    #[error("compression failed: {0}")]
    Compression(#[from] std::io::Error),

    /// The metadata could not be written as JSON.
    #[error("metadata could not be serialized: {0}")]
    Metadata(#[from] serde_json::Error),
}
