//! Where checked segments are kept.
//!
//! The intake talks to storage only through [`SegmentStore`], so another
//! backend (an object store, a database) can replace the embedded
//! [`FileStore`] without touching the HTTP side. Calls block; the handlers
//! run them on tokio's blocking pool.

mod atomic_file;
mod file_store;

pub use file_store::FileStore;

use serde::{Deserialize, Serialize};
use tapedeck_model::SegmentMetadata;

use crate::ids::SafeId;

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
}

/// A place to keep segments, grouped by session.
///
/// Implementations must make a stored segment visible all at once: a reader
/// sees either the whole segment (record and bytes) or nothing, even if the
/// process dies in the middle of a [`SegmentStore::put`].
pub trait SegmentStore: Send + Sync + 'static {
    /// Stores a segment unless one with the same session, view and index is
    /// there already.
    fn put(&self, segment: &NewSegment) -> Result<PutOutcome, StoreError>;

    /// The ids of every stored session, in no particular order.
    fn session_ids(&self) -> Result<Vec<SafeId>, StoreError>;

    /// The records of a session's segments in no particular order, or
    /// `None` when no such session is stored.
    fn session_records(
        &self,
        session_id: &SafeId,
    ) -> Result<Option<Vec<SegmentRecord>>, StoreError>;

    /// The stored zlib bytes of one segment.
    fn segment_bytes(&self, session_id: &SafeId, key: &SegmentKey) -> Result<Vec<u8>, StoreError>;
}
