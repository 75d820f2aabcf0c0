//! The error-triggered mode's memory: the last seconds of closed segments.
//!
//! Nothing is sent until the page asks (an error, or `flush()`), and then
//! what is sent must replay on its own, so the buffer always starts with a
//! segment holding a full snapshot. The recorder takes a checkout (a new
//! full snapshot in a new segment) every half buffer length; a segment is
//! dropped only when a later full snapshot still lies at or before the
//! window's start, so the buffer covers at least the window and at most the
//! window plus one checkout interval.

use std::collections::VecDeque;

use crate::Segment;

/// Closed segments of the last `window_ms`, oldest first.
pub struct RollingBuffer {
    segments: VecDeque<Segment>,
    window_ms: u64,
}

impl RollingBuffer {
    /// An empty buffer keeping `window_ms` of recording.
    pub fn new(window_ms: u64) -> Self {
        Self {
            segments: VecDeque::new(),
            window_ms,
        }
    }

    /// Adds a closed segment and forgets what fell out of the window as of
    /// `now_ms` (epoch milliseconds, the events' clock). Returns how many
    /// segments were forgotten.
    pub fn push(&mut self, segment: Segment, now_ms: f64) -> usize {
        self.segments.push_back(segment);
        self.trim(now_ms)
    }

    /// Forgets the segments before the newest full snapshot that starts at
    /// or before `now_ms - window_ms`.
    pub fn trim(&mut self, now_ms: f64) -> usize {
        let window_start = now_ms - self.window_ms as f64;
        let keep_from = self
            .segments
            .iter()
            .rposition(|segment| {
                segment.metadata.has_full_snapshot && segment.metadata.start <= window_start
            })
            .unwrap_or(0);
        self.segments.drain(..keep_from).count()
    }

    /// Takes every buffered segment, oldest first.
    pub fn drain(&mut self) -> Vec<Segment> {
        self.segments.drain(..).collect()
    }

    /// How many segments are held.
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tapedeck_model::segment::IdRef;
    use tapedeck_model::{CreationReason, SegmentMetadata};

    fn segment(index: u32, start: f64, end: f64, has_full_snapshot: bool) -> Segment {
        Segment {
            metadata: SegmentMetadata {
                application: IdRef { id: "a".into() },
                session: IdRef { id: "s".into() },
                view: IdRef { id: "v".into() },
                start,
                end,
                records_count: 1,
                index_in_view: index,
                has_full_snapshot,
                creation_reason: CreationReason::Checkout,
                raw_segment_size: 2,
                compressed_segment_size: 1,
            },
            bytes: vec![0],
        }
    }

    fn indexes(buffer: &mut RollingBuffer) -> Vec<u32> {
        buffer
            .drain()
            .iter()
            .map(|segment| segment.metadata.index_in_view)
            .collect()
    }

    #[test]
    fn buffer_starts_at_the_newest_full_snapshot_before_the_window() {
        let mut buffer = RollingBuffer::new(60_000);
        buffer.push(segment(0, 0.0, 10_000.0, true), 10_000.0);
        buffer.push(segment(1, 10_000.0, 30_000.0, false), 30_000.0);
        buffer.push(segment(2, 30_000.0, 40_000.0, true), 40_000.0);
        buffer.push(segment(3, 40_000.0, 60_000.0, false), 60_000.0);
        buffer.push(segment(4, 60_000.0, 70_000.0, true), 70_000.0);
        assert_eq!(buffer.len(), 5, "nothing is older than the window yet");

        // At 95 s the window starts at 35 s: the checkout at 30 s is the
        // newest one at or before it, so 0 and 1 go.
        let forgotten = buffer.push(segment(5, 70_000.0, 95_000.0, false), 95_000.0);
        assert_eq!(forgotten, 2);
        assert_eq!(indexes(&mut buffer), [2, 3, 4, 5]);
    }

    #[test]
    fn without_a_later_full_snapshot_old_segments_are_kept() {
        let mut buffer = RollingBuffer::new(1_000);
        buffer.push(segment(0, 0.0, 100.0, true), 100.0);
        buffer.push(segment(1, 100.0, 200.0, false), 50_000.0);
        buffer.push(segment(2, 200.0, 300.0, false), 90_000.0);
        assert_eq!(indexes(&mut buffer), [0, 1, 2]);
        assert!(buffer.is_empty());
    }

    #[test]
    fn a_full_snapshot_inside_the_window_does_not_cut_before_it() {
        let mut buffer = RollingBuffer::new(10_000);
        buffer.push(segment(0, 0.0, 1_000.0, true), 1_000.0);
        buffer.push(segment(1, 5_000.0, 6_000.0, true), 12_000.0);
        // The window starts at 2 s; the checkout at 5 s is inside it, so the
        // one at 0 s is still needed for the stretch from 2 s to 5 s.
        assert_eq!(indexes(&mut buffer), [0, 1]);
    }
}
