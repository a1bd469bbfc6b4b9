//! Between Rust values and SQLite columns: the conversions every backend shares
//! (`store::columns`), and SQLite's own: strict for UAIs, which key the aggregates.

use readiness::Uai;

pub(super) use crate::store::columns::{
    checks_json, compress_body, history_checks, link_figures, ms, parse_checks, parse_uuid,
    parse_verdict, stored_body, token_columns, ts, verdict_str,
};
use crate::store::{ReadScopeError, TokenInfo, TokenScope};

pub(super) fn parse_uai(s: String) -> rusqlite::Result<Uai> {
    s.parse().map_err(|e: readiness::UaiError| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(super) fn token_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    let scope: String = row.get(1)?;
    let school: Option<String> = row.get(2)?;
    let read_scope: String = row.get(5)?;
    let id: String = row.get(0)?;
    // The token's id says which one to revoke.
    let invalid = |e: String| {
        rusqlite::Error::FromSqlConversionFailure(
            5,
            rusqlite::types::Type::Text,
            format!("token {id}: {e}").into(),
        )
    };
    // Anything else is refused, never taken for a wider scope.
    let scope = match (scope.as_str(), school) {
        ("school", Some(s)) => TokenScope::School(parse_uai(s)?),
        ("read", _) => TokenScope::Read(
            read_scope
                .parse()
                .map_err(|e: ReadScopeError| invalid(e.to_string()))?,
        ),
        (other, _) => return Err(invalid(format!("token of unknown scope {other:?}"))),
    };
    Ok(TokenInfo {
        id,
        scope,
        created_at: ts(row.get(3)?),
        revoked_at: row.get::<_, Option<i64>>(4)?.map(ts),
    })
}
