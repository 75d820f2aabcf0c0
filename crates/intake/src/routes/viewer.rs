//! The replay viewer's pages.
//!
//! The pages themselves are plain files under `<viewer dir>/public/`; the
//! player is rrweb-player as installed from npm into
//! `<viewer dir>/node_modules/` by `make build`. When either is missing the
//! viewer answers with a page saying what to run, instead of a blank
//! screen.

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::error::IntakeError;
use crate::ids::SafeId;

/// Where rrweb-player's built files are, inside the viewer folder.
pub const PLAYER_DIST: &str = "node_modules/rrweb-player/dist";

/// The player file the replay page imports; its presence means the npm
/// install ran.
const PLAYER_MODULE: &str = "rrweb-player.js";

/// True when rrweb-player has been installed under `viewer_dir`.
pub fn player_installed(viewer_dir: &Path) -> bool {
    viewer_dir.join(PLAYER_DIST).join(PLAYER_MODULE).is_file()
}

/// `GET /`: the session list.
pub async fn index(State(state): State<AppState>) -> Response {
    serve_page(state.dirs.viewer_dir.join("public/index.html")).await
}

/// `GET /replay/{session_id}`: the player for one session.
pub async fn replay(
    State(state): State<AppState>,
    UrlPath(session_id): UrlPath<String>,
) -> Response {
    let Some(session_id) = SafeId::parse(&session_id) else {
        return error_page(StatusCode::BAD_REQUEST, "This is not a valid session id.");
    };
    if !player_installed(&state.dirs.viewer_dir) {
        return missing_player_page(&state.dirs.viewer_dir);
    }

    match state.store.load_records(&session_id).await {
        Ok(Some(_)) => serve_page(state.dirs.viewer_dir.join("public/replay.html")).await,
        Ok(None) => error_page(StatusCode::NOT_FOUND, "No session with this id is stored."),
        Err(error) => IntakeError::from(error).into_response(),
    }
}

/// The answer for a player file that is not there: a hint to install the
/// player when none is installed, a plain 404 otherwise.
pub async fn missing_asset(State(state): State<AppState>) -> Response {
    if player_installed(&state.dirs.viewer_dir) {
        StatusCode::NOT_FOUND.into_response()
    } else {
        missing_player_page(&state.dirs.viewer_dir)
    }
}

async fn serve_page(path: PathBuf) -> Response {
    match tokio::fs::read_to_string(&path).await {
        Ok(page) => Html(page).into_response(),
        Err(error) => {
            tracing::error!(path = %path.display(), "viewer page unreadable: {error}");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The viewer's pages were not found. Start tapedeck-intake from the repository \
                 root, or pass --viewer-dir pointing at crates/intake/viewer.",
            )
        }
    }
}

fn missing_player_page(viewer_dir: &Path) -> Response {
    let message = format!(
        "The replay player (rrweb-player from npm) is not installed in {}. \
         Run `make build`, or `npm ci` in that folder, then reload this page.",
        viewer_dir.display()
    );
    error_page(StatusCode::SERVICE_UNAVAILABLE, &message)
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>tapedeck: {status}</title>\n\
         <h1>{status}</h1>\n<p>{}</p>\n<p><a href=\"/\">All sessions</a></p>\n",
        escape_html(message)
    );
    (status, Html(page)).into_response()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_error_messages() {
        assert_eq!(
            escape_html("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_player_counts_as_installed_only_with_its_module() {
        let viewer = tempfile::tempdir().unwrap();
        assert!(!player_installed(viewer.path()));
        let dist = viewer.path().join(PLAYER_DIST);
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join(PLAYER_MODULE), "export default 1").unwrap();
        assert!(player_installed(viewer.path()));
    }
}
