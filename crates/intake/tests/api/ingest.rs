//! `POST /api/v1/replay`: what is stored and what is refused.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{events, fixture, metadata_for, zlib, TestApp, Upload};

/// Asserts the upload is refused with `status` and an error mentioning
/// `reason`, and that nothing was stored.
async fn assert_refused(app: &TestApp, upload: &Upload, status: StatusCode, reason: &str) {
    let (got, body) = app.upload(upload).await;
    assert_eq!(got, status, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains(reason), "expected {reason:?} in {error:?}");

    let (_, sessions) = app.get_json("/api/v1/sessions").await;
    assert_eq!(sessions, json!([]), "a refused upload must store nothing");
}

#[tokio::test]
async fn a_valid_segment_is_stored_and_answered_with_202() {
    let app = TestApp::new();
    let (status, body) = app
        .upload(&Upload::new("s1", "v1", 0, &fixture("first-segment.json")))
        .await;

    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["stored"], true);
    assert!(app
        .data_dir
        .path()
        .join("sessions/s1/v1-000000.zlib")
        .is_file());
    assert!(app
        .data_dir
        .path()
        .join("sessions/s1/v1-000000.json")
        .is_file());
}

#[tokio::test]
async fn an_identical_retry_is_accepted_and_a_different_segment_conflicts() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    assert_eq!(app.upload(&upload).await.0, StatusCode::ACCEPTED);

    let (status, body) = app.upload(&upload).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["stored"], false);

    let (status, body) = app
        .upload(&Upload::new("s1", "v1", 0, &events(5000, 3)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"].as_str().unwrap().contains("already stored"));

    let (_, segments) = app.get_json("/api/v1/sessions/s1/segments").await;
    assert_eq!(
        segments[0]["records_count"], 2,
        "the first segment must be kept"
    );
}

#[tokio::test]
async fn a_metadata_content_type_with_a_charset_is_accepted() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.part_mut("event").content_type = Some("Application/JSON; charset=utf-8");
    assert_eq!(app.upload(&upload).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn refuses_a_missing_segment_part() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.parts.retain(|part| part.name != "segment");
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "missing part `segment`",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_missing_event_part() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.parts.retain(|part| part.name != "event");
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "missing part `event`",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_part_sent_twice() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    let copy = upload.parts[0].bytes.clone();
    upload.parts.push(crate::support::Part {
        name: "segment",
        content_type: Some("application/octet-stream"),
        bytes: copy,
    });
    assert_refused(&app, &upload, StatusCode::BAD_REQUEST, "more than once").await;
}

#[tokio::test]
async fn refuses_a_segment_part_of_the_wrong_content_type() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.part_mut("segment").content_type = Some("text/plain");
    let reason = "part `segment` must be application/octet-stream, got text/plain";
    assert_refused(&app, &upload, StatusCode::UNSUPPORTED_MEDIA_TYPE, reason).await;
}

#[tokio::test]
async fn refuses_an_event_part_without_a_content_type() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.part_mut("event").content_type = None;
    let reason = "part `event` must be application/json, got none";
    assert_refused(&app, &upload, StatusCode::UNSUPPORTED_MEDIA_TYPE, reason).await;
}

#[tokio::test]
async fn refuses_a_body_that_is_not_multipart() {
    let app = TestApp::new();
    let request = Request::post("/api/v1/replay?key=shop-key")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"], "request is not multipart/form-data");
}

#[tokio::test]
async fn refuses_corrupt_zlib() {
    let app = TestApp::new();
    let garbage = b"this is not a zlib stream".to_vec();
    let metadata = metadata_for("s1", "v1", 0, &events(1000, 2), &garbage);
    let upload = Upload::from_parts(garbage, &metadata);
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "is not a valid zlib stream",
    )
    .await;
}

#[tokio::test]
async fn refuses_truncated_zlib() {
    let app = TestApp::new();
    let raw = events(1000, 50);
    let mut compressed = zlib(&raw);
    compressed.truncate(compressed.len() - 6);
    let upload = Upload::from_parts(
        compressed.clone(),
        &metadata_for("s1", "v1", 0, &raw, &compressed),
    );
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "zlib stream is truncated",
    )
    .await;
}

#[tokio::test]
async fn refuses_bytes_after_the_zlib_stream() {
    let app = TestApp::new();
    let raw = events(1000, 2);
    let mut compressed = zlib(&raw);
    compressed.extend_from_slice(&[0, 1, 2]);
    let upload = Upload::from_parts(
        compressed.clone(),
        &metadata_for("s1", "v1", 0, &raw, &compressed),
    );
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "3 bytes after the end",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_decompression_bomb_with_413() {
    let app = TestApp::new();
    // 17 MiB of spaces: valid JSON whitespace inside an array, but it
    // compresses to about 17 kB, past both inflation limits.
    let mut raw = b"[".to_vec();
    raw.resize(17 * 1024 * 1024, b' ');
    raw.push(b']');
    let compressed = zlib(&raw);
    assert!(
        compressed.len() < 1024 * 1024,
        "the bomb must fit in the body limit"
    );
    let upload = Upload::from_parts(
        compressed.clone(),
        &metadata_for("s1", "v1", 0, &raw, &compressed),
    );
    assert_refused(
        &app,
        &upload,
        StatusCode::PAYLOAD_TOO_LARGE,
        "inflates to more than",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_segment_that_is_not_json() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, b"[{\"type\":3,");
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "segment is not JSON",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_segment_that_is_not_an_array() {
    let app = TestApp::new();
    let upload = Upload::new("s1", "v1", 0, br#"{"type":3,"data":{},"timestamp":1}"#);
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "must be a JSON array",
    )
    .await;
}

#[tokio::test]
async fn refuses_an_event_without_a_numeric_timestamp() {
    let app = TestApp::new();
    let upload = Upload::new(
        "s1",
        "v1",
        0,
        br#"[{"type":3,"data":{},"timestamp":"soon"}]"#,
    );
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "event 0: `timestamp`",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_records_count_that_does_not_match() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 3));
    let mut metadata = upload.metadata();
    metadata["records_count"] = json!(4);
    upload.set_metadata(&metadata);
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "records_count is 4 but the segment has 3",
    )
    .await;
}

#[tokio::test]
async fn refuses_a_compressed_size_that_does_not_match() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 3));
    let mut metadata = upload.metadata();
    metadata["compressed_segment_size"] = json!(1);
    upload.set_metadata(&metadata);
    assert_refused(
        &app,
        &upload,
        StatusCode::BAD_REQUEST,
        "compressed_segment_size is 1",
    )
    .await;
}

#[tokio::test]
async fn refuses_metadata_that_is_not_segment_metadata() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 3));
    let mut metadata = upload.metadata();
    metadata["creation_reason"] = json!("because");
    upload.set_metadata(&metadata);
    assert_refused(&app, &upload, StatusCode::BAD_REQUEST, "invalid metadata").await;
}

#[tokio::test]
async fn refuses_ids_that_could_escape_the_data_dir() {
    let app = TestApp::new();
    for (field, bad) in [
        ("session", "../../escape"),
        ("view", "../x"),
        ("application", "a/b"),
        ("session", ""),
    ] {
        let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
        let mut metadata = upload.metadata();
        metadata[field]["id"] = json!(bad);
        upload.set_metadata(&metadata);
        let reason = format!("invalid {field}.id");
        assert_refused(&app, &upload, StatusCode::BAD_REQUEST, &reason).await;
    }

    let outside = app.data_dir.path().parent().unwrap().join("escape");
    assert!(!outside.exists());
    let entries = std::fs::read_dir(app.data_dir.path().join("sessions"))
        .unwrap()
        .count();
    assert_eq!(entries, 0);
}

#[tokio::test]
async fn refuses_an_oversized_body_with_413() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.part_mut("segment").bytes = vec![7; 1024 * 1024 + 1];
    assert_refused(
        &app,
        &upload,
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger than 1048576 bytes",
    )
    .await;
}

#[tokio::test]
async fn refused_uploads_are_counted_by_reason() {
    let app = TestApp::new();
    let mut upload = Upload::new("s1", "v1", 0, &events(1000, 2));
    upload.parts.retain(|part| part.name != "event");
    app.upload(&upload).await;
    app.upload(&upload).await;

    let (status, health) = app.get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["rejections"]["missing_part"], 2);
}

#[tokio::test]
async fn answers_a_cors_preflight_from_an_allowed_origin() {
    let app = TestApp::new();
    let request = Request::options("/api/v1/replay")
        .header(header::ORIGIN, "https://shop.example.test")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = app.send(request).await;

    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.test"
    );
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
}

#[tokio::test]
async fn answers_an_upload_with_the_page_origin_allowed() {
    let app = TestApp::new();
    let (status, headers, _) = app
        .send(Upload::new("s1", "v1", 0, &events(1000, 2)).request())
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.test"
    );
}
