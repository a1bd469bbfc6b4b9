//! `ent-collector copy --from DATABASE --to DATABASE`: a database's contents moved to another,
//! whatever the two backends (a département's SQLite file to the région's PostgreSQL).
//!
//! Row for row, table by table, in batches by primary key (keyset paging, so memory stays
//! bounded and each batch is one short transaction on the destination). Every row is
//! written "insert, or keep what is there" ([`Conflict`]), so that a copy run twice adds
//! nothing the second time, and a copy killed halfway and run again ends with the same
//! contents as one run to its end. Report bodies travel as stored (compressed), not
//! decompressed and compressed again.
//!
//! What is copied: the school directory, the host-name salt (the workstations' host names
//! are hashed with it: the destination takes the source's, which it may only while it holds
//! no report under its own), tokens (their hashes and read scopes), browser probe links and workstation credentials
//! (their hashes), every report
//! with its body, and each workstation's latest state. Not copied: the recent enrolment
//! events, which only rate-limit enrolments for a few minutes.

use super::{Store, StoreError};

/// One column's value, whatever the backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A column's type, as the backends declare it (PostgreSQL's binding needs the exact width).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// BIGINT (SQLite INTEGER): timestamps in milliseconds.
    Int8,
    /// INTEGER: scores.
    Int4,
    Float8,
    Bytes,
}

/// What a row does to a row of the destination with the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Left as it is (a report is never changed once stored).
    Nothing,
    /// Replaced when any column differs (every non-key column is NOT NULL).
    UpdateIfDifferent,
    /// Replaced when the condition holds (SQL over `excluded` and the table's row; the same
    /// text on both backends).
    UpdateWhere(&'static str),
}

/// A table as the copy sees it: its columns, the first `key` of which are its primary key.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub key: usize,
    pub conflict: Conflict,
}

use Kind::{Bytes, Float8, Int4, Int8, Text};

pub const SCHOOLS: Table = Table {
    name: "schools",
    columns: &[
        ("uai", Text),
        ("name", Text),
        ("commune", Text),
        ("circonscription_code", Text),
        ("circonscription_name", Text),
        ("departement", Text),
        ("academie_code", Text),
        ("academie_name", Text),
        ("region_code", Text),
        ("region_name", Text),
    ],
    key: 1,
    conflict: Conflict::UpdateIfDifferent,
};

/// Only taken when the destination holds no report yet, or the same salt (see [`copy`]).
pub const SETTINGS: Table = Table {
    name: "settings",
    columns: &[("key", Text), ("value", Text)],
    key: 1,
    conflict: Conflict::UpdateIfDifferent,
};

pub const TOKENS: Table = Table {
    name: "tokens",
    columns: &[
        ("id", Text),
        ("hash", Text),
        ("scope", Text),
        ("school", Text),
        ("created_at", Int8),
        ("revoked_at", Int8),
        ("read_scope", Text),
        ("scoped_hash", Text),
    ],
    key: 1,
    // A revocation made on the source since an earlier copy is carried over.
    conflict: Conflict::UpdateWhere(
        "tokens.revoked_at IS NULL AND excluded.revoked_at IS NOT NULL",
    ),
};

pub const PROBE_LINKS: Table = Table {
    name: "probe_links",
    columns: &[
        ("id", Text),
        ("hash", Text),
        ("school", Text),
        ("label_prefix", Text),
        ("created_at", Int8),
        ("expires_at", Int8),
        ("revoked_at", Int8),
    ],
    key: 1,
    // A revocation made on the source since an earlier copy is carried over.
    conflict: Conflict::UpdateWhere(
        "probe_links.revoked_at IS NULL AND excluded.revoked_at IS NOT NULL",
    ),
};

pub const ENROLMENTS: Table = Table {
    name: "enrolments",
    columns: &[
        ("school", Text),
        ("workstation_id", Text),
        ("label", Text),
        ("credential_hash", Text),
        ("enrolled_at", Int8),
        ("revoked_at", Int8),
    ],
    key: 2,
    // A later enrolment (a new credential), or a revocation, wins.
    conflict: Conflict::UpdateWhere(
        "excluded.enrolled_at > enrolments.enrolled_at
         OR (enrolments.revoked_at IS NULL AND excluded.revoked_at IS NOT NULL)",
    ),
};

pub const REPORTS: Table = Table {
    name: "reports",
    columns: &[
        ("school", Text),
        ("report_id", Text),
        ("workstation_id", Text),
        ("finished_at", Int8),
        ("received_at", Int8),
        ("verdict", Text),
        ("score", Int4),
        ("agent_verdict", Text),
        ("agent_score", Int4),
        ("checks", Text),
        ("body", Text),
        ("content_hash", Text),
        ("body_zstd", Bytes),
    ],
    key: 2,
    conflict: Conflict::Nothing,
};

pub const WORKSTATIONS: Table = Table {
    name: "workstations",
    columns: &[
        ("school", Text),
        ("workstation_id", Text),
        ("label", Text),
        ("hostname", Text),
        ("report_id", Text),
        ("finished_at", Int8),
        ("received_at", Int8),
        ("verdict", Text),
        ("score", Int4),
        ("checks", Text),
        ("failing", Text),
        ("download_mbps", Float8),
        ("upload_mbps", Float8),
        ("bandwidth_at", Int8),
        ("kind", Text),
    ],
    key: 2,
    // The destination's own later state (a report it received itself) is kept.
    conflict: Conflict::UpdateWhere("excluded.received_at > workstations.received_at"),
};

/// Every table copied, in the order of the copy (the latest states last, after the reports
/// they name).
pub const TABLES: [&Table; 6] = [
    &SCHOOLS,
    &TOKENS,
    &PROBE_LINKS,
    &ENROLMENTS,
    &REPORTS,
    &WORKSTATIONS,
];

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key_list(&self) -> String {
        self.columns[..self.key]
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The next `LIMIT $last` rows after the key given (or from the first), by key;
    /// `placeholder(n)` writes parameter n (from 1) in the backend's syntax.
    pub fn select_sql(&self, after: bool, placeholder: fn(usize) -> String) -> String {
        let keys = self.key_list();
        let mut sql = format!("SELECT {} FROM {}", self.column_list(), self.name);
        let mut n = 0;
        if after {
            let params: Vec<String> = (1..=self.key).map(placeholder).collect();
            sql.push_str(&format!(" WHERE ({keys}) > ({})", params.join(", ")));
            n = self.key;
        }
        sql.push_str(&format!(" ORDER BY {keys} LIMIT {}", placeholder(n + 1)));
        sql
    }

    /// Insert one row, or do to the row already there what [`Table::conflict`] says.
    pub fn insert_sql(&self, placeholder: fn(usize) -> String) -> String {
        let params: Vec<String> = (1..=self.columns.len()).map(placeholder).collect();
        let rest = &self.columns[self.key..];
        let set = rest
            .iter()
            .map(|(c, _)| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let action = match self.conflict {
            Conflict::Nothing => "DO NOTHING".to_owned(),
            Conflict::UpdateIfDifferent => {
                let differs = rest
                    .iter()
                    .map(|(c, _)| format!("{}.{c} <> excluded.{c}", self.name))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                format!("DO UPDATE SET {set} WHERE {differs}")
            }
            Conflict::UpdateWhere(cond) => format!("DO UPDATE SET {set} WHERE {cond}"),
        };
        format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) {action}",
            self.name,
            self.column_list(),
            params.join(", "),
            self.key_list()
        )
    }
}

/// What a copy did, per table: rows read from the source, rows written (inserted or
/// replaced) on the destination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyStats {
    pub tables: Vec<(&'static str, u64, u64)>,
}

impl CopyStats {
    /// Rows written, all tables together: 0 for a copy run again.
    pub fn written(&self) -> u64 {
        self.tables.iter().map(|t| t.2).sum()
    }
}

/// Copy everything from `from` to `to`, `batch` rows at a time, telling `progress` after
/// each batch.
pub fn copy(
    from: &dyn Store,
    to: &dyn Store,
    batch: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<CopyStats, StoreError> {
    let batch = batch.clamp(1, 100_000);
    let mut stats = CopyStats::default();
    let salt = from.hostname_salt()?;
    if to.hostname_salt()? != salt {
        if to.report_count()? > 0 || !to.workstation_briefs(None)?.is_empty() {
            return Err(StoreError::other(
                "copy",
                "the destination already holds reports under another host-name salt: \
                 copy into an empty database",
            ));
        }
        to.import_rows(
            &SETTINGS,
            vec![vec![Value::Text("hostname_salt".into()), Value::Text(salt)]],
        )?;
        progress("settings: the host-name salt taken from the source");
    }
    for table in TABLES {
        let (mut read, mut written) = (0u64, 0u64);
        let mut after: Option<Vec<Value>> = None;
        loop {
            let rows = from.export_rows(table, after.as_deref(), batch)?;
            let Some(last) = rows.last() else { break };
            after = Some(last[..table.key].to_vec());
            let n = rows.len();
            read += n as u64;
            written += to.import_rows(table, rows)?;
            progress(&format!(
                "{}: {read} rows read, {written} written",
                table.name
            ));
            if n < batch {
                break;
            }
        }
        stats.tables.push((table.name, read, written));
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dollar(n: usize) -> String {
        format!("${n}")
    }

    #[test]
    fn statements_page_by_key_and_never_overwrite_a_report() {
        assert_eq!(
            REPORTS.select_sql(true, dollar),
            "SELECT school, report_id, workstation_id, finished_at, received_at, verdict, score, \
             agent_verdict, agent_score, checks, body, content_hash, body_zstd FROM reports \
             WHERE (school, report_id) > ($1, $2) ORDER BY school, report_id LIMIT $3"
        );
        assert!(
            SCHOOLS
                .select_sql(false, dollar)
                .ends_with("ORDER BY uai LIMIT $1")
        );
        assert!(
            REPORTS
                .insert_sql(dollar)
                .ends_with("ON CONFLICT (school, report_id) DO NOTHING")
        );
        let schools = SCHOOLS.insert_sql(dollar);
        assert!(
            schools.contains("DO UPDATE SET name = excluded.name")
                && schools.contains("WHERE schools.name <> excluded.name OR"),
            "{schools}"
        );
    }
}
