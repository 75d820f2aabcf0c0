//! What the session list shows about a session, computed from its segment
//! records, and the filters a search applies to it.
//!
//! Every store summarises with [`summarize`] and filters with
//! [`SessionFilter::matches`], so a search means the same whichever store
//! answers it; a database may narrow its candidates first, but the last
//! word is always `matches`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// Every page the session visited (Meta event `href`s), in replay
    /// order, each once.
    pub page_urls: Vec<String>,
    /// True when a segment holds a Custom event tagged `error` or was
    /// uploaded with `"has_error": true`.
    pub has_error: bool,
    /// Epoch milliseconds at which the intake stored the session's latest
    /// segment (server clock).
    pub last_received_at: f64,
}

/// The most sessions one search returns unless it asks for fewer.
pub const DEFAULT_SESSION_LIMIT: usize = 100;

/// The most sessions one search may ask for.
pub const MAX_SESSION_LIMIT: usize = 1000;

/// What `GET /api/v1/sessions` may filter on; every field is optional and
/// the filters combine with "and".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFilter {
    /// Only sessions of this application.
    pub application: Option<String>,
    /// Only sessions still active at or after this epoch millisecond
    /// (their last event is not earlier).
    pub from: Option<f64>,
    /// Only sessions that began at or before this epoch millisecond.
    pub to: Option<f64>,
    /// Only sessions that visited a page whose URL contains this text.
    pub url: Option<String>,
    /// Only sessions lasting at least this many milliseconds.
    pub min_duration_ms: Option<f64>,
    /// Only sessions lasting at most this many milliseconds.
    pub max_duration_ms: Option<f64>,
    /// Only sessions with (`true`) or without (`false`) an error.
    pub has_error: Option<bool>,
    /// At most this many sessions ([`DEFAULT_SESSION_LIMIT`] when absent,
    /// never more than [`MAX_SESSION_LIMIT`]).
    pub limit: Option<usize>,
}

impl SessionFilter {
    /// How many sessions the search returns at most.
    pub fn effective_limit(&self) -> usize {
        self.limit
            .unwrap_or(DEFAULT_SESSION_LIMIT)
            .min(MAX_SESSION_LIMIT)
    }

    /// True when `summary` passes every filter that is set.
    pub fn matches(&self, summary: &SessionSummary) -> bool {
        let application = self
            .application
            .as_ref()
            .map_or(true, |wanted| *wanted == summary.application_id);
        let from = self.from.map_or(true, |from| summary.end >= from);
        let to = self.to.map_or(true, |to| summary.start <= to);
        let url = self.url.as_ref().map_or(true, |part| {
            summary
                .page_urls
                .iter()
                .any(|page| page.contains(part.as_str()))
        });
        let min = self
            .min_duration_ms
            .map_or(true, |min| summary.duration_ms >= min);
        let max = self
            .max_duration_ms
            .map_or(true, |max| summary.duration_ms <= max);
        let error = self
            .has_error
            .map_or(true, |wanted| wanted == summary.has_error);
        application && from && to && url && min && max && error
    }
}

/// Keeps the summaries `filter` matches, the most recently active first,
/// at most its limit.
pub fn select_sessions(
    mut summaries: Vec<SessionSummary>,
    filter: &SessionFilter,
) -> Vec<SessionSummary> {
    summaries.retain(|summary| filter.matches(summary));
    summaries.sort_by(|a, b| {
        b.end
            .total_cmp(&a.end)
            .then_with(|| a.session_id.cmp(&b.session_id))
    });
    summaries.truncate(filter.effective_limit());
    summaries
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

    let mut page_urls: Vec<String> = Vec::new();
    for record in &records {
        let urls = record.page_urls.iter().chain(record.page_url.iter());
        for url in urls {
            if !page_urls.contains(url) {
                page_urls.push(url.clone());
            }
        }
    }
    let last_received_at = records
        .iter()
        .map(SegmentRecord::received_at_or_end)
        .fold(f64::NEG_INFINITY, f64::max);

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
        page_urls,
        has_error: records.iter().any(|record| record.has_error),
        last_received_at,
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
            page_urls: url.map(str::to_owned).into_iter().collect(),
            has_error: false,
            received_at: Some(start + 1.0),
        }
    }

    fn summary_of(records: Vec<SegmentRecord>) -> SessionSummary {
        summarize(&SafeId::parse("s").unwrap(), records).unwrap()
    }

    #[test]
    fn lists_each_visited_page_once_and_flags_errors() {
        let mut failing = record("v2", 0, 5000.0, Some("https://example.test/b"));
        failing.has_error = true;
        let summary = summary_of(vec![
            record("v1", 0, 1000.0, Some("https://example.test/a")),
            failing,
            record("v3", 0, 9000.0, Some("https://example.test/a")),
        ]);
        assert_eq!(
            summary.page_urls,
            ["https://example.test/a", "https://example.test/b"]
        );
        assert!(summary.has_error);
        assert_eq!(summary.last_received_at, 9001.0);
    }

    #[test]
    fn each_filter_narrows_the_sessions() {
        // 1000..5100 ms, app "app", visits /a then /b, no error.
        let summary = summary_of(vec![
            record("v1", 0, 1000.0, Some("https://example.test/a")),
            record("v2", 0, 5000.0, Some("https://example.test/b")),
        ]);
        let passes = |filter: SessionFilter| filter.matches(&summary);

        assert!(passes(SessionFilter::default()));
        assert!(passes(SessionFilter {
            application: Some("app".into()),
            url: Some("/b".into()),
            from: Some(5100.0),
            to: Some(1000.0),
            min_duration_ms: Some(4100.0),
            max_duration_ms: Some(4100.0),
            has_error: Some(false),
            limit: None,
        }));
        assert!(!passes(SessionFilter {
            application: Some("other".into()),
            ..SessionFilter::default()
        }));
        assert!(!passes(SessionFilter {
            url: Some("/c".into()),
            ..SessionFilter::default()
        }));
        assert!(!passes(SessionFilter {
            from: Some(5101.0),
            ..SessionFilter::default()
        }));
        assert!(!passes(SessionFilter {
            to: Some(999.0),
            ..SessionFilter::default()
        }));
        assert!(!passes(SessionFilter {
            min_duration_ms: Some(4101.0),
            ..SessionFilter::default()
        }));
        assert!(!passes(SessionFilter {
            max_duration_ms: Some(4099.0),
            ..SessionFilter::default()
        }));
        assert!(!passes(SessionFilter {
            has_error: Some(true),
            ..SessionFilter::default()
        }));
    }

    #[test]
    fn selection_sorts_newest_first_and_caps_at_the_limit() {
        let summaries: Vec<_> = [3000.0, 1000.0, 2000.0]
            .into_iter()
            .enumerate()
            .map(|(n, start)| {
                let mut summary = summary_of(vec![record("v", 0, start, None)]);
                summary.session_id = format!("s{n}");
                summary
            })
            .collect();
        let filter = SessionFilter {
            limit: Some(2),
            ..SessionFilter::default()
        };
        let ids: Vec<_> = select_sessions(summaries, &filter)
            .into_iter()
            .map(|summary| summary.session_id)
            .collect();
        assert_eq!(ids, ["s0", "s2"]);
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
