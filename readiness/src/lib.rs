//! ENT readiness domain: the report schema (versioned), the readiness profile, the checks
//! and their scoring, UAI codes and the OS lifecycle table.
//!
//! Pure: no I/O, no async. Both the agent and the collector depend on it, so that a report
//! scored on a PC and re-scored by the collector give the same answer for the same profile.

pub mod api;
pub mod lifecycle;
pub mod limits;
pub mod measurements;
pub mod privacy;
pub mod profile;
pub mod report;
#[doc(hidden)]
pub mod samples;
pub mod scoring;
pub mod stats;
pub mod text;
pub mod uai;
pub mod useragent;

pub use measurements::Measurements;
pub use profile::{Profile, ProfileError};
pub use report::{CheckResult, CheckStatus, CheckValue, Lang, Report, Verdict};
pub use uai::{Uai, UaiError};

/// The checks, score and verdict for some measurements: what both binaries call.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub checks: Vec<CheckResult>,
    pub score: u8,
    pub verdict: Verdict,
}

/// Score measurements against a profile as of `today` (the audit's date), texts in `lang`.
pub fn assess(
    measurements: &Measurements,
    profile: &Profile,
    today: jiff::civil::Date,
    lang: Lang,
) -> Assessment {
    let checks = scoring::evaluate(measurements, profile, today, lang);
    let (score, verdict) = scoring::summarize(&checks, &profile.scoring);
    Assessment {
        checks,
        score,
        verdict,
    }
}

/// Score a browser probe's measurements (`report::Probe::Browser`): the same checks as
/// [`assess`], less those a browser cannot measure at all (disk, architecture, memory when
/// not exposed, DNS, proxy, interface, clock, the ICMP/TCP latency targets), which are left
/// out; the TLS checks, which a browser hides, stay as `unknown` with weight 0 (shown, never
/// counted towards `incomplete`).
pub fn assess_browser(
    measurements: &Measurements,
    profile: &Profile,
    today: jiff::civil::Date,
    lang: Lang,
) -> Assessment {
    let checks: Vec<CheckResult> = scoring::evaluate(measurements, profile, today, lang)
        .into_iter()
        .filter_map(|c| scoring::for_browser(c, lang))
        .collect();
    let (score, verdict) = scoring::summarize(&checks, &profile.scoring);
    Assessment {
        checks,
        score,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The browser's assessment keeps what a browser measures, leaves out what it cannot,
    /// and shows the TLS checks as unknown without counting them.
    #[test]
    fn a_browser_assessment_leaves_out_what_a_browser_cannot_measure() {
        let profile = Profile::default_profile();
        let now: jiff::Timestamp = "2026-11-28T09:00:00Z".parse().unwrap();
        let mut m = samples::good_pc(&profile, now);
        m.bandwidth = Some(samples::good_link("https://collecteur.example/"));
        let day = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let agent = assess(&m, &profile, day, Lang::En);
        let browser = assess_browser(&m, &profile, day, Lang::En);
        let ids = |a: &Assessment| a.checks.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert!(ids(&agent).contains(&"system.disk_free".to_owned()));
        for gone in ["system.disk_free", "system.architecture", "network.proxy"] {
            assert!(!ids(&browser).contains(&gone.to_owned()), "{gone}");
        }
        assert!(!ids(&browser).iter().any(|id| id.starts_with("dns.")));
        for kept in ["system.os_support", "bandwidth.download", "browser.any"] {
            assert!(ids(&browser).contains(&kept.to_owned()), "{kept}");
        }
        let tls: Vec<_> = browser
            .checks
            .iter()
            .filter(|c| c.id.ends_with(".tls") || c.id == "network.tls_interception")
            .collect();
        assert!(!tls.is_empty());
        for c in tls {
            assert_eq!(
                (c.status, c.weight, c.blocking),
                (CheckStatus::Unknown, 0.0, false)
            );
            assert!(c.message.contains("browser"), "{}", c.message);
        }
        // A good device is not `incomplete` for want of what a browser hides.
        assert_ne!(browser.verdict, Verdict::Incomplete);
    }
}
