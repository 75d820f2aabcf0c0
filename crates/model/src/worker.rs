//! The messages between the recorder and its worker.
//!
//! Control data crosses the thread boundary as small JSON strings; event
//! bytes travel beside them as a transferred `ArrayBuffer`. See
//! `docs/ARCHITECTURE.md` for the message kinds.

use serde::{Deserialize, Serialize};

/// The default time a segment stays open before it is shipped.
pub const SEGMENT_DURATION_LIMIT_MS: u64 = 5_000;

/// The default compressed size at which a segment is shipped; small enough
/// for `navigator.sendBeacon`, which browsers cap at 64 KiB in flight.
pub const SEGMENT_BYTES_LIMIT: u64 = 60_000;

/// What the worker needs to know to build and ship a view's segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerConfig {
    /// The intake's base URL without a trailing slash.
    pub endpoint: String,
    /// The application the recording belongs to.
    pub application_id: String,
    /// The current session.
    pub session_id: String,
    /// The current page load.
    pub view_id: String,
    /// How long a segment may stay open.
    #[serde(default = "default_duration_limit")]
    pub segment_duration_limit_ms: u64,
    /// The compressed size at which a segment closes.
    #[serde(default = "default_bytes_limit")]
    pub segment_bytes_limit: u64,
}

fn default_duration_limit() -> u64 {
    SEGMENT_DURATION_LIMIT_MS
}

fn default_bytes_limit() -> u64 {
    SEGMENT_BYTES_LIMIT
}

/// Describes the events in one `"records"` message, so the worker never
/// parses event JSON to fill in segment metadata.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecordsMeta {
    /// How many events the bytes hold.
    pub count: u32,
    /// Epoch milliseconds of the first event.
    pub start: f64,
    /// Epoch milliseconds of the last event.
    pub end: f64,
    /// True when one of the events is a full snapshot.
    pub has_full_snapshot: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_fills_in_default_limits() {
        let config: WorkerConfig = serde_json::from_str(
            r#"{"endpoint":"http://x","application_id":"a","session_id":"s","view_id":"v"}"#,
        )
        .unwrap();
        assert_eq!(config.segment_duration_limit_ms, SEGMENT_DURATION_LIMIT_MS);
        assert_eq!(config.segment_bytes_limit, SEGMENT_BYTES_LIMIT);
    }
}
