//! The read token: what the viewer and the read API require.
//!
//! Recordings show what users typed and read, so nothing about them is
//! public by default. A client proves it may read with the token, either
//! as `Authorization: Bearer <token>` (scripts, Prometheus) or as the
//! password of HTTP basic auth with the user [`BASIC_USER`], which lets a
//! browser show its own login prompt for the viewer.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use crate::config::applications::constant_time_eq;
use crate::error::IntakeError;

/// The user name basic auth must give.
pub const BASIC_USER: &str = "tapedeck";

/// The bytes of randomness in a generated token.
const GENERATED_TOKEN_BYTES: usize = 24;

/// The secret guarding reads.
#[derive(Clone)]
pub struct ReadToken(String);

impl std::fmt::Debug for ReadToken {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("ReadToken(…)")
    }
}

impl ReadToken {
    /// Wraps a configured token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// A fresh random token from the operating system's generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; GENERATED_TOKEN_BYTES];
        getrandom::getrandom(&mut bytes)?;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        Ok(Self(token))
    }

    /// The token, to print once at start.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when an `Authorization` header value carries this token.
    pub fn accepts(&self, authorization: &str) -> bool {
        let (scheme, credentials) = authorization
            .trim()
            .split_once(' ')
            .unwrap_or((authorization, ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return constant_time_eq(credentials.as_bytes(), self.0.as_bytes());
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credentials) else {
                return false;
            };
            let Some(colon) = decoded.iter().position(|&byte| byte == b':') else {
                return false;
            };
            let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
            let user_ok = constant_time_eq(user, BASIC_USER.as_bytes());
            return constant_time_eq(password, self.0.as_bytes()) & user_ok;
        }
        false
    }
}

/// Middleware answering 401, with a basic-auth challenge, to requests
/// without the read token.
pub async fn require_read_token(
    State(token): State<ReadToken>,
    request: Request,
    next: Next,
) -> Response {
    let authorized = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| token.accepts(value));
    if authorized {
        next.run(request).await
    } else {
        IntakeError::Unauthorized.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {encoded}")
    }

    #[test]
    fn accepts_the_token_as_bearer_or_as_the_basic_password() {
        let token = ReadToken::new("correct-horse");
        assert!(token.accepts("Bearer correct-horse"));
        assert!(token.accepts("bearer  correct-horse "));
        assert!(token.accepts(&basic("tapedeck", "correct-horse")));
    }

    #[test]
    fn refuses_wrong_tokens_users_and_schemes() {
        let token = ReadToken::new("correct-horse");
        assert!(!token.accepts("Bearer correct-hors"));
        assert!(!token.accepts("Bearer"));
        assert!(!token.accepts(&basic("admin", "correct-horse")));
        assert!(!token.accepts(&basic("tapedeck", "wrong")));
        assert!(!token.accepts("Basic !!!not-base64"));
        assert!(!token.accepts("Digest correct-horse"));
        assert!(!token.accepts(""));
    }

    #[test]
    fn generated_tokens_are_long_and_differ() {
        let first = ReadToken::generate().unwrap();
        let second = ReadToken::generate().unwrap();
        assert_eq!(first.expose().len(), 32);
        assert_ne!(first.expose(), second.expose());
    }
}
