//! Checking the inflated events of a segment.
//!
//! The intake does not interpret events beyond what replay needs to find
//! and order them: each must be an object with a numeric rrweb `type`, an
//! epoch-millisecond `timestamp` and a `data` field. Everything else is the
//! recorder's and the player's business, and stays as sent.

use serde_json::Value;

use crate::error::IntakeError;

/// The highest rrweb v2 event type (Plugin).
const MAX_EVENT_TYPE: u64 = 6;

/// The rrweb event type of Meta events, which carry the page's URL.
const META_EVENT_TYPE: u64 = 4;

/// The rrweb event type of Custom events (`addEvent(tag, payload)`).
const CUSTOM_EVENT_TYPE: u64 = 5;

/// The Custom event tag that marks a session as having an error.
pub const ERROR_TAG: &str = "error";

/// What the intake learns from a segment's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsSummary {
    /// How many events the segment holds.
    pub count: usize,
    /// `data.href` of the first Meta event, if any.
    pub page_url: Option<String>,
    /// `data.href` of every Meta event, in order.
    pub page_urls: Vec<String>,
    /// True when a Custom event is tagged [`ERROR_TAG`].
    pub has_error: bool,
}

/// Checks that `inflated` is a non-empty UTF-8 JSON array of events.
pub fn check_events(inflated: &[u8]) -> Result<EventsSummary, IntakeError> {
    let value: Value = serde_json::from_slice(inflated)
        .map_err(|error| IntakeError::InvalidEvents(format!("segment is not JSON: {error}")))?;
    let Value::Array(events) = value else {
        return Err(invalid("segment must be a JSON array of events"));
    };
    if events.is_empty() {
        return Err(invalid("segment holds no events"));
    }

    for (index, event) in events.iter().enumerate() {
        check_event(event).map_err(|reason| invalid(&format!("event {index}: {reason}")))?;
    }

    let page_urls: Vec<String> = events
        .iter()
        .filter(|event| event["type"].as_u64() == Some(META_EVENT_TYPE))
        .filter_map(|meta| meta["data"]["href"].as_str())
        .map(str::to_owned)
        .collect();
    let has_error = events.iter().any(|event| {
        event["type"].as_u64() == Some(CUSTOM_EVENT_TYPE)
            && event["data"]["tag"].as_str() == Some(ERROR_TAG)
    });
    Ok(EventsSummary {
        count: events.len(),
        page_url: page_urls.first().cloned(),
        page_urls,
        has_error,
    })
}

fn check_event(event: &Value) -> Result<(), &'static str> {
    let Value::Object(fields) = event else {
        return Err("must be an object");
    };
    match fields.get("type").and_then(Value::as_u64) {
        Some(kind) if kind <= MAX_EVENT_TYPE => {}
        _ => return Err("`type` must be an rrweb event type (an integer from 0 to 6)"),
    }
    match fields.get("timestamp").and_then(Value::as_f64) {
        Some(timestamp) if timestamp.is_finite() && timestamp >= 0.0 => {}
        _ => return Err("`timestamp` must be epoch milliseconds"),
    }
    if !fields.contains_key("data") {
        return Err("`data` is missing");
    }
    Ok(())
}

fn invalid(reason: &str) -> IntakeError {
    IntakeError::InvalidEvents(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(json: &str) -> String {
        check_events(json.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn counts_events_and_finds_the_page_url() {
        let json = r#"[
            {"type":4,"data":{"href":"https://example.test/a","width":1,"height":1},"timestamp":10},
            {"type":2,"data":{"node":{}},"timestamp":11}
        ]"#;
        let summary = check_events(json.as_bytes()).unwrap();
        assert_eq!(summary.count, 2);
        assert_eq!(summary.page_url.as_deref(), Some("https://example.test/a"));
    }

    #[test]
    fn lists_every_page_and_notices_custom_error_events() {
        let json = r#"[
            {"type":4,"data":{"href":"https://example.test/a"},"timestamp":10},
            {"type":5,"data":{"tag":"checkout","payload":{}},"timestamp":11},
            {"type":4,"data":{"href":"https://example.test/b"},"timestamp":12}
        ]"#;
        let summary = check_events(json.as_bytes()).unwrap();
        assert_eq!(
            summary.page_urls,
            ["https://example.test/a", "https://example.test/b"]
        );
        assert!(!summary.has_error);

        let json = r#"[{"type":5,"data":{"tag":"error","payload":"boom"},"timestamp":1}]"#;
        assert!(check_events(json.as_bytes()).unwrap().has_error);
    }

    #[test]
    fn names_the_first_bad_event_and_what_is_wrong() {
        assert_eq!(
            reason(r#"[{"type":3,"data":{},"timestamp":1},{"type":"3","data":{},"timestamp":1}]"#),
            "invalid events: event 1: `type` must be an rrweb event type (an integer from 0 to 6)"
        );
        assert!(reason(r#"[{"type":9,"data":{},"timestamp":1}]"#).contains("event 0: `type`"));
        assert!(reason(r#"[{"type":3,"data":{},"timestamp":"now"}]"#).contains("`timestamp`"));
        assert!(reason(r#"[{"type":3,"timestamp":1}]"#).contains("`data` is missing"));
        assert!(reason(r#"[[1,2]]"#).contains("must be an object"));
    }

    #[test]
    fn refuses_what_is_not_a_non_empty_array() {
        assert!(reason(r#"{"type":3}"#).contains("must be a JSON array"));
        assert!(reason("[]").contains("no events"));
        assert!(reason("[{").contains("not JSON"));
        assert!(check_events(b"[\"\xff\"]").is_err());
    }
}
