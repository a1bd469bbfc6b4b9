//! The bandwidth part of a profile: how the agent runs the test (`[bandwidth]`), the
//! thresholds of its checks (`[checks."bandwidth.download"]`, `[checks."bandwidth.upload"]`,
//! `[checks."bandwidth.loaded_latency"]`) and the school-level figures the collector derives
//! (`simultaneous_users`, the per-user downlink thresholds).
//!
//! Every section may be left out of a profile written before it existed: it then takes the
//! built-in profile's values, which a unit test keeps equal to the `Default`s here.

use super::{CheckMeta, MAX_MBPS, NumericCheck, check_at_least_one, check_between};

section! {
    /// How the bandwidth test runs, and what the collector makes of a school's figures.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Bandwidth {
        /// Longest time per direction, in seconds.
        pub max_seconds: f64,
        /// Most bytes moved per direction, in MiB.
        pub max_mib: f64,
        /// Streams at the start, and the most the ramp adds up to.
        pub min_streams: u32,
        pub max_streams: u32,
        /// Pupils and teachers using the ENT at the same time in a school: the school's
        /// downlink is shared between them (collector).
        pub simultaneous_users: u32,
        /// Downlink per simultaneous user, in Mbit/s: `>= pass` passes, `>= warn` warns
        /// (collector).
        pub per_user_pass_mbps: f64,
        pub per_user_warn_mbps: f64,
        /// Measurements older than this are left out of the school's figures (collector).
        pub recent_days: u32,
    }
    check(r) {
        if !(2.0..=20.0).contains(&r.max_seconds) {
            return Err(format!(
                "max_seconds must be between 2 and 20 (both directions and the latency probes must fit in the collector's 60 s speed-test session), got {}",
                r.max_seconds
            ));
        }
        check_between("max_mib", r.max_mib, 1.0..=8192.0)?;
        if r.min_streams == 0 || r.max_streams < r.min_streams || r.max_streams > 64 {
            return Err(format!(
                "streams: need 1 <= min_streams ({}) <= max_streams ({}) <= 64",
                r.min_streams, r.max_streams
            ));
        }
        check_at_least_one(&[
            ("simultaneous_users", r.simultaneous_users),
            ("recent_days", r.recent_days),
        ])?;
        check_between("simultaneous_users", r.simultaneous_users, 1..=10_000)?;
        check_between("recent_days", r.recent_days, 1..=365)?;
        check_between("per_user_pass_mbps", r.per_user_pass_mbps, 0.0..=MAX_MBPS)?;
        if !(r.per_user_warn_mbps.is_finite() && r.per_user_warn_mbps >= 0.0)
            || r.per_user_warn_mbps > r.per_user_pass_mbps
        {
            return Err(format!(
                "per_user_warn_mbps ({}) must be >= 0 and not above per_user_pass_mbps ({})",
                r.per_user_warn_mbps, r.per_user_pass_mbps
            ));
        }
    }
    default {
        max_seconds: 10.0,
        max_mib: 1024.0,
        min_streams: 4,
        max_streams: 16,
        simultaneous_users: 25,
        per_user_pass_mbps: 1.0,
        per_user_warn_mbps: 0.5,
        recent_days: 30,
    }
}

/// Built-in `bandwidth.download`: the school's downlink as one PC sees it, in Mbit/s.
pub fn default_download() -> NumericCheck {
    NumericCheck {
        meta: CheckMeta::new(6.0, false),
        pass: 30.0,
        warn: 8.0,
    }
}

/// Built-in `bandwidth.upload`, in Mbit/s.
pub fn default_upload() -> NumericCheck {
    NumericCheck {
        meta: CheckMeta::new(3.0, false),
        pass: 5.0,
        warn: 1.0,
    }
}

limit_ms_check! {
    /// `bandwidth.loaded_latency`: median round trip while the link is full, in ms. Less is
    /// better: `<= pass_ms` passes, `<= fail_ms` warns, above fails.
    LoadedLatencyCheck, keys: ("pass_ms", "fail_ms"),
    default: { weight: 3.0, blocking: false, pass_ms: 100.0, fail_ms: 400.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{DEFAULT_PROFILE_TOML, Profile};

    #[test]
    fn shipped_profile_matches_the_defaults() {
        let p = Profile::default_profile();
        assert_eq!(p.bandwidth, Bandwidth::default());
        assert_eq!(p.checks.bandwidth_download, default_download());
        assert_eq!(p.checks.bandwidth_upload, default_upload());
        assert_eq!(
            p.checks.bandwidth_loaded_latency,
            LoadedLatencyCheck::default()
        );
    }

    /// A profile written before the bandwidth test existed still loads, with the defaults.
    #[test]
    fn sections_may_be_left_out() {
        let text = crate::samples::profile_without(
            DEFAULT_PROFILE_TOML,
            &["[bandwidth]", "[checks.\"bandwidth."],
        );
        assert!(!text.contains("bandwidth"), "fixture still has bandwidth");
        let p = Profile::from_toml_str(&text, "old.toml").unwrap();
        assert_eq!(p.bandwidth, Bandwidth::default());
        assert_eq!(p.checks.bandwidth_download, default_download());
    }

    #[test]
    fn bad_values_are_refused() {
        let bad = |old: &str, new: &str| {
            assert!(DEFAULT_PROFILE_TOML.contains(old), "fixture: {old}");
            let text = DEFAULT_PROFILE_TOML.replacen(old, new, 1);
            Profile::from_toml_str(&text, "p.toml").unwrap_err().message
        };
        assert!(bad("max_streams = 16", "max_streams = 2").contains("min_streams"));
        assert!(bad("per_user_warn_mbps = 0.5", "per_user_warn_mbps = 3").contains("per_user"));
        assert!(
            bad(
                "pass_ms = 100\nfail_ms = 400",
                "pass_ms = 500\nfail_ms = 400"
            )
            .contains("less is better")
        );
    }
}
