//! Grading a number against a check's two thresholds: the one rule every numeric check
//! (memory, disk, bandwidth, DNS time, latency, clock skew, link speed, Wi-Fi signal) and
//! the collector's school link use, so that "at the threshold" means the same everywhere.

use crate::report::CheckStatus;

/// Which way a value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (Mbit/s, GiB, cores, dBm): `pass` is the floor to pass, `warn` the
    /// floor to warn.
    Higher,
    /// Less is better (ms, s): `pass` is the ceiling to pass, `warn` the ceiling to warn
    /// (the profile's `fail_*` limit: above it, the check fails).
    Lower,
}

/// Grade `value`: pass up to (or from) `pass`, warn up to (or from) `warn`, fail beyond.
/// Both thresholds are inclusive: a value equal to `pass` passes, one equal to `warn` warns.
/// NaN fails.
pub fn grade(value: f64, better: Better, pass: f64, warn: f64) -> CheckStatus {
    let within = |limit: f64| match better {
        Better::Higher => value >= limit,
        Better::Lower => value <= limit,
    };
    if within(pass) {
        CheckStatus::Pass
    } else if within(warn) {
        CheckStatus::Warn
    } else {
        CheckStatus::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckStatus::{Fail, Pass, Warn};

    /// `grade(value, better, pass, warn)` for each `(value, expected)`.
    fn assert_grades(better: Better, pass: f64, warn: f64, cases: &[(f64, CheckStatus)]) {
        for &(value, expected) in cases {
            assert_eq!(grade(value, better, pass, warn), expected, "{value}");
        }
    }

    #[test]
    fn lower_is_better_is_inclusive_at_the_thresholds() {
        let cases = [(100.0, Pass), (100.1, Warn), (1000.0, Warn), (1000.1, Fail)];
        assert_grades(Better::Lower, 100.0, 1000.0, &cases);
    }

    #[test]
    fn higher_is_better_is_inclusive_at_the_thresholds() {
        let cases = [
            (4.0, Pass),
            (3.9, Warn),
            (2.0, Warn),
            (1.9, Fail),
            (f64::NAN, Fail),
        ];
        assert_grades(Better::Higher, 4.0, 2.0, &cases);
        assert_grades(Better::Lower, 1.0, 2.0, &[(f64::NAN, Fail)]);
    }
}
