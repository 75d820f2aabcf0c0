//! The router: every route, its state and the layers around it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::{middleware, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::{require_read_token, ReadToken};
use crate::config::applications::Application;
use crate::config::{Applications, Config, DEMO_APPLICATIONS};
use crate::ingest::IngestLimits;
use crate::metrics::Metrics;
use crate::rate_limit::{limit_rate, RateLimiter};
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
    /// Counters of stored segments and bytes.
    pub metrics: Arc<Metrics>,
    /// The served folders.
    pub dirs: Arc<ServedDirs>,
    /// Who may upload.
    pub applications: Arc<Applications>,
    /// The secret reads need.
    pub read_token: ReadToken,
    /// Per-client request limits.
    pub rate_limiter: Arc<RateLimiter>,
}

impl AppState {
    /// State with the default limits, fresh counters, the demo
    /// applications open, a random read token and no rate limit; the
    /// `with_` methods change those.
    pub fn new(store: Arc<dyn SegmentStore>, dirs: ServedDirs) -> Self {
        let demo = DEMO_APPLICATIONS
            .iter()
            .map(|id| Application::open(id))
            .collect();
        Self {
            store,
            limits: IngestLimits::default(),
            rejections: Arc::new(Rejections::default()),
            metrics: Arc::new(Metrics::default()),
            dirs: Arc::new(dirs),
            applications: Arc::new(
                Applications::new(demo).expect("the demo applications are valid"),
            ),
            read_token: ReadToken::generate().expect("the operating system has randomness"),
            rate_limiter: Arc::new(RateLimiter::new(0.0, 1.0)),
        }
    }

    /// Replaces who may upload.
    #[must_use]
    pub fn with_applications(mut self, applications: Applications) -> Self {
        self.applications = Arc::new(applications);
        self
    }

    /// Replaces the read token.
    #[must_use]
    pub fn with_read_token(mut self, token: ReadToken) -> Self {
        self.read_token = token;
        self
    }

    /// Limits each client IP to `per_second` requests after a `burst`.
    #[must_use]
    pub fn with_rate_limit(mut self, per_second: f64, burst: f64) -> Self {
        self.rate_limiter = Arc::new(RateLimiter::new(per_second, burst));
        self
    }

    /// Replaces the upload body limit.
    #[must_use]
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.limits.max_body_bytes = max_body_bytes;
        self
    }
}

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    let dirs = state.dirs.clone();
    let ingest_api = Router::new()
        .route("/replay", post(ingest::post_replay))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(ingest_cors(state.applications.clone()));

    let read_api = Router::new()
        .route("/sessions", get(sessions::list_sessions))
        .route(
            "/sessions/{session_id}",
            get(sessions::session_summary).delete(sessions::delete_session),
        )
        .route(
            "/sessions/{session_id}/segments",
            get(sessions::list_segments),
        )
        .route(
            "/sessions/{session_id}/events",
            get(sessions::session_events),
        );
    let api = ingest_api.merge(read_api.route_layer(middleware::from_fn_with_state(
        state.read_token.clone(),
        require_read_token,
    )));

    let viewer_pages = Router::new()
        .route("/", get(viewer::index))
        .route("/replay/{session_id}", get(viewer::replay))
        .route("/metrics", get(health::metrics))
        .route_layer(middleware::from_fn_with_state(
            state.read_token.clone(),
            require_read_token,
        ));

    let player_assets = ServeDir::new(dirs.viewer_dir.join(viewer::PLAYER_DIST))
        .fallback(viewer::missing_asset.with_state(state.clone()));

    Router::new()
        .nest("/api/v1", api)
        .merge(viewer_pages)
        .route("/healthz", get(health::healthz))
        .nest_service("/viewer/assets", player_assets)
        .nest_service("/viewer", ServeDir::new(dirs.viewer_dir.join("public")))
        .nest_service("/tapedeck", ServeDir::new(&dirs.static_dir))
        .nest_service("/examples", ServeDir::new(&dirs.examples_dir))
        .layer(middleware::from_fn(static_files::set_strict_content_types))
        .layer(middleware::from_fn_with_state(
            state.rate_limiter.clone(),
            limit_rate,
        ))
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

/// Uploads are CORS-simple requests from recorded pages, so the answer
/// must name the page's origin for the page to read it. Only origins some
/// application accepts are named; the upload handler then checks the
/// origin against the segment's own application. No credentials are
/// involved, and the read API has no CORS at all, so no other site can
/// read recordings through a visitor's browser.
fn ingest_cors(applications: Arc<Applications>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(
            move |origin: &HeaderValue, _request| {
                origin
                    .to_str()
                    .is_ok_and(|origin| applications.any_allows_origin(origin))
            },
        ))
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(24 * 60 * 60))
}
