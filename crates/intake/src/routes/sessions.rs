//! The read API: sessions, their segments, and their merged events.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;
use tapedeck_model::SegmentMetadata;

use super::run_blocking;
use crate::app::AppState;
use crate::error::IntakeError;
use crate::ids::SafeId;
use crate::inflate::inflate_segment;
use crate::session_summary::{sort_in_replay_order, summarize, SessionSummary};
use crate::store::{SegmentKey, SegmentRecord, SegmentStore, StoreError};

/// `GET /api/v1/sessions`: every session, the most recently active first.
pub async fn list_sessions(
    State(state): State<AppState>,
) -> Result<Json<Vec<SessionSummary>>, IntakeError> {
    let store = state.store.clone();
    let summaries = run_blocking(move || {
        let mut summaries = Vec::new();
        for session_id in store.session_ids()? {
            let records = store.session_records(&session_id)?.unwrap_or_default();
            summaries.extend(summarize(&session_id, records));
        }
        summaries.sort_by(|a, b| b.end.total_cmp(&a.end));
        Ok(summaries)
    })
    .await?;
    Ok(Json(summaries))
}

/// `GET /api/v1/sessions/{session_id}/segments`: the session's segment
/// metadata in replay order.
pub async fn list_segments(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<Json<Vec<SegmentMetadata>>, IntakeError> {
    let session_id = parse_session_id(&session_id)?;
    let store = state.store.clone();
    let records = run_blocking(move || load_records(store.as_ref(), &session_id)).await?;
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
    let store = state.store.clone();
    let limits = state.limits.inflate;
    let events = run_blocking(move || {
        let records = load_records(store.as_ref(), &session_id)?;
        let mut events = Vec::new();
        for record in &records {
            let key = key_of(record)?;
            let compressed = store.segment_bytes(&session_id, &key)?;
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
fn load_records(
    store: &dyn SegmentStore,
    session_id: &SafeId,
) -> Result<Vec<SegmentRecord>, IntakeError> {
    let mut records = store
        .session_records(session_id)?
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
