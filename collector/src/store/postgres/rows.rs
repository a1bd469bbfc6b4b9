//! Rows of the PostgreSQL backend: copied values bound as their column's type, and the
//! conversions of the rows it reads.

use readiness::Uai;

use super::Fault;
use crate::store::columns::{link_figures, parse_checks, parse_uuid, parse_verdict, ts};
use crate::store::copy::{Kind, Value};
use crate::store::{ProbeLink, TokenInfo, TokenScope, WorkstationRow};

pub(super) type Param = Box<dyn tokio_postgres::types::ToSql + Sync + Send>;

/// A copied value bound as its column's type (PostgreSQL does not widen nor narrow).
pub(super) fn to_param(v: &Value, kind: Kind) -> Result<Param, Fault> {
    let mismatch = || Fault::Other(format!("a value {v:?} for a column of type {kind:?}"));
    Ok(match (kind, v) {
        (Kind::Text, Value::Null) => Box::new(None::<String>),
        (Kind::Text, Value::Text(s)) => Box::new(s.clone()),
        (Kind::Int8, Value::Null) => Box::new(None::<i64>),
        (Kind::Int8, Value::Int(i)) => Box::new(*i),
        (Kind::Int4, Value::Null) => Box::new(None::<i32>),
        (Kind::Int4, Value::Int(i)) => Box::new(i32::try_from(*i).map_err(|_| mismatch())?),
        (Kind::Float8, Value::Null) => Box::new(None::<f64>),
        (Kind::Float8, Value::Real(f)) => Box::new(*f),
        // SQLite keeps a REAL that is whole as an integer when it can.
        (Kind::Float8, Value::Int(i)) => Box::new(*i as f64),
        (Kind::Bytes, Value::Null) => Box::new(None::<Vec<u8>>),
        (Kind::Bytes, Value::Bytes(b)) => Box::new(b.clone()),
        _ => return Err(mismatch()),
    })
}

pub(super) fn from_column(row: &tokio_postgres::Row, i: usize, kind: Kind) -> Result<Value, Fault> {
    Ok(match kind {
        Kind::Text => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
        Kind::Int8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Kind::Int4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Value::Int(i64::from(v))),
        Kind::Float8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
        Kind::Bytes => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes),
    }
    .unwrap_or(Value::Null))
}

pub(crate) fn parse_uai(s: &str) -> Result<Uai, Fault> {
    s.parse()
        .map_err(|e: readiness::UaiError| Fault::Other(format!("stored school {s:?}: {e}")))
}

pub(super) fn score(v: i32) -> u8 {
    u8::try_from(v).unwrap_or(0)
}

pub(super) const WORKSTATION_COLUMNS: &str = "school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, download_mbps, upload_mbps, bandwidth_at, kind";

/// A row of `SELECT` [`WORKSTATION_COLUMNS`].
pub(super) fn workstation_row(row: &tokio_postgres::Row) -> Result<WorkstationRow, Fault> {
    Ok(WorkstationRow {
        school: parse_uai(row.try_get(0)?)?,
        workstation_id: parse_uuid(row.try_get(1)?),
        label: row.try_get(2)?,
        hostname: row.try_get(3)?,
        report_id: parse_uuid(row.try_get(4)?),
        finished_at: ts(row.try_get(5)?),
        received_at: ts(row.try_get(6)?),
        verdict: parse_verdict(row.try_get(7)?),
        score: score(row.try_get(8)?),
        checks: parse_checks(row.try_get(9)?),
        bandwidth: link_figures(row.try_get(10)?, row.try_get(11)?, row.try_get(12)?),
        browser: row.try_get::<_, &str>(13)? == "browser",
    })
}

/// A row of `SELECT id, scope, school, created_at, revoked_at, read_scope FROM tokens`.
pub(super) fn token_row(row: &tokio_postgres::Row) -> Result<TokenInfo, Fault> {
    let scope: &str = row.try_get(1)?;
    let school: Option<&str> = row.try_get(2)?;
    let read_scope: &str = row.try_get(5)?;
    let id: String = row.try_get(0)?;
    // Anything else is refused, never taken for a wider scope. The token's id says which
    // one to revoke.
    let scope =
        match (scope, school) {
            ("school", Some(s)) => TokenScope::School(parse_uai(s)?),
            ("read", _) => TokenScope::Read(read_scope.parse().map_err(
                |e: crate::store::ReadScopeError| Fault::Other(format!("token {id}: {e}")),
            )?),
            (other, _) => {
                return Err(Fault::Other(format!(
                    "token {id} is of unknown scope {other:?}"
                )));
            }
        };
    Ok(TokenInfo {
        id,
        scope,
        created_at: ts(row.try_get(3)?),
        revoked_at: row.try_get::<_, Option<i64>>(4)?.map(ts),
    })
}

/// A row of `SELECT id, hash, school, label_prefix, created_at, expires_at, revoked_at`.
pub(super) fn probe_link_row(row: &tokio_postgres::Row) -> Result<ProbeLink, Fault> {
    Ok(ProbeLink {
        id: row.try_get(0)?,
        hash: row.try_get(1)?,
        school: parse_uai(row.try_get(2)?)?,
        label_prefix: row.try_get(3)?,
        created_at: ts(row.try_get(4)?),
        expires_at: ts(row.try_get(5)?),
        revoked_at: row.try_get::<_, Option<i64>>(6)?.map(ts),
    })
}

pub(super) fn owned(school: Option<&Uai>) -> Option<String> {
    school.map(|s| s.as_str().to_owned())
}
