//! Checks on a `"records"` message before any of it is compressed.
//!
//! The worker never parses event JSON (that would cost as much as the
//! compression itself), so these checks are the cheap ones that catch a
//! recorder bug before it corrupts a whole segment: the bytes are UTF-8, they
//! start with `{` and end with `}`, and the metadata agrees with itself.

use tapedeck_model::RecordsMeta;

use crate::SegmentError;

/// Checks one batch of records and its metadata.
///
/// Returns the bytes with surrounding ASCII whitespace removed, which is what
/// gets compressed.
pub fn validate_records<'a>(meta: &RecordsMeta, bytes: &'a [u8]) -> Result<&'a [u8], SegmentError> {
    let text = std::str::from_utf8(bytes)?;
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(SegmentError::EmptyRecords);
    }
    if !(text.starts_with('{') && text.ends_with('}')) {
        return Err(SegmentError::NotObjectList);
    }

    if meta.count == 0 {
        return Err(SegmentError::InvalidMeta(
            "count is zero but bytes hold records",
        ));
    }
    if !meta.start.is_finite() || !meta.end.is_finite() {
        return Err(SegmentError::InvalidMeta(
            "start and end must be finite numbers",
        ));
    }
    if meta.start > meta.end {
        return Err(SegmentError::InvalidMeta("start is after end"));
    }

    Ok(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(count: u32, start: f64, end: f64) -> RecordsMeta {
        RecordsMeta {
            count,
            start,
            end,
            has_full_snapshot: false,
        }
    }

    #[test]
    fn accepts_objects_and_trims_whitespace() {
        let bytes = b"  {\"a\":1},{\"b\":2}\n";
        let trimmed = validate_records(&meta(2, 1.0, 2.0), bytes).unwrap();
        assert_eq!(trimmed, b"{\"a\":1},{\"b\":2}");
    }

    #[test]
    fn refuses_empty_and_blank_bytes() {
        assert!(matches!(
            validate_records(&meta(1, 1.0, 1.0), b""),
            Err(SegmentError::EmptyRecords)
        ));
        assert!(matches!(
            validate_records(&meta(1, 1.0, 1.0), b" \n\t"),
            Err(SegmentError::EmptyRecords)
        ));
    }

    #[test]
    fn refuses_bytes_that_are_not_utf8() {
        assert!(matches!(
            validate_records(&meta(1, 1.0, 1.0), b"{\"a\":\"\xff\"}"),
            Err(SegmentError::NotUtf8(_))
        ));
    }

    #[test]
    fn refuses_bytes_that_keep_their_brackets() {
        assert!(matches!(
            validate_records(&meta(1, 1.0, 1.0), b"[{\"a\":1}]"),
            Err(SegmentError::NotObjectList)
        ));
    }

    #[test]
    fn refuses_meta_that_contradicts_itself() {
        let bytes = b"{}";
        assert!(validate_records(&meta(0, 1.0, 1.0), bytes).is_err());
        assert!(validate_records(&meta(1, 2.0, 1.0), bytes).is_err());
        assert!(validate_records(&meta(1, f64::NAN, 1.0), bytes).is_err());
    }
}
