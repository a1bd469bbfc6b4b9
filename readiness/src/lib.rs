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
