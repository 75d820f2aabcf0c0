//! The viewer pages, the served folders and the health check.

use axum::http::{header, Request, StatusCode};

use crate::support::{authorized, events, TestApp, Upload};

async fn get(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let (status, headers, body) = app.send(authorized(Request::get(path))).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn write(app: &TestApp, relative: &str, contents: &str) {
    let path = app.served_path(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn install_player(app: &TestApp) {
    write(
        app,
        "viewer/node_modules/rrweb-player/dist/rrweb-player.js",
        "export default 1;",
    );
    write(
        app,
        "viewer/node_modules/rrweb-player/dist/style.css",
        ".rr-player{}",
    );
}

#[tokio::test]
async fn the_replay_page_says_to_run_make_build_when_the_player_is_missing() {
    let app = TestApp::new();
    write(&app, "viewer/public/replay.html", "<p>replay</p>");
    app.upload(&Upload::new("s1", "v1", 0, &events(1000, 2)))
        .await;

    let (status, _, page) = get(&app, "/replay/s1").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("make build"), "{page}");

    let (status, _, page) = get(&app, "/viewer/assets/rrweb-player.js").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("make build"), "{page}");
}

#[tokio::test]
async fn the_replay_page_and_player_are_served_once_installed() {
    let app = TestApp::new();
    write(&app, "viewer/public/replay.html", "<p>replay</p>");
    install_player(&app);
    app.upload(&Upload::new("s1", "v1", 0, &events(1000, 2)))
        .await;

    let (status, content_type, page) = get(&app, "/replay/s1").await;
    assert_eq!((status, page.as_str()), (StatusCode::OK, "<p>replay</p>"));
    assert!(content_type.starts_with("text/html"));

    let (status, content_type, script) = get(&app, "/viewer/assets/rrweb-player.js").await;
    assert_eq!(
        (status, script.as_str()),
        (StatusCode::OK, "export default 1;")
    );
    assert_eq!(content_type, "text/javascript; charset=utf-8");

    assert_eq!(
        get(&app, "/viewer/assets/nothing.js").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_replay_page_of_an_unknown_or_invalid_session_is_an_error_page() {
    let app = TestApp::new();
    install_player(&app);
    assert_eq!(get(&app, "/replay/nobody").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/replay/a.b").await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_session_list_page_comes_from_the_viewer_folder() {
    let app = TestApp::new();
    write(&app, "viewer/public/index.html", "<h1>sessions</h1>");
    write(&app, "viewer/public/sessions.js", "console.log(1);");

    assert_eq!(get(&app, "/").await.2, "<h1>sessions</h1>");
    assert_eq!(get(&app, "/viewer/sessions.js").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_real_viewer_pages_reference_files_that_exist() {
    let viewer = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("viewer");
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(viewer.join("package.json")).unwrap()).unwrap();
    assert!(package["dependencies"]["rrweb-player"].is_string());

    let replay = std::fs::read_to_string(viewer.join("public/replay.html")).unwrap();
    assert!(replay.contains("/viewer/assets/style.css"));
    assert!(replay.contains("/viewer/replay.js"));
    let script = std::fs::read_to_string(viewer.join("public/replay.js")).unwrap();
    assert!(script.contains("from '/viewer/assets/rrweb-player.js'"));
    for file in ["index.html", "sessions.js", "format.js", "viewer.css"] {
        assert!(viewer.join("public").join(file).is_file(), "{file}");
    }
}

#[tokio::test]
async fn the_bundle_folder_serves_wasm_and_modules_with_strict_types() {
    let app = TestApp::new();
    write(&app, "static/worker/tapedeck_worker_bg.wasm", "\0asm");
    write(&app, "static/tapedeck.mjs", "export {};");
    write(&app, "examples/basic/index.html", "<p>example</p>");

    let (status, content_type, _) = get(&app, "/tapedeck/worker/tapedeck_worker_bg.wasm").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/wasm")
    );
    let (_, content_type, _) = get(&app, "/tapedeck/tapedeck.mjs").await;
    assert_eq!(content_type, "text/javascript; charset=utf-8");
    assert_eq!(
        get(&app, "/examples/basic/index.html").await.2,
        "<p>example</p>"
    );
    assert_eq!(get(&app, "/examples/basic/").await.2, "<p>example</p>");
    assert_eq!(
        get(&app, "/tapedeck/missing.js").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_health_check_answers_ok() {
    let app = TestApp::new();
    let (status, health) = app.get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
}
