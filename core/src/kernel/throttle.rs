//! Rate limits on what anyone may call without a session (sign-in, links,
//! first-run setup): per client address, and per identifier for sign-in
//! starts and contact requests. GCRA buckets from the `governor` crate,
//! in memory: each server process counts for itself.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use coffer_shared::errors::RateLimitError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Guesses allowed at once per identifier, below the default lockout
/// threshold, so a burst alone cannot lock an account; higher limits get
/// five seconds' worth.
const IDENTIFIER_BURST: u32 = 5;

pub struct Throttle {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_identifier: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

fn per_minute(n: u32, burst: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.clamp(1, n.get())).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(burst)
}

impl Throttle {
    pub fn new(per_address: u32, per_identifier: u32) -> Throttle {
        Throttle {
            by_address: DefaultKeyedRateLimiter::keyed(per_minute(per_address, per_address)),
            by_identifier: DefaultKeyedRateLimiter::keyed(per_minute(
                per_identifier,
                IDENTIFIER_BURST.max(per_identifier / 12),
            )),
            clock: DefaultClock::default(),
        }
    }

    /// One more anonymous call from `address`.
    pub fn address(&self, address: IpAddr) -> Result<(), RateLimitError> {
        self.by_address.check_key(&address).map_err(|n| {
            metrics::counter!("coffer_rate_limited_total", "by" => "address").increment(1);
            refusal(n.wait_time_from(self.clock.now()))
        })
    }

    /// One more sign-in start or contact request naming `identifier`
    /// (compared trimmed and lower-cased, whether or not an account has it,
    /// so the answer says nothing about existence).
    pub fn identifier(&self, identifier: &str) -> Result<(), RateLimitError> {
        let key = identifier.trim().to_lowercase();
        self.by_identifier.check_key(&key).map_err(|n| {
            metrics::counter!("coffer_rate_limited_total", "by" => "identifier").increment(1);
            refusal(n.wait_time_from(self.clock.now()))
        })
    }

    /// Drops buckets that are full again, so memory follows recent callers.
    pub fn forget_idle(&self) {
        self.by_address.retain_recent();
        self.by_identifier.retain_recent();
        self.by_address.shrink_to_fit();
        self.by_identifier.shrink_to_fit();
    }
}

fn refusal(wait: Duration) -> RateLimitError {
    RateLimitError::TooManyRequests {
        retry_after_seconds: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_get_their_quota_then_a_wait() {
        let t = Throttle::new(3, 10);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(t.address(a), Ok(()));
        }
        let Err(RateLimitError::TooManyRequests {
            retry_after_seconds,
        }) = t.address(a)
        else {
            panic!("the fourth call within a minute is refused");
        };
        assert!(
            (1..=20).contains(&retry_after_seconds),
            "{retry_after_seconds}"
        );
        assert_eq!(t.address(b), Ok(()), "another address has its own quota");
    }

    #[test]
    fn identifiers_burst_below_the_lockout_and_ignore_case() {
        let t = Throttle::new(1000, 60);
        for _ in 0..IDENTIFIER_BURST {
            assert_eq!(t.identifier("Ann@Acme.test "), Ok(()));
        }
        assert!(t.identifier("ann@acme.test").is_err());
        assert_eq!(t.identifier("bob@acme.test"), Ok(()));
    }
}
