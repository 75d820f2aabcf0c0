//! `POST /api/v1/replay`: one segment per request.
//!
//! A new segment is answered with 202 Accepted, an identical retry of a
//! stored one with 200 OK (the client's earlier answer was lost, nothing
//! needs doing), and a different segment under an already used session,
//! view and index with 409 Conflict: the first stored segment is never
//! overwritten.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::run_blocking;
use crate::app::AppState;
use crate::error::IntakeError;
use crate::ingest::{check_upload, read_upload_parts};
use crate::store::PutOutcome;

/// Checks and stores one uploaded segment.
pub async fn post_replay(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), IntakeError> {
    let multipart = multipart.map_err(|_| IntakeError::NotMultipart)?;
    let parts = read_upload_parts(multipart, state.limits.max_body_bytes).await?;

    let limits = state.limits;
    let store = state.store.clone();
    let (segment, outcome) = run_blocking(move || {
        let segment = check_upload(parts, limits)?;
        let outcome = store.put(&segment)?;
        Ok((segment, outcome))
    })
    .await?;

    let session_id = segment.session_id.as_str();
    let view_id = segment.key.view_id.as_str();
    let index_in_view = segment.key.index_in_view;
    let status = match outcome {
        PutOutcome::Stored => StatusCode::ACCEPTED,
        PutOutcome::AlreadyStored => StatusCode::OK,
        PutOutcome::Conflict => {
            return Err(IntakeError::Conflict {
                view_id: view_id.to_owned(),
                index_in_view,
            })
        }
    };
    tracing::debug!(
        session_id,
        view_id,
        index_in_view,
        ?outcome,
        "segment received"
    );

    let body = json!({
        "stored": outcome == PutOutcome::Stored,
        "session_id": session_id,
        "view_id": view_id,
        "index_in_view": index_in_view,
    });
    Ok((status, Json(body)))
}
