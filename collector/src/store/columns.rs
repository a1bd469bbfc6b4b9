//! Between Rust values and columns, the same on every backend: timestamps as Unix
//! milliseconds, verdicts as their names, check lists as JSON text, ids as text. Reading is
//! lenient where a bad value cannot come from this collector (it wrote them).

use jiff::Timestamp;
use readiness::Verdict;
use uuid::Uuid;

use crate::store::{CheckSummary, LinkFigures, TokenScope};

/// A token's `scope`, `school` and `read_scope` columns. A school token's `read_scope` is
/// the column's default, `all`, and means nothing (only a `read` token has a read scope).
/// The columns of a token's row: `(scope, school, read_scope, hash, scoped_hash)`.
///
/// A read token of a narrower scope than `all` keeps its hash in `scoped_hash`, and a
/// placeholder that is no SHA-256 in `hash`: a collector older than scopes looks tokens up
/// by `hash` alone and would take any read token for one of scope all, so it never finds
/// these (a rolled-back binary, or an old node still running on a shared database, fails
/// closed: 401, never every school).
pub(super) fn token_columns(
    id: &str,
    hash: &str,
    scope: &TokenScope,
) -> (&'static str, Option<String>, String, String, Option<String>) {
    match scope {
        TokenScope::School(u) => (
            "school",
            Some(u.as_str().to_owned()),
            "all".to_owned(),
            hash.to_owned(),
            None,
        ),
        TokenScope::Read(r) if r.is_all() => ("read", None, r.to_string(), hash.to_owned(), None),
        TokenScope::Read(r) => (
            "read",
            None,
            r.to_string(),
            format!("scoped:{id}"),
            Some(hash.to_owned()),
        ),
    }
}

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

/// A report's checks as its history keeps them (`reports.checks`): ids, statuses and
/// whether they block, without the messages, which its body holds already (the latest
/// state, `workstations.checks`, keeps them, as JSON, for the school's page). Compact, as
/// every report stores it: `P!system.os_support,Fbrowser.any` (the status's initial, `!`
/// when it blocks, the id; comma separated), under half the JSON. Rows stored before hold
/// JSON, which [`parse_checks`] reads too; an id the compact form cannot carry (empty, with
/// a comma, or starting with `!`) keeps the whole list in JSON.
pub(super) fn history_checks(checks: &[CheckSummary]) -> String {
    use readiness::CheckStatus;
    if checks
        .iter()
        .any(|c| c.id.is_empty() || c.id.contains(',') || c.id.starts_with('!'))
    {
        let bare: Vec<CheckSummary> = checks
            .iter()
            .map(|c| CheckSummary {
                message: String::new(),
                ..c.clone()
            })
            .collect();
        return checks_json(&bare);
    }
    let mut out = String::with_capacity(checks.len() * 24);
    for (i, c) in checks.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push(match c.status {
            CheckStatus::Pass => 'P',
            CheckStatus::Warn => 'W',
            CheckStatus::Fail => 'F',
            CheckStatus::Unknown => 'U',
        });
        if c.blocking {
            out.push('!');
        }
        out.push_str(&c.id);
    }
    out
}

/// A check list as stored: JSON (the latest states, and history rows of before), or the
/// history's compact form ([`history_checks`]).
pub(super) fn parse_checks(s: &str) -> Vec<CheckSummary> {
    use readiness::CheckStatus;
    if s.starts_with('[') {
        return serde_json::from_str(s).unwrap_or_default();
    }
    s.split(',')
        .filter_map(|item| {
            let mut chars = item.chars();
            let status = match chars.next()? {
                'P' => CheckStatus::Pass,
                'W' => CheckStatus::Warn,
                'F' => CheckStatus::Fail,
                _ => CheckStatus::Unknown,
            };
            let rest = chars.as_str();
            let (blocking, id) = match rest.strip_prefix('!') {
                Some(id) => (true, id),
                None => (false, rest),
            };
            (!id.is_empty()).then(|| CheckSummary {
                id: id.to_owned(),
                status,
                blocking,
                message: String::new(),
            })
        })
        .collect()
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

/// The zstd level of stored report bodies: a report compresses about fivefold (JSON with
/// repeated keys), in well under a millisecond.
const BODY_LEVEL: i32 = 9;

/// Largest body read back (a stored body is at most the `--max-body` it was received under).
const MAX_BODY: u64 = 64 << 20;

/// A report's body as stored (the `body_zstd` column).
pub(super) fn compress_body(body: &str) -> Vec<u8> {
    zstd::bulk::compress(body.as_bytes(), BODY_LEVEL).unwrap_or_default()
}

/// A stored body: compressed (`body_zstd`, since migration 4), else the text of the rows
/// stored before (`body`).
pub(super) fn stored_body(text: String, compressed: Option<&[u8]>) -> std::io::Result<String> {
    use std::io::Read;
    let Some(data) = compressed else {
        return Ok(text);
    };
    let mut out = String::new();
    zstd::stream::read::Decoder::new(data)?
        .take(MAX_BODY)
        .read_to_string(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_checks_are_compact_and_read_back_either_way() {
        use readiness::CheckStatus;
        let check = |id: &str, status, blocking| CheckSummary {
            id: id.into(),
            status,
            blocking,
            message: String::new(),
        };
        let checks = vec![
            check("system.os_support", CheckStatus::Pass, true),
            check("browser.any", CheckStatus::Fail, false),
            check("net.dns", CheckStatus::Warn, true),
            check("clock", CheckStatus::Unknown, false),
        ];
        let stored = history_checks(&checks);
        assert_eq!(stored, "P!system.os_support,Fbrowser.any,W!net.dns,Uclock");
        assert_eq!(parse_checks(&stored), checks);
        assert!(stored.len() * 2 < checks_json(&checks).len());
        // Rows of before, and the latest states: JSON.
        assert_eq!(parse_checks(&checks_json(&checks)), checks);
        assert_eq!(parse_checks(""), Vec::new());
        assert_eq!(parse_checks("[]"), Vec::new());
        // An id the compact form cannot carry: the list in JSON.
        let odd = vec![check("a,b", CheckStatus::Pass, false)];
        assert_eq!(parse_checks(&history_checks(&odd)), odd);
    }

    #[test]
    fn bodies_are_kept_compressed_and_read_back_either_way() {
        let body = serde_json::json!({"checks": vec!["system.os_support"; 200]}).to_string();
        let stored = compress_body(&body);
        assert!(stored.len() * 10 < body.len(), "{}", stored.len());
        assert_eq!(stored_body(String::new(), Some(&stored)).unwrap(), body);
        // A row from before the compression.
        assert_eq!(stored_body("{}".into(), None).unwrap(), "{}");
        assert!(stored_body(String::new(), Some(b"not zstd")).is_err());
    }
}
