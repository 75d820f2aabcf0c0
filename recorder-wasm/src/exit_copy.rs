//! The page's copy of the worker's open segment, for sending it on exit.
//!
//! When the page is hidden, left or frozen there is no time for a round
//! trip to the worker: after `pagehide` the page runs no more tasks, and
//! the worker dies with it. So the worker reports what its open segment
//! holds up to its last sync point (`progress`: the sync-flushed compressed
//! bytes, their Adler-32 and a summary) and the last batch that needs no
//! copy any more; the page keeps the batches it posted after that one.
//! The worker syncs every few kilobytes of events, not after every batch
//! (see `tapedeck_segment::SegmentBuilder`), so this copy holds up to a few
//! seconds of batches. On exit the page finishes the segment itself
//! from that copy, its unreported batches and its pending events
//! ([`tapedeck_segment::finish_synced`]) and sends it by beacon, then tells
//! the worker to close (and drop) the same segment, which keeps the
//! numbering of both sides in step.

use std::collections::VecDeque;

use tapedeck_model::segment::IdRef;
use tapedeck_model::{CreationReason, RecordsMeta, SegmentMetadata};
use tapedeck_segment::{finish_synced, stored_stream};

/// What the worker reported about its open segment.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSegment {
    /// The compressed bytes so far, ending on a byte boundary.
    pub bytes: Vec<u8>,
    /// The Adler-32 of the JSON so far.
    pub adler: u32,
    /// The segment's events so far.
    pub meta: ProgressMeta,
}

pub use tapedeck_model::worker::ProgressMeta;

/// A batch posted to the worker and not yet covered by a report.
struct SentBatch {
    seq: u64,
    bytes: Vec<u8>,
    meta: RecordsMeta,
}

/// The ids a finished segment carries.
pub struct SegmentIds<'a> {
    /// The application.
    pub application_id: &'a str,
    /// The session.
    pub session_id: &'a str,
    /// The view.
    pub view_id: &'a str,
}

/// The page's copy, for one view at a time.
#[derive(Default)]
pub struct ExitCopy {
    view_id: String,
    next_seq: u64,
    unreported: VecDeque<SentBatch>,
    open: Option<OpenSegment>,
    index: u32,
    /// Reports about segments the page already sent are stale.
    min_index: u32,
}

impl ExitCopy {
    /// Forgets everything: a new view begins with segment 0.
    pub fn begin_view(&mut self, view_id: &str) {
        *self = Self {
            view_id: view_id.to_owned(),
            next_seq: self.next_seq,
            ..Self::default()
        };
    }

    /// Keeps a copy of a batch posted to the worker; returns its sequence
    /// number, which the `records` message carries.
    pub fn record_sent(&mut self, bytes: Vec<u8>, meta: RecordsMeta) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.unreported.push_back(SentBatch { seq, bytes, meta });
        seq
    }

    /// Takes in a `progress` report: the worker has appended every batch
    /// up to `seq`, and its open segment (number `index`) holds `open`.
    pub fn on_progress(&mut self, view_id: &str, seq: f64, index: u32, open: Option<OpenSegment>) {
        if view_id != self.view_id || index < self.min_index {
            return;
        }
        if seq >= 0.0 {
            while self
                .unreported
                .front()
                .is_some_and(|batch| batch.seq as f64 <= seq)
            {
                self.unreported.pop_front();
            }
        }
        self.index = index;
        self.open = open;
    }

    /// Finishes the open segment with the unreported batches and `pending`
    /// (events not yet posted), for `reason`. Returns its metadata and
    /// bytes, or `None` when there is nothing to send. The copy then
    /// expects the worker's next segment.
    pub fn finish(
        &mut self,
        ids: &SegmentIds<'_>,
        pending: Option<(Vec<u8>, RecordsMeta)>,
        reason: CreationReason,
    ) -> Option<(SegmentMetadata, Vec<u8>)> {
        let mut more = Vec::new();
        let mut summary: Option<RecordsMeta> = None;
        let batches = self
            .unreported
            .drain(..)
            .map(|batch| (batch.bytes, batch.meta))
            .chain(pending);
        for (bytes, meta) in batches {
            if bytes.is_empty() {
                continue;
            }
            if !more.is_empty() {
                more.push(b',');
            }
            more.extend_from_slice(&bytes);
            summary = Some(merge(summary, meta));
        }

        let open = self.open.take();
        let (bytes, meta, raw_size) = match (open, summary) {
            (None, None) => return None,
            (Some(open), summary) => {
                let separator = if more.is_empty() { 0 } else { 1 };
                let raw_size = open.meta.raw_size + separator + more.len() as u64 + 1;
                if !more.is_empty() {
                    more.insert(0, b',');
                }
                let base = RecordsMeta {
                    count: open.meta.count,
                    start: open.meta.start,
                    end: open.meta.end,
                    has_full_snapshot: open.meta.has_full_snapshot,
                };
                let meta = summary.map_or(base, |summary| merge(Some(base), summary));
                (
                    finish_synced(&open.bytes, open.adler, &more),
                    meta,
                    raw_size,
                )
            }
            (None, Some(summary)) => {
                let raw_size = more.len() as u64 + 2;
                (stored_stream(&more), summary, raw_size)
            }
        };

        let index_in_view = self.index;
        self.index += 1;
        self.min_index = self.index;
        let metadata = SegmentMetadata {
            application: IdRef {
                id: ids.application_id.to_owned(),
            },
            session: IdRef {
                id: ids.session_id.to_owned(),
            },
            view: IdRef {
                id: ids.view_id.to_owned(),
            },
            start: meta.start,
            end: meta.end,
            records_count: meta.count,
            index_in_view,
            has_full_snapshot: meta.has_full_snapshot,
            creation_reason: if index_in_view == 0 {
                CreationReason::Init
            } else {
                reason
            },
            raw_segment_size: raw_size,
            compressed_segment_size: bytes.len() as u64,
        };
        Some((metadata, bytes))
    }
}

fn merge(summary: Option<RecordsMeta>, meta: RecordsMeta) -> RecordsMeta {
    match summary {
        None => meta,
        Some(summary) => RecordsMeta {
            count: summary.count + meta.count,
            start: summary.start.min(meta.start),
            end: summary.end.max(meta.end),
            has_full_snapshot: summary.has_full_snapshot || meta.has_full_snapshot,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tapedeck_segment::{SegmentBuilder, SegmentLimits, ViewIds};

    const IDS: SegmentIds<'static> = SegmentIds {
        application_id: "app",
        session_id: "s",
        view_id: "v",
    };

    fn meta(count: u32, at: f64, has_full_snapshot: bool) -> RecordsMeta {
        RecordsMeta {
            count,
            start: at,
            end: at,
            has_full_snapshot,
        }
    }

    fn inflate(bytes: &[u8]) -> String {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::ZlibDecoder::new(bytes)
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn open_segment(first: &[u8], first_meta: RecordsMeta) -> OpenSegment {
        let ids = ViewIds {
            application_id: "app".into(),
            session_id: "s".into(),
            view_id: "v".into(),
        };
        let limits = SegmentLimits {
            duration_ms: 5_000,
            compressed_bytes: 60_000,
        };
        let mut builder = SegmentBuilder::start(ids, 0, limits, 0.0, &first_meta, first).unwrap();
        builder.sync().unwrap();
        let synced = builder.synced();
        OpenSegment {
            bytes: synced.bytes.to_vec(),
            adler: synced.adler,
            meta: ProgressMeta::new(synced.records, synced.raw_size),
        }
    }

    #[test]
    fn exit_segment_holds_the_reported_unreported_and_pending_events() {
        let mut copy = ExitCopy::default();
        copy.begin_view("v");
        let first = copy.record_sent(br#"{"n":1}"#.to_vec(), meta(1, 10.0, true));
        let _second = copy.record_sent(br#"{"n":2}"#.to_vec(), meta(1, 20.0, false));
        let open = open_segment(br#"{"n":1}"#, meta(1, 10.0, true));
        copy.on_progress("v", first as f64, 0, Some(open));

        let pending = Some((br#"{"n":3}"#.to_vec(), meta(1, 30.0, false)));
        let (metadata, bytes) = copy
            .finish(&IDS, pending, CreationReason::BeforeUnload)
            .unwrap();
        let json = inflate(&bytes);
        assert_eq!(json, r#"[{"n":1},{"n":2},{"n":3}]"#);
        assert_eq!(metadata.raw_segment_size, json.len() as u64);
        assert_eq!(metadata.compressed_segment_size, bytes.len() as u64);
        assert_eq!(
            (metadata.records_count, metadata.start, metadata.end),
            (3, 10.0, 30.0)
        );
        assert!(metadata.has_full_snapshot);
        assert_eq!(metadata.creation_reason, CreationReason::Init);
    }

    #[test]
    fn without_an_open_segment_the_events_go_in_a_new_one_numbered_next() {
        let mut copy = ExitCopy::default();
        copy.begin_view("v");
        copy.on_progress("v", -1.0, 4, None);
        copy.record_sent(br#"{"n":1}"#.to_vec(), meta(1, 5.0, false));
        let (metadata, bytes) = copy
            .finish(&IDS, None, CreationReason::VisibilityHidden)
            .unwrap();
        assert_eq!(inflate(&bytes), r#"[{"n":1}]"#);
        assert_eq!(metadata.index_in_view, 4);
        assert_eq!(metadata.raw_segment_size, 9);
        assert_eq!(metadata.creation_reason, CreationReason::VisibilityHidden);

        // Nothing new: nothing to send; a late report of segment 4 is stale.
        copy.on_progress("v", 0.0, 4, Some(open_segment(b"{}", meta(1, 1.0, false))));
        assert!(copy.finish(&IDS, None, CreationReason::Freeze).is_none());
    }

    #[test]
    fn reports_of_another_view_are_ignored() {
        let mut copy = ExitCopy::default();
        copy.begin_view("new");
        copy.on_progress(
            "old",
            3.0,
            7,
            Some(open_segment(b"{}", meta(1, 1.0, false))),
        );
        assert!(copy.finish(&IDS, None, CreationReason::Freeze).is_none());
    }
}
