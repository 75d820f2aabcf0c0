//! The `tapedeck-intake` binary: reads its options, opens the store and
//! serves until interrupted.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tapedeck_intake::app::ServedDirs;
use tapedeck_intake::routes::viewer::player_installed;
use tapedeck_intake::{router, AppState, Config, FileStore};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();

    // Logs go to stderr, so stdout carries only the listening line that
    // scripts and tests read.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let store = FileStore::open(&config.data_dir)
        .with_context(|| format!("cannot open the data dir {}", config.data_dir.display()))?;
    if !player_installed(&config.viewer_dir) {
        tracing::warn!(
            viewer_dir = %config.viewer_dir.display(),
            "the replay player is not installed; run `make build` to use the viewer"
        );
    }
    let state = AppState::new(Arc::new(store), ServedDirs::from(&config));

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    println!("tapedeck-intake listening on http://{address}");
    std::io::stdout()
        .flush()
        .context("cannot write to stdout")?;

    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped")
}

/// Resolves on Ctrl-C, or SIGTERM on Unix, so in-flight uploads finish.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!("cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
