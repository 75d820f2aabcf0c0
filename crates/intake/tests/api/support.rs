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
use tapedeck_intake::{router, AppState, FileStore};
use tempfile::TempDir;
use tower::ServiceExt;

/// An app over temporary folders, kept alive as long as the app.
pub struct TestApp {
    pub router: Router,
    pub data_dir: TempDir,
    pub served: TempDir,
}

impl TestApp {
    pub fn new() -> Self {
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
        let router = router(AppState::new(Arc::new(store), dirs));
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

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Posts an upload and returns the status and the JSON answer.
    pub async fn upload(&self, upload: &Upload) -> (StatusCode, Value) {
        let (status, _, body) = self.send(upload.request()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
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

    pub fn request(&self) -> Request<Body> {
        Request::post("/api/v1/replay")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(header::ORIGIN, "https://shop.example.test")
            .body(Body::from(self.body()))
            .unwrap()
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
