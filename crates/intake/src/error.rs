//! Everything that can go wrong with a request, and the answer it gets.
//!
//! A client error tells the client exactly what was wrong with its request,
//! is counted by [`crate::rejections`] and is logged only at debug level: a
//! browser sending a bad segment is not the server's fault. A server error
//! is logged once, here, and the client only learns that it happened.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::inflate::InflateError;
use crate::store::StoreError;

/// Why a request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The upload was not `multipart/form-data`.
    #[error("request is not multipart/form-data")]
    NotMultipart,
    /// The multipart body could not be read.
    #[error("malformed multipart body: {0}")]
    MalformedMultipart(String),
    /// The request body exceeded the size limit.
    #[error("request body is larger than {limit_bytes} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit_bytes: usize,
    },
    /// A required multipart part was absent.
    #[error("missing part `{0}`")]
    MissingPart(&'static str),
    /// A multipart part was sent twice.
    #[error("part `{0}` was sent more than once")]
    DuplicatePart(&'static str),
    /// A part had another content type than the wire contract's.
    #[error("part `{part}` must be {expected}, got {found}")]
    WrongContentType {
        /// The part's name.
        part: &'static str,
        /// The content type the contract asks for.
        expected: &'static str,
        /// The content type sent, or `none`.
        found: String,
    },
    /// The `event` part was not valid segment metadata.
    #[error("invalid metadata: {0}")]
    InvalidMetadata(String),
    /// An id was empty, too long or held characters other than
    /// `A-Za-z0-9_-`.
    #[error("invalid {field}: ids are 1 to 128 characters of A-Za-z0-9_-")]
    InvalidId {
        /// Which id, e.g. `session.id`.
        field: &'static str,
    },
    /// A size or count in the metadata disagrees with the segment.
    #[error("{field} is {declared} but the segment has {actual}")]
    Mismatch {
        /// The metadata field.
        field: &'static str,
        /// What the metadata says.
        declared: u64,
        /// What the segment holds.
        actual: u64,
    },
    /// The zlib stream was unusable.
    #[error("segment {0}")]
    Segment(#[from] InflateError),
    /// The inflated segment was not a JSON array of events.
    #[error("invalid events: {0}")]
    InvalidEvents(String),
    /// Another segment is already stored under the same session, view and
    /// index.
    #[error("a different segment {index_in_view} of view {view_id} is already stored")]
    Conflict {
        /// The view.
        view_id: String,
        /// The index within the view.
        index_in_view: u32,
    },
    /// An upload without `?key=` for an application that needs one, or
    /// with no open application configured at all.
    #[error("missing ingestion key: send the application's key as ?key=")]
    MissingKey,
    /// No application has the key sent.
    #[error("unknown ingestion key")]
    UnknownKey,
    /// The key sent belongs to another application than the segment's.
    #[error("the ingestion key is not the key of application {application}")]
    WrongApplication {
        /// The segment's `application.id`.
        application: String,
    },
    /// Uploads without a key are not accepted for this application.
    #[error("application {application} needs an ingestion key (?key=)")]
    KeyRequired {
        /// The segment's `application.id`.
        application: String,
    },
    /// The page's origin is not among the application's allowed origins.
    #[error("origin {origin} may not upload for application {application}")]
    OriginNotAllowed {
        /// The `Origin` header sent.
        origin: String,
        /// The application.
        application: String,
    },
    /// The viewer and read API need the read token.
    #[error("the read token is required (bearer token, or basic auth as user tapedeck)")]
    Unauthorized,
    /// The client sent too many requests; it may retry later.
    #[error("too many requests from this address; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after_secs: u64,
    },
    /// The query string of a search was not understood.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A session id in a URL was not a valid id.
    #[error("invalid session id")]
    InvalidSessionId,
    /// No session has that id.
    #[error("unknown session")]
    UnknownSession,
    /// Storage failed; the details are logged, never sent.
    #[error("storage failed: {0}")]
    Storage(#[from] StoreError),
    /// A blocking task died; the details are logged, never sent.
    #[error("background task failed: {0}")]
    Task(String),
}

impl IntakeError {
    /// The HTTP status the error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotMultipart | Self::WrongContentType { .. } => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Segment(inflate) if inflate.is_too_large() => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::UnknownSession => StatusCode::NOT_FOUND,
            Self::MissingKey | Self::UnknownKey | Self::KeyRequired { .. } | Self::Unauthorized => {
                StatusCode::UNAUTHORIZED
            }
            Self::WrongApplication { .. } | Self::OriginNotAllowed { .. } => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Storage(_) | Self::Task(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::MalformedMultipart(_)
            | Self::MissingPart(_)
            | Self::DuplicatePart(_)
            | Self::InvalidMetadata(_)
            | Self::InvalidId { .. }
            | Self::Mismatch { .. }
            | Self::Segment(_)
            | Self::InvalidEvents(_)
            | Self::InvalidQuery(_)
            | Self::InvalidSessionId => StatusCode::BAD_REQUEST,
        }
    }

    /// A short stable name of the error, the key it is counted under.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotMultipart => "not_multipart",
            Self::MalformedMultipart(_) => "malformed_multipart",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::MissingPart(_) => "missing_part",
            Self::DuplicatePart(_) => "duplicate_part",
            Self::WrongContentType { .. } => "wrong_content_type",
            Self::InvalidMetadata(_) => "invalid_metadata",
            Self::InvalidId { .. } => "invalid_id",
            Self::Mismatch { .. } => "metadata_mismatch",
            Self::Segment(inflate) => inflate.code(),
            Self::InvalidEvents(_) => "invalid_events",
            Self::Conflict { .. } => "conflict",
            Self::InvalidSessionId => "invalid_session_id",
            Self::UnknownSession => "unknown_session",
            Self::MissingKey => "missing_key",
            Self::UnknownKey => "unknown_key",
            Self::WrongApplication { .. } => "wrong_application",
            Self::KeyRequired { .. } => "key_required",
            Self::OriginNotAllowed { .. } => "origin_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::RateLimited { .. } => "rate_limited",
            Self::InvalidQuery(_) => "invalid_query",
            Self::Storage(_) => "storage",
            Self::Task(_) => "task",
        }
    }

    /// True when the request was at fault rather than the server.
    pub fn is_client_error(&self) -> bool {
        self.status().is_client_error()
    }
}

/// Put in a response's extensions so [`crate::rejections`] can count
/// client errors without each handler doing it.
#[derive(Debug, Clone, Copy)]
pub struct RejectionCode(pub &'static str);

impl IntoResponse for IntakeError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if self.is_client_error() {
            tracing::debug!(code = self.code(), "rejected: {self}");
            self.to_string()
        } else {
            tracing::error!(code = self.code(), "request failed: {self}");
            "internal server error".to_owned()
        };

        let mut response = (status, Json(json!({ "error": message }))).into_response();
        match &self {
            Self::Unauthorized => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"tapedeck\", charset=\"UTF-8\""),
                );
            }
            Self::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            _ => {}
        }
        if status.is_client_error() {
            response.extensions_mut().insert(RejectionCode(self.code()));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_do_not_reveal_their_cause() {
        let error = IntakeError::Task("panicked at /home/secret/path".into());
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.extensions().get::<RejectionCode>().is_none());
    }

    #[test]
    fn client_errors_carry_their_code_for_counting() {
        let response = IntakeError::MissingPart("segment").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.extensions().get::<RejectionCode>().unwrap().0,
            "missing_part"
        );
    }
}
