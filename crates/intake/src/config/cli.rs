//! The command line, with the environment variable behind each flag.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use super::LogFormat;

/// What the command line and environment say; unset options fall back to
/// the config file and then to the defaults in [`super::defaults`].
#[derive(Debug, Clone, Parser)]
#[command(
    name = "tapedeck-intake",
    version,
    about = "Receives tapedeck recordings, stores them and replays them in a viewer.",
    long_about = "Receives tapedeck recordings, stores them and replays them in a viewer \
                  at /.\n\n\
                  Every option can also be set with the environment variable shown under \
                  it, or in the TOML file given with --config (same names, with \
                  underscores: data_dir, read_token, ...). A flag wins over its variable, \
                  which wins over the file. Applications with ingestion keys can only be \
                  configured in the file ([[applications]] with id, key, allowed_origins).\n\n\
                  With no configuration at all, the intake stores files under ./data, \
                  accepts uploads without a key only for the demo applications `demo` and \
                  `bundled-demo`, and protects the viewer with a random token printed once \
                  on stdout. RUST_LOG sets the log filter (default: info)."
)]
pub struct Cli {
    /// TOML config file to read settings and applications from.
    #[arg(long, env = "TAPEDECK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address and port to listen on; port 0 picks a free port, and the
    /// address actually bound is printed on start. [default: 127.0.0.1:8080]
    #[arg(long, env = "TAPEDECK_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// Folder where the embedded file store keeps recordings; created when
    /// missing. Unused with the scale-out store. [default: ./data]
    #[arg(long, env = "TAPEDECK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// PostgreSQL URL of the session index (postgres://user:pass@host/db).
    /// Together with --bucket-url it selects the scale-out store, which any
    /// number of intake processes can share.
    #[arg(long, env = "TAPEDECK_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// S3 bucket for segment bytes: s3://bucket or s3://bucket/prefix.
    /// Credentials, region and endpoint come from AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL and
    /// AWS_ALLOW_HTTP=true (for a plain-http server such as MinIO).
    #[arg(long, env = "TAPEDECK_BUCKET_URL")]
    pub bucket_url: Option<String>,

    /// Secret for the viewer and the read API: send it as
    /// `Authorization: Bearer <token>`, or as the password of HTTP basic
    /// auth with user `tapedeck`. When unset, a random token is generated
    /// at each start and printed once on stdout. [default: random]
    #[arg(long, env = "TAPEDECK_READ_TOKEN", hide_env_values = true)]
    pub read_token: Option<String>,

    /// Accept uploads without a key for this application id, from any
    /// origin. For demos only: anyone can then upload under that id.
    /// Repeat for several ids. Giving any replaces the zero-config demo
    /// applications.
    #[arg(
        long,
        env = "TAPEDECK_ALLOW_UNKEYED_APPS",
        value_delimiter = ',',
        value_name = "ID"
    )]
    pub allow_unkeyed_app: Vec<String>,

    /// Delete sessions whose last segment arrived longer ago than this
    /// (e.g. 30d, 12h). `forever` or 0 keeps them. [default: forever]
    #[arg(long, env = "TAPEDECK_RETENTION")]
    pub retention: Option<String>,

    /// How often to look for sessions past the retention.
    /// [default: 1h]
    #[arg(long, env = "TAPEDECK_RETENTION_INTERVAL")]
    pub retention_interval: Option<String>,

    /// Requests per second one client IP may sustain before getting 429;
    /// 0 turns rate limiting off. [default: 50]
    #[arg(long, env = "TAPEDECK_RATE_LIMIT_PER_SECOND")]
    pub rate_limit_per_second: Option<f64>,

    /// Requests one client IP may send at once before the per-second rate
    /// applies. [default: 200]
    #[arg(long, env = "TAPEDECK_RATE_LIMIT_BURST")]
    pub rate_limit_burst: Option<f64>,

    /// Largest upload body accepted, in bytes; larger ones get 413.
    /// [default: 1048576]
    #[arg(long, env = "TAPEDECK_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,

    /// Log line format on stderr. [default: text]
    #[arg(long, env = "TAPEDECK_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    /// Folder served under /tapedeck/: the built script bundle.
    /// [default: js-shim/dist]
    #[arg(long, env = "TAPEDECK_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Folder served under /examples/: the example pages.
    /// [default: examples]
    #[arg(long, env = "TAPEDECK_EXAMPLES_DIR")]
    pub examples_dir: Option<PathBuf>,

    /// Folder holding the replay viewer's pages and its npm install of
    /// rrweb-player. [default: crates/intake/viewer]
    #[arg(long, env = "TAPEDECK_VIEWER_DIR")]
    pub viewer_dir: Option<PathBuf>,
}
