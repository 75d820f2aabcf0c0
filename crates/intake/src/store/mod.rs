//! Where checked segments are kept.
//!
//! The intake talks to storage only through [`SegmentStore`], so another
//! backend (an object store, a database) can replace the embedded
//! [`FileStore`] without touching the HTTP side. [`ScaleOutStore`] is that
//! other backend: segment bytes in S3-compatible object storage and the
//! session index in PostgreSQL, shared by any number of intake processes.

mod atomic_file;
mod file_store;
mod object_blobs;
mod postgres_index;
mod scale_out;

pub use file_store::FileStore;
pub use scale_out::{ScaleOutSettings, ScaleOutStore};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tapedeck_model::SegmentMetadata;

use crate::ids::SafeId;
use crate::session_summary::{SessionFilter, SessionSummary};

/// A checked segment, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSegment {
    /// The session, from the metadata.
    pub session_id: SafeId,
    /// The view and index, from the metadata.
    pub key: SegmentKey,
    /// The segment's record, metadata included.
    pub record: SegmentRecord,
    /// The zlib stream exactly as uploaded.
    pub compressed: Vec<u8>,
}

/// What is stored beside a segment's bytes: its metadata as uploaded, plus
/// what the intake learnt while checking it, so listings never have to
/// inflate a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// The `event` part, as uploaded.
    pub metadata: SegmentMetadata,
    /// `data.href` of the segment's first Meta event, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// `data.href` of every Meta event in the segment, in order: the pages
    /// the segment covers, searched by the URL filter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_urls: Vec<String>,
    /// True when the segment holds a Custom event tagged `error`, or its
    /// metadata carried `"has_error": true`.
    #[serde(default)]
    pub has_error: bool,
    /// Epoch milliseconds at which the intake stored the segment, by the
    /// server's clock; retention counts from it. Records written before
    /// this field existed fall back to the metadata's `end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<f64>,
}

impl SegmentRecord {
    /// When the segment arrived, or its last event for older records.
    pub fn received_at_or_end(&self) -> f64 {
        self.received_at.unwrap_or(self.metadata.end)
    }
}

/// The key of one segment within its session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentKey {
    /// The view (page load).
    pub view_id: SafeId,
    /// The index within the view.
    pub index_in_view: u32,
}

/// What happened to a segment handed to [`SegmentStore::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The segment was new and is now stored.
    Stored,
    /// The very same segment (same metadata, same bytes) was already
    /// stored: a client retrying after a lost answer. Nothing changed.
    AlreadyStored,
    /// A different segment is stored under the same session, view and
    /// index. Nothing changed; the first one wins.
    Conflict,
}

/// Why storage failed. These are the server's problems, never the client's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing a file failed.
    #[error("i/o on {path}: {source}")]
    Io {
        /// The file or folder involved.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A stored record could not be read back.
    #[error("stored record {path} is unreadable: {source}")]
    CorruptRecord {
        /// The record's file.
        path: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A stored segment could not be inflated or parsed.
    #[error("stored segment {0} is corrupt")]
    CorruptSegment(String),
    /// A segment listed in a record has no bytes.
    #[error("segment bytes missing for {0}")]
    MissingBytes(String),
    /// The object store failed.
    #[error("object store: {0}")]
    Object(#[from] object_store::Error),
    /// A storage setting (a URL) is unusable.
    #[error("invalid storage setting: {0}")]
    InvalidSetting(String),
    /// The session index database failed.
    #[error("session index: {0}")]
    Database(String),
    /// A blocking task died.
    #[error("background task failed: {0}")]
    Task(String),
}

/// A place to keep segments, grouped by session.
///
/// Implementations must make a stored segment visible all at once: a reader
/// sees either the whole segment (record and bytes) or nothing, even if the
/// process dies in the middle of a [`SegmentStore::store_segment`]. Several
/// intake processes may share one scale-out store, so `store_segment` must
/// also decide "first one wins" atomically across processes.
#[async_trait]
pub trait SegmentStore: Send + Sync + 'static {
    /// Stores a segment unless one with the same session, view and index is
    /// there already.
    async fn store_segment(&self, segment: NewSegment) -> Result<PutOutcome, StoreError>;

    /// The sessions matching `filter`, the most recently active first, at
    /// most `filter.limit` of them.
    async fn find_sessions(
        &self,
        filter: &SessionFilter,
    ) -> Result<Vec<SessionSummary>, StoreError>;

    /// The records of a session's segments in no particular order, or
    /// `None` when no such session is stored.
    async fn load_records(
        &self,
        session_id: &SafeId,
    ) -> Result<Option<Vec<SegmentRecord>>, StoreError>;

    /// The stored zlib bytes of one segment.
    async fn load_segment(
        &self,
        session_id: &SafeId,
        key: &SegmentKey,
    ) -> Result<Vec<u8>, StoreError>;

    /// Deletes a session and all its segments; false when there was none.
    async fn delete_session(&self, session_id: &SafeId) -> Result<bool, StoreError>;

    /// The sessions whose last segment was received before `cutoff_ms`
    /// (epoch milliseconds): what retention deletes.
    async fn sessions_received_before(&self, cutoff_ms: f64) -> Result<Vec<SafeId>, StoreError>;
}
