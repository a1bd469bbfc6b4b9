//! The retry policy: exponential backoff with full jitter, `Retry-After` honoured, all
//! within a time budget.

use std::time::Duration;

use tokio::time::Instant;

/// Backoff: first delay bound and cap.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// The longest `Retry-After` the agent honours: a larger one (up to `u64::MAX` seconds, or
/// a date in year 9999) is read as this. Callers (enrolment, speed test) clamp it further to
/// what fits their own budget.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Parse `Retry-After`: delay in seconds or an HTTP date, at most [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let v = value.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s).min(MAX_RETRY_AFTER));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let secs = when
        .duration_since(now)
        .as_secs_f64()
        .clamp(0.0, MAX_RETRY_AFTER.as_secs_f64());
    Some(Duration::from_secs_f64(secs))
}

/// Exponential backoff with full jitter: the n-th delay is uniform in
/// `[0, min(cap, base * 2^n)]`; a `Retry-After` is honoured and the jitter added to it.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
        }
    }

    /// Upper bound of the next jitter window.
    pub fn window(&self) -> Duration {
        self.base
            .saturating_mul(2u32.saturating_pow(self.attempt.min(31)))
            .min(self.cap)
    }

    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let window = self.window();
        self.attempt = self.attempt.saturating_add(1);
        let jitter = Duration::from_secs_f64(rand::random_range(0.0..=window.as_secs_f64()));
        retry_after
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER)
            .saturating_add(jitter)
    }
}

/// A deadline for a phase of the run.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    end: Instant,
}

impl Budget {
    pub fn new(d: Duration) -> Budget {
        Budget {
            end: Instant::now() + d,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now: jiff::Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Mon, 02 Mar 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Mon, 02 Mar 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        // Beyond any sane delay: clamped, not overflowing what it is added to.
        for huge in [u64::MAX.to_string(), "99999999999".into()] {
            assert_eq!(parse_retry_after(&huge, now), Some(MAX_RETRY_AFTER));
        }
        assert_eq!(
            parse_retry_after("Wed, 01 Dec 9999 00:00:00 GMT", now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_retry_after("18446744073709551616", now), None);
    }

    #[test]
    fn backoff_is_bounded_and_grows_to_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let windows: Vec<u64> = (0..10)
            .map(|_| {
                let w = b.window();
                let d = b.next_delay(None);
                assert!(d <= w, "{d:?} > {w:?}");
                w.as_secs()
            })
            .collect();
        assert_eq!(windows, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
        // Full jitter: over many draws the delays are spread, not all at the bound.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(1));
        let draws: Vec<Duration> = (0..200).map(|_| b.next_delay(None)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(500)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(500)));
        // Retry-After is a floor; jitter is added on top.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let d = b.next_delay(Some(Duration::from_secs(30)));
        assert!(
            d >= Duration::from_secs(30) && d <= Duration::from_secs(31),
            "{d:?}"
        );
        // Neither does a huge Retry-After (one not from parse_retry_after), with a grown
        // jitter window.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        b.attempt = 10;
        let d = b.next_delay(Some(Duration::MAX));
        assert!(d >= MAX_RETRY_AFTER && d <= MAX_RETRY_AFTER + Duration::from_secs(60));
        // Huge attempt counts do not overflow.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        b.attempt = u32::MAX;
        assert!(b.next_delay(None) <= Duration::from_secs(60));
    }
}
