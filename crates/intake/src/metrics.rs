//! Counters for `/metrics`, in Prometheus' text format.
//!
//! Kept per process: with several intake processes, Prometheus scrapes
//! each and sums.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::rejections::Rejections;

/// What the intake counts besides rejections.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Segments newly stored.
    pub segments_stored: AtomicU64,
    /// Identical retries of stored segments.
    pub segments_duplicate: AtomicU64,
    /// Compressed bytes of newly stored segments.
    pub bytes_stored: AtomicU64,
    /// Inflated bytes of newly stored segments.
    pub bytes_inflated: AtomicU64,
    /// Sessions deleted by retention.
    pub sessions_expired: AtomicU64,
    /// Sessions deleted through the API.
    pub sessions_deleted: AtomicU64,
}

impl Metrics {
    /// Adds `amount` to `counter`.
    pub fn add(counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
    }

    /// The counters and the rejections as Prometheus text.
    pub fn render(&self, rejections: &Arc<Rejections>) -> String {
        let mut text = String::new();
        let counters = [
            (
                "tapedeck_segments_received_total",
                "Segments stored (new, not retries).",
                &self.segments_stored,
            ),
            (
                "tapedeck_segments_duplicate_total",
                "Identical retries of already stored segments.",
                &self.segments_duplicate,
            ),
            (
                "tapedeck_received_bytes_total",
                "Compressed bytes of stored segments.",
                &self.bytes_stored,
            ),
            (
                "tapedeck_inflated_bytes_total",
                "Inflated bytes of stored segments.",
                &self.bytes_inflated,
            ),
            (
                "tapedeck_sessions_expired_total",
                "Sessions deleted by retention.",
                &self.sessions_expired,
            ),
            (
                "tapedeck_sessions_deleted_total",
                "Sessions deleted through the API.",
                &self.sessions_deleted,
            ),
        ];
        for (name, help, counter) in counters {
            let value = counter.load(Ordering::Relaxed);
            // Writing to a String cannot fail.
            let _ = write!(
                text,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            );
        }

        let name = "tapedeck_rejections_total";
        let _ = write!(
            text,
            "# HELP {name} Refused requests by reason.\n# TYPE {name} counter\n"
        );
        for (reason, count) in rejections.all() {
            let _ = writeln!(text, "{name}{{reason=\"{reason}\"}} {count}");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_every_rejection_reason() {
        let metrics = Metrics::default();
        Metrics::add(&metrics.segments_stored, 3);
        Metrics::add(&metrics.bytes_stored, 1200);
        let rejections = Arc::new(Rejections::default());
        rejections.count("rate_limited");

        let text = metrics.render(&rejections);
        assert!(text.contains("# TYPE tapedeck_segments_received_total counter\n"));
        assert!(text.contains("\ntapedeck_segments_received_total 3\n"));
        assert!(text.contains("\ntapedeck_received_bytes_total 1200\n"));
        assert!(text.contains("tapedeck_rejections_total{reason=\"rate_limited\"} 1\n"));
        assert!(text.contains("tapedeck_rejections_total{reason=\"missing_key\"} 0\n"));
    }
}
