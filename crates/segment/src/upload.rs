//! The upload request of one segment, as fixed by the wire contract.
//!
//! Browsers build the body themselves from `FormData`; this module writes
//! the same `multipart/form-data` body (RFC 7578) for callers that need the
//! raw bytes, such as tests, a native client or a fake intake.

use crate::{Segment, SegmentError};

/// The intake's path for segment uploads, appended to the endpoint.
pub const UPLOAD_PATH: &str = "/api/v1/replay";

/// The form field holding the zlib stream.
pub const SEGMENT_FIELD: &str = "segment";
/// The file name given to the zlib stream; the intake ignores it, but a
/// file part needs one.
pub const SEGMENT_FILE_NAME: &str = "segment.zlib";
/// The content type of the zlib stream.
pub const SEGMENT_CONTENT_TYPE: &str = "application/octet-stream";

/// The form field holding the metadata.
pub const EVENT_FIELD: &str = "event";
/// The file name given to the metadata part.
pub const EVENT_FILE_NAME: &str = "event.json";
/// The content type of the metadata.
pub const EVENT_CONTENT_TYPE: &str = "application/json";

/// A ready `multipart/form-data` request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartBody {
    /// The boundary between parts; it occurs in neither part's content.
    pub boundary: String,
    /// The body itself.
    pub bytes: Vec<u8>,
}

impl MultipartBody {
    /// The request's `Content-Type` header value.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }
}

/// Writes the upload body of a segment: its zlib stream as the `segment`
/// part and its metadata as the `event` part.
pub fn build_multipart_body(segment: &Segment) -> Result<MultipartBody, SegmentError> {
    let metadata = serde_json::to_vec(&segment.metadata)?;
    let boundary = choose_boundary(&[&segment.bytes, &metadata]);

    let mut bytes = Vec::with_capacity(segment.bytes.len() + metadata.len() + 400);
    write_part(
        &mut bytes,
        &boundary,
        SEGMENT_FIELD,
        SEGMENT_FILE_NAME,
        SEGMENT_CONTENT_TYPE,
        &segment.bytes,
    );
    write_part(
        &mut bytes,
        &boundary,
        EVENT_FIELD,
        EVENT_FILE_NAME,
        EVENT_CONTENT_TYPE,
        &metadata,
    );
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());

    Ok(MultipartBody { boundary, bytes })
}

/// Picks the first of a fixed series of boundaries that occurs in no part.
///
/// Compressed bytes are effectively random, so a fixed boundary could, very
/// rarely, occur in one; trying the next in the series keeps the body valid
/// without a random source.
fn choose_boundary(parts: &[&[u8]]) -> String {
    (0u64..)
        .map(|attempt| format!("tapedeck-segment-boundary-{attempt:x}"))
        .find(|boundary| !parts.iter().any(|part| contains(part, boundary.as_bytes())))
        .expect("an unbounded series always has a boundary absent from finite parts")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn write_part(
    body: &mut Vec<u8>,
    boundary: &str,
    field: &str,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) {
    let headers = format!(
        "--{boundary}\r\n\
         Content-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    );
    body.extend_from_slice(headers.as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SegmentBuilder, SegmentLimits, ViewIds};
    use tapedeck_model::{CreationReason, RecordsMeta, SegmentMetadata};

    /// One part as a reader of the body sees it.
    struct Part {
        headers: Vec<(String, String)>,
        content: Vec<u8>,
    }

    impl Part {
        fn header(&self, name: &str) -> &str {
            self.headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
                .unwrap_or_else(|| panic!("part has no {name} header"))
        }
    }

    /// A strict reader of `multipart/form-data`, written from RFC 7578 and
    /// independent of the writer above.
    fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<Part> {
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect("content type names a boundary");
        let delimiter = format!("--{boundary}").into_bytes();
        let positions: Vec<usize> = (0..body.len())
            .filter(|&i| body[i..].starts_with(&delimiter))
            .collect();
        assert!(positions.len() >= 2, "body has no parts");
        assert_eq!(positions[0], 0, "body starts with a delimiter");
        let last = *positions.last().unwrap();
        assert_eq!(
            &body[last + delimiter.len()..],
            b"--\r\n",
            "body ends with the close delimiter"
        );

        positions
            .windows(2)
            .map(|pair| {
                let raw = &body[pair[0] + delimiter.len()..pair[1]];
                let raw = raw.strip_prefix(b"\r\n").expect("delimiter ends its line");
                let raw = raw.strip_suffix(b"\r\n").expect("content ends with CRLF");
                let split = raw
                    .windows(4)
                    .position(|window| window == b"\r\n\r\n")
                    .expect("headers end with a blank line");
                let headers = std::str::from_utf8(&raw[..split])
                    .unwrap()
                    .split("\r\n")
                    .map(|line| {
                        let (key, value) = line.split_once(':').expect("header has a colon");
                        (key.trim().to_owned(), value.trim().to_owned())
                    })
                    .collect();
                Part {
                    headers,
                    content: raw[split + 4..].to_vec(),
                }
            })
            .collect()
    }

    fn segment_with(bytes: Vec<u8>) -> Segment {
        let ids = ViewIds {
            application_id: "app".into(),
            session_id: "session".into(),
            view_id: "view".into(),
        };
        let limits = SegmentLimits {
            duration_ms: 5_000,
            compressed_bytes: 60_000,
        };
        let meta = RecordsMeta {
            count: 1,
            start: 5.0,
            end: 5.0,
            has_full_snapshot: true,
        };
        let builder = SegmentBuilder::start(ids, 0, limits, 0.0, &meta, b"{\"type\":4}").unwrap();
        let mut segment = builder.finish(CreationReason::Init).unwrap();
        if !bytes.is_empty() {
            segment.bytes = bytes;
        }
        segment
    }

    #[test]
    fn body_holds_the_segment_and_its_metadata_with_their_types() {
        let segment = segment_with(Vec::new());
        let body = build_multipart_body(&segment).unwrap();
        let parts = parse_multipart(&body.content_type(), &body.bytes);
        assert_eq!(parts.len(), 2);

        let zlib = &parts[0];
        assert_eq!(
            zlib.header("Content-Disposition"),
            "form-data; name=\"segment\"; filename=\"segment.zlib\""
        );
        assert_eq!(zlib.header("Content-Type"), "application/octet-stream");
        assert_eq!(zlib.content, segment.bytes);

        let event = &parts[1];
        assert!(event
            .header("Content-Disposition")
            .starts_with("form-data; name=\"event\""));
        assert_eq!(event.header("Content-Type"), "application/json");
        let metadata: SegmentMetadata = serde_json::from_slice(&event.content).unwrap();
        assert_eq!(metadata, segment.metadata);
    }

    #[test]
    fn boundary_never_occurs_inside_a_part() {
        let clash = b"xx--tapedeck-segment-boundary-0\r\nyy".to_vec();
        let segment = segment_with(clash.clone());
        let body = build_multipart_body(&segment).unwrap();
        assert_ne!(body.boundary, "tapedeck-segment-boundary-0");

        let parts = parse_multipart(&body.content_type(), &body.bytes);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content, clash);
    }
}
