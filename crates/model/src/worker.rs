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

/// The default bound on the bytes of segments waiting for the intake:
/// 20 MiB. Past it the oldest segments are dropped.
pub const QUEUE_BYTES_LIMIT: u64 = 20 * 1024 * 1024;

/// The ingest path below the endpoint, as the wire contract fixes it.
pub const UPLOAD_PATH: &str = "/api/v1/replay";

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
    /// The ingest key the intake expects as the `key` query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// In error-triggered mode, how many milliseconds of closed segments
    /// the worker keeps in memory instead of sending them, until the page
    /// asks for them; `None` sends every segment as it closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_ms: Option<u64>,
    /// How many bytes of closed segments may wait for the intake before
    /// the oldest are dropped.
    #[serde(default = "default_queue_bytes_limit")]
    pub queue_bytes_limit: u64,
}

impl WorkerConfig {
    /// The URL segments are posted to: the ingest path below the endpoint,
    /// with the ingest key as the `key` query parameter when there is one.
    pub fn upload_url(&self) -> String {
        upload_url(&self.endpoint, self.client_key.as_deref())
    }
}

/// The upload URL for `endpoint` (no trailing slash) and an optional
/// ingest key, percent-encoded so any key survives the query string.
pub fn upload_url(endpoint: &str, client_key: Option<&str>) -> String {
    match client_key {
        Some(key) => format!("{endpoint}{UPLOAD_PATH}?key={}", percent_encode(key)),
        None => format!("{endpoint}{UPLOAD_PATH}"),
    }
}

/// Encodes every byte outside RFC 3986's unreserved set.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn default_duration_limit() -> u64 {
    SEGMENT_DURATION_LIMIT_MS
}

fn default_bytes_limit() -> u64 {
    SEGMENT_BYTES_LIMIT
}

fn default_queue_bytes_limit() -> u64 {
    QUEUE_BYTES_LIMIT
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

/// The summary of the worker's open segment in a `"progress"` message:
/// what [`RecordsMeta`] says of all its events, plus its JSON size, so the
/// page can finish the segment itself on exit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProgressMeta {
    /// How many events the segment holds.
    pub count: u32,
    /// Epoch ms of the first event.
    pub start: f64,
    /// Epoch ms of the last event.
    pub end: f64,
    /// True when a full snapshot is among them.
    pub has_full_snapshot: bool,
    /// Bytes of JSON written so far, the opening `[` included.
    pub raw_size: u64,
}

impl ProgressMeta {
    /// The summary of a segment holding `records` in `raw_size` bytes.
    pub fn new(records: RecordsMeta, raw_size: u64) -> Self {
        Self {
            count: records.count,
            start: records.start,
            end: records.end,
            has_full_snapshot: records.has_full_snapshot,
            raw_size,
        }
    }
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
        assert_eq!(config.queue_bytes_limit, QUEUE_BYTES_LIMIT);
        assert_eq!((config.client_key, config.buffer_ms), (None, None));
    }

    #[test]
    fn progress_meta_is_the_records_summary_with_the_raw_size() {
        let records = RecordsMeta {
            count: 3,
            start: 10.0,
            end: 12.5,
            has_full_snapshot: true,
        };
        let json = serde_json::to_string(&ProgressMeta::new(records, 420)).unwrap();
        assert_eq!(
            json,
            r#"{"count":3,"start":10.0,"end":12.5,"has_full_snapshot":true,"raw_size":420}"#
        );
        let read: ProgressMeta = serde_json::from_str(&json).unwrap();
        assert_eq!((read.count, read.raw_size), (3, 420));
    }

    #[test]
    fn upload_url_carries_the_encoded_key_only_when_there_is_one() {
        assert_eq!(
            upload_url("https://in.example", None),
            "https://in.example/api/v1/replay"
        );
        assert_eq!(
            upload_url("https://in.example", Some("k 1&x=é/~")),
            "https://in.example/api/v1/replay?key=k%201%26x%3D%C3%A9%2F~"
        );
    }
}
