//! The TOML config file: the same settings as the flags, plus the
//! applications list, which only a file can hold.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::applications::Application;
use super::{ConfigError, LogFormat};

/// Everything a config file may set; every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// See `--listen`.
    pub listen: Option<SocketAddr>,
    /// See `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// See `--static-dir`.
    pub static_dir: Option<PathBuf>,
    /// See `--examples-dir`.
    pub examples_dir: Option<PathBuf>,
    /// See `--viewer-dir`.
    pub viewer_dir: Option<PathBuf>,
    /// See `--read-token`.
    pub read_token: Option<String>,
    /// See `--log-format`.
    pub log_format: Option<LogFormat>,
    /// See `--retention`.
    pub retention: Option<String>,
    /// See `--retention-interval`.
    pub retention_interval: Option<String>,
    /// See `--database-url`.
    pub database_url: Option<String>,
    /// See `--bucket-url`.
    pub bucket_url: Option<String>,
    /// See `--rate-limit-per-second`.
    pub rate_limit_per_second: Option<f64>,
    /// See `--rate-limit-burst`.
    pub rate_limit_burst: Option<f64>,
    /// See `--max-body-bytes`.
    pub max_body_bytes: Option<usize>,
    /// `[[applications]]` tables: `id`, `key`, `allowed_origins`.
    #[serde(default)]
    pub applications: Vec<Application>,
}

impl ConfigFile {
    /// Reads and parses the file at `path`.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses file contents; `origin` names them in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: origin.to_owned(),
            source: Box::new(source),
        })
    }
}
