//! Client-side rate limiting as client-go does it for `--qps` and
//! `--burst-limit`: a token bucket that starts full, holds `burst` tokens
//! and refills at `qps` per second; every request takes one.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// client-go's rate when `--qps` is 0.
const DEFAULT_QPS: f64 = 5.0;
/// client-go's burst when `--burst-limit` is 0.
const DEFAULT_BURST: f64 = 10.0;

/// A token bucket shared by every request of one client.
#[derive(Debug)]
pub struct Throttle {
    /// Tokens per second; `None` when limiting is off (a negative `--qps`).
    rate: Option<f64>,
    burst: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Throttle {
    /// The limiter for `--qps` and `--burst-limit` as client-go reads them:
    /// 0 means its defaults (5 per second, bursts of 10), a negative rate
    /// turns limiting off.
    pub fn new(qps: f32, burst: i64) -> Throttle {
        let rate = match f64::from(qps) {
            q if q < 0.0 => None,
            0.0 => Some(DEFAULT_QPS),
            q => Some(q),
        };
        // A burst of less than one would never let a request through.
        let burst = if burst <= 0 {
            DEFAULT_BURST
        } else {
            burst as f64
        };
        Throttle {
            rate,
            burst,
            state: Mutex::new(Bucket {
                tokens: burst,
                at: Instant::now(),
            }),
        }
    }

    /// Waits until a request may go.
    pub async fn acquire(&self) {
        if let Some(delay) = self.reserve() {
            tokio::time::sleep(delay).await;
        }
    }

    /// Takes a token now, possibly borrowing against the refill, and says
    /// how long to wait for the borrowed one.
    fn reserve(&self) -> Option<Duration> {
        let rate = self.rate?;
        let mut bucket = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(self.burst);
        bucket.at = now;
        bucket.tokens -= 1.0;
        (bucket.tokens < 0.0).then(|| Duration::from_secs_f64(-bucket.tokens / rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_pass_then_requests_wait_for_the_refill() {
        let t = Throttle::new(2.0, 3);
        assert_eq!(t.reserve(), None);
        assert_eq!(t.reserve(), None);
        assert_eq!(t.reserve(), None);
        let wait = t.reserve().expect("the fourth request waits");
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500));
        let wait = t.reserve().expect("the fifth waits longer");
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
    }

    #[test]
    fn a_negative_rate_turns_limiting_off_and_zero_means_defaults() {
        let off = Throttle::new(-1.0, 1);
        assert!((0..1000).all(|_| off.reserve().is_none()));
        let default = Throttle::new(0.0, 0);
        assert!((0..10).all(|_| default.reserve().is_none()));
        assert!(default.reserve().is_some());
    }
}
