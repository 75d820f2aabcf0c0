//! One segment being compressed, batch by batch.
//!
//! Each segment is an independent zlib stream (RFC 1950) of a JSON array,
//! so the intake and any replayer can inflate it without the segments
//! before it. Batches arrive as `{…},{…}`; the builder writes the `[`, the
//! commas between batches and the closing `]` around them, so the events are
//! never parsed.
//!
//! # Sync points
//!
//! Deflate holds input back until it has enough to emit a block, so the
//! bytes written so far say neither how large the finished stream will be
//! nor where a copy of it could be cut. A sync flush settles both: the
//! encoder emits everything it was given, ending on a byte boundary, and
//! keeps its dictionary, so later batches still compress against earlier
//! ones. The bytes up to the last sync point are what the page keeps to
//! finish the segment itself on exit ([`crate::finish_synced`]).
//!
//! A sync flush is not free: it ends the current deflate block, with its
//! Huffman tables, and adds an empty stored block. After every 250 ms
//! batch of a typical session that cost 7% of the compressed bytes, so the
//! builder syncs only when it has to:
//! - once [`SYNC_AFTER_RAW_BYTES`] of JSON came in since the last sync
//!   point, so the page's copy never lacks more than that (plus one batch),
//!   which the page would have to send uncompressed on exit;
//! - when the segment may have reached its byte limit. Between sync points
//!   the size is bounded from above (deflate never grows its input by more
//!   than a few bytes per block, see [`pending_bound`]), and only when
//!   that bound reaches the limit does a sync give the exact size. The
//!   limit keeps a segment small enough for `navigator.sendBeacon`, so an
//!   estimate that erred small would not do.

use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::Write;
use tapedeck_model::segment::IdRef;
use tapedeck_model::{CreationReason, RecordsMeta, SegmentMetadata};

use crate::records::validate_records;
use crate::tail::{adler32_update, ADLER32_START};
use crate::{SegmentError, SegmentLimits, ViewIds};

/// JSON bytes after which an append ends with a sync flush (see the
/// module docs): a few seconds of a busy session's events.
pub const SYNC_AFTER_RAW_BYTES: u64 = 8 * 1024;

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
    /// Raw bytes written since the last sync point.
    unsynced_raw: u64,
    synced: SyncPoint,
}

/// Where the last sync flush left the stream: everything before it can be
/// finished without the encoder.
#[derive(Debug, Clone, Copy)]
struct SyncPoint {
    /// Compressed bytes up to the sync point.
    len: usize,
    /// The Adler-32 of the JSON before it.
    adler: u32,
    /// The events before it.
    records: RecordsMeta,
    /// JSON bytes before it, the opening `[` included.
    raw_size: u64,
}

/// The part of an open segment up to its last sync point, which the page
/// keeps to finish the segment on exit.
#[derive(Debug, Clone, Copy)]
pub struct SyncedPart<'a> {
    /// The compressed bytes, ending on a byte boundary with nothing pending.
    pub bytes: &'a [u8],
    /// The Adler-32 of the JSON they hold.
    pub adler: u32,
    /// The events they hold.
    pub records: RecordsMeta,
    /// The JSON bytes they hold, the opening `[` included.
    pub raw_size: u64,
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
            unsynced_raw: 0,
            synced: SyncPoint {
                len: 0,
                adler: ADLER32_START,
                records: RecordsMeta {
                    count: 0,
                    start: meta.start,
                    end: meta.end,
                    has_full_snapshot: false,
                },
                raw_size: 0,
            },
        };
        builder.write(b"[", records)?;
        builder.sync_if_due()?;
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

        self.write(b",", records)?;
        self.records_count = records_count;
        self.start = self.start.min(meta.start);
        self.end = self.end.max(meta.end);
        self.has_full_snapshot |= meta.has_full_snapshot;
        self.sync_if_due()
    }

    /// Ends what was written with a sync flush unless it is already synced,
    /// making [`Self::synced`] cover every event and the size exact.
    pub fn sync(&mut self) -> Result<(), SegmentError> {
        if self.unsynced_raw == 0 {
            return Ok(());
        }
        self.encoder.flush()?;
        self.unsynced_raw = 0;
        self.synced = SyncPoint {
            len: self.encoder.get_ref().len(),
            adler: self.adler,
            records: self.records_meta(),
            raw_size: self.raw_size,
        };
        Ok(())
    }

    /// True when every event is before the last sync point.
    pub fn is_synced(&self) -> bool {
        self.unsynced_raw == 0
    }

    /// The segment up to its last sync point.
    pub fn synced(&self) -> SyncedPart<'_> {
        SyncedPart {
            bytes: &self.encoder.get_ref()[..self.synced.len],
            adler: self.synced.adler,
            records: self.synced.records,
            raw_size: self.synced.raw_size,
        }
    }

    fn sync_if_due(&mut self) -> Result<(), SegmentError> {
        if self.unsynced_raw >= SYNC_AFTER_RAW_BYTES
            || self.compressed_size() >= self.limits.compressed_bytes
        {
            self.sync()?;
        }
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

    /// The size the finished zlib stream will have: exact at a sync point,
    /// an upper bound between them (see the module docs). Appends keep the
    /// bound below the byte limit unless the exact size reached it.
    pub fn compressed_size(&self) -> u64 {
        self.encoder.get_ref().len() as u64 + pending_bound(self.unsynced_raw) + ZLIB_FINISH_BYTES
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

    fn write(&mut self, separator: &[u8], records: &[u8]) -> Result<(), SegmentError> {
        self.encoder.write_all(separator)?;
        self.encoder.write_all(records)?;
        let written = (separator.len() + records.len()) as u64;
        self.raw_size += written;
        self.unsynced_raw += written;
        self.adler = adler32_update(adler32_update(self.adler, separator), records);
        Ok(())
    }
}

/// At most how many more compressed bytes `raw` bytes of input held back
/// since the last sync point can still add, the sync flush's empty block
/// included. Deflate falls back to stored blocks for input it cannot
/// shrink, which costs five header bytes per block of up to 64 KiB; a
/// sixty-fourth plus a constant is well above that.
fn pending_bound(raw: u64) -> u64 {
    if raw == 0 {
        0
    } else {
        raw + raw / 64 + 32
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

    fn pointer_events(builder: &mut SegmentBuilder, count: u32) {
        for i in 0..count {
            let event = format!(r#"{{"type":3,"data":{{"source":1,"x":{i}}},"timestamp":{i}}}"#);
            builder
                .append(&meta(1, 1.0, 1.0, false), event.as_bytes())
                .unwrap();
        }
    }

    #[test]
    fn compressed_size_at_a_sync_point_is_the_finished_size() {
        let mut builder =
            SegmentBuilder::start(ids(), 0, LIMITS, 0.0, &meta(1, 1.0, 1.0, false), b"{}").unwrap();
        pointer_events(&mut builder, 200);
        builder.sync().unwrap();
        let exact = builder.compressed_size();
        let segment = builder.finish(CreationReason::Manual).unwrap();
        assert_eq!(exact, segment.bytes.len() as u64);
    }

    #[test]
    fn compressed_size_between_sync_points_is_never_below_the_finished_size() {
        // Input deflate cannot shrink, written in batches too small to sync.
        let mut builder =
            SegmentBuilder::start(ids(), 0, LIMITS, 0.0, &meta(1, 1.0, 1.0, false), b"{}").unwrap();
        let mut next = 7u64;
        for _ in 0..20 {
            let noise: String = (0..200)
                .map(|_| {
                    next = next
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    char::from(b'!' + (next >> 58) as u8)
                })
                .filter(|c| *c != '"' && *c != '\\')
                .collect();
            let event = format!(r#"{{"s":"{noise}"}}"#);
            builder
                .append(&meta(1, 1.0, 1.0, false), event.as_bytes())
                .unwrap();
            assert!(!builder.is_synced());
        }
        let bound = builder.compressed_size();
        let finished = builder.finish(CreationReason::Manual).unwrap().bytes.len() as u64;
        assert!(bound >= finished, "bound {bound} < finished {finished}");
    }

    #[test]
    fn small_batches_are_synced_only_every_few_kilobytes() {
        let mut builder =
            SegmentBuilder::start(ids(), 0, LIMITS, 0.0, &meta(1, 1.0, 1.0, false), b"{}").unwrap();
        assert!(!builder.is_synced());
        assert_eq!(builder.synced().records.count, 0);

        let mut syncs = Vec::new();
        let mut raw_at_last_sync = 0;
        for i in 0..400u32 {
            pointer_events(&mut builder, 1);
            let synced = builder.synced();
            if synced.raw_size != raw_at_last_sync {
                // A sync point covers everything written before it.
                assert_eq!(synced.raw_size, builder.raw_size());
                assert_eq!(synced.records.count, i + 2);
                syncs.push(synced.raw_size - raw_at_last_sync);
                raw_at_last_sync = synced.raw_size;
            }
        }
        assert!(syncs.len() >= 2, "synced {} times", syncs.len());
        for gap in syncs {
            assert!(
                (SYNC_AFTER_RAW_BYTES..SYNC_AFTER_RAW_BYTES + 100).contains(&gap),
                "synced after {gap} bytes"
            );
        }
    }

    #[test]
    fn a_batch_of_a_few_kilobytes_is_synced_at_once() {
        let snapshot = format!(r#"{{"type":2,"data":"{}"}}"#, "a".repeat(10_000));
        let builder = SegmentBuilder::start(
            ids(),
            0,
            LIMITS,
            0.0,
            &meta(1, 1.0, 1.0, true),
            snapshot.as_bytes(),
        )
        .unwrap();
        assert!(builder.is_synced());
        assert!(builder.synced().records.has_full_snapshot);
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
