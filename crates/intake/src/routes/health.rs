//! `GET /healthz`: liveness, with the rejection counters.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::app::AppState;

/// Answers 200 while the process serves requests. The counters show at a
/// glance whether clients are sending segments the intake refuses.
pub async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "rejections": state.rejections.snapshot() }))
}
