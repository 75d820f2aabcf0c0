//! Tapedeck's intake: the one process a team runs to collect and replay
//! recordings.
//!
//! Browsers post one compressed segment per request to
//! `POST /api/v1/replay` (the wire contract in `shared/WIRE.md`).
//! [`ingest`] checks everything about such a request before anything is
//! written: the multipart parts, the metadata, the zlib stream (bounded, so a
//! decompression bomb costs nothing) and the events inside. A checked segment
//! goes to a [`store::SegmentStore`]; the embedded [`store::FileStore`] keeps
//! it as plain files under the data directory, written atomically.
//!
//! The read API ([`routes::sessions`]) lists sessions and merges a
//! session's segments back into one event stream, which the viewer
//! (`viewer/`, built around rrweb-player from npm) replays. The same process
//! also serves the built script bundle and the examples, so a demo needs
//! nothing else. [`app::router`] puts the routes together; the binary only
//! reads its [`config::Config`] and listens.
//!
//! The embedded store is one process's; [`store::ScaleOutStore`] keeps
//! segment bytes in S3-compatible object storage and the session index in
//! PostgreSQL, so any number of intake processes can share it. Access is
//! guarded on both sides: uploads need an application's key
//! ([`config::applications`]) from an allowed origin, reads need the
//! [`auth::ReadToken`]. [`rate_limit`] caps each client address,
//! [`retention`] deletes old sessions, and [`metrics`] counts what
//! happened for `/metrics`.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod ids;
pub mod inflate;
pub mod ingest;
pub mod metrics;
pub mod rate_limit;
pub mod rejections;
pub mod retention;
pub mod routes;
pub mod session_summary;
pub mod store;

pub use app::{router, AppState};
pub use config::Config;
pub use error::IntakeError;
pub use store::{FileStore, ScaleOutStore, SegmentStore};
