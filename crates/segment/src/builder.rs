//! One segment being compressed, batch by batch.
//!
//! Each segment is an independent zlib stream (RFC 1950) of a JSON array,
//! so the intake and any replayer can inflate it without the segments
//! before it. Batches arrive as `{…},{…}`; the builder writes the `[`, the
//! commas between batches and the closing `]` around them, so the events are
//! never parsed.
//!
//! # Knowing the compressed size
//!
//! Deflate holds input back until it has enough to emit a block, so the
//! bytes written so far say little about the size of the finished stream:
//! miniz can keep tens of kilobytes pending. The byte limit is what keeps a
//! segment small enough for `navigator.sendBeacon`, so an estimate of the
//! pending part would have to err large and close segments early, or err
//! small and make some too big to beacon. Instead every append ends with a
//! sync flush: the encoder emits everything it was given and the size is
//! exact. A sync flush keeps the dictionary, so later batches still
//! compress against earlier ones; it costs an empty stored block (about
//! five bytes) and a block boundary per batch, which is small beside
//! batches of several events each.

use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::Write;
use tapedeck_model::segment::IdRef;
use tapedeck_model::{CreationReason, RecordsMeta, SegmentMetadata};

use crate::records::validate_records;
use crate::tail::{adler32_update, ADLER32_START};
use crate::{SegmentError, SegmentLimits, ViewIds};

/// What finishing a sync-flushed stream adds: a final block holding the
/// closing `]` (a 3-bit header, an 8-bit fixed-Huffman literal and a 7-bit
/// end code: three bytes) and the four-byte Adler-32 checksum.
const ZLIB_FINISH_BYTES: u64 = 7;

/// A closed segment: its metadata and its complete zlib stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The `event` part of the upload.
    pub metadata: SegmentMetadata,
    /// The `segment` part of the upload: one complete zlib stream.
    pub bytes: Vec<u8>,
}

/// A segment that holds at least one batch and is still open.
///
/// There is no empty builder: one is started with its first batch, so
/// finishing always yields a segment worth uploading.
pub struct SegmentBuilder {
    ids: ViewIds,
    index_in_view: u32,
    limits: SegmentLimits,
    opened_at_ms: f64,
    encoder: ZlibEncoder<Vec<u8>>,
    records_count: u32,
    start: f64,
    end: f64,
    has_full_snapshot: bool,
    raw_size: u64,
    adler: u32,
}

impl SegmentBuilder {
    /// Opens a segment with its first batch of records.
    ///
    /// `now_ms` is the caller's clock (epoch milliseconds); the duration
    /// limit is counted from it.
    pub fn start(
        ids: ViewIds,
        index_in_view: u32,
        limits: SegmentLimits,
        now_ms: f64,
        meta: &RecordsMeta,
        bytes: &[u8],
    ) -> Result<Self, SegmentError> {
        let records = validate_records(meta, bytes)?;

        let mut builder = Self {
            ids,
            index_in_view,
            limits,
            opened_at_ms: now_ms,
            encoder: ZlibEncoder::new(Vec::new(), Compression::default()),
            records_count: meta.count,
            start: meta.start,
            end: meta.end,
            has_full_snapshot: meta.has_full_snapshot,
            raw_size: 0,
            adler: ADLER32_START,
        };
        builder.write_flushed(b"[", records)?;
        Ok(builder)
    }

    /// Appends a batch of records.
    ///
    /// A refused batch changes nothing, so the segment stays valid.
    pub fn append(&mut self, meta: &RecordsMeta, bytes: &[u8]) -> Result<(), SegmentError> {
        let records = validate_records(meta, bytes)?;
        let records_count = self
            .records_count
            .checked_add(meta.count)
            .ok_or(SegmentError::TooManyRecords)?;

        self.write_flushed(b",", records)?;
        self.records_count = records_count;
        self.start = self.start.min(meta.start);
        self.end = self.end.max(meta.end);
        self.has_full_snapshot |= meta.has_full_snapshot;
        Ok(())
    }

    /// Why this segment should be closed now, or `None` while it may stay
    /// open. The byte limit wins over the duration limit, since it is the
    /// one that matters for sending the segment.
    pub fn due_reason(&self, now_ms: f64) -> Option<CreationReason> {
        if self.compressed_size() >= self.limits.compressed_bytes {
            Some(CreationReason::SegmentBytesLimit)
        } else if self.is_expired(now_ms) {
            Some(CreationReason::SegmentDurationLimit)
        } else {
            None
        }
    }

    /// True when the segment has been open for its duration limit.
    pub fn is_expired(&self, now_ms: f64) -> bool {
        now_ms - self.opened_at_ms >= self.limits.duration_ms as f64
    }

    /// The size the finished zlib stream will have, exact because every
    /// append is sync-flushed (see the module docs).
    pub fn compressed_size(&self) -> u64 {
        self.encoder.get_ref().len() as u64 + ZLIB_FINISH_BYTES
    }

    /// Bytes of JSON written so far, brackets and commas included.
    pub fn raw_size(&self) -> u64 {
        self.raw_size
    }

    /// How many events the segment holds.
    pub fn records_count(&self) -> u32 {
        self.records_count
    }

    /// The segment's position within its view.
    pub fn index_in_view(&self) -> u32 {
        self.index_in_view
    }

    /// When the segment was opened, on the caller's clock.
    pub fn opened_at_ms(&self) -> f64 {
        self.opened_at_ms
    }

    /// The compressed bytes so far: everything appended, sync-flushed, so a
    /// copy can be finished without the encoder ([`crate::finish_synced`]).
    pub fn synced_bytes(&self) -> &[u8] {
        self.encoder.get_ref()
    }

    /// The Adler-32 of the JSON written so far.
    pub fn adler32(&self) -> u32 {
        self.adler
    }

    /// What the segment holds so far: count, first and last timestamps,
    /// and whether a full snapshot is among its events.
    pub fn records_meta(&self) -> RecordsMeta {
        RecordsMeta {
            count: self.records_count,
            start: self.start,
            end: self.end,
            has_full_snapshot: self.has_full_snapshot,
        }
    }

    /// Closes the JSON array and the zlib stream.
    pub fn finish(mut self, reason: CreationReason) -> Result<Segment, SegmentError> {
        self.encoder.write_all(b"]")?;
        self.raw_size += 1;
        let bytes = self.encoder.finish()?;

        let metadata = SegmentMetadata {
            application: IdRef {
                id: self.ids.application_id,
            },
            session: IdRef {
                id: self.ids.session_id,
            },
            view: IdRef {
                id: self.ids.view_id,
            },
            start: self.start,
            end: self.end,
            records_count: self.records_count,
            index_in_view: self.index_in_view,
            has_full_snapshot: self.has_full_snapshot,
            creation_reason: reason,
            raw_segment_size: self.raw_size,
            compressed_segment_size: bytes.len() as u64,
        };
        Ok(Segment { metadata, bytes })
    }

    fn write_flushed(&mut self, separator: &[u8], records: &[u8]) -> Result<(), SegmentError> {
        self.encoder.write_all(separator)?;
        self.encoder.write_all(records)?;
        self.encoder.flush()?;
        self.raw_size += (separator.len() + records.len()) as u64;
        self.adler = adler32_update(adler32_update(self.adler, separator), records);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    const LIMITS: SegmentLimits = SegmentLimits {
        duration_ms: 5_000,
        compressed_bytes: 60_000,
    };

    fn ids() -> ViewIds {
        ViewIds {
            application_id: "app".into(),
            session_id: "session".into(),
            view_id: "view".into(),
        }
    }

    fn meta(count: u32, start: f64, end: f64, has_full_snapshot: bool) -> RecordsMeta {
        RecordsMeta {
            count,
            start,
            end,
            has_full_snapshot,
        }
    }

    fn inflate(bytes: &[u8]) -> serde_json::Value {
        let mut json = String::new();
        ZlibDecoder::new(bytes).read_to_string(&mut json).unwrap();
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn finished_segment_inflates_to_the_events_in_order() {
        let first = br#"{"type":4,"data":{"href":"http://x/"},"timestamp":10},{"type":2,"data":{},"timestamp":11}"#;
        let second = br#"{"type":3,"data":{"source":1},"timestamp":20}"#;
        let mut builder =
            SegmentBuilder::start(ids(), 0, LIMITS, 0.0, &meta(2, 10.0, 11.0, true), first)
                .unwrap();
        builder.append(&meta(1, 20.0, 20.0, false), second).unwrap();
        let segment = builder.finish(CreationReason::Manual).unwrap();

        let events = inflate(&segment.bytes);
        let timestamps: Vec<_> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["timestamp"].as_u64().unwrap())
            .collect();
        assert_eq!(timestamps, [10, 11, 20]);
        assert_eq!(events[1]["type"], 2);
    }

    #[test]
    fn metadata_sums_batches() {
        let mut builder =
            SegmentBuilder::start(ids(), 3, LIMITS, 0.0, &meta(2, 10.0, 11.0, false), b"{},{}")
                .unwrap();
        builder.append(&meta(1, 30.0, 30.0, true), b"{}").unwrap();
        let segment = builder
            .finish(CreationReason::SegmentDurationLimit)
            .unwrap();

        let metadata = &segment.metadata;
        assert_eq!(metadata.records_count, 3);
        assert_eq!((metadata.start, metadata.end), (10.0, 30.0));
        assert!(metadata.has_full_snapshot);
        assert_eq!(metadata.index_in_view, 3);
        assert_eq!(
            metadata.creation_reason,
            CreationReason::SegmentDurationLimit
        );
        assert_eq!(metadata.raw_segment_size, b"[{},{},{}]".len() as u64);
        assert_eq!(metadata.compressed_segment_size, segment.bytes.len() as u64);
        assert_eq!(metadata.view.id, "view");
    }

    #[test]
    fn refused_batch_leaves_segment_unchanged() {
        let mut builder = SegmentBuilder::start(
            ids(),
            0,
            LIMITS,
            0.0,
            &meta(1, 1.0, 1.0, false),
            b"{\"a\":1}",
        )
        .unwrap();
        let size = builder.compressed_size();

        assert!(builder.append(&meta(1, 2.0, 2.0, false), b"[{}]").is_err());
        assert!(builder.append(&meta(1, 2.0, 2.0, false), b"").is_err());

        assert_eq!(builder.compressed_size(), size);
        let segment = builder.finish(CreationReason::Manual).unwrap();
        assert_eq!(segment.metadata.records_count, 1);
        assert_eq!(inflate(&segment.bytes), serde_json::json!([{"a": 1}]));
    }

    #[test]
    fn compressed_size_before_finish_is_the_finished_size() {
        let mut builder =
            SegmentBuilder::start(ids(), 0, LIMITS, 0.0, &meta(1, 1.0, 1.0, false), b"{}").unwrap();
        for i in 0..200 {
            let event = format!(r#"{{"type":3,"data":{{"source":1,"x":{i}}},"timestamp":{i}}}"#);
            builder
                .append(&meta(1, 1.0, 1.0, false), event.as_bytes())
                .unwrap();
        }
        let estimate = builder.compressed_size();
        let segment = builder.finish(CreationReason::Manual).unwrap();
        let finished = segment.bytes.len() as u64;
        assert_eq!(estimate, finished);
    }

    #[test]
    fn byte_limit_makes_segment_due() {
        let limits = SegmentLimits {
            duration_ms: 5_000,
            compressed_bytes: 400,
        };
        let mut builder =
            SegmentBuilder::start(ids(), 0, limits, 0.0, &meta(1, 1.0, 1.0, false), b"{}").unwrap();
        assert_eq!(builder.due_reason(0.0), None);

        // Distinct numbers compress poorly, so the limit is reached quickly.
        let mut next = 0u64;
        while builder.due_reason(0.0).is_none() {
            let values: Vec<String> = (0..20)
                .map(|_| {
                    next = next
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    next.to_string()
                })
                .collect();
            let event = format!(r#"{{"v":[{}]}}"#, values.join(","));
            builder
                .append(&meta(1, 1.0, 1.0, false), event.as_bytes())
                .unwrap();
            assert!(builder.records_count() < 100, "byte limit never reached");
        }
        assert_eq!(
            builder.due_reason(0.0),
            Some(CreationReason::SegmentBytesLimit)
        );
        assert!(builder.compressed_size() >= 400);
    }

    #[test]
    fn duration_limit_counts_from_the_first_batch() {
        let builder =
            SegmentBuilder::start(ids(), 0, LIMITS, 1_000.0, &meta(1, 1.0, 1.0, false), b"{}")
                .unwrap();
        assert_eq!(builder.due_reason(5_999.0), None);
        assert_eq!(
            builder.due_reason(6_000.0),
            Some(CreationReason::SegmentDurationLimit)
        );
    }
}
