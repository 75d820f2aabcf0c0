//! Which session and view a recording belongs to, and whether it is
//! sampled.
//!
//! The session lives in `localStorage`, so every page load and every tab of
//! the origin shares it until it expires. Sampling is derived from the
//! session id, so all of a session's pages agree without coordinating.

use serde::{Deserialize, Serialize};

/// The `localStorage` key holding the current session.
pub const SESSION_STORAGE_KEY: &str = "tapedeck.session";

/// A session as stored between page loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
    /// The session id.
    pub id: String,
    /// Epoch ms when the session began.
    pub created: f64,
    /// Epoch ms of the last recorded activity.
    pub last_activity: f64,
}

impl StoredSession {
    /// True while the session may go on at `now`.
    pub fn is_live(&self, now: f64, inactivity_ms: f64, max_ms: f64) -> bool {
        now - self.last_activity < inactivity_ms && now - self.created < max_ms
    }
}

/// Picks the session to record into: the stored one while it is live,
/// otherwise a new one with `fresh_id`.
pub fn resume_or_begin(
    stored: Option<&str>,
    now: f64,
    inactivity_ms: f64,
    max_ms: f64,
    fresh_id: impl FnOnce() -> String,
) -> StoredSession {
    let stored: Option<StoredSession> = stored.and_then(|json| serde_json::from_str(json).ok());
    match stored {
        Some(mut session) if session.is_live(now, inactivity_ms, max_ms) => {
            session.last_activity = now;
            session
        }
        _ => StoredSession {
            id: fresh_id(),
            created: now,
            last_activity: now,
        },
    }
}

/// Decides from the session id alone whether a session is recorded, so
/// every tab of the session decides the same way.
pub fn is_sampled(session_id: &str, sample_rate: f64) -> bool {
    // FNV-1a: stable across browsers and builds, unlike a seeded hasher.
    let hash = session_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    let bucket = (hash % 10_000) as f64 / 100.0;
    bucket < sample_rate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_session_is_resumed_and_touched() {
        let stored = r#"{"id":"abc","created":0,"last_activity":1000}"#;
        let session = resume_or_begin(Some(stored), 2000.0, 5000.0, 10_000.0, || unreachable!());
        assert_eq!(session.id, "abc");
        assert_eq!(session.last_activity, 2000.0);
    }

    #[test]
    fn idle_old_or_corrupt_sessions_are_replaced() {
        let idle = r#"{"id":"a","created":0,"last_activity":0}"#;
        assert_eq!(
            resume_or_begin(Some(idle), 6000.0, 5000.0, 1e9, || "new".into()).id,
            "new"
        );
        let old = r#"{"id":"a","created":0,"last_activity":9000}"#;
        assert_eq!(
            resume_or_begin(Some(old), 10_000.0, 5000.0, 10_000.0, || "new".into()).id,
            "new"
        );
        assert_eq!(
            resume_or_begin(Some("{oops"), 1.0, 5.0, 5.0, || "new".into()).id,
            "new"
        );
    }

    #[test]
    fn sampling_is_all_or_nothing_at_the_bounds_and_deterministic() {
        assert!(is_sampled("any", 100.0));
        assert!(!is_sampled("any", 0.0));
        let kept = (0..1000)
            .filter(|n| is_sampled(&format!("session-{n}"), 30.0))
            .count();
        assert!((200..400).contains(&kept), "{kept}");
        assert_eq!(is_sampled("s-1", 50.0), is_sampled("s-1", 50.0));
    }
}
