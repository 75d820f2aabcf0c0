//! Building apps, uploads and requests for the route tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tapedeck_intake::app::ServedDirs;
use tapedeck_intake::auth::ReadToken;
use tapedeck_intake::config::{Application, Applications};
use tapedeck_intake::{router, AppState, FileStore};
use tempfile::TempDir;
use tower::ServiceExt;

/// An app over temporary folders, kept alive as long as the app.
pub struct TestApp {
    pub router: Router,
    pub data_dir: TempDir,
    pub served: TempDir,
}

/// The read token every test app uses.
pub const READ_TOKEN: &str = "test-read-token";

/// The ingestion key of the `shop` application.
pub const SHOP_KEY: &str = "shop-key";

/// The origin the `shop` application allows.
pub const SHOP_ORIGIN: &str = "https://shop.example.test";

/// `shop` with a key and one origin, and the open demo application `demo`.
pub fn test_applications() -> Applications {
    Applications::new(vec![
        Application {
            id: "shop".into(),
            key: SHOP_KEY.into(),
            allowed_origins: vec![SHOP_ORIGIN.into()],
        },
        Application::open("demo"),
    ])
    .unwrap()
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_state(|state| state)
    }

    /// An app whose state `configure` may change first.
    pub fn with_state(configure: impl FnOnce(AppState) -> AppState) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let served = tempfile::tempdir().unwrap();
        for folder in ["static", "examples", "viewer/public"] {
            std::fs::create_dir_all(served.path().join(folder)).unwrap();
        }
        let store = FileStore::open(data_dir.path()).unwrap();
        let dirs = ServedDirs {
            static_dir: served.path().join("static"),
            examples_dir: served.path().join("examples"),
            viewer_dir: served.path().join("viewer"),
        };
        let state = AppState::new(Arc::new(store), dirs)
            .with_applications(test_applications())
            .with_read_token(ReadToken::new(READ_TOKEN));
        let router = router(configure(state));
        Self {
            router,
            data_dir,
            served,
        }
    }

    pub fn served_path(&self, relative: &str) -> PathBuf {
        self.served.path().join(relative)
    }

    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    /// A GET with the read token.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.send(authorized(Request::get(path))).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Posts an upload and returns the status and the JSON answer.
    pub async fn upload(&self, upload: &Upload) -> (StatusCode, Value) {
        let (status, _, body) = self.send(upload.request()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

/// Finishes a request with the read token as a bearer token.
pub fn authorized(builder: axum::http::request::Builder) -> Request<Body> {
    builder
        .header(header::AUTHORIZATION, format!("Bearer {READ_TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let events: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    serde_json::to_vec(&events).unwrap()
}

/// One multipart part.
pub struct Part {
    pub name: &'static str,
    pub content_type: Option<&'static str>,
    pub bytes: Vec<u8>,
}

/// An upload request, valid until a test breaks one thing about it.
pub struct Upload {
    pub parts: Vec<Part>,
}

impl Upload {
    /// A consistent upload of `events` (JSON bytes) as segment `index` of
    /// `view` in `session`.
    pub fn new(session: &str, view: &str, index: u32, events: &[u8]) -> Self {
        let compressed = zlib(events);
        let metadata = metadata_for(session, view, index, events, &compressed);
        Self::from_parts(compressed, &metadata)
    }

    pub fn from_parts(segment: Vec<u8>, metadata: &Value) -> Self {
        Self {
            parts: vec![
                Part {
                    name: "segment",
                    content_type: Some("application/octet-stream"),
                    bytes: segment,
                },
                Part {
                    name: "event",
                    content_type: Some("application/json"),
                    bytes: serde_json::to_vec(metadata).unwrap(),
                },
            ],
        }
    }

    pub fn part_mut(&mut self, name: &str) -> &mut Part {
        self.parts
            .iter_mut()
            .find(|part| part.name == name)
            .unwrap()
    }

    pub fn metadata(&self) -> Value {
        let part = self.parts.iter().find(|part| part.name == "event").unwrap();
        serde_json::from_slice(&part.bytes).unwrap()
    }

    pub fn set_metadata(&mut self, metadata: &Value) {
        self.part_mut("event").bytes = serde_json::to_vec(metadata).unwrap();
    }

    pub fn body(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"blob\"\r\n",
                    part.name
                )
                .as_bytes(),
            );
            if let Some(content_type) = part.content_type {
                body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        body
    }

    /// The upload with the `shop` key, from the `shop` origin.
    pub fn request(&self) -> Request<Body> {
        self.request_to(&format!("/api/v1/replay?key={SHOP_KEY}"), Some(SHOP_ORIGIN))
    }

    /// The upload posted to `uri`, from `origin` when given.
    pub fn request_to(&self, uri: &str, origin: Option<&str>) -> Request<Body> {
        let mut builder = Request::post(uri).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        builder.body(Body::from(self.body())).unwrap()
    }

    /// Sets `application.id` in the metadata.
    pub fn set_application(&mut self, application: &str) {
        let mut metadata = self.metadata();
        metadata["application"]["id"] = json!(application);
        self.set_metadata(&metadata);
    }
}

const BOUNDARY: &str = "----tapedeck-test-boundary";

/// Metadata agreeing with `events` and their `compressed` form.
pub fn metadata_for(
    session: &str,
    view: &str,
    index: u32,
    events: &[u8],
    compressed: &[u8],
) -> Value {
    let parsed: Vec<Value> = serde_json::from_slice(events).unwrap_or_default();
    let timestamps: Vec<f64> = parsed
        .iter()
        .filter_map(|event| event["timestamp"].as_f64())
        .collect();
    let has_full_snapshot = parsed.iter().any(|event| event["type"] == 2);
    json!({
        "application": { "id": "shop" },
        "session": { "id": session },
        "view": { "id": view },
        "start": timestamps.first().copied().unwrap_or(0.0),
        "end": timestamps.last().copied().unwrap_or(0.0),
        "records_count": parsed.len(),
        "index_in_view": index,
        "has_full_snapshot": has_full_snapshot,
        "creation_reason": if index == 0 { "init" } else { "segment_duration_limit" },
        "raw_segment_size": events.len(),
        "compressed_segment_size": compressed.len(),
    })
}

/// A minimal valid array of `count` events starting at `start`.
pub fn events(start: u64, count: u64) -> Vec<u8> {
    let events: Vec<Value> = (0..count)
        .map(|n| {
            let data = json!({ "source": 1, "positions": [] });
            json!({ "type": 3, "data": data, "timestamp": start + n })
        })
        .collect();
    serde_json::to_vec(&events).unwrap()
}

/// Only `shop`, keyed, so no upload without a key is accepted.
pub fn test_applications_without_open() -> Applications {
    Applications::new(vec![Application {
        id: "shop".into(),
        key: SHOP_KEY.into(),
        allowed_origins: vec![SHOP_ORIGIN.into()],
    }])
    .unwrap()
}
