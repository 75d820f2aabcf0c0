//! The server's settings: flags, environment variables and a TOML file.
//!
//! A flag wins over its environment variable (clap reads both), which wins
//! over the file, which wins over the default. [`Cli`] is what the command
//! line says; [`Config`] is the resolved result the server runs with.

pub mod applications;
mod cli;
mod file;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use applications::{Application, Applications, ApplicationsError, DEMO_APPLICATIONS};
pub use cli::Cli;
pub use file::ConfigFile;

use crate::store::ScaleOutSettings;

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Where sessions are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageSettings {
    /// Files under this data directory (the default).
    Files(PathBuf),
    /// Object storage and PostgreSQL.
    ScaleOut(ScaleOutSettings),
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("invalid config file {path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        source: Box<toml::de::Error>,
    },
    /// A setting has an unusable value.
    #[error("invalid setting {setting}: {reason}")]
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The applications list is unusable.
    #[error(transparent)]
    Applications(#[from] ApplicationsError),
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where sessions are kept.
    pub storage: StorageSettings,
    /// Served under `/tapedeck/`.
    pub static_dir: PathBuf,
    /// Served under `/examples/`.
    pub examples_dir: PathBuf,
    /// The viewer's pages and npm install.
    pub viewer_dir: PathBuf,
    /// The secret the viewer and read API need; `None` means one is
    /// generated at start.
    pub read_token: Option<String>,
    /// How logs are written.
    pub log_format: LogFormat,
    /// Sessions whose last segment arrived longer ago are deleted; `None`
    /// keeps them forever.
    pub retention: Option<Duration>,
    /// How often retention looks for old sessions.
    pub retention_interval: Duration,
    /// Requests per second each client IP may sustain; 0 turns limiting
    /// off.
    pub rate_limit_per_second: f64,
    /// Requests a client IP may send in a burst.
    pub rate_limit_burst: f64,
    /// The largest upload body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Who may upload.
    pub applications: Applications,
    /// True when no application was configured and the demo ones were
    /// opened instead.
    pub demo_applications: bool,
}

/// Defaults, as `--help` states them.
pub mod defaults {
    /// `--listen`.
    pub const LISTEN: &str = "127.0.0.1:8080";
    /// `--data-dir`.
    pub const DATA_DIR: &str = "./data";
    /// `--static-dir`.
    pub const STATIC_DIR: &str = "js-shim/dist";
    /// `--examples-dir`.
    pub const EXAMPLES_DIR: &str = "examples";
    /// `--viewer-dir`.
    pub const VIEWER_DIR: &str = "crates/intake/viewer";
    /// `--retention-interval`.
    pub const RETENTION_INTERVAL: &str = "1h";
    /// `--rate-limit-per-second`.
    pub const RATE_LIMIT_PER_SECOND: f64 = 50.0;
    /// `--rate-limit-burst`.
    pub const RATE_LIMIT_BURST: f64 = 200.0;
    /// `--max-body-bytes`: 1 MiB.
    pub const MAX_BODY_BYTES: usize = 1024 * 1024;
}

impl Config {
    /// Resolves the command line against the config file it names, if any.
    pub fn resolve(cli: Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => ConfigFile::read(path)?,
            None => ConfigFile::default(),
        };
        Self::from_parts(cli, file)
    }

    /// Resolves the command line against an already read file.
    pub fn from_parts(cli: Cli, file: ConfigFile) -> Result<Self, ConfigError> {
        let listen = match cli.listen.or(file.listen) {
            Some(listen) => listen,
            None => defaults::LISTEN
                .parse()
                .expect("the default address parses"),
        };
        let duration = |setting: &'static str, text: &str| {
            humantime::parse_duration(text).map_err(|error| ConfigError::Invalid {
                setting,
                reason: error.to_string(),
            })
        };
        let retention = match cli.retention.or(file.retention) {
            Some(text) if text == "0" || text == "forever" => None,
            Some(text) => Some(duration("retention", &text)?),
            None => None,
        };
        let retention_interval = duration(
            "retention-interval",
            &cli.retention_interval
                .or(file.retention_interval)
                .unwrap_or_else(|| defaults::RETENTION_INTERVAL.to_owned()),
        )?;
        if retention_interval.is_zero() {
            return Err(ConfigError::Invalid {
                setting: "retention-interval",
                reason: "must be longer than zero".to_owned(),
            });
        }

        let storage = match (
            cli.database_url.or(file.database_url),
            cli.bucket_url.or(file.bucket_url),
        ) {
            (None, None) => StorageSettings::Files(
                cli.data_dir
                    .or(file.data_dir)
                    .unwrap_or_else(|| defaults::DATA_DIR.into()),
            ),
            (Some(database_url), Some(bucket_url)) => StorageSettings::ScaleOut(ScaleOutSettings {
                database_url,
                bucket_url,
            }),
            _ => {
                return Err(ConfigError::Invalid {
                    setting: "database-url / bucket-url",
                    reason: "the scale-out store needs both, or neither for the file store"
                        .to_owned(),
                })
            }
        };

        let rate_limit_per_second = cli
            .rate_limit_per_second
            .or(file.rate_limit_per_second)
            .unwrap_or(defaults::RATE_LIMIT_PER_SECOND);
        let rate_limit_burst = cli
            .rate_limit_burst
            .or(file.rate_limit_burst)
            .unwrap_or(defaults::RATE_LIMIT_BURST);
        let valid_rate = |rate: f64| rate.is_finite() && rate >= 0.0;
        if !valid_rate(rate_limit_per_second) || !valid_rate(rate_limit_burst) {
            return Err(ConfigError::Invalid {
                setting: "rate-limit-per-second / rate-limit-burst",
                reason: "must be zero or a positive number".to_owned(),
            });
        }

        let mut list = file.applications;
        list.extend(cli.allow_unkeyed_app.iter().map(|id| Application::open(id)));
        let demo_applications = list.is_empty();
        if demo_applications {
            list.extend(DEMO_APPLICATIONS.iter().map(|id| Application::open(id)));
        }

        let read_token = cli.read_token.or(file.read_token);
        if read_token.as_deref().is_some_and(|token| token.len() < 8) {
            return Err(ConfigError::Invalid {
                setting: "read-token",
                reason: "must be at least 8 characters".to_owned(),
            });
        }

        Ok(Self {
            listen,
            storage,
            static_dir: cli
                .static_dir
                .or(file.static_dir)
                .unwrap_or_else(|| defaults::STATIC_DIR.into()),
            examples_dir: cli
                .examples_dir
                .or(file.examples_dir)
                .unwrap_or_else(|| defaults::EXAMPLES_DIR.into()),
            viewer_dir: cli
                .viewer_dir
                .or(file.viewer_dir)
                .unwrap_or_else(|| defaults::VIEWER_DIR.into()),
            read_token,
            log_format: cli.log_format.or(file.log_format).unwrap_or_default(),
            retention,
            retention_interval,
            rate_limit_per_second,
            rate_limit_burst,
            max_body_bytes: cli
                .max_body_bytes
                .or(file.max_body_bytes)
                .unwrap_or(defaults::MAX_BODY_BYTES),
            applications: Applications::new(list)?,
            demo_applications,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["tapedeck-intake"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn file(toml: &str) -> ConfigFile {
        ConfigFile::parse(toml, "test.toml").unwrap()
    }

    #[test]
    fn a_zero_config_start_uses_files_and_opens_only_the_demo_applications() {
        let config = Config::from_parts(cli(&[]), ConfigFile::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.storage, StorageSettings::Files("./data".into()));
        assert!(config.demo_applications);
        let ids: Vec<_> = config.applications.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["bundled-demo", "demo"]);
        assert!(config.applications.iter().all(Application::is_open));
        assert_eq!(config.read_token, None);
        assert_eq!(config.retention, None);
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_defaults() {
        let config = Config::from_parts(
            cli(&["--listen", "127.0.0.1:9000", "--retention", "2h"]),
            file(
                r#"
                listen = "0.0.0.0:1"
                data_dir = "/srv/tapedeck"
                retention = "30d"
                log_format = "json"

                [[applications]]
                id = "shop"
                key = "s3cret-key"
                allowed_origins = ["https://shop.example.test"]
                "#,
            ),
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(
            config.storage,
            StorageSettings::Files("/srv/tapedeck".into())
        );
        assert_eq!(config.retention, Some(Duration::from_secs(7200)));
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(!config.demo_applications);
        assert_eq!(config.applications.by_key("s3cret-key").unwrap().id, "shop");
        assert!(config.applications.get("demo").is_none());
    }

    #[test]
    fn unkeyed_applications_come_from_flags_and_replace_the_demo_default() {
        let config = Config::from_parts(
            cli(&[
                "--allow-unkeyed-app",
                "demo",
                "--allow-unkeyed-app",
                "kiosk",
            ]),
            ConfigFile::default(),
        )
        .unwrap();
        assert!(!config.demo_applications);
        assert!(config.applications.get("kiosk").unwrap().is_open());
        assert!(config.applications.get("bundled-demo").is_none());
    }

    #[test]
    fn the_scale_out_store_needs_both_urls() {
        let config = Config::from_parts(
            cli(&[
                "--database-url",
                "postgres://localhost/db",
                "--bucket-url",
                "s3://bucket",
            ]),
            ConfigFile::default(),
        )
        .unwrap();
        assert!(matches!(config.storage, StorageSettings::ScaleOut(_)));

        let error = Config::from_parts(
            cli(&["--database-url", "postgres://localhost/db"]),
            ConfigFile::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("needs both"), "{error}");
    }

    #[test]
    fn refuses_unusable_values() {
        let bad = |args: &[&str]| Config::from_parts(cli(args), ConfigFile::default()).is_err();
        assert!(bad(&["--retention", "soon"]));
        assert!(bad(&["--retention-interval", "0s"]));
        assert!(bad(&["--read-token", "short"]));
        assert!(bad(&["--rate-limit-per-second=-1"]));
        assert!(bad(&["--allow-unkeyed-app", "../x"]));
        assert!(ConfigFile::parse("no_such_setting = 1", "x.toml").is_err());
    }
}
