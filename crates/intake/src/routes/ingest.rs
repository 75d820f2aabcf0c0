//! `POST /api/v1/replay?key=…`: one segment per request.
//!
//! A new segment is answered with 202 Accepted, an identical retry of a
//! stored one with 200 OK (the client's earlier answer was lost, nothing
//! needs doing), and a different segment under an already used session,
//! view and index with 409 Conflict: the first stored segment is never
//! overwritten.
//!
//! Who may upload is checked twice: before the body is read, the key must
//! name an application (or open applications must exist) and the page's
//! origin must be one that application allows; once the metadata is
//! parsed, and before the segment is inflated, its `application.id` must
//! be the key's application (or an open one).

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};
use tapedeck_model::SegmentMetadata;

use super::run_blocking;
use crate::app::AppState;
use crate::config::{Application, Applications};
use crate::error::IntakeError;
use crate::ingest::{check_upload, read_upload_parts};
use crate::metrics::Metrics;
use crate::store::PutOutcome;

/// The query parameter carrying the ingestion key.
pub const KEY_PARAMETER: &str = "key";

/// Checks and stores one uploaded segment.
pub async fn post_replay(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), IntakeError> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let keyed = application_of_key(&state.applications, query.as_deref())?;
    if let (Some(application), Some(origin)) = (&keyed, &origin) {
        check_origin(application, origin)?;
    }

    let multipart = multipart.map_err(|_| IntakeError::NotMultipart)?;
    let parts = read_upload_parts(multipart, state.limits.max_body_bytes).await?;

    let limits = state.limits;
    let applications = state.applications.clone();
    let segment = run_blocking(move || {
        check_upload(parts, limits, |metadata| {
            authorize(&applications, keyed.as_ref(), origin.as_deref(), metadata)
        })
    })
    .await?;

    let session_id = segment.session_id.to_string();
    let view_id = segment.key.view_id.to_string();
    let index_in_view = segment.key.index_in_view;
    let compressed_bytes = segment.compressed.len() as u64;
    let inflated_bytes = segment.record.metadata.raw_segment_size;
    let outcome = state.store.store_segment(segment).await?;

    let status = match outcome {
        PutOutcome::Stored => {
            Metrics::add(&state.metrics.segments_stored, 1);
            Metrics::add(&state.metrics.bytes_stored, compressed_bytes);
            Metrics::add(&state.metrics.bytes_inflated, inflated_bytes);
            StatusCode::ACCEPTED
        }
        PutOutcome::AlreadyStored => {
            Metrics::add(&state.metrics.segments_duplicate, 1);
            StatusCode::OK
        }
        PutOutcome::Conflict => {
            return Err(IntakeError::Conflict {
                view_id,
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

/// The application whose key the query carries, or `None` for an upload
/// without a key, which only open applications accept.
fn application_of_key(
    applications: &Arc<Applications>,
    query: Option<&str>,
) -> Result<Option<Application>, IntakeError> {
    let key = query.and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == KEY_PARAMETER)
            .map(|(_, value)| value.into_owned())
    });
    match key.filter(|key| !key.is_empty()) {
        Some(key) => applications
            .by_key(&key)
            .cloned()
            .map(Some)
            .ok_or(IntakeError::UnknownKey),
        None if applications.has_open() => Ok(None),
        None => Err(IntakeError::MissingKey),
    }
}

fn check_origin(application: &Application, origin: &str) -> Result<(), IntakeError> {
    if application.allows_origin(origin) {
        Ok(())
    } else {
        Err(IntakeError::OriginNotAllowed {
            origin: origin.to_owned(),
            application: application.id.clone(),
        })
    }
}

/// The check once the segment's application is known.
fn authorize(
    applications: &Applications,
    keyed: Option<&Application>,
    origin: Option<&str>,
    metadata: &SegmentMetadata,
) -> Result<(), IntakeError> {
    let id = &metadata.application.id;
    match keyed {
        Some(application) if application.id == *id => Ok(()),
        Some(_) => Err(IntakeError::WrongApplication {
            application: id.clone(),
        }),
        None => match applications.get(id) {
            Some(application) if application.is_open() => match origin {
                Some(origin) => check_origin(application, origin),
                None => Ok(()),
            },
            _ => Err(IntakeError::KeyRequired {
                application: id.clone(),
            }),
        },
    }
}
