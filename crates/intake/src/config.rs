//! The server's options, from flags or environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Where the intake listens and which folders it reads and writes.
///
/// Every option can also come from an environment variable, so a container
/// or a `make` target can configure it without flags.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "tapedeck-intake",
    version,
    about = "Receives tapedeck recordings, stores them and replays them in a viewer.",
    long_about = "Receives tapedeck recordings, stores them under the data dir and replays \
                  them in a viewer at /. Every option can also be set with the environment \
                  variable shown under it; RUST_LOG sets the log filter (default: info)."
)]
pub struct Config {
    /// Address and port to listen on; port 0 picks a free port, and the
    /// address actually bound is printed on start.
    #[arg(long, env = "TAPEDECK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Folder where recordings are stored; created when missing.
    #[arg(long, env = "TAPEDECK_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Folder served under /tapedeck/: the built script bundle
    /// (js-shim/dist after `make build`).
    #[arg(long, env = "TAPEDECK_STATIC_DIR", default_value = "js-shim/dist")]
    pub static_dir: PathBuf,

    /// Folder served under /examples/: the example pages.
    #[arg(long, env = "TAPEDECK_EXAMPLES_DIR", default_value = "examples")]
    pub examples_dir: PathBuf,

    /// Folder holding the replay viewer's pages and its npm install of
    /// rrweb-player (node_modules, put there by `make build`).
    #[arg(
        long,
        env = "TAPEDECK_VIEWER_DIR",
        default_value = "crates/intake/viewer"
    )]
    pub viewer_dir: PathBuf,
}
