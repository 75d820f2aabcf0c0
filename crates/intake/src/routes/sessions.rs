//! The read API: search sessions, one session's summary, segments and
//! merged events, and deleting a session.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;
use tapedeck_model::SegmentMetadata;

use super::run_blocking;
use crate::app::AppState;
use crate::error::IntakeError;
use crate::ids::SafeId;
use crate::inflate::inflate_segment;
use crate::metrics::Metrics;
use crate::session_summary::{sort_in_replay_order, summarize, SessionFilter, SessionSummary};
use crate::store::{SegmentKey, SegmentRecord, SegmentStore, StoreError};

/// `GET /api/v1/sessions`: the sessions matching the query's filters, the
/// most recently active first.
pub async fn list_sessions(
    State(state): State<AppState>,
    filter: Result<Query<SessionFilter>, QueryRejection>,
) -> Result<Json<Vec<SessionSummary>>, IntakeError> {
    let Query(filter) =
        filter.map_err(|rejection| IntakeError::InvalidQuery(rejection.body_text()))?;
    Ok(Json(state.store.find_sessions(&filter).await?))
}

/// `GET /api/v1/sessions/{session_id}`: one session's summary, gaps
/// included.
pub async fn session_summary(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<Json<SessionSummary>, IntakeError> {
    let session_id = parse_session_id(&session_id)?;
    let records = load_records(state.store.as_ref(), &session_id).await?;
    summarize(&session_id, records)
        .map(Json)
        .ok_or(IntakeError::UnknownSession)
}

/// `DELETE /api/v1/sessions/{session_id}`: 204 once deleted.
pub async fn delete_session(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<StatusCode, IntakeError> {
    let session_id = parse_session_id(&session_id)?;
    if state.store.delete_session(&session_id).await? {
        Metrics::add(&state.metrics.sessions_deleted, 1);
        tracing::info!(%session_id, "session deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(IntakeError::UnknownSession)
    }
}

/// `GET /api/v1/sessions/{session_id}/segments`: the session's segment
/// metadata in replay order.
pub async fn list_segments(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<Json<Vec<SegmentMetadata>>, IntakeError> {
    let session_id = parse_session_id(&session_id)?;
    let records = load_records(state.store.as_ref(), &session_id).await?;
    Ok(Json(
        records.into_iter().map(|record| record.metadata).collect(),
    ))
}

/// `GET /api/v1/sessions/{session_id}/events`: all of the session's events
/// as one JSON array sorted by timestamp, ready for a player.
///
/// Events with equal timestamps keep the order they were recorded in
/// (segment order, then position within the segment), because the sort is
/// stable; a Meta event must stay before the FullSnapshot taken in the same
/// millisecond.
pub async fn session_events(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<Json<Vec<Value>>, IntakeError> {
    let session_id = parse_session_id(&session_id)?;
    let records = load_records(state.store.as_ref(), &session_id).await?;
    let mut segments = Vec::with_capacity(records.len());
    for record in &records {
        let key = key_of(record)?;
        let compressed = state.store.load_segment(&session_id, &key).await?;
        segments.push((key, compressed));
    }

    let limits = state.limits.inflate;
    let events = run_blocking(move || {
        let mut events = Vec::new();
        for (key, compressed) in segments {
            let corrupt = |reason: String| {
                StoreError::CorruptSegment(format!("{session_id}/{}: {reason}", key.view_id))
            };
            let inflated =
                inflate_segment(&compressed, limits).map_err(|e| corrupt(e.to_string()))?;
            let segment_events: Vec<Value> =
                serde_json::from_slice(&inflated).map_err(|e| corrupt(e.to_string()))?;
            events.extend(segment_events);
        }
        events.sort_by(|a, b| timestamp(a).total_cmp(&timestamp(b)));
        Ok(events)
    })
    .await?;
    Ok(Json(events))
}

fn parse_session_id(raw: &str) -> Result<SafeId, IntakeError> {
    SafeId::parse(raw).ok_or(IntakeError::InvalidSessionId)
}

/// The session's records in replay order, or [`IntakeError::UnknownSession`].
async fn load_records(
    store: &dyn SegmentStore,
    session_id: &SafeId,
) -> Result<Vec<SegmentRecord>, IntakeError> {
    let mut records = store
        .load_records(session_id)
        .await?
        .ok_or(IntakeError::UnknownSession)?;
    sort_in_replay_order(&mut records);
    Ok(records)
}

/// The key of a stored record; its view id was checked before it was
/// stored, so failing here means the store was changed by hand.
fn key_of(record: &SegmentRecord) -> Result<SegmentKey, StoreError> {
    let view_id = SafeId::parse(&record.metadata.view.id).ok_or_else(|| {
        StoreError::CorruptSegment(format!("unsafe view id {:?}", record.metadata.view.id))
    })?;
    Ok(SegmentKey {
        view_id,
        index_in_view: record.metadata.index_in_view,
    })
}

/// Every stored event was checked to have a numeric timestamp.
fn timestamp(event: &Value) -> f64 {
    event["timestamp"].as_f64().unwrap_or(0.0)
}
