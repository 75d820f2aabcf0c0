//! When a segment is closed, and which ids its metadata carries.

use tapedeck_model::WorkerConfig;

/// The limits after which an open segment is closed and shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentLimits {
    /// How long a segment may stay open, counted from its first batch, so a
    /// quiet page still ships what it recorded within this delay.
    pub duration_ms: u64,
    /// The compressed size at which a segment closes; kept under what
    /// `navigator.sendBeacon` accepts so a hand-back can always be sent.
    pub compressed_bytes: u64,
}

impl From<&WorkerConfig> for SegmentLimits {
    fn from(config: &WorkerConfig) -> Self {
        Self {
            duration_ms: config.segment_duration_limit_ms,
            compressed_bytes: config.segment_bytes_limit,
        }
    }
}

/// The ids every segment of one view carries in its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewIds {
    /// The application the recording belongs to.
    pub application_id: String,
    /// The session, shared by every page load of one visit.
    pub session_id: String,
    /// The page load.
    pub view_id: String,
}

impl From<&WorkerConfig> for ViewIds {
    fn from(config: &WorkerConfig) -> Self {
        Self {
            application_id: config.application_id.clone(),
            session_id: config.session_id.clone(),
            view_id: config.view_id.clone(),
        }
    }
}
