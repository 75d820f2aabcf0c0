//! Rate limiting, body size, metrics and retention.

use std::time::Duration;

use axum::http::{header, Request, StatusCode};
use tapedeck_intake::ingest::now_epoch_ms;
use tapedeck_intake::metrics::Metrics;
use tapedeck_intake::retention::delete_expired_sessions;
use tapedeck_intake::FileStore;

use crate::support::{authorized, events, TestApp, Upload};

#[tokio::test]
async fn a_client_past_its_burst_gets_429_with_retry_after_and_is_counted() {
    let app = TestApp::with_state(|state| state.with_rate_limit(1.0, 3.0));
    for index in 0..3 {
        let (status, _) = app
            .upload(&Upload::new("s1", "v1", index, &events(1000, 2)))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, headers, body) = app
        .send(Upload::new("s1", "v1", 3, &events(1000, 2)).request())
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    assert!(String::from_utf8_lossy(&body).contains("too many requests"));

    // The health check itself is limited too; wait for a token.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, health) = app.get_json("/healthz").await;
    assert_eq!(health["rejections"]["rate_limited"], 1);
}

#[tokio::test]
async fn a_smaller_configured_body_limit_answers_413() {
    let app = TestApp::with_state(|state| state.with_max_body_bytes(2048));
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.part_mut("segment").bytes = vec![1; 4096];
    let (status, body) = app.upload(&upload).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"], "request body is larger than 2048 bytes");
}

#[tokio::test]
async fn metrics_count_segments_bytes_and_rejections() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    app.upload(&upload).await;
    app.upload(&upload).await;
    let mut broken = Upload::new("s1", "v1", 1, &events(1000, 2));
    broken.parts.retain(|part| part.name != "event");
    app.upload(&broken).await;

    let (status, headers, body) = app.send(authorized(Request::get("/metrics"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = String::from_utf8(body).unwrap();
    let compressed = upload.parts[0].bytes.len();
    assert!(
        text.contains("\ntapedeck_segments_received_total 1\n"),
        "{text}"
    );
    assert!(
        text.contains("\ntapedeck_segments_duplicate_total 1\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("\ntapedeck_received_bytes_total {compressed}\n")),
        "{text}"
    );
    assert!(
        text.contains("tapedeck_rejections_total{reason=\"missing_part\"} 1\n"),
        "{text}"
    );
}

#[tokio::test]
async fn retention_deletes_only_sessions_received_before_the_cutoff() {
    let app = TestApp::new();
    app.upload(&Upload::new("old", "v1", 0, &events(1000, 2)))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.upload(&Upload::new("new", "v1", 0, &events(1000, 2)))
        .await;

    let store = FileStore::open(app.data_dir.path()).unwrap();
    let metrics = Metrics::default();
    let deleted =
        delete_expired_sessions(&store, Duration::from_millis(150), now_epoch_ms(), &metrics)
            .await
            .unwrap();
    assert_eq!(deleted, 1);

    let (_, sessions) = app.get_json("/api/v1/sessions").await;
    let ids: Vec<_> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session_id"].clone())
        .collect();
    assert_eq!(ids, ["new"]);
    assert!(!app.data_dir.path().join("sessions/old").exists());
}
