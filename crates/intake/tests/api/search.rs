//! Searching sessions, one session's summary, and deleting a session.

use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{authorized, events, TestApp, Upload};

fn ids(sessions: &Value) -> Vec<String> {
    sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|session| session["session_id"].as_str().unwrap().to_owned())
        .collect()
}

fn page(href: &str, at: u64) -> Value {
    json!({"type": 4, "data": {"href": href, "width": 800, "height": 600}, "timestamp": at})
}

/// Three sessions: `checkout` (shop, 10 s, error, /cart then /pay),
/// `browse` (shop, 1 s, /home) and `demo1` (demo app, 2 s).
async fn three_sessions() -> TestApp {
    let app = TestApp::new();
    let checkout = json!([
        page("https://shop.test/cart", 10_000),
        {"type": 5, "data": {"tag": "error", "payload": {"message": "boom"}}, "timestamp": 15_000},
        page("https://shop.test/pay", 20_000),
    ]);
    let uploads = [
        Upload::new("checkout", "v1", 0, checkout.to_string().as_bytes()),
        Upload::new(
            "browse",
            "v1",
            0,
            json!([
                page("https://shop.test/home", 30_000),
                page("https://shop.test/home", 31_000)
            ])
            .to_string()
            .as_bytes(),
        ),
    ];
    for upload in &uploads {
        assert_eq!(app.upload(upload).await.0, StatusCode::ACCEPTED);
    }
    let mut demo = Upload::new("demo1", "v1", 0, &events(40_000, 2));
    let mut metadata = demo.metadata();
    metadata["end"] = json!(42_000);
    demo.set_metadata(&metadata);
    demo.set_application("demo");
    let request = demo.request_to("/api/v1/replay", None);
    assert_eq!(app.send(request).await.0, StatusCode::ACCEPTED);
    app
}

#[tokio::test]
async fn each_filter_selects_the_matching_sessions() {
    let app = three_sessions().await;
    let cases = [
        ("", vec!["demo1", "browse", "checkout"]),
        ("?application=shop", vec!["browse", "checkout"]),
        ("?url=%2Fpay", vec!["checkout"]),
        ("?url=shop.test", vec!["browse", "checkout"]),
        ("?has_error=true", vec!["checkout"]),
        ("?has_error=false", vec!["demo1", "browse"]),
        ("?min_duration_ms=5000", vec!["checkout"]),
        ("?max_duration_ms=1500", vec!["browse"]),
        ("?from=30500", vec!["demo1", "browse"]),
        ("?to=30000", vec!["browse", "checkout"]),
        ("?from=25000&to=35000", vec!["browse"]),
        ("?application=shop&limit=1", vec!["browse"]),
    ];
    for (query, expected) in cases {
        let (status, sessions) = app.get_json(&format!("/api/v1/sessions{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(ids(&sessions), expected, "{query}");
    }
}

#[tokio::test]
async fn summaries_carry_pages_and_the_error_flag() {
    let app = three_sessions().await;
    let (status, summary) = app.get_json("/api/v1/sessions/checkout").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        summary["page_urls"],
        json!(["https://shop.test/cart", "https://shop.test/pay"])
    );
    assert_eq!(summary["has_error"], true);
    assert_eq!(summary["duration_ms"], 10_000.0);
    assert_eq!(summary["gaps"], json!([]));
}

#[tokio::test]
async fn a_malformed_query_is_400_with_a_reason() {
    let app = three_sessions().await;
    for query in [
        "?has_error=maybe",
        "?from=yesterday",
        "?colour=red",
        "?limit=-1",
    ] {
        let (status, body) = app.get_json(&format!("/api/v1/sessions{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            body["error"].as_str().unwrap().starts_with("invalid query"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_deleted_session_is_gone_from_every_route() {
    let app = three_sessions().await;
    let (status, _, _) = app
        .send(authorized(Request::delete("/api/v1/sessions/checkout")))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    assert_eq!(
        ids(&app.get_json("/api/v1/sessions").await.1),
        ["demo1", "browse"]
    );
    for path in [
        "/api/v1/sessions/checkout",
        "/api/v1/sessions/checkout/events",
    ] {
        assert_eq!(app.get_json(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _, _) = app
        .send(authorized(Request::delete("/api/v1/sessions/checkout")))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .send(authorized(Request::delete("/api/v1/sessions/..%2Fx")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn deleting_needs_the_read_token() {
    let app = three_sessions().await;
    let request = Request::delete("/api/v1/sessions/checkout")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get_json("/api/v1/sessions/checkout").await.0,
        StatusCode::OK
    );
}
