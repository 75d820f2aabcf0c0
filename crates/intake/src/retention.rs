//! Deleting sessions older than the configured retention.
//!
//! A session's age counts from when the intake stored its latest segment,
//! by the server's clock: a page's clock may be wrong, and a session still
//! being recorded must not be deleted. With several intake processes each
//! runs the sweep; deleting an already deleted session is harmless.

use std::sync::Arc;
use std::time::Duration;

use crate::ingest::now_epoch_ms;
use crate::metrics::Metrics;
use crate::store::{SegmentStore, StoreError};

/// Deletes every session whose latest segment arrived more than
/// `retention` before `now_ms`, and returns how many were deleted.
pub async fn delete_expired_sessions(
    store: &dyn SegmentStore,
    retention: Duration,
    now_ms: f64,
    metrics: &Metrics,
) -> Result<usize, StoreError> {
    let cutoff_ms = now_ms - retention.as_secs_f64() * 1000.0;
    let mut deleted = 0;
    for session_id in store.sessions_received_before(cutoff_ms).await? {
        if store.delete_session(&session_id).await? {
            tracing::debug!(%session_id, "deleted a session past retention");
            Metrics::add(&metrics.sessions_expired, 1);
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Runs [`delete_expired_sessions`] every `interval`, forever; failures are
/// logged and retried at the next tick.
pub async fn run_retention(
    store: Arc<dyn SegmentStore>,
    retention: Duration,
    interval: Duration,
    metrics: Arc<Metrics>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match delete_expired_sessions(store.as_ref(), retention, now_epoch_ms(), &metrics).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted sessions past retention"),
            Err(error) => tracing::error!("retention sweep failed: {error}"),
        }
    }
}
