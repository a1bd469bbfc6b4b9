//! Between Rust values and SQLite columns: timestamps as Unix milliseconds, verdicts as
//! their names, check lists as JSON text. Reading is lenient where a bad value cannot come
//! from this collector (it wrote them), strict for UAIs, which key the aggregates.

use jiff::Timestamp;
use readiness::{Uai, Verdict};
use uuid::Uuid;

use crate::store::{CheckSummary, LinkFigures, TokenInfo, TokenScope};

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

pub(super) fn parse_uai(s: String) -> rusqlite::Result<Uai> {
    s.parse().map_err(|e: readiness::UaiError| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(super) fn token_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    let scope: String = row.get(1)?;
    let school: Option<String> = row.get(2)?;
    let scope = match (scope.as_str(), school) {
        ("school", Some(s)) => TokenScope::School(parse_uai(s)?),
        _ => TokenScope::Read,
    };
    Ok(TokenInfo {
        id: row.get(0)?,
        scope,
        created_at: ts(row.get(3)?),
        revoked_at: row.get::<_, Option<i64>>(4)?.map(ts),
    })
}
