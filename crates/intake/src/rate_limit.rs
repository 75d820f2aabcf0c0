//! Per-client rate limiting: a token bucket for each client IP.
//!
//! Each address may send `burst` requests at once and `per_second` on
//! average after that; a request finding its bucket empty gets 429 with
//! `Retry-After`. The client address is the TCP peer's, never a header a
//! client can forge; behind a proxy every request shares the proxy's
//! bucket, so limiting then belongs in the proxy (or is turned off with a
//! rate of 0).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::IntakeError;

/// Buckets kept before idle (full) ones are dropped.
const MAX_TRACKED_CLIENTS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of every client seen recently.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// A limiter allowing `burst` requests at once and `per_second` after;
    /// a `per_second` of 0 allows everything.
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self {
            per_second,
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// True when limiting is on.
    pub fn is_enabled(&self) -> bool {
        self.per_second > 0.0
    }

    /// Takes one token for `client` at `now`; `Err` holds the seconds until
    /// one is available.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        if !self.is_enabled() {
            return Ok(());
        }
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS && !buckets.contains_key(&client) {
            self.forget_full_buckets(&mut buckets, now);
        }

        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }

    /// Drops buckets that have refilled: forgetting them changes nothing.
    fn forget_full_buckets(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        buckets.retain(|_, bucket| {
            let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
            bucket.tokens + elapsed * self.per_second < self.burst
        });
    }
}

/// Middleware answering 429 when the client's bucket is empty.
///
/// Requests reaching the router without a peer address (in-process tests)
/// count as coming from 0.0.0.0.
pub async fn limit_rate(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    match limiter.check(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(retry_after_secs) => IntakeError::RateLimited { retry_after_secs }.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    #[test]
    fn allows_a_burst_then_refuses_until_tokens_refill() {
        let limiter = RateLimiter::new(2.0, 3.0);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(ip(1), start), Ok(()));
        }
        assert_eq!(limiter.check(ip(1), start), Err(1));
        assert_eq!(
            limiter.check(ip(1), start + Duration::from_millis(500)),
            Ok(())
        );
        assert!(limiter
            .check(ip(1), start + Duration::from_millis(500))
            .is_err());
    }

    #[test]
    fn clients_have_separate_buckets() {
        let limiter = RateLimiter::new(1.0, 1.0);
        let now = Instant::now();
        assert_eq!(limiter.check(ip(1), now), Ok(()));
        assert!(limiter.check(ip(1), now).is_err());
        assert_eq!(limiter.check(ip(2), now), Ok(()));
    }

    #[test]
    fn a_rate_of_zero_turns_limiting_off() {
        let limiter = RateLimiter::new(0.0, 1.0);
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(limiter.check(ip(1), now), Ok(()));
        }
    }

    #[test]
    fn full_buckets_are_forgotten_when_too_many_clients_are_tracked() {
        let limiter = RateLimiter::new(1000.0, 1.0);
        let now = Instant::now();
        for n in 0..MAX_TRACKED_CLIENTS {
            let address = IpAddr::V6(std::net::Ipv6Addr::from(n as u128));
            limiter.check(address, now).unwrap();
        }
        let later = now + Duration::from_secs(1);
        limiter.check(ip(1), later).unwrap();
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
    }
}
