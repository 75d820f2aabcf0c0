//! Following the user's activity, so the session ends and begins at the
//! right moments.
//!
//! User input (pointer, keys, wheel, scroll, touch, the tab becoming
//! visible) extends the session; a timer checks the shared session often
//! enough to notice an expiry, or another tab's new session, within a
//! fraction of the inactivity timeout. What to do then is decided by
//! [`crate::session::reconcile`]; this module only says when to ask.

use std::rc::Rc;

use web_sys::VisibilityState;

use crate::dom::EventListener;
use crate::failure::RecorderError;
use crate::interval::Interval;
use crate::recording::Recording;

/// Activity is reconciled with the stored session at most this often;
/// input events come by the hundred per second.
pub const ACTIVITY_THROTTLE_MS: f64 = 1_000.0;

/// The longest time between two checks of the stored session.
pub const MAX_CHECK_INTERVAL_MS: f64 = 15_000.0;

/// The shortest time between two checks, for tiny test timeouts.
pub const MIN_CHECK_INTERVAL_MS: f64 = 200.0;

/// The input events that count as the user being there.
const ACTIVITY_EVENTS: [&str; 6] = [
    "pointerdown",
    "keydown",
    "wheel",
    "scroll",
    "touchstart",
    "mousemove",
];

/// What the lifecycle listeners call back into.
pub trait SessionKeeper: 'static {
    /// The user did something (`activity`), or the check timer fired.
    fn reconcile_session(&self, activity: bool);
}

/// The running listeners and timer; dropping them stops them.
#[must_use = "the session stops being kept as soon as the handle is dropped"]
pub struct LifecycleTracker {
    _listeners: Vec<EventListener>,
    _check: Interval,
}

/// How often to check the stored session: a quarter of the shortest
/// session limit, within [`MIN_CHECK_INTERVAL_MS`] and
/// [`MAX_CHECK_INTERVAL_MS`].
pub fn check_interval_ms(inactivity_ms: f64, max_ms: f64) -> f64 {
    (inactivity_ms.min(max_ms) / 4.0).clamp(MIN_CHECK_INTERVAL_MS, MAX_CHECK_INTERVAL_MS)
}

/// Starts following activity on the recorded window.
pub fn start(
    recording: &Rc<Recording>,
    keeper: Rc<dyn SessionKeeper>,
) -> Result<LifecycleTracker, RecorderError> {
    let mut listeners = Vec::new();
    for event_type in ACTIVITY_EVENTS {
        let keeper = Rc::clone(&keeper);
        listeners.push(EventListener::new(
            recording.window.as_ref(),
            event_type,
            true,
            move |_| keeper.reconcile_session(true),
        )?);
    }
    let document = recording.document.clone();
    let on_visible = Rc::clone(&keeper);
    listeners.push(EventListener::new(
        recording.document.as_ref(),
        "visibilitychange",
        true,
        move |_| {
            if document.visibility_state() == VisibilityState::Visible {
                on_visible.reconcile_session(true);
            }
        },
    )?);

    let options = &recording.options;
    let period_ms = check_interval_ms(options.session_inactivity_ms, options.session_max_ms);
    let check = Interval::new(period_ms, move || keeper.reconcile_session(false))?;
    Ok(LifecycleTracker {
        _listeners: listeners,
        _check: check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_come_four_times_per_timeout_within_bounds() {
        assert_eq!(
            check_interval_ms(15.0 * 60_000.0, 4.0 * 3_600_000.0),
            15_000.0
        );
        assert_eq!(check_interval_ms(2_000.0, 60_000.0), 500.0);
        assert_eq!(check_interval_ms(60_000.0, 1_000.0), 250.0);
        assert_eq!(check_interval_ms(100.0, 100.0), 200.0);
    }
}
