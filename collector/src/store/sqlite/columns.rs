//! Between Rust values and SQLite columns: the conversions every backend shares
//! (`store::columns`), and SQLite's own: strict for UAIs, which key the aggregates.

use readiness::Uai;

pub(super) use crate::store::columns::{
    checks_json, compress_body, history_checks, link_figures, ms, parse_checks, parse_uuid,
    parse_verdict, stored_body, ts, verdict_str,
};
use crate::store::{TokenInfo, TokenScope};

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
