//! The scale-out store through the routes, in process, on real servers.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, StatusCode};
use serde_json::json;
use tapedeck_intake::app::ServedDirs;
use tapedeck_intake::auth::ReadToken;
use tapedeck_intake::ingest::now_epoch_ms;
use tapedeck_intake::metrics::Metrics;
use tapedeck_intake::retention::delete_expired_sessions;
use tapedeck_intake::{AppState, ScaleOutStore, SegmentStore};

use crate::support::{authorized, events, fixture, test_applications, TestApp, Upload, READ_TOKEN};
use crate::{settings, unique};

async fn scale_out_app() -> (TestApp, Arc<ScaleOutStore>) {
    let store = Arc::new(ScaleOutStore::connect(&settings()).await.unwrap());
    let shared = store.clone();
    let app = TestApp::with_state(move |state| {
        let dirs = ServedDirs::clone(&state.dirs);
        AppState::new(shared, dirs)
            .with_applications(test_applications())
            .with_read_token(ReadToken::new(READ_TOKEN))
    });
    (app, store)
}

#[tokio::test]
#[ignore = "needs PostgreSQL and S3: run crates/intake/scripts/test-services.sh"]
async fn stores_reads_back_and_refuses_conflicts_on_real_servers() {
    let (app, _) = scale_out_app().await;
    let session = unique("scale");
    let second = Upload::new(&session, "v1", 1, &fixture("second-segment.json"));
    let first = Upload::new(&session, "v1", 0, &fixture("first-segment.json"));
    assert_eq!(app.upload(&second).await.0, StatusCode::ACCEPTED);
    assert_eq!(app.upload(&first).await.0, StatusCode::ACCEPTED);
    assert_eq!(app.upload(&first).await.0, StatusCode::OK);
    let other = Upload::new(&session, "v1", 0, &events(5, 3));
    assert_eq!(app.upload(&other).await.0, StatusCode::CONFLICT);

    let (status, events) = app
        .get_json(&format!("/api/v1/sessions/{session}/events"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let types: Vec<_> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    assert_eq!(types, [json!(4), json!(2), json!(3), json!(3), json!(3)]);

    let (_, summary) = app.get_json(&format!("/api/v1/sessions/{session}")).await;
    assert_eq!(summary["segment_count"], 2);
    assert_eq!(summary["gaps"], json!([]));
}

#[tokio::test]
#[ignore = "needs PostgreSQL and S3: run crates/intake/scripts/test-services.sh"]
async fn searches_filter_in_the_database_like_the_file_store() {
    let (app, _) = scale_out_app().await;
    let marker = unique("srch");
    let page = |href: String, at: u64| json!({"type": 4, "data": {"href": href}, "timestamp": at});
    let failing = json!([
        page(format!("https://{marker}.test/cart_1%"), 1000),
        {"type": 5, "data": {"tag": "error", "payload": {}}, "timestamp": 4000},
    ]);
    let calm = json!([
        page(format!("https://{marker}.test/home"), 1000),
        page(format!("https://{marker}.test/home"), 1500)
    ]);
    let failing_id = format!("{marker}-f");
    let calm_id = format!("{marker}-c");
    app.upload(&Upload::new(
        &failing_id,
        "v",
        0,
        failing.to_string().as_bytes(),
    ))
    .await;
    app.upload(&Upload::new(&calm_id, "v", 0, calm.to_string().as_bytes()))
        .await;
    let gap = Upload::new(&calm_id, "v", 2, &events(1600, 2));
    app.upload(&gap).await;

    let ids = |value: serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let url = |text: &str| format!("/api/v1/sessions?url={marker}.test{text}");
    assert_eq!(
        ids(app.get_json(&url("")).await.1),
        [failing_id.clone(), calm_id.clone()]
    );
    assert_eq!(
        ids(app.get_json(&url("/cart_1%25")).await.1),
        vec![failing_id.clone()]
    );
    assert_eq!(
        ids(app.get_json(&url("/c_rt")).await.1),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(app.get_json(&format!("{}&has_error=true", url(""))).await.1),
        vec![failing_id.clone()]
    );
    assert_eq!(
        ids(app
            .get_json(&format!("{}&max_duration_ms=1000", url("")))
            .await
            .1),
        vec![calm_id.clone()]
    );

    let (_, summary) = app.get_json(&format!("/api/v1/sessions/{calm_id}")).await;
    assert_eq!(
        summary["gaps"],
        json!([{"view_id": "v", "first_missing": 1, "last_missing": 1}])
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL and S3: run crates/intake/scripts/test-services.sh"]
async fn deletion_and_retention_remove_rows_and_objects() {
    let (app, store) = scale_out_app().await;
    let doomed = unique("del");
    app.upload(&Upload::new(&doomed, "v", 0, &events(1000, 2)))
        .await;
    let (status, _, _) = app
        .send(authorized(Request::delete(
            format!("/api/v1/sessions/{doomed}").as_str(),
        )))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json(&format!("/api/v1/sessions/{doomed}")).await.0,
        StatusCode::NOT_FOUND
    );

    let old = unique("old");
    app.upload(&Upload::new(&old, "v", 0, &events(1000, 2)))
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let fresh = unique("fresh");
    app.upload(&Upload::new(&fresh, "v", 0, &events(1000, 2)))
        .await;

    let metrics = Metrics::default();
    delete_expired_sessions(
        store.as_ref(),
        Duration::from_millis(200),
        now_epoch_ms(),
        &metrics,
    )
    .await
    .unwrap();
    assert!(store
        .load_records(&tapedeck_intake::ids::SafeId::parse(&old).unwrap())
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        app.get_json(&format!("/api/v1/sessions/{fresh}")).await.0,
        StatusCode::OK
    );
}
