//! Which session and view a recording belongs to, and whether it is
//! sampled.
//!
//! The session lives in `localStorage`, so every page load and every tab of
//! the origin shares it until it expires. Sampling is derived from the
//! session id, so all of a session's pages agree without coordinating.
//!
//! # Sharing one session between tabs
//!
//! Each tab keeps its own copy of the session and reconciles it with the
//! stored one ([`reconcile`]) on user activity (throttled) and on a timer:
//! it reads the stored session, decides, and writes back at once. The
//! storage is last-writer-wins, without a lock: the Web Locks API is
//! asynchronous, while a read and a write of `localStorage` happen in one
//! synchronous step of the tab, so the only race left is two tabs renewing
//! an expired session within the same moment. Then one id is overwritten;
//! its tab sees a different live session at its next reconcile and switches
//! to it, so the tabs converge on one session within one check interval.
//! A live stored session always wins over a tab's own copy, which is what
//! makes that convergence happen.

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

/// How long a session may last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionLimits {
    /// A session ends after this long without activity.
    pub inactivity_ms: f64,
    /// A session ends after this long in all.
    pub max_ms: f64,
}

/// What a tab should do after comparing its session with the stored one.
#[derive(Debug, Clone, PartialEq)]
pub enum Reconciled {
    /// The tab's session goes on; this copy (touched on activity) is the
    /// one to store and keep.
    Same(StoredSession),
    /// Another session is current: a live one another tab began, or a new
    /// one begun on this activity. Store it and record a new view in it.
    Switch(StoredSession),
    /// The tab's session is over and, without activity, nothing replaces
    /// it yet: recording pauses until the user comes back.
    Expired,
}

/// Reconciles `ours` with the `stored` JSON at `now`; `activity` says the
/// user just did something, which extends the session or begins a new one.
pub fn reconcile(
    ours: &StoredSession,
    stored: Option<&str>,
    now: f64,
    limits: SessionLimits,
    activity: bool,
    fresh_id: impl FnOnce() -> String,
) -> Reconciled {
    let live = |session: &StoredSession| session.is_live(now, limits.inactivity_ms, limits.max_ms);
    let stored = stored
        .and_then(|json| serde_json::from_str::<StoredSession>(json).ok())
        .filter(live);

    let current = match stored {
        Some(mut stored) => {
            if stored.id == ours.id {
                // Storage may have been rewritten by an older copy.
                stored.last_activity = stored.last_activity.max(ours.last_activity);
                stored.created = stored.created.min(ours.created);
            }
            Some(stored)
        }
        None if live(ours) => Some(ours.clone()),
        None => None,
    };

    match current {
        Some(mut session) => {
            if activity {
                session.last_activity = session.last_activity.max(now);
            }
            if session.id == ours.id {
                Reconciled::Same(session)
            } else {
                Reconciled::Switch(session)
            }
        }
        None if activity => Reconciled::Switch(StoredSession {
            id: fresh_id(),
            created: now,
            last_activity: now,
        }),
        None => Reconciled::Expired,
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

    const LIMITS: SessionLimits = SessionLimits {
        inactivity_ms: 1_000.0,
        max_ms: 10_000.0,
    };

    fn session(id: &str, created: f64, last_activity: f64) -> StoredSession {
        StoredSession {
            id: id.into(),
            created,
            last_activity,
        }
    }

    fn json(session: &StoredSession) -> String {
        serde_json::to_string(session).unwrap()
    }

    #[test]
    fn activity_extends_the_shared_session_and_keeps_the_latest_stamp() {
        let ours = session("s", 0.0, 100.0);
        let stored = json(&session("s", 0.0, 700.0));
        let outcome = reconcile(&ours, Some(&stored), 900.0, LIMITS, true, || unreachable!());
        assert_eq!(outcome, Reconciled::Same(session("s", 0.0, 900.0)));

        // Without activity the stored, newer stamp of another tab is taken.
        let outcome = reconcile(
            &ours,
            Some(&stored),
            900.0,
            LIMITS,
            false,
            || unreachable!(),
        );
        assert_eq!(outcome, Reconciled::Same(session("s", 0.0, 700.0)));
    }

    #[test]
    fn a_live_session_of_another_tab_wins_over_our_own() {
        let ours = session("a", 0.0, 500.0);
        let stored = json(&session("b", 400.0, 450.0));
        let outcome = reconcile(
            &ours,
            Some(&stored),
            600.0,
            LIMITS,
            false,
            || unreachable!(),
        );
        assert_eq!(outcome, Reconciled::Switch(session("b", 400.0, 450.0)));
    }

    #[test]
    fn an_idle_session_expires_and_the_next_activity_begins_a_new_one() {
        let ours = session("s", 0.0, 100.0);
        let stored = json(&ours);
        assert_eq!(
            reconcile(
                &ours,
                Some(&stored),
                1_100.0,
                LIMITS,
                false,
                || unreachable!()
            ),
            Reconciled::Expired
        );
        assert_eq!(
            reconcile(&ours, Some(&stored), 5_000.0, LIMITS, true, || "new".into()),
            Reconciled::Switch(session("new", 5_000.0, 5_000.0))
        );
    }

    #[test]
    fn a_session_ends_at_its_maximum_length_despite_activity() {
        let ours = session("s", 0.0, 9_900.0);
        let stored = json(&ours);
        let outcome = reconcile(&ours, Some(&stored), 10_000.0, LIMITS, true, || {
            "new".into()
        });
        assert_eq!(
            outcome,
            Reconciled::Switch(session("new", 10_000.0, 10_000.0))
        );
    }

    #[test]
    fn cleared_or_corrupt_storage_keeps_a_live_session_of_our_own() {
        let ours = session("s", 0.0, 500.0);
        for stored in [None, Some("{oops")] {
            assert_eq!(
                reconcile(&ours, stored, 600.0, LIMITS, false, || unreachable!()),
                Reconciled::Same(ours.clone())
            );
        }
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
