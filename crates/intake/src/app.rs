//! The router: every route, its state and the layers around it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{header, Method};
use axum::routing::{get, post};
use axum::{middleware, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Config;
use crate::ingest::IngestLimits;
use crate::rejections::{count_rejections, Rejections};
use crate::routes::{health, ingest, sessions, static_files, viewer};
use crate::store::SegmentStore;

/// The folders the intake serves files from.
#[derive(Debug, Clone)]
pub struct ServedDirs {
    /// Served under `/tapedeck/`.
    pub static_dir: PathBuf,
    /// Served under `/examples/`.
    pub examples_dir: PathBuf,
    /// The viewer's pages and npm install.
    pub viewer_dir: PathBuf,
}

impl From<&Config> for ServedDirs {
    fn from(config: &Config) -> Self {
        Self {
            static_dir: config.static_dir.clone(),
            examples_dir: config.examples_dir.clone(),
            viewer_dir: config.viewer_dir.clone(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Where segments go.
    pub store: Arc<dyn SegmentStore>,
    /// Bounds on uploads.
    pub limits: IngestLimits,
    /// Counters of refused requests.
    pub rejections: Arc<Rejections>,
    /// The served folders.
    pub dirs: Arc<ServedDirs>,
}

impl AppState {
    /// State with the default limits and fresh counters.
    pub fn new(store: Arc<dyn SegmentStore>, dirs: ServedDirs) -> Self {
        Self {
            store,
            limits: IngestLimits::default(),
            rejections: Arc::new(Rejections::default()),
            dirs: Arc::new(dirs),
        }
    }
}

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    let dirs = state.dirs.clone();
    let ingest_route =
        post(ingest::post_replay).layer(DefaultBodyLimit::max(state.limits.max_body_bytes));
    let api = Router::new()
        .route("/replay", ingest_route)
        .route("/sessions", get(sessions::list_sessions))
        .route(
            "/sessions/{session_id}/segments",
            get(sessions::list_segments),
        )
        .route(
            "/sessions/{session_id}/events",
            get(sessions::session_events),
        )
        .layer(cors());

    let player_assets = ServeDir::new(dirs.viewer_dir.join(viewer::PLAYER_DIST))
        .fallback(viewer::missing_asset.with_state(state.clone()));

    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/", get(viewer::index))
        .route("/replay/{session_id}", get(viewer::replay))
        .nest_service("/viewer/assets", player_assets)
        .nest_service("/viewer", ServeDir::new(dirs.viewer_dir.join("public")))
        .nest_service("/tapedeck", ServeDir::new(&dirs.static_dir))
        .nest_service("/examples", ServeDir::new(&dirs.examples_dir))
        .layer(middleware::from_fn(static_files::set_strict_content_types))
        .layer(middleware::from_fn_with_state(
            state.rejections.clone(),
            count_rejections,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG))
                // Server errors are logged once, where they happen.
                .on_failure(()),
        )
        .with_state(state)
}

/// Pages on any origin post segments here, so any origin is allowed; no
/// credentials are involved, so this exposes nothing a cookie protects.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(24 * 60 * 60))
}
