//! When a failed upload is tried again.
//!
//! The delay doubles with each attempt up to a ceiling, so an intake that
//! is down for an hour costs one request per half minute, and half of it is
//! random ("equal jitter"), so the tabs of many visitors that lost the
//! intake at the same moment do not all come back at the same moment.
//! The randomness is a parameter, so the schedule is tested exactly.

/// The delay before the first retry, before jitter.
pub const FIRST_RETRY_DELAY_MS: u64 = 500;

/// The longest delay between two attempts, before jitter.
pub const MAX_RETRY_DELAY_MS: u64 = 30_000;

/// The delay before retry number `retry` (1 for the first retry), given a
/// `random` number in `[0, 1)`: between half of and the whole of
/// `FIRST_RETRY_DELAY_MS * 2^(retry-1)`, capped at [`MAX_RETRY_DELAY_MS`].
pub fn retry_delay_ms(retry: u32, random: f64) -> u64 {
    let doublings = retry.saturating_sub(1).min(16);
    let ceiling = FIRST_RETRY_DELAY_MS
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_DELAY_MS);
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = ceiling / 2;
    half + (half as f64 * random).round() as u64
}

/// True for an intake answer that may succeed when sent again: a timeout,
/// too many requests, or a server error. Anything else is final.
pub fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_from_the_first_retry_within_its_jitter_band() {
        assert_eq!(retry_delay_ms(1, 0.0), 250);
        assert_eq!(retry_delay_ms(1, 1.0), 500);
        assert_eq!(retry_delay_ms(2, 0.0), 500);
        assert_eq!(retry_delay_ms(3, 0.5), 1_500);
        assert_eq!(retry_delay_ms(4, 1.0), 4_000);
    }

    #[test]
    fn delay_stops_growing_at_the_ceiling_even_after_many_retries() {
        assert_eq!(retry_delay_ms(10, 1.0), MAX_RETRY_DELAY_MS);
        assert_eq!(retry_delay_ms(u32::MAX, 0.0), MAX_RETRY_DELAY_MS / 2);
    }

    #[test]
    fn odd_random_numbers_stay_within_the_band() {
        assert_eq!(retry_delay_ms(1, f64::NAN), 250);
        assert_eq!(retry_delay_ms(1, 7.0), 500);
        assert_eq!(retry_delay_ms(1, -1.0), 250);
    }

    #[test]
    fn only_timeouts_throttling_and_server_errors_are_retried() {
        for status in [408, 429, 500, 502, 503] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 202, 400, 401, 403, 409, 413, 415] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }
}
