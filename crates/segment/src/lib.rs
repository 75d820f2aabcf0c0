//! Tapedeck's segments: recorded events cut into independent zlib streams.
//!
//! The recorder sends its events to the worker in batches of
//! comma-separated JSON objects. A [`ViewSegmenter`] feeds each batch into
//! the open [`SegmentBuilder`], which compresses it at once, and closes the
//! segment when it reaches its byte or duration limit ([`SegmentLimits`]) or
//! when the page asks for it. A closed [`Segment`] is one complete zlib
//! stream of a JSON array plus the metadata the intake needs;
//! [`build_multipart_body`] writes the upload request the wire contract
//! describes.
//!
//! On the way out, a [`BoundedQueue`] holds segments waiting for the intake
//! within a byte budget, [`retry_delay_ms`] spaces the retries of a failed
//! upload, and in error-triggered mode a [`RollingBuffer`] keeps only the
//! last seconds, always from a full snapshot.
//!
//! Nothing here reads a clock or touches a browser: callers pass the time,
//! so every rule is tested with `cargo test`.

mod backoff;
mod builder;
mod error;
mod limits;
mod queue;
mod records;
mod rolling;
mod tail;
mod upload;
mod view;

pub use backoff::{is_retryable_status, retry_delay_ms, FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS};
pub use builder::{Segment, SegmentBuilder, SyncedPart, SYNC_AFTER_RAW_BYTES};
pub use error::SegmentError;
pub use limits::{SegmentLimits, ViewIds};
pub use queue::{BoundedQueue, Pushed, QueuedBytes};
pub use records::validate_records;
pub use rolling::RollingBuffer;
pub use tail::{adler32_update, finish_synced, stored_stream, ADLER32_START};
pub use upload::{
    build_multipart_body, MultipartBody, EVENT_CONTENT_TYPE, EVENT_FIELD, EVENT_FILE_NAME,
    SEGMENT_CONTENT_TYPE, SEGMENT_FIELD, SEGMENT_FILE_NAME, UPLOAD_PATH,
};
pub use view::ViewSegmenter;
