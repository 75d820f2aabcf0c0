//! Tests against a real PostgreSQL and a real S3-compatible server, started
//! by `crates/intake/scripts/test-services.sh`, which sets
//! `TAPEDECK_TEST_DATABASE_URL`, `TAPEDECK_TEST_BUCKET_URL` and the `AWS_*`
//! variables and runs these with `--ignored`. Each test uses its own
//! session ids, so they can share the servers.

#[allow(dead_code)]
#[path = "../api/support.rs"]
mod support;

mod http;
mod scale_out;
mod two_processes;

use tapedeck_intake::store::ScaleOutSettings;

/// The servers the script started.
pub fn settings() -> ScaleOutSettings {
    let read = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is unset: run crates/intake/scripts/test-services.sh")
        })
    };
    ScaleOutSettings {
        database_url: read("TAPEDECK_TEST_DATABASE_URL"),
        bucket_url: read("TAPEDECK_TEST_BUCKET_URL"),
    }
}

/// An id no other test run uses.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}
