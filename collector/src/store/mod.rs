//! Storage behind one trait, so that the backend is a deployment choice: SQLite embedded
//! (the default, one file, WAL) for a département; PostgreSQL for several collectors behind
//! a load balancer (a second implementation of the same trait). The backend is chosen by the
//! `--database` value: a path or `sqlite://PATH` for SQLite, `postgres://USER@HOST:PORT/DB`
//! for PostgreSQL.
//!
//! The trait is synchronous: handlers call it on the blocking pool. Writes are durable when
//! a method returns `Ok`.

mod columns;
pub mod copy;
pub mod migrations;
pub mod postgres;
mod read_scope;
pub mod sqlite;

pub use read_scope::{MAX_SCHOOLS as READ_SCOPE_MAX_SCHOOLS, ReadScope, ReadScopeError};

use jiff::Timestamp;
use readiness::{CheckStatus, Uai, Verdict};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the aggregates need of each check of a report: small, stored per workstation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub id: String,
    pub status: CheckStatus,
    pub blocking: bool,
    /// The collector's message (for the school's detail page).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// A validated, re-scored report ready to be stored.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub report_id: Uuid,
    pub school: Uai,
    pub workstation_id: Uuid,
    pub label: Option<String>,
    pub hostname: Option<String>,
    pub finished_at: Timestamp,
    pub received_at: Timestamp,
    /// The collector's verdict and score (authoritative).
    pub verdict: Verdict,
    pub score: u8,
    /// What the agent claimed, kept for comparison only.
    pub agent_verdict: Verdict,
    pub agent_score: u8,
    pub checks: Vec<CheckSummary>,
    /// The report as received.
    pub body: String,
    /// The bandwidth figures of the report, when its test ran.
    pub bandwidth: Option<LinkFigures>,
    /// Who submits it, and what the store must check before keeping it.
    pub admission: Admission,
}

/// What the store checks, in the transaction that stores a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    /// [`content_hash`] of the report: the same id with another hash is a conflict.
    pub content_hash: String,
    pub submitter: Submitter,
    /// Whether the report may become its workstation's latest state (false for a report
    /// dated in the future beyond the clock tolerance: it is kept in the history only).
    pub may_be_latest: bool,
    /// A browser probe's report (a device without the agent): its workstation's `kind` is
    /// `browser`, counted apart in the school's summary.
    pub browser: bool,
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            content_hash: String::new(),
            submitter: Submitter::Trusted,
            may_be_latest: true,
            browser: false,
        }
    }
}

/// Who submits a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter {
    /// The workstation's own credential (checked by the caller against the report's
    /// workstation id).
    Credential,
    /// The school's token: refused for an enrolled workstation (it has a credential), and,
    /// for a workstation the collector does not know yet, only while the school has fewer
    /// than `max_workstations`.
    SchoolToken { max_workstations: u32 },
    /// A browser probe link: a device the collector does not know yet only while the
    /// school has fewer than `max_devices` browser devices. Browser devices never count in
    /// the workstations' cap (`SchoolToken`, enrolment).
    Browser { max_devices: u32 },
    /// No check (imports, benchmarks, tests).
    Trusted,
}

/// The hash that says whether two reports with one id are the same report: SHA-256 of the
/// report as the collector reads it, re-serialised from its typed form (so whitespace, key
/// order and fields the collector ignores do not count; every value it reads does).
pub fn content_hash(report: &readiness::Report) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(report).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// A workstation's bandwidth figures (Mbit/s), for the school's link estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinkFigures {
    pub download_mbps: Option<f64>,
    pub upload_mbps: Option<f64>,
    /// When they were measured (the report's end).
    pub measured_at: Timestamp,
}

impl LinkFigures {
    /// The figures of a report; `None` when its bandwidth test did not measure anything.
    /// Values that cannot be a measurement (negative, not finite, beyond 100 Gbit/s) are
    /// left out.
    pub fn of(report: &readiness::Report) -> Option<LinkFigures> {
        let bw = report.measurements.bandwidth.as_ref()?;
        let valid = |v: Option<f64>| v.filter(|x| x.is_finite() && (0.0..=100_000.0).contains(x));
        let f = LinkFigures {
            download_mbps: valid(bw.download_mbps),
            upload_mbps: valid(bw.upload_mbps),
            measured_at: report.finished_at,
        };
        (f.download_mbps.is_some() || f.upload_mbps.is_some()).then_some(f)
    }
}

/// Result of storing a report: new, or already there (idempotent on the school and report
/// id), or refused by its [`Admission`].
#[derive(Debug, Clone, PartialEq)]
pub enum InsertOutcome {
    Stored,
    Duplicate {
        verdict: Verdict,
        score: u8,
    },
    /// The school already holds another report under this id.
    Conflict,
    /// A school token submitted for an enrolled workstation.
    CredentialRequired,
    /// A school token submitted for a new workstation of a school at its cap.
    WorkstationLimit {
        max: u32,
    },
}

/// A workstation credential being issued.
#[derive(Debug, Clone)]
pub struct NewEnrolment {
    pub school: Uai,
    pub workstation_id: Uuid,
    pub label: Option<String>,
    /// SHA-256 of the credential ([`crate::tokens::hash`]).
    pub credential_hash: String,
    pub at: Timestamp,
    /// The school's cap on workstations (enrolled, or known from their reports).
    pub max_workstations: u32,
    /// At most `rate.0` enrolments of one school within `rate.1` seconds.
    pub rate: (u32, u32),
}

/// What became of an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolOutcome {
    /// Issued; `replaced` when the workstation was enrolled already (its old credential no
    /// longer works).
    Enrolled { replaced: bool },
    /// The school holds `max` workstations.
    Full { max: u32 },
    /// Too many enrolments of this school lately; retry in `retry_after` seconds.
    RateLimited { retry_after: u64 },
}

/// An enrolled workstation, for listing.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolmentRow {
    pub school: Uai,
    pub workstation_id: Uuid,
    pub label: Option<String>,
    pub enrolled_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// When its latest report was received.
    pub last_report_at: Option<Timestamp>,
}

/// What a workstation credential is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialInfo {
    pub school: Uai,
    pub workstation_id: Uuid,
    pub revoked: bool,
}

/// The latest state of one workstation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkstationRow {
    pub school: Uai,
    pub workstation_id: Uuid,
    pub label: Option<String>,
    pub hostname: Option<String>,
    pub report_id: Uuid,
    pub finished_at: Timestamp,
    pub received_at: Timestamp,
    pub verdict: Verdict,
    pub score: u8,
    pub checks: Vec<CheckSummary>,
    /// The last bandwidth figures it reported (possibly from an earlier report).
    pub bandwidth: Option<LinkFigures>,
    /// A device of the browser probe (a tablet...), not an agent's workstation.
    pub browser: bool,
}

/// What the school aggregates need of a workstation's latest state: small and quick to load
/// for every workstation of a département.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkstationBrief {
    pub school: Uai,
    pub finished_at: Timestamp,
    pub received_at: Timestamp,
    pub verdict: Verdict,
    pub score: u8,
    /// Failing checks: (id, blocking).
    pub failing: Vec<(String, bool)>,
    /// The last bandwidth figures it reported (possibly from an earlier report).
    pub bandwidth: Option<LinkFigures>,
    /// A browser probe's device (a tablet...): counted apart from the workstations.
    pub browser: bool,
}

/// One stored report, in the compact form history needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub workstation_id: Uuid,
    pub finished_at: Timestamp,
    pub verdict: Verdict,
    pub score: u8,
    pub checks: Vec<CheckSummary>,
}

/// A school from the directory ("annuaire de l'éducation").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct School {
    pub uai: Uai,
    pub name: String,
    pub commune: String,
    pub circonscription_code: String,
    pub circonscription_name: String,
    pub departement: String,
    /// The académie and the région above the département (empty when the directory file
    /// does not carry them).
    pub academie: Area,
    pub region: Area,
}

/// An académie or a région: its code and its name ("libellé") in the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: String,
    pub name: String,
}

impl Area {
    /// Neither a code nor a name.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty() && self.name.is_empty()
    }
}

/// What a token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// Submit reports (and fetch the profile) for one school.
    School(Uai),
    /// Read the aggregated API, within a scope (stored in `tokens.read_scope`).
    Read(ReadScope),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub id: String,
    pub scope: TokenScope,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// Counts of a purge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeStats {
    pub reports: u64,
    pub workstations: u64,
}

/// A storage failure, whatever the backend. `target` names the database: a SQLite path, or
/// a PostgreSQL URL without its password ([`postgres::redact`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend's own error (its driver's). Its text is part of this one's, not a
    /// separate source, so that an error chain does not print it twice.
    #[error("database {target}: {cause}")]
    Backend {
        target: String,
        cause: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    #[error("database {target}: {message}")]
    Other { target: String, message: String },
    #[error(
        "unsupported database {0:?}: use a file path, sqlite://PATH or postgres://USER@HOST:PORT/DB"
    )]
    UnsupportedUrl(String),
}

impl StoreError {
    pub(crate) fn backend(
        target: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Backend {
            target: target.to_owned(),
            cause: Box::new(source),
        }
    }

    pub(crate) fn other(target: &str, message: impl Into<String>) -> StoreError {
        StoreError::Other {
            target: target.to_owned(),
            message: message.into(),
        }
    }
}

/// A browser probe link (`ent-collector probe-link`): a capability for one school, stored
/// by the hash of its code; the code itself is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeLink {
    pub id: String,
    /// SHA-256 of the code ([`crate::tokens::hash`]).
    pub hash: String,
    pub school: Uai,
    /// Label of the devices that report through this link ("tablette" -> "tablette 3f2a").
    pub label_prefix: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// The collector's storage.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Store a report and update its workstation's latest state, durably, unless a report
    /// with that id is already stored.
    fn insert_report(&self, report: NewReport) -> Result<InsertOutcome, StoreError>;
    /// Latest state of every workstation (of one school, or of all).
    fn workstations(&self, school: Option<&Uai>) -> Result<Vec<WorkstationRow>, StoreError>;
    /// The brief latest state of every workstation (of one school, or of all).
    fn workstation_briefs(&self, school: Option<&Uai>)
    -> Result<Vec<WorkstationBrief>, StoreError>;
    /// One page of a school's workstations (latest states, by workstation id), and how many
    /// the school has.
    fn school_workstations(
        &self,
        school: &Uai,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<WorkstationRow>, u64), StoreError>;
    /// The reports of a school that finished at `since` or later, oldest first: the latest
    /// `limit` of them at most.
    fn school_reports(
        &self,
        school: &Uai,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<ReportRow>, StoreError>;
    /// Number of stored reports.
    fn report_count(&self) -> Result<u64, StoreError>;
    /// The raw body of a stored report of a school.
    fn report_body(&self, school: &Uai, report_id: &Uuid) -> Result<Option<String>, StoreError>;

    fn schools(&self) -> Result<Vec<School>, StoreError>;
    /// Insert or update schools; returns how many rows were written.
    fn upsert_schools(&self, schools: &[School]) -> Result<usize, StoreError>;

    fn create_token(&self, id: &str, hash: &str, scope: &TokenScope) -> Result<(), StoreError>;
    fn token_by_hash(&self, hash: &str) -> Result<Option<TokenInfo>, StoreError>;
    /// Revoke by id; false when no active token has that id.
    fn revoke_token(&self, id: &str) -> Result<bool, StoreError>;
    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;

    /// Issue (or replace) a workstation's credential, within the school's cap and rate.
    fn enrol(&self, enrolment: NewEnrolment) -> Result<EnrolOutcome, StoreError>;
    /// The workstation a credential (by its hash) belongs to.
    fn credential_by_hash(&self, hash: &str) -> Result<Option<CredentialInfo>, StoreError>;
    /// Enrolled workstations (of one school, or of all), by school and enrolment time.
    fn enrolments(&self, school: Option<&Uai>) -> Result<Vec<EnrolmentRow>, StoreError>;
    /// Revoke the credential of a workstation id; returns how many were revoked (0 when no
    /// active enrolment has that id).
    fn revoke_enrolment(&self, workstation_id: &Uuid) -> Result<usize, StoreError>;
    /// Store a browser probe link (its code hashed, [`crate::tokens::hash`]).
    fn create_probe_link(&self, link: &ProbeLink) -> Result<(), StoreError>;
    /// The probe link whose code has this hash.
    fn probe_link_by_hash(&self, hash: &str) -> Result<Option<ProbeLink>, StoreError>;
    /// Every probe link (of one school, or of all), oldest first; never the codes.
    fn probe_links(&self, school: Option<&Uai>) -> Result<Vec<ProbeLink>, StoreError>;
    /// Revoke a probe link by id; false when no active link has that id.
    fn revoke_probe_link(&self, id: &str) -> Result<bool, StoreError>;
    /// The deployment's secret host-name salt, generated when the database was created.
    fn hostname_salt(&self) -> Result<String, StoreError>;

    /// Delete reports received before `before`, and workstations whose latest report is
    /// older than that.
    fn purge(&self, before: Timestamp) -> Result<PurgeStats, StoreError>;

    /// The next `limit` rows of a table after the key `after` (or from the first), by key,
    /// as stored: what `ent-collector copy` reads ([`copy`]).
    fn export_rows(
        &self,
        table: &'static copy::Table,
        after: Option<&[copy::Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<copy::Value>>, StoreError>;
    /// Write rows of a table read by [`Store::export_rows`] (of either backend) in one
    /// transaction, each inserted or merged as [`copy::Table::conflict`] says; how many were
    /// written (0 when all were there already).
    fn import_rows(
        &self,
        table: &'static copy::Table,
        rows: Vec<Vec<copy::Value>>,
    ) -> Result<u64, StoreError>;

    /// The schools whose workstations' latest state was received at `since` or later, by
    /// any collector on this database, each with its latest such time, for a node to
    /// refresh what others wrote. `None` when the backend has one serving collector
    /// (SQLite): it knows what it wrote.
    fn schools_written_since(
        &self,
        since: Timestamp,
    ) -> Result<Option<Vec<(Uai, Timestamp)>>, StoreError> {
        let _ = since;
        Ok(None)
    }

    /// How the nodes on this database share the summaries' full recompute; `None` when the
    /// backend has one serving collector (SQLite): it does every one itself.
    fn cluster(&self) -> Option<&dyn ClusterSummaries> {
        None
    }
}

/// The scheduled full recompute of the summaries, as the nodes of one database share it.
pub trait ClusterSummaries {
    /// Claim the scheduled full recompute at `now`: true when this node is to do it, that
    /// is when no node claimed one within the last `every` (less a little slack, as the
    /// nodes' clocks and timers differ).
    fn claim_full_pass(
        &self,
        now: Timestamp,
        every: std::time::Duration,
    ) -> Result<bool, StoreError>;
    /// Record, for the other nodes, the schools whose summaries a full pass changed (a
    /// workstation gone stale, a directory import, a purge), and forget records older than
    /// `keep_after`.
    fn publish_summary_changes(
        &self,
        schools: &[Uai],
        at: Timestamp,
        keep_after: Timestamp,
    ) -> Result<(), StoreError>;
    /// The schools whose summaries another node's full pass changed at `since` or later.
    fn summary_changes_since(&self, since: Timestamp) -> Result<Vec<(Uai, Timestamp)>, StoreError>;
}

/// Which backend a `--database` value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(database: &str) -> Backend {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The SQLite path of a `--database` value; another scheme (`mysql://...`) is refused
/// rather than taken for a file name.
fn sqlite_path(database: &str) -> Result<&str, StoreError> {
    match database.strip_prefix("sqlite://") {
        Some(path) => Ok(path),
        None if database.contains("://") => {
            Err(StoreError::UnsupportedUrl(postgres::redact(database)))
        }
        None => Ok(database),
    }
}

/// The `--database` value as it may be shown (in logs, errors): a PostgreSQL URL loses its
/// password.
pub fn display_name(database: &str) -> String {
    match Backend::of(database) {
        Backend::Postgres => postgres::redact(database),
        Backend::Sqlite => database.to_owned(),
    }
}

/// Open the store named by `--database` (a path, `sqlite://PATH`, or
/// `postgres://USER@HOST:PORT/DB`), its schema brought up to date.
pub fn open(database: &str) -> Result<Box<dyn Store>, StoreError> {
    match Backend::of(database) {
        Backend::Postgres => Ok(Box::new(postgres::PostgresStore::open(database)?)),
        Backend::Sqlite => Ok(Box::new(sqlite::SqliteStore::open(sqlite_path(database)?)?)),
    }
}

/// Apply the schema migrations the database lacks, and nothing else (`ent-collector
/// migrate`): the schema version reached, and how many migrations this run applied.
pub fn migrate(database: &str) -> Result<(u32, u32), StoreError> {
    match Backend::of(database) {
        Backend::Postgres => postgres::migrate_only(database),
        Backend::Sqlite => sqlite::migrate_only(sqlite_path(database)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_value_names_its_backend() {
        assert_eq!(Backend::of("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of("/var/lib/c.db"), Backend::Sqlite);
        assert_eq!(
            sqlite_path("sqlite:///var/lib/c.db").unwrap(),
            "/var/lib/c.db"
        );
        assert_eq!(sqlite_path("c.db").unwrap(), "c.db");
        let refused = sqlite_path("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("mysql://") && !refused.contains("secret"),
            "{refused}"
        );
    }
}
