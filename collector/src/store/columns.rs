//! Between Rust values and columns, the same on every backend: timestamps as Unix
//! milliseconds, verdicts as their names, check lists as JSON text, ids as text. Reading is
//! lenient where a bad value cannot come from this collector (it wrote them).

use jiff::Timestamp;
use readiness::Verdict;
use uuid::Uuid;

use crate::store::{CheckSummary, LinkFigures};

pub(super) fn verdict_str(v: Verdict) -> &'static str {
    v.as_str()
}

pub(super) fn parse_verdict(s: &str) -> Verdict {
    match s {
        "ready" => Verdict::Ready,
        "ready_with_warnings" => Verdict::ReadyWithWarnings,
        "not_ready" => Verdict::NotReady,
        _ => Verdict::Incomplete,
    }
}

pub(super) fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(super) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(super) fn checks_json(checks: &[CheckSummary]) -> String {
    serde_json::to_string(checks).unwrap_or_else(|_| "[]".into())
}

pub(super) fn parse_checks(s: &str) -> Vec<CheckSummary> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The failing checks of a report, (id, blocking), as the `failing` column holds them.
pub(super) fn failing_json(checks: &[CheckSummary]) -> String {
    let failing: Vec<(&str, bool)> = checks
        .iter()
        .filter(|c| c.status == readiness::CheckStatus::Fail)
        .map(|c| (c.id.as_str(), c.blocking))
        .collect();
    serde_json::to_string(&failing).unwrap_or_else(|_| "[]".into())
}

pub(super) fn parse_failing(s: &str) -> Vec<(String, bool)> {
    if s == "[]" {
        Vec::new()
    } else {
        serde_json::from_str(s).unwrap_or_default()
    }
}

/// The bandwidth columns of a workstation row.
pub(super) fn link_figures(
    download: Option<f64>,
    upload: Option<f64>,
    at: Option<i64>,
) -> Option<LinkFigures> {
    at.map(|at| LinkFigures {
        download_mbps: download,
        upload_mbps: upload,
        measured_at: ts(at),
    })
}

pub(super) fn parse_uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap_or(Uuid::nil())
}
