//! Counters of refused requests, by reason.
//!
//! A site with a misconfigured recorder can send thousands of bad segments;
//! counting them (and showing the counts on `/healthz`) makes that visible
//! without filling the log.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::RejectionCode;

/// Every code [`crate::IntakeError::code`] gives a client error.
const CODES: [&str; 25] = [
    "not_multipart",
    "malformed_multipart",
    "body_too_large",
    "missing_part",
    "duplicate_part",
    "wrong_content_type",
    "invalid_metadata",
    "invalid_id",
    "metadata_mismatch",
    "corrupt_zlib",
    "truncated_zlib",
    "trailing_bytes",
    "inflated_too_large",
    "invalid_events",
    "conflict",
    "invalid_session_id",
    "unknown_session",
    "missing_key",
    "unknown_key",
    "wrong_application",
    "key_required",
    "origin_not_allowed",
    "unauthorized",
    "rate_limited",
    "invalid_query",
];

/// One counter per rejection code, plus one for codes not in the list (so a
/// new error kind is still counted before it is added here).
#[derive(Debug, Default)]
pub struct Rejections {
    counts: [AtomicU64; CODES.len()],
    other: AtomicU64,
}

impl Rejections {
    /// Adds one to the counter of `code`.
    pub fn count(&self, code: &str) {
        let counter = CODES
            .iter()
            .position(|known| *known == code)
            .map_or(&self.other, |index| &self.counts[index]);
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Every counter by code, zeros included, `other` last.
    pub fn all(&self) -> Vec<(&'static str, u64)> {
        let known = CODES
            .iter()
            .zip(&self.counts)
            .map(|(code, count)| (*code, count));
        known
            .chain([("other", &self.other)])
            .map(|(code, count)| (code, count.load(Ordering::Relaxed)))
            .collect()
    }

    /// The non-zero counters by code.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        let known = CODES
            .iter()
            .zip(&self.counts)
            .map(|(code, count)| (*code, count));
        known
            .chain([("other", &self.other)])
            .map(|(code, count)| (code, count.load(Ordering::Relaxed)))
            .filter(|(_, count)| *count > 0)
            .collect()
    }
}

/// Middleware counting every response that carries a [`RejectionCode`].
pub async fn count_rejections(
    State(rejections): State<Arc<Rejections>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if let Some(RejectionCode(code)) = response.extensions().get::<RejectionCode>() {
        rejections.count(code);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_error_has_its_own_counter() {
        use crate::error::IntakeError;
        use crate::inflate::InflateError;

        let client_errors = [
            IntakeError::NotMultipart,
            IntakeError::MalformedMultipart(String::new()),
            IntakeError::BodyTooLarge { limit_bytes: 1 },
            IntakeError::MissingPart("segment"),
            IntakeError::DuplicatePart("segment"),
            IntakeError::WrongContentType {
                part: "segment",
                expected: "x",
                found: "y".into(),
            },
            IntakeError::InvalidMetadata(String::new()),
            IntakeError::InvalidId {
                field: "session.id",
            },
            IntakeError::Mismatch {
                field: "records_count",
                declared: 1,
                actual: 2,
            },
            IntakeError::Segment(InflateError::Corrupt(String::new())),
            IntakeError::Segment(InflateError::Truncated),
            IntakeError::Segment(InflateError::TrailingBytes(1)),
            IntakeError::Segment(InflateError::TooLarge { limit_bytes: 1 }),
            IntakeError::InvalidEvents(String::new()),
            IntakeError::Conflict {
                view_id: "v".into(),
                index_in_view: 0,
            },
            IntakeError::InvalidSessionId,
            IntakeError::UnknownSession,
            IntakeError::MissingKey,
            IntakeError::UnknownKey,
            IntakeError::WrongApplication {
                application: "a".into(),
            },
            IntakeError::KeyRequired {
                application: "a".into(),
            },
            IntakeError::OriginNotAllowed {
                origin: "o".into(),
                application: "a".into(),
            },
            IntakeError::Unauthorized,
            IntakeError::RateLimited {
                retry_after_secs: 1,
            },
            IntakeError::InvalidQuery(String::new()),
        ];
        for error in client_errors {
            assert!(error.is_client_error(), "{error:?}");
            assert!(
                CODES.contains(&error.code()),
                "{} has no counter",
                error.code()
            );
        }
    }

    #[test]
    fn counts_known_and_unknown_codes_separately() {
        let rejections = Rejections::default();
        rejections.count("missing_part");
        rejections.count("missing_part");
        rejections.count("something_new");

        let snapshot = rejections.snapshot();
        assert_eq!(snapshot.get("missing_part"), Some(&2));
        assert_eq!(snapshot.get("other"), Some(&1));
        assert_eq!(snapshot.get("conflict"), None);
    }
}
