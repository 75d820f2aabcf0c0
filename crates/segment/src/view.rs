//! The segments of one view, in order.
//!
//! A view (one page load) produces segments numbered 0, 1, 2 … with no gaps:
//! a number is only taken when a segment is actually closed, and a segment is
//! only opened by a batch, so no empty segment is ever numbered or shipped.
//!
//! The metadata's `creation_reason` says why a segment was closed, with one
//! exception fixed by the wire contract: the first segment of a view always
//! says `init`, so the intake can tell where a view begins whatever ended
//! that segment.

use tapedeck_model::{CreationReason, RecordsMeta};

use crate::records::validate_records;
use crate::{Segment, SegmentBuilder, SegmentError, SegmentLimits, ViewIds};

/// Cuts one view's batches into segments.
pub struct ViewSegmenter {
    ids: ViewIds,
    limits: SegmentLimits,
    next_index: u32,
    open: Option<SegmentBuilder>,
}

impl ViewSegmenter {
    /// Starts a view with no open segment.
    pub fn new(ids: ViewIds, limits: SegmentLimits) -> Self {
        Self {
            ids,
            limits,
            next_index: 0,
            open: None,
        }
    }

    /// The ids of this view.
    pub fn ids(&self) -> &ViewIds {
        &self.ids
    }

    /// The index the open segment has, or the next one will get.
    pub fn next_index(&self) -> u32 {
        self.next_index
    }

    /// The segment being filled, if any.
    pub fn open_segment(&self) -> Option<&SegmentBuilder> {
        self.open.as_ref()
    }

    /// Appends a batch, returning the segments it closed, oldest first.
    ///
    /// A segment past its duration limit is closed before the batch goes in
    /// (a throttled timer must not stretch a segment), and the segment the
    /// batch went into is closed when it reached the byte limit. A refused
    /// batch closes nothing.
    pub fn append(
        &mut self,
        meta: &RecordsMeta,
        bytes: &[u8],
        now_ms: f64,
    ) -> Result<Vec<Segment>, SegmentError> {
        validate_records(meta, bytes)?;

        let mut closed = Vec::new();
        if let Some(expired) = self.close_if_expired(now_ms)? {
            closed.push(expired);
        }

        match self.open.as_mut() {
            Some(builder) => builder.append(meta, bytes)?,
            None => {
                let builder = SegmentBuilder::start(
                    self.ids.clone(),
                    self.next_index,
                    self.limits,
                    now_ms,
                    meta,
                    bytes,
                )?;
                self.open = Some(builder);
            }
        }

        let full = self.open.as_ref().is_some_and(|builder| {
            builder.due_reason(now_ms) == Some(CreationReason::SegmentBytesLimit)
        });
        if full {
            closed.extend(self.close(CreationReason::SegmentBytesLimit)?);
        }
        Ok(closed)
    }

    /// Closes the open segment when it has reached its duration limit; the
    /// worker's timer calls this.
    pub fn close_if_expired(&mut self, now_ms: f64) -> Result<Option<Segment>, SegmentError> {
        let expired = self
            .open
            .as_ref()
            .is_some_and(|builder| builder.is_expired(now_ms));
        if expired {
            self.close(CreationReason::SegmentDurationLimit)
        } else {
            Ok(None)
        }
    }

    /// Closes the open segment for `reason`; `None` when nothing was open.
    pub fn close(&mut self, reason: CreationReason) -> Result<Option<Segment>, SegmentError> {
        let Some(builder) = self.open.take() else {
            return Ok(None);
        };

        let reason = if builder.index_in_view() == 0 {
            CreationReason::Init
        } else {
            reason
        };
        let segment = builder.finish(reason)?;
        self.next_index += 1;
        Ok(Some(segment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SegmentLimits = SegmentLimits {
        duration_ms: 1_000,
        compressed_bytes: 60_000,
    };

    fn segmenter(limits: SegmentLimits) -> ViewSegmenter {
        let ids = ViewIds {
            application_id: "app".into(),
            session_id: "session".into(),
            view_id: "view".into(),
        };
        ViewSegmenter::new(ids, limits)
    }

    fn one(timestamp: f64) -> RecordsMeta {
        RecordsMeta {
            count: 1,
            start: timestamp,
            end: timestamp,
            has_full_snapshot: false,
        }
    }

    #[test]
    fn closing_with_nothing_open_produces_no_segment() {
        let mut view = segmenter(LIMITS);
        assert!(view.close(CreationReason::Manual).unwrap().is_none());
        assert!(view.close_if_expired(1e12).unwrap().is_none());
    }

    #[test]
    fn index_in_view_increments_without_gaps() {
        let mut view = segmenter(LIMITS);
        let mut indexes = Vec::new();
        for i in 0..3 {
            view.append(&one(i as f64), b"{}", 0.0).unwrap();
            // Closing twice must not use up a number.
            let segment = view.close(CreationReason::Manual).unwrap().unwrap();
            assert!(view.close(CreationReason::Manual).unwrap().is_none());
            indexes.push(segment.metadata.index_in_view);
        }
        assert_eq!(indexes, [0, 1, 2]);
    }

    #[test]
    fn first_segment_of_a_view_says_init_and_later_ones_their_reason() {
        let mut view = segmenter(LIMITS);
        let reasons: Vec<_> = [
            CreationReason::ViewChange,
            CreationReason::VisibilityHidden,
            CreationReason::BeforeUnload,
        ]
        .into_iter()
        .map(|reason| {
            view.append(&one(1.0), b"{}", 0.0).unwrap();
            view.close(reason)
                .unwrap()
                .unwrap()
                .metadata
                .creation_reason
        })
        .collect();
        assert_eq!(
            reasons,
            [
                CreationReason::Init,
                CreationReason::VisibilityHidden,
                CreationReason::BeforeUnload
            ]
        );
    }

    #[test]
    fn expired_segment_closes_before_the_next_batch_goes_in() {
        let mut view = segmenter(LIMITS);
        assert!(view
            .append(&one(1.0), b"{\"n\":1}", 0.0)
            .unwrap()
            .is_empty());
        view.close(CreationReason::Manual).unwrap();

        assert!(view
            .append(&one(2.0), b"{\"n\":2}", 100.0)
            .unwrap()
            .is_empty());
        let closed = view.append(&one(3.0), b"{\"n\":3}", 1_100.0).unwrap();

        assert_eq!(closed.len(), 1);
        assert_eq!(
            closed[0].metadata.creation_reason,
            CreationReason::SegmentDurationLimit
        );
        assert_eq!(closed[0].metadata.records_count, 1);
        let open = view.open_segment().unwrap();
        assert_eq!((open.index_in_view(), open.opened_at_ms()), (2, 1_100.0));
    }

    #[test]
    fn timer_closes_only_an_expired_segment() {
        let mut view = segmenter(LIMITS);
        view.append(&one(1.0), b"{}", 0.0).unwrap();
        assert!(view.close_if_expired(999.0).unwrap().is_none());
        let segment = view.close_if_expired(1_000.0).unwrap().unwrap();
        assert_eq!(segment.metadata.records_count, 1);
    }

    #[test]
    fn full_segment_closes_with_the_batch_that_filled_it() {
        let mut view = segmenter(SegmentLimits {
            duration_ms: 1_000,
            compressed_bytes: 1,
        });
        let first = view.append(&one(1.0), b"{}", 0.0).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].metadata.creation_reason, CreationReason::Init);

        let closed = view.append(&one(2.0), b"{}", 0.0).unwrap();
        assert!(view.open_segment().is_none());
        assert_eq!(closed.len(), 1);
        assert_eq!(
            closed[0].metadata.creation_reason,
            CreationReason::SegmentBytesLimit
        );
        assert_eq!(closed[0].metadata.index_in_view, 1);
    }

    #[test]
    fn refused_batch_closes_nothing() {
        let mut view = segmenter(LIMITS);
        view.append(&one(1.0), b"{}", 0.0).unwrap();
        assert!(view.append(&one(2.0), b"not json", 5_000.0).is_err());
        assert_eq!(view.open_segment().unwrap().records_count(), 1);
    }
}
