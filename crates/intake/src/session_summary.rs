//! What the session list shows about a session, computed from its segment
//! records.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ids::SafeId;
use crate::store::SegmentRecord;

/// One row of `GET /api/v1/sessions`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    /// The session.
    pub session_id: String,
    /// The application of the session's first segment.
    pub application_id: String,
    /// Epoch milliseconds of the first event.
    pub start: f64,
    /// Epoch milliseconds of the last event.
    pub end: f64,
    /// `end - start`, in milliseconds.
    pub duration_ms: f64,
    /// How many segments are stored.
    pub segment_count: usize,
    /// How many page loads the session spans.
    pub view_count: usize,
    /// The URL of the first page, from the first Meta event stored.
    pub first_url: Option<String>,
    /// Whether any segment holds a full snapshot; without one the session
    /// cannot be replayed.
    pub has_full_snapshot: bool,
    /// Runs of `index_in_view` that never arrived, per view.
    pub gaps: Vec<IndexGap>,
}

/// Segments `first_missing..=last_missing` of a view are not stored: lost
/// uploads, or ones still on their way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexGap {
    /// The view.
    pub view_id: String,
    /// The first missing index.
    pub first_missing: u32,
    /// The last missing index.
    pub last_missing: u32,
}

/// Sorts records the way they are replayed: by start time, then by view
/// and index so segments starting in the same millisecond keep their order.
pub fn sort_in_replay_order(records: &mut [SegmentRecord]) {
    records.sort_by(|a, b| {
        let (a, b) = (&a.metadata, &b.metadata);
        a.start
            .total_cmp(&b.start)
            .then_with(|| a.view.id.cmp(&b.view.id))
            .then_with(|| a.index_in_view.cmp(&b.index_in_view))
    });
}

/// Summarises a session from its records, which must not be empty.
pub fn summarize(session_id: &SafeId, mut records: Vec<SegmentRecord>) -> Option<SessionSummary> {
    sort_in_replay_order(&mut records);
    let first = records.first()?;

    let start = records
        .iter()
        .map(|record| record.metadata.start)
        .fold(f64::INFINITY, f64::min);
    let end = records
        .iter()
        .map(|record| record.metadata.end)
        .fold(f64::NEG_INFINITY, f64::max);

    let mut indexes_by_view: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for record in &records {
        let metadata = &record.metadata;
        indexes_by_view
            .entry(&metadata.view.id)
            .or_default()
            .push(metadata.index_in_view);
    }
    let gaps = indexes_by_view
        .iter_mut()
        .flat_map(|(view_id, indexes)| find_gaps(view_id, indexes))
        .collect();

    Some(SessionSummary {
        session_id: session_id.to_string(),
        application_id: first.metadata.application.id.clone(),
        start,
        end,
        duration_ms: end - start,
        segment_count: records.len(),
        view_count: indexes_by_view.len(),
        first_url: records.iter().find_map(|record| record.page_url.clone()),
        has_full_snapshot: records
            .iter()
            .any(|record| record.metadata.has_full_snapshot),
        gaps,
    })
}

/// The runs of indexes missing from `0..=max` in a view.
fn find_gaps(view_id: &str, indexes: &mut [u32]) -> Vec<IndexGap> {
    indexes.sort_unstable();
    let mut gaps = Vec::new();
    let mut expected = 0u32;
    for &index in indexes.iter() {
        if index > expected {
            gaps.push(IndexGap {
                view_id: view_id.to_owned(),
                first_missing: expected,
                last_missing: index - 1,
            });
        }
        expected = expected.max(index.saturating_add(1));
    }
    gaps
}

#[cfg(test)]
mod tests {
    use tapedeck_model::segment::IdRef;
    use tapedeck_model::{CreationReason, SegmentMetadata};

    use super::*;

    fn record(view: &str, index: u32, start: f64, url: Option<&str>) -> SegmentRecord {
        SegmentRecord {
            metadata: SegmentMetadata {
                application: IdRef { id: "app".into() },
                session: IdRef { id: "s".into() },
                view: IdRef { id: view.into() },
                start,
                end: start + 100.0,
                records_count: 1,
                index_in_view: index,
                has_full_snapshot: index == 0,
                creation_reason: CreationReason::SegmentDurationLimit,
                raw_segment_size: 1,
                compressed_segment_size: 1,
            },
            page_url: url.map(str::to_owned),
        }
    }

    #[test]
    fn summarizes_times_counts_and_the_first_page() {
        let records = vec![
            record("v2", 0, 5000.0, Some("https://example.test/second")),
            record("v1", 1, 1500.0, None),
            record("v1", 0, 1000.0, Some("https://example.test/first")),
        ];
        let summary = summarize(&SafeId::parse("s").unwrap(), records).unwrap();

        assert_eq!(
            (summary.start, summary.end, summary.duration_ms),
            (1000.0, 5100.0, 4100.0)
        );
        assert_eq!((summary.segment_count, summary.view_count), (3, 2));
        assert_eq!(
            summary.first_url.as_deref(),
            Some("https://example.test/first")
        );
        assert!(summary.has_full_snapshot);
        assert!(summary.gaps.is_empty());
    }

    #[test]
    fn reports_missing_indexes_as_runs_per_view() {
        let records = vec![
            record("v", 0, 0.0, None),
            record("v", 3, 3.0, None),
            record("v", 5, 5.0, None),
            record("w", 2, 9.0, None),
        ];
        let summary = summarize(&SafeId::parse("s").unwrap(), records).unwrap();

        let runs: Vec<_> = summary
            .gaps
            .iter()
            .map(|gap| (gap.view_id.as_str(), gap.first_missing, gap.last_missing))
            .collect();
        assert_eq!(runs, [("v", 1, 2), ("v", 4, 4), ("w", 0, 1)]);
    }

    #[test]
    fn orders_segments_by_start_then_view_then_index() {
        let mut records = vec![
            record("b", 0, 10.0, None),
            record("a", 1, 10.0, None),
            record("a", 0, 20.0, None),
        ];
        sort_in_replay_order(&mut records);
        let order: Vec<_> = records
            .iter()
            .map(|record| {
                (
                    record.metadata.view.id.as_str(),
                    record.metadata.index_in_view,
                )
            })
            .collect();
        assert_eq!(order, [("a", 1), ("b", 0), ("a", 0)]);
    }

    #[test]
    fn an_empty_session_has_no_summary() {
        assert_eq!(summarize(&SafeId::parse("s").unwrap(), Vec::new()), None);
    }
}
