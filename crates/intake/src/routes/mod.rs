//! The HTTP handlers, one file per group of routes.

pub mod health;
pub mod ingest;
pub mod sessions;
pub mod static_files;
pub mod viewer;

use crate::error::IntakeError;

/// Runs blocking work (file access, inflation) on tokio's blocking pool.
async fn run_blocking<T, F>(work: F) -> Result<T, IntakeError>
where
    F: FnOnce() -> Result<T, IntakeError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| IntakeError::Task(error.to_string()))?
}
