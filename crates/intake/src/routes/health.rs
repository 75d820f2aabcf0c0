//! `GET /healthz` (liveness, with the rejection counters) and
//! `GET /metrics` (Prometheus text).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use crate::app::AppState;

/// Answers 200 while the process serves requests. The counters show at a
/// glance whether clients are sending segments the intake refuses.
pub async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "rejections": state.rejections.snapshot() }))
}

/// The counters in Prometheus' text exposition format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&state.rejections),
    )
}
