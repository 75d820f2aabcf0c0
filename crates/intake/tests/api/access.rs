//! Who may upload and who may read.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use serde_json::Value;

use crate::support::{events, TestApp, Upload, READ_TOKEN, SHOP_ORIGIN};

async fn post(app: &TestApp, request: Request<Body>) -> (StatusCode, String) {
    let (status, _, body) = app.send(request).await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn stored_sessions(app: &TestApp) -> usize {
    app.get_json("/api/v1/sessions")
        .await
        .1
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_upload_without_a_key_for_a_keyed_application_is_401() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    let (status, error) = post(&app, upload.request_to("/api/v1/replay", Some(SHOP_ORIGIN))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error, "application shop needs an ingestion key (?key=)");
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn an_unknown_key_is_401_and_another_applications_key_is_403() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    let (status, error) = post(&app, upload.request_to("/api/v1/replay?key=guess", None)).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "unknown ingestion key")
    );

    let mut demo = Upload::new("s1", "v1", 0, &events(1000, 2));
    demo.set_application("demo");
    let (status, error) = post(&app, demo.request()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error.contains("not the key of application demo"), "{error}");
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_page_on_an_origin_the_application_does_not_allow_is_403() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    let request = upload.request_to("/api/v1/replay?key=shop-key", Some("https://evil.test"));
    let (status, error) = post(&app, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        error,
        "origin https://evil.test may not upload for application shop"
    );
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn an_open_demo_application_accepts_uploads_without_a_key() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.set_application("demo");
    let request = upload.request_to("/api/v1/replay", Some("http://127.0.0.1:8080"));
    assert_eq!(post(&app, request).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn without_open_applications_a_missing_key_is_refused_before_the_body() {
    let app = TestApp::with_state(|state| {
        state.with_applications(
            tapedeck_intake::config::Applications::new(vec![
                tapedeck_intake::config::Application {
                    id: "shop".into(),
                    key: "k-123456".into(),
                    allowed_origins: vec![],
                },
            ])
            .unwrap(),
        )
    });
    let request = Request::post("/api/v1/replay")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(Body::from("not even multipart"))
        .unwrap();
    let (status, error) = post(&app, request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error.starts_with("missing ingestion key"), "{error}");
}

#[tokio::test]
async fn a_preflight_from_an_origin_no_application_allows_gets_no_cors_grant() {
    let app = TestApp::with_state(|state| {
        state.with_applications(crate::support::test_applications_without_open())
    });
    let request = Request::options("/api/v1/replay")
        .header(header::ORIGIN, "https://evil.test")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = app.send(request).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn reads_need_the_token_as_bearer_or_basic_auth() {
    let app = TestApp::new();
    for path in [
        "/api/v1/sessions",
        "/api/v1/sessions/s1/events",
        "/",
        "/replay/s1",
        "/metrics",
    ] {
        let (status, headers, _) = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let challenge = headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(
            challenge.starts_with("Basic realm=\"tapedeck\""),
            "{challenge}"
        );
    }

    let wrong = Request::get("/api/v1/sessions")
        .header(header::AUTHORIZATION, "Bearer not-the-token")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(wrong).await.0, StatusCode::UNAUTHORIZED);

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("tapedeck:{READ_TOKEN}"));
    let request = Request::get("/api/v1/sessions")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_read_api_grants_no_cross_origin_reads() {
    let app = TestApp::new();
    let request = Request::get("/api/v1/sessions")
        .header(header::ORIGIN, SHOP_ORIGIN)
        .header(header::AUTHORIZATION, format!("Bearer {READ_TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn the_health_check_stays_public() {
    let app = TestApp::new();
    let (status, _, _) = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
}
