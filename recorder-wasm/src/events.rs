//! Writing rrweb event envelopes around their data.
//!
//! Every event is `{"type":…,"data":{…},"timestamp":…}`; the helpers here
//! write the envelope and let the caller write the data's fields.

use tapedeck_model::node::{write_f64, write_raw, write_str, write_u32};
use tapedeck_model::{EventType, IncrementalSource};

/// Writes a Meta event: the page's address and viewport.
pub fn write_meta(out: &mut Vec<u8>, timestamp: f64, href: &str, width: f64, height: f64) {
    write_raw(out, "{\"type\":");
    write_number(out, EventType::Meta as u8);
    write_raw(out, ",\"data\":{\"href\":");
    write_str(out, href);
    write_raw(out, ",\"width\":");
    write_f64(out, width);
    write_raw(out, ",\"height\":");
    write_f64(out, height);
    write_raw(out, "}");
    write_timestamp(out, timestamp);
}

/// Writes the opening of a FullSnapshot event up to where the document node
/// goes; [`write_full_snapshot_close`] follows the node.
pub fn write_full_snapshot_open(out: &mut Vec<u8>) {
    write_raw(out, "{\"type\":");
    write_number(out, EventType::FullSnapshot as u8);
    write_raw(out, ",\"data\":{\"node\":");
}

/// Closes a FullSnapshot event with the page's scroll offset.
pub fn write_full_snapshot_close(out: &mut Vec<u8>, timestamp: f64, left: f64, top: f64) {
    write_raw(out, ",\"initialOffset\":{\"left\":");
    write_f64(out, left);
    write_raw(out, ",\"top\":");
    write_f64(out, top);
    write_raw(out, "}}");
    write_timestamp(out, timestamp);
}

/// Writes an IncrementalSnapshot event; `write_fields` writes the data's
/// fields after `source`, each preceded by a comma.
pub fn write_incremental(
    out: &mut Vec<u8>,
    timestamp: f64,
    source: IncrementalSource,
    write_fields: impl FnOnce(&mut Vec<u8>),
) {
    write_raw(out, "{\"type\":");
    write_number(out, EventType::IncrementalSnapshot as u8);
    write_raw(out, ",\"data\":{\"source\":");
    write_number(out, source as u8);
    write_fields(out);
    write_raw(out, "}");
    write_timestamp(out, timestamp);
}

/// `payload_json` ready to be written into a Custom event: checked to be
/// one JSON value, without building it as a tree, and trimmed.
pub fn checked_payload(payload_json: &str) -> Result<&str, serde_json::Error> {
    serde_json::from_str::<serde::de::IgnoredAny>(payload_json)?;
    Ok(payload_json.trim())
}

/// Writes a Custom event; `payload_json` must already be valid JSON (see
/// [`checked_payload`]).
pub fn write_custom(out: &mut Vec<u8>, timestamp: f64, tag: &str, payload_json: &str) {
    write_raw(out, "{\"type\":");
    write_number(out, EventType::Custom as u8);
    write_raw(out, ",\"data\":{\"tag\":");
    write_str(out, tag);
    write_raw(out, ",\"payload\":");
    write_raw(out, payload_json);
    write_raw(out, "}");
    write_timestamp(out, timestamp);
}

fn write_number(out: &mut Vec<u8>, number: u8) {
    write_u32(out, number.into());
}

fn write_timestamp(out: &mut Vec<u8>, timestamp: f64) {
    write_raw(out, ",\"timestamp\":");
    write_f64(out, timestamp.floor());
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parse(out: &[u8]) -> Value {
        serde_json::from_slice(out).expect("valid JSON")
    }

    #[test]
    fn custom_payloads_are_checked_as_one_json_value() {
        assert_eq!(
            checked_payload(" {\"n\": [1, 2]} ").unwrap(),
            "{\"n\": [1, 2]}"
        );
        assert_eq!(checked_payload("null").unwrap(), "null");
        for bad in ["", "{", "{} {}", "undefined", "[1,]", "\"open"] {
            assert!(checked_payload(bad).is_err(), "{bad:?}");
        }
        let mut out = Vec::new();
        write_custom(
            &mut out,
            5.0,
            "checkout",
            checked_payload(" [1, {\"a\": 2}]\n").unwrap(),
        );
        assert_eq!(parse(&out)["data"]["payload"], json!([1, {"a": 2}]));
    }

    #[test]
    fn meta_event_has_rrweb_shape() {
        let mut out = Vec::new();
        write_meta(&mut out, 12.7, "https://a.test/", 800.0, 600.0);
        assert_eq!(
            parse(&out),
            json!({"type": 4, "data": {"href": "https://a.test/", "width": 800, "height": 600}, "timestamp": 12})
        );
    }

    #[test]
    fn incremental_event_carries_its_source_first() {
        let mut out = Vec::new();
        write_incremental(&mut out, 5.0, IncrementalSource::ViewportResize, |out| {
            write_raw(out, ",\"width\":3,\"height\":4");
        });
        assert_eq!(
            parse(&out),
            json!({"type": 3, "data": {"source": 4, "width": 3, "height": 4}, "timestamp": 5})
        );
    }

    #[test]
    fn full_snapshot_wraps_the_document_node() {
        let mut out = Vec::new();
        write_full_snapshot_open(&mut out);
        write_raw(&mut out, "{\"type\":0,\"childNodes\":[],\"id\":1}");
        write_full_snapshot_close(&mut out, 9.0, 0.0, 120.0);
        let event = parse(&out);
        assert_eq!(event["data"]["node"]["id"], 1);
        assert_eq!(event["data"]["initialOffset"]["top"], 120);
    }

    #[test]
    fn custom_event_embeds_the_payload() {
        let mut out = Vec::new();
        write_custom(&mut out, 1.0, "checkout", "{\"step\":2}");
        assert_eq!(
            parse(&out)["data"],
            json!({"tag": "checkout", "payload": {"step": 2}})
        );
    }
}
