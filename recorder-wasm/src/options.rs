//! The options a page passes to `init`, checked before anything is
//! recorded.

use serde::Deserialize;
use tapedeck_model::id::is_valid_id;
use tapedeck_privacy::PrivacyLevel;

/// Options as the page writes them (camelCase), before validation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOptions {
    endpoint: Option<String>,
    application_id: Option<String>,
    privacy: Option<String>,
    sample_rate: Option<f64>,
    session_inactivity_ms: Option<f64>,
    session_max_ms: Option<f64>,
    mode: Option<String>,
    buffer_seconds: Option<f64>,
    checkout_interval_ms: Option<f64>,
    queue_bytes_limit: Option<f64>,
    client_key: Option<String>,
}

/// Whether segments are sent as they close or only when something
/// happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RecordingMode {
    /// Every segment is sent as it closes (`"always"`, the default).
    Always,
    /// The last `buffer_ms` are kept in memory and sent only on an
    /// uncaught error, an unhandled rejection or `flush()`
    /// (`"error-triggered"`); recording then goes on as in `Always`.
    ErrorTriggered {
        /// How much recording the buffer keeps.
        buffer_ms: u64,
    },
}

/// Validated recorder options.
#[derive(Debug, Clone, PartialEq)]
pub struct RecorderOptions {
    /// The intake's base URL, absolute, without a trailing slash.
    pub endpoint: String,
    /// The application the recording belongs to.
    pub application_id: String,
    /// The level that applies where no element says otherwise.
    pub privacy: PrivacyLevel,
    /// The percentage of sessions that are recorded, 0 to 100.
    pub sample_rate: f64,
    /// A session ends after this long without activity.
    pub session_inactivity_ms: f64,
    /// A session ends after this long in all.
    pub session_max_ms: f64,
    /// When segments are sent.
    pub mode: RecordingMode,
    /// How often a new full snapshot is taken, so a lost segment damages
    /// only the stretch until the next one.
    pub checkout_interval_ms: f64,
    /// How many bytes of segments may wait for the intake.
    pub queue_bytes_limit: u64,
    /// The ingest key sent with every upload.
    pub client_key: Option<String>,
}

impl RecorderOptions {
    /// The time between two checkouts: the option, and in error-triggered
    /// mode at most half the buffer, so the buffer always holds one.
    pub fn effective_checkout_interval_ms(&self) -> f64 {
        match self.mode {
            RecordingMode::Always => self.checkout_interval_ms,
            RecordingMode::ErrorTriggered { buffer_ms } => {
                self.checkout_interval_ms.min(buffer_ms as f64 / 2.0)
            }
        }
    }
}

/// The default inactivity after which a session ends: 15 minutes.
pub const SESSION_INACTIVITY_MS: f64 = 15.0 * 60.0 * 1000.0;

/// The default length after which a session ends: 4 hours.
pub const SESSION_MAX_MS: f64 = 4.0 * 60.0 * 60.0 * 1000.0;

/// The default time between two full-snapshot checkouts: 5 minutes.
pub const CHECKOUT_INTERVAL_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The default buffer of the error-triggered mode: 60 seconds.
pub const BUFFER_SECONDS: f64 = 60.0;

/// The longest ingest key accepted.
pub const CLIENT_KEY_MAX_CHARS: usize = 512;

/// Why `init` refused its options. Each message names the option and what
/// would be accepted, because the site owner reads it in the console.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionsError {
    /// The options are not an object, or hold an unknown key.
    #[error("invalid options: {0}")]
    Shape(String),
    /// `endpoint` is missing or not an http(s) URL.
    #[error("option `endpoint` must be the intake's http(s) URL, for example \"https://replay.example.com\"; got {0:?}")]
    Endpoint(String),
    /// `applicationId` is missing or has characters the intake refuses.
    #[error("option `applicationId` must be 1 to 128 letters, digits, '-' or '_'; got {0:?}")]
    ApplicationId(String),
    /// `privacy` is not one of the levels.
    #[error("option `privacy`: {0}")]
    Privacy(#[from] tapedeck_privacy::ParseLevelError),
    /// `sampleRate` is outside 0 to 100.
    #[error("option `sampleRate` must be a number from 0 to 100; got {0}")]
    SampleRate(f64),
    /// A duration or size is not a positive number.
    #[error("option `{0}` must be a positive number")]
    Duration(&'static str),
    /// `mode` is not one of the modes.
    #[error("option `mode` must be \"always\" or \"error-triggered\"; got {0:?}")]
    Mode(String),
    /// `clientKey` is empty, too long or holds control characters.
    #[error("option `clientKey` must be 1 to 512 printable characters")]
    ClientKey,
}

impl RecorderOptions {
    /// Parses and checks options given as JSON. `base_url` resolves a
    /// relative endpoint (the page's own address).
    pub fn from_json(json: &str, base_url: &str) -> Result<Self, OptionsError> {
        let raw: RawOptions =
            serde_json::from_str(json).map_err(|error| OptionsError::Shape(error.to_string()))?;

        let endpoint = resolve_endpoint(raw.endpoint.as_deref().unwrap_or(""), base_url)?;

        let application_id = raw.application_id.unwrap_or_default();
        if !is_valid_id(&application_id) {
            return Err(OptionsError::ApplicationId(application_id));
        }

        let privacy = match raw.privacy {
            Some(name) => name.parse()?,
            None => PrivacyLevel::default(),
        };

        let sample_rate = raw.sample_rate.unwrap_or(100.0);
        if !(0.0..=100.0).contains(&sample_rate) {
            return Err(OptionsError::SampleRate(sample_rate));
        }

        let session_inactivity_ms = positive(
            raw.session_inactivity_ms,
            SESSION_INACTIVITY_MS,
            "sessionInactivityMs",
        )?;
        let session_max_ms = positive(raw.session_max_ms, SESSION_MAX_MS, "sessionMaxMs")?;

        let buffer_seconds = positive(raw.buffer_seconds, BUFFER_SECONDS, "bufferSeconds")?;
        let mode = match raw.mode.as_deref() {
            None | Some("always") => RecordingMode::Always,
            Some("error-triggered") => RecordingMode::ErrorTriggered {
                buffer_ms: (buffer_seconds * 1000.0).round() as u64,
            },
            Some(other) => return Err(OptionsError::Mode(other.to_string())),
        };
        let checkout_interval_ms = positive(
            raw.checkout_interval_ms,
            CHECKOUT_INTERVAL_MS,
            "checkoutIntervalMs",
        )?;
        let queue_bytes_limit = positive(
            raw.queue_bytes_limit,
            tapedeck_model::worker::QUEUE_BYTES_LIMIT as f64,
            "queueBytesLimit",
        )? as u64;

        let client_key = raw.client_key;
        if let Some(key) = &client_key {
            let chars = key.chars().count();
            if chars == 0 || chars > CLIENT_KEY_MAX_CHARS || key.chars().any(char::is_control) {
                return Err(OptionsError::ClientKey);
            }
        }

        Ok(Self {
            endpoint,
            application_id,
            privacy,
            sample_rate,
            session_inactivity_ms,
            session_max_ms,
            mode,
            checkout_interval_ms,
            queue_bytes_limit,
            client_key,
        })
    }
}

fn positive(value: Option<f64>, default: f64, name: &'static str) -> Result<f64, OptionsError> {
    match value {
        None => Ok(default),
        Some(value) if value.is_finite() && value > 0.0 => Ok(value),
        Some(_) => Err(OptionsError::Duration(name)),
    }
}

/// Turns the endpoint option into an absolute base URL without a trailing
/// slash; a path-only endpoint ("/replay") is taken relative to the page.
fn resolve_endpoint(endpoint: &str, base_url: &str) -> Result<String, OptionsError> {
    let endpoint = endpoint.trim();
    let invalid = || OptionsError::Endpoint(endpoint.to_string());
    if endpoint.is_empty() {
        return Err(invalid());
    }

    let absolute = if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
        endpoint.to_string()
    } else if endpoint.starts_with('/') && !endpoint.starts_with("//") {
        let origin = origin_of(base_url).ok_or_else(invalid)?;
        format!("{origin}{endpoint}")
    } else {
        return Err(invalid());
    };

    let host_part = absolute.split("://").nth(1).unwrap_or("");
    if host_part.is_empty() || host_part.starts_with('/') || absolute.contains(char::is_whitespace)
    {
        return Err(invalid());
    }
    Ok(absolute.trim_end_matches('/').to_string())
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let path_start = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |offset| scheme_end + offset);
    Some(&url[..path_start])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://shop.example/cart?x=1";

    #[test]
    fn minimal_options_get_defaults() {
        let options = RecorderOptions::from_json(
            r#"{"endpoint":"https://in.example/","applicationId":"shop"}"#,
            PAGE,
        )
        .unwrap();
        assert_eq!(options.endpoint, "https://in.example");
        assert_eq!(options.privacy, PrivacyLevel::MaskUserInput);
        assert_eq!(options.sample_rate, 100.0);
        assert_eq!(options.mode, RecordingMode::Always);
        assert_eq!(options.checkout_interval_ms, CHECKOUT_INTERVAL_MS);
        assert_eq!(options.queue_bytes_limit, 20 * 1024 * 1024);
        assert_eq!(options.client_key, None);
    }

    #[test]
    fn error_triggered_mode_checks_out_at_least_every_half_buffer() {
        let options = RecorderOptions::from_json(
            r#"{"endpoint":"/i","applicationId":"a","mode":"error-triggered","bufferSeconds":10}"#,
            PAGE,
        )
        .unwrap();
        assert_eq!(
            options.mode,
            RecordingMode::ErrorTriggered { buffer_ms: 10_000 }
        );
        assert_eq!(options.effective_checkout_interval_ms(), 5_000.0);

        let always = RecorderOptions::from_json(
            r#"{"endpoint":"/i","applicationId":"a","checkoutIntervalMs":1234,"clientKey":"k"}"#,
            PAGE,
        )
        .unwrap();
        assert_eq!(always.effective_checkout_interval_ms(), 1234.0);
        assert_eq!(always.client_key.as_deref(), Some("k"));
    }

    #[test]
    fn relative_endpoint_resolves_against_the_page_origin() {
        let options =
            RecorderOptions::from_json(r#"{"endpoint":"/intake","applicationId":"a"}"#, PAGE)
                .unwrap();
        assert_eq!(options.endpoint, "https://shop.example/intake");
    }

    #[test]
    fn each_bad_option_names_itself() {
        let cases = [
            (r#"{"applicationId":"a"}"#, "endpoint"),
            (r#"{"endpoint":"ftp://x","applicationId":"a"}"#, "endpoint"),
            (
                r#"{"endpoint":"https://x","applicationId":"../etc"}"#,
                "applicationId",
            ),
            (
                r#"{"endpoint":"https://x","applicationId":"a","privacy":"none"}"#,
                "privacy",
            ),
            (
                r#"{"endpoint":"https://x","applicationId":"a","sampleRate":101}"#,
                "sampleRate",
            ),
            (
                r#"{"endpoint":"https://x","applicationId":"a","colour":1}"#,
                "colour",
            ),
            (r#"[1]"#, "invalid options"),
            (
                r#"{"endpoint":"https://x","applicationId":"a","mode":"sometimes"}"#,
                "mode",
            ),
            (
                r#"{"endpoint":"https://x","applicationId":"a","bufferSeconds":0}"#,
                "bufferSeconds",
            ),
            (
                r#"{"endpoint":"https://x","applicationId":"a","queueBytesLimit":-1}"#,
                "queueBytesLimit",
            ),
            (
                r#"{"endpoint":"https://x","applicationId":"a","clientKey":""}"#,
                "clientKey",
            ),
        ];
        for (json, named) in cases {
            let message = RecorderOptions::from_json(json, PAGE)
                .unwrap_err()
                .to_string();
            assert!(message.contains(named), "{json}: {message}");
        }
    }
}
