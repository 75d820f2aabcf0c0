//! The read API: sessions, segments and merged events.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{events, fixture, TestApp, Upload};

fn timestamps(events: &Value) -> Vec<u64> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["timestamp"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn events_of_two_segments_come_back_merged_in_timestamp_order() {
    let app = TestApp::new();
    // Uploaded out of order, as a retried first segment would arrive.
    let second = Upload::new("s1", "v1", 1, &fixture("second-segment.json"));
    let first = Upload::new("s1", "v1", 0, &fixture("first-segment.json"));
    assert_eq!(app.upload(&second).await.0, StatusCode::ACCEPTED);
    assert_eq!(app.upload(&first).await.0, StatusCode::ACCEPTED);

    let (status, events) = app.get_json("/api/v1/sessions/s1/events").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        timestamps(&events),
        [
            1767225600000,
            1767225600000,
            1767225600300,
            1767225601000,
            1767225601500
        ]
    );
    // Equal timestamps keep their recorded order: Meta before FullSnapshot.
    let types: Vec<_> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].clone())
        .collect();
    assert_eq!(types, [json!(4), json!(2), json!(3), json!(3), json!(3)]);
    assert_eq!(events[4]["data"]["texts"][0]["value"], "Hello again");

    let (status, segments) = app.get_json("/api/v1/sessions/s1/segments").await;
    assert_eq!(status, StatusCode::OK);
    let indexes: Vec<_> = segments
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["index_in_view"].clone())
        .collect();
    assert_eq!(indexes, [json!(0), json!(1)]);
    assert_eq!(segments[0]["creation_reason"], "init");
}

#[tokio::test]
async fn events_of_interleaved_views_are_sorted_by_timestamp() {
    let app = TestApp::new();
    app.upload(&Upload::new("s1", "a", 0, &events(1000, 3)))
        .await;
    app.upload(&Upload::new("s1", "b", 0, &events(1001, 3)))
        .await;

    let (_, events) = app.get_json("/api/v1/sessions/s1/events").await;
    assert_eq!(timestamps(&events), [1000, 1001, 1001, 1002, 1002, 1003]);
}

#[tokio::test]
async fn sessions_are_listed_newest_first_with_their_gaps() {
    let app = TestApp::new();
    app.upload(&Upload::new("old", "v1", 0, &fixture("first-segment.json")))
        .await;
    app.upload(&Upload::new("new", "v1", 0, &events(1_900_000_000_000, 2)))
        .await;
    app.upload(&Upload::new("new", "v1", 3, &events(1_900_000_005_000, 2)))
        .await;
    app.upload(&Upload::new("new", "v2", 0, &events(1_900_000_006_000, 1)))
        .await;

    let (status, sessions) = app.get_json("/api/v1/sessions").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<_> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session_id"].clone())
        .collect();
    assert_eq!(ids, [json!("new"), json!("old")]);

    let newest = &sessions[0];
    assert_eq!(newest["application_id"], "shop");
    assert_eq!(newest["segment_count"], 3);
    assert_eq!(newest["view_count"], 2);
    assert_eq!(newest["start"], 1_900_000_000_000.0);
    assert_eq!(newest["end"], 1_900_000_006_000.0);
    assert_eq!(newest["duration_ms"], 6000.0);
    assert_eq!(newest["has_full_snapshot"], false);
    assert_eq!(
        newest["gaps"],
        json!([{ "view_id": "v1", "first_missing": 1, "last_missing": 2 }])
    );

    let oldest = &sessions[1];
    assert_eq!(
        oldest["first_url"],
        "http://127.0.0.1:8080/examples/basic/index.html"
    );
    assert_eq!(oldest["has_full_snapshot"], true);
    assert_eq!(oldest["gaps"], json!([]));
}

#[tokio::test]
async fn an_unknown_session_is_404_and_an_invalid_id_is_400() {
    let app = TestApp::new();
    for path in [
        "/api/v1/sessions/nobody/events",
        "/api/v1/sessions/nobody/segments",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"], "unknown session");
    }
    for path in [
        "/api/v1/sessions/a.b/events",
        "/api/v1/sessions/%2E%2E%2Fx/segments",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(body["error"], "invalid session id");
    }
}

#[tokio::test]
async fn no_sessions_is_an_empty_list() {
    let app = TestApp::new();
    assert_eq!(
        app.get_json("/api/v1/sessions").await,
        (StatusCode::OK, json!([]))
    );
}
