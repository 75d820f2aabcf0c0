//! Two intake processes (the real binary) sharing one PostgreSQL and one
//! bucket: a session whose segments went half to each reads back whole
//! from either.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::http::request;
use crate::support::{events, Upload, READ_TOKEN, SHOP_KEY};
use crate::{settings, unique};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_intake(config: &std::path::Path) -> (Server, String) {
    let settings = settings();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapedeck-intake"))
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .env("TAPEDECK_DATABASE_URL", settings.database_url)
        .env("TAPEDECK_BUCKET_URL", settings.bucket_url)
        .env("TAPEDECK_READ_TOKEN", READ_TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("tapedeck-intake listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (Server(child), address)
}

fn post(address: &str, upload: &Upload) -> u16 {
    let content_type = "multipart/form-data; boundary=----tapedeck-test-boundary".to_owned();
    let path = format!("/api/v1/replay?key={SHOP_KEY}");
    request(
        address,
        "POST",
        &path,
        &[("Content-Type", content_type)],
        &upload.body(),
    )
    .0
}

fn get_json(address: &str, path: &str) -> Value {
    let auth = ("Authorization", format!("Bearer {READ_TOKEN}"));
    let (status, body) = request(address, "GET", path, &[auth], b"");
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

#[test]
#[ignore = "needs PostgreSQL and S3: run crates/intake/scripts/test-services.sh"]
fn a_session_split_across_two_processes_reads_back_whole_from_either() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("intake.toml");
    std::fs::write(
        &config,
        format!("[[applications]]\nid = \"shop\"\nkey = \"{SHOP_KEY}\"\n"),
    )
    .unwrap();
    let (_first, first) = start_intake(&config);
    let (_second, second) = start_intake(&config);

    let session = unique("split");
    for index in 0..6u32 {
        let upload = Upload::new(
            &session,
            "v1",
            index,
            &events(1000 + u64::from(index) * 10, 10),
        );
        let target = if index % 2 == 0 { &first } else { &second };
        assert_eq!(post(target, &upload), 202, "segment {index}");
    }
    // The same segment again through the other process is a retry, and a
    // different one under a taken key is a conflict, whichever process
    // gets it.
    let retry = Upload::new(&session, "v1", 0, &events(1000, 10));
    assert_eq!(post(&second, &retry), 200);
    assert_eq!(
        post(&second, &Upload::new(&session, "v1", 1, &events(1, 3))),
        409
    );

    let path = format!("/api/v1/sessions/{session}/events");
    let from_first = get_json(&first, &path);
    let from_second = get_json(&second, &path);
    assert_eq!(from_first, from_second);
    let timestamps: Vec<u64> = from_first
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["timestamp"].as_u64().unwrap())
        .collect();
    assert_eq!(timestamps, (1000..1060).collect::<Vec<_>>());

    let summary = get_json(&first, &format!("/api/v1/sessions/{session}"));
    assert_eq!(summary["segment_count"], 6);
    assert_eq!(summary["gaps"], serde_json::json!([]));
}
