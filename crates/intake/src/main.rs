//! The `tapedeck-intake` binary: reads its settings, opens the store and
//! serves until interrupted.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tapedeck_intake::app::ServedDirs;
use tapedeck_intake::auth::ReadToken;
use tapedeck_intake::config::{Cli, LogFormat, StorageSettings};
use tapedeck_intake::retention::run_retention;
use tapedeck_intake::routes::viewer::player_installed;
use tapedeck_intake::{router, AppState, Config, FileStore, ScaleOutStore, SegmentStore};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::resolve(Cli::parse())?;
    init_logs(config.log_format);

    let store = open_store(&config.storage).await?;
    if !player_installed(&config.viewer_dir) {
        tracing::warn!(
            viewer_dir = %config.viewer_dir.display(),
            "the replay player is not installed; run `make build` to use the viewer"
        );
    }
    warn_about_open_applications(&config);

    let (read_token, generated) = match &config.read_token {
        Some(token) => (ReadToken::new(token.clone()), false),
        None => (
            ReadToken::generate().context("cannot generate a read token")?,
            true,
        ),
    };
    let state = AppState::new(store.clone(), ServedDirs::from(&config))
        .with_applications(config.applications.clone())
        .with_read_token(read_token.clone())
        .with_rate_limit(config.rate_limit_per_second, config.rate_limit_burst)
        .with_max_body_bytes(config.max_body_bytes);
    if let Some(retention) = config.retention {
        let metrics = state.metrics.clone();
        tokio::spawn(run_retention(
            store,
            retention,
            config.retention_interval,
            metrics,
        ));
    }

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    // stdout carries only these lines, which scripts and tests read; the
    // listening line comes first. Both go out in one write, so a reader
    // that stops after the first line does not make the second fail.
    let mut banner = format!("tapedeck-intake listening on http://{address}\n");
    if generated {
        banner.push_str(&format!(
            "tapedeck-intake viewer token: {}\n",
            read_token.expose()
        ));
    }
    let mut stdout = std::io::stdout();
    if let Err(error) = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush())
    {
        tracing::warn!("cannot write the start lines to stdout: {error}");
    }

    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped")
}

/// Logs go to stderr, as text or one JSON object per line.
fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open_store(storage: &StorageSettings) -> anyhow::Result<Arc<dyn SegmentStore>> {
    Ok(match storage {
        StorageSettings::Files(data_dir) => {
            let store = FileStore::open(data_dir)
                .with_context(|| format!("cannot open the data dir {}", data_dir.display()))?;
            tracing::info!(data_dir = %data_dir.display(), "storing sessions as files");
            Arc::new(store)
        }
        StorageSettings::ScaleOut(settings) => {
            let store = ScaleOutStore::connect(settings)
                .await
                .context("cannot open the scale-out store")?;
            tracing::info!(
                bucket = settings.bucket_url,
                "storing sessions in the bucket, indexed in PostgreSQL"
            );
            Arc::new(store)
        }
    })
}

fn warn_about_open_applications(config: &Config) {
    if config.demo_applications {
        tracing::warn!(
            "no applications configured: accepting uploads without a key for the demo \
             applications `demo` and `bundled-demo` only; configure [[applications]] before \
             exposing this intake"
        );
        return;
    }
    for application in config.applications.iter() {
        if application.is_open() {
            tracing::warn!(
                application = application.id,
                "this application accepts uploads without a key (demo setting)"
            );
        }
    }
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
