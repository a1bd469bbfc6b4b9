//! PostgreSQL backend, for several collectors on one database: `postgres://USER@HOST:PORT/DB`.
//! Migrations (`collector/migrations/postgres/`) are applied at open under an advisory lock
//! (`postgres/migrate.rs`), so that nodes starting together apply each one once.
//!
//! The driver is `tokio-postgres` with a `deadpool-postgres` pool, on a small runtime of the
//! store's own: the `Store` trait is synchronous (handlers call it on the blocking pool, the
//! admin commands without any runtime), so each method hands its future to that runtime and
//! waits for the answer, under a deadline. A method returns `Ok` once its transaction is
//! committed: with PostgreSQL's default `synchronous_commit = on`, durably.
//!
//! Writes that must not race across nodes (the admission of a new workstation, enrolments
//! within a school's cap and rate) take a transaction-scoped advisory lock on the school
//! (`postgres/write.rs`); the same report stored by two nodes at once is kept once, by its
//! primary key, and the second answer reads what the first stored.
//!
//! No TLS for now: the database is expected on loopback or a trusted LAN. The connector is
//! one type parameter (`NoTls`) where a rustls connector fits when needed.

mod cluster;
mod migrate;
mod redact;
mod rows;
mod write;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use jiff::Timestamp;
use readiness::Uai;
use tokio_postgres::NoTls;
use uuid::Uuid;

use super::columns::{
    link_figures, ms, parse_checks, parse_failing, parse_uuid, parse_verdict, stored_body, ts,
};
use super::copy::{Table, Value};
use super::{
    Area, CredentialInfo, EnrolOutcome, EnrolmentRow, InsertOutcome, NewEnrolment, NewReport,
    ProbeLink, PurgeStats, ReportRow, School, Store, StoreError, TokenInfo, TokenScope,
    WorkstationBrief, WorkstationRow,
};
pub use redact::redact;
pub(crate) use rows::parse_uai;
use rows::{
    Param, WORKSTATION_COLUMNS, from_column, owned, probe_link_row, score, to_param, token_row,
    workstation_row,
};

/// Connections of the pool, at most.
const POOL_SIZE: usize = 16;
/// How long one store call may take, waiting for a connection included.
const CALL_DEADLINE: Duration = Duration::from_secs(60);
/// How long a connection may take to be made.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a purge may take, all its batches together.
const PURGE_DEADLINE: Duration = Duration::from_secs(3600);
/// Rows deleted per purge transaction: short ones, so that ingest never waits long.
const PURGE_BATCH: i64 = 5000;

/// What went wrong inside the store, before it becomes a [`StoreError`]. Its text is the
/// whole chain of causes (the driver's errors say little on their own), never the password.
#[derive(Debug)]
pub(crate) enum Fault {
    Db(tokio_postgres::Error),
    Pool(deadpool_postgres::PoolError),
    Other(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Db(e) => f.write_str(&chain(e)),
            Fault::Pool(e) => write!(f, "no connection: {}", chain(e)),
            Fault::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Fault {}

impl From<tokio_postgres::Error> for Fault {
    fn from(e: tokio_postgres::Error) -> Self {
        Fault::Db(e)
    }
}

impl From<deadpool_postgres::PoolError> for Fault {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Fault::Pool(e)
    }
}

/// An error and its causes, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// The `WHERE` of a query for one school (`column = $1`) or for all (`$1` is then null):
/// one statement per case, as `($1 IS NULL OR column = $1)` keeps a prepared statement's
/// generic plan from using the school's index.
fn school_filter(one: bool, column: &str) -> String {
    if one {
        format!("{column} = $1")
    } else {
        "$1::text IS NULL".to_owned()
    }
}

/// The driver's configuration of a URL, with the collector's connection settings.
fn config(url: &str, target: &str) -> Result<tokio_postgres::Config, StoreError> {
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| StoreError::other(target, chain(&e)))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("ent-collector");
    }
    Ok(config)
}

/// The store's runtime: the pool's connections live on it, whatever runtime (if any) the
/// caller has.
fn runtime(target: &str) -> Result<tokio::runtime::Runtime, StoreError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("postgres")
        .enable_all()
        .build()
        .map_err(|e| StoreError::other(target, format!("cannot start its runtime: {e}")))
}

/// Run `fut` on `rt` and wait for it (at most `deadline`), from a thread that may or may not
/// belong to another runtime.
fn block_on<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    target: &str,
    deadline: Duration,
    fut: impl Future<Output = Result<T, Fault>> + Send + 'static,
) -> Result<T, StoreError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let result = match tokio::time::timeout(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(Fault::Other(format!(
                "no answer within {} s",
                deadline.as_secs()
            ))),
        };
        let _ = tx.send(result);
    });
    rx.recv()
        .map_err(|_| StoreError::other(target, "the database task stopped"))?
        .map_err(|f| StoreError::backend(target, f))
}

/// `ent-collector migrate` on PostgreSQL: the schema version, and how many migrations ran.
pub fn migrate_only(url: &str) -> Result<(u32, u32), StoreError> {
    let target = redact(url);
    let config = config(url, &target)?;
    let rt = runtime(&target)?;
    let result = block_on(&rt, &target, migrate::DEADLINE, migrate::apply(config));
    rt.shutdown_background();
    result
}

#[derive(Debug)]
pub struct PostgresStore {
    /// The URL without its password, for errors.
    target: String,
    pool: Pool,
    /// Always `Some` until dropped (taken out to be shut down without blocking).
    rt: Option<tokio::runtime::Runtime>,
}

impl Drop for PostgresStore {
    /// Without waiting: the last handle may be dropped on an async thread.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl PostgresStore {
    /// Connect, bring the schema up to date, and generate the deployment's salt if the
    /// database has none yet.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let target = redact(url);
        let config = config(url, &target)?;
        let rt = runtime(&target)?;
        block_on(
            &rt,
            &target,
            migrate::DEADLINE,
            migrate::apply(config.clone()),
        )?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CALL_DEADLINE))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::other(&target, format!("cannot make its pool: {e}")))?;
        let store = PostgresStore {
            target,
            pool,
            rt: Some(rt),
        };
        // The deployment's secret salt, once: 256 random bits. Nodes opening together race
        // harmlessly: the first insert wins, the others do nothing.
        let salt = crate::tokens::random_hex(32);
        store.call(move |pool| async move {
            let c = pool.get().await?;
            c.execute(
                "INSERT INTO settings (key, value) VALUES ('hostname_salt', $1) ON CONFLICT (key) DO NOTHING",
                &[&salt],
            )
            .await?;
            Ok(())
        })?;
        Ok(store)
    }

    /// Run the future `f` makes of the pool, and wait for its answer.
    fn call<T, Fut>(&self, f: impl FnOnce(Pool) -> Fut) -> Result<T, StoreError>
    where
        T: Send + 'static,
        Fut: Future<Output = Result<T, Fault>> + Send + 'static,
    {
        self.call_within(CALL_DEADLINE, f)
    }

    fn call_within<T, Fut>(
        &self,
        deadline: Duration,
        f: impl FnOnce(Pool) -> Fut,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        Fut: Future<Output = Result<T, Fault>> + Send + 'static,
    {
        let rt = self
            .rt
            .as_ref()
            .ok_or_else(|| StoreError::other(&self.target, "the store is closed"))?;
        block_on(rt, &self.target, deadline, f(self.pool.clone()))
    }

    /// Run the revocation `sql` (`$1` the id, `$2` the time of revocation: now); the number
    /// of rows revoked.
    fn revoke_now(&self, sql: &'static str, id: String) -> Result<u64, StoreError> {
        self.call(move |pool| async move {
            let c = pool.get().await?;
            Ok(c.execute(sql, &[&id, &ms(Timestamp::now())]).await?)
        })
    }
}

/// PostgreSQL's parameter `n`.
fn dollar(n: usize) -> String {
    format!("${n}")
}

impl Store for PostgresStore {
    fn insert_report(&self, report: NewReport) -> Result<InsertOutcome, StoreError> {
        self.call(move |pool| async move {
            let mut c = pool.get().await?;
            write::insert_report(&mut c, &report).await
        })
    }

    fn workstations(&self, school: Option<&Uai>) -> Result<Vec<WorkstationRow>, StoreError> {
        let school = owned(school);
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let filter = school_filter(school.is_some(), "school");
            let sql = format!(
                "SELECT {WORKSTATION_COLUMNS} FROM workstations
                 WHERE {filter} ORDER BY school, workstation_id"
            );
            let st = c.prepare_cached(&sql).await?;
            c.query(&st, &[&school])
                .await?
                .iter()
                .map(workstation_row)
                .collect()
        })
    }

    fn workstation_briefs(
        &self,
        school: Option<&Uai>,
    ) -> Result<Vec<WorkstationBrief>, StoreError> {
        let school = owned(school);
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let filter = school_filter(school.is_some(), "school");
            let st = c
                .prepare_cached(&format!(
                    "SELECT school, finished_at, received_at, verdict, score, failing, download_mbps, upload_mbps, bandwidth_at, kind
                     FROM workstations WHERE {filter}"
                ))
                .await?;
            let rows = c.query(&st, &[&school]).await?;
            // Schools repeat 20 times or so: parse each UAI once.
            let mut uais: std::collections::HashMap<String, Uai> = std::collections::HashMap::new();
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let raw: &str = row.try_get(0)?;
                let uai = match uais.get(raw) {
                    Some(u) => u.clone(),
                    None => {
                        let u = parse_uai(raw)?;
                        uais.insert(raw.to_owned(), u.clone());
                        u
                    }
                };
                out.push(WorkstationBrief {
                    school: uai,
                    finished_at: ts(row.try_get(1)?),
                    received_at: ts(row.try_get(2)?),
                    verdict: parse_verdict(row.try_get(3)?),
                    score: score(row.try_get(4)?),
                    failing: parse_failing(row.try_get(5)?),
                    bandwidth: link_figures(row.try_get(6)?, row.try_get(7)?, row.try_get(8)?),
                    browser: row.try_get::<_, &str>(9)? == "browser",
                });
            }
            Ok(out)
        })
    }

    fn school_workstations(
        &self,
        school: &Uai,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<WorkstationRow>, u64), StoreError> {
        let school = school.as_str().to_owned();
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let total: i64 = c
                .query_one(
                    "SELECT count(*) FROM workstations WHERE school = $1",
                    &[&school],
                )
                .await?
                .try_get(0)?;
            let sql = format!(
                "SELECT {WORKSTATION_COLUMNS} FROM workstations
                 WHERE school = $1 ORDER BY workstation_id LIMIT $2 OFFSET $3"
            );
            let st = c.prepare_cached(&sql).await?;
            let rows = c
                .query(&st, &[&school, &limit, &offset])
                .await?
                .iter()
                .map(workstation_row)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((rows, total.max(0) as u64))
        })
    }

    fn school_reports(
        &self,
        school: &Uai,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let school = school.as_str().to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT workstation_id, finished_at, verdict, score, checks FROM reports
                     WHERE school = $1 AND finished_at >= $2 ORDER BY finished_at DESC, report_id DESC LIMIT $3",
                )
                .await?;
            let mut out = c
                .query(&st, &[&school, &ms(since), &limit])
                .await?
                .iter()
                .map(|row| {
                    Ok(ReportRow {
                        workstation_id: parse_uuid(row.try_get(0)?),
                        finished_at: ts(row.try_get(1)?),
                        verdict: parse_verdict(row.try_get(2)?),
                        score: score(row.try_get(3)?),
                        checks: parse_checks(row.try_get(4)?),
                    })
                })
                .collect::<Result<Vec<_>, Fault>>()?;
            out.reverse();
            Ok(out)
        })
    }

    fn report_count(&self) -> Result<u64, StoreError> {
        self.call(|pool| async move {
            let c = pool.get().await?;
            let n: i64 = c
                .query_one("SELECT count(*) FROM reports", &[])
                .await?
                .try_get(0)?;
            Ok(n.max(0) as u64)
        })
    }

    fn report_body(&self, school: &Uai, report_id: &Uuid) -> Result<Option<String>, StoreError> {
        let (school, id) = (school.as_str().to_owned(), report_id.to_string());
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let row = c
                .query_opt(
                    "SELECT body, body_zstd FROM reports WHERE school = $1 AND report_id = $2",
                    &[&school, &id],
                )
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            stored_body(row.try_get(0)?, row.try_get(1)?)
                .map(Some)
                .map_err(|e| Fault::Other(format!("stored report {id}: {e}")))
        })
    }

    fn schools(&self) -> Result<Vec<School>, StoreError> {
        self.call(|pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT uai, name, commune, circonscription_code, circonscription_name, departement,
                            academie_code, academie_name, region_code, region_name
                     FROM schools ORDER BY uai",
                )
                .await?;
            c.query(&st, &[])
                .await?
                .iter()
                .map(|row| {
                    Ok(School {
                        uai: parse_uai(row.try_get(0)?)?,
                        name: row.try_get(1)?,
                        commune: row.try_get(2)?,
                        circonscription_code: row.try_get(3)?,
                        circonscription_name: row.try_get(4)?,
                        departement: row.try_get(5)?,
                        academie: Area {
                            code: row.try_get(6)?,
                            name: row.try_get(7)?,
                        },
                        region: Area {
                            code: row.try_get(8)?,
                            name: row.try_get(9)?,
                        },
                    })
                })
                .collect()
        })
    }

    fn upsert_schools(&self, schools: &[School]) -> Result<usize, StoreError> {
        let schools = schools.to_vec();
        self.call(move |pool| async move {
            let mut c = pool.get().await?;
            write::upsert_schools(&mut c, &schools).await
        })
    }

    fn create_token(&self, id: &str, hash: &str, scope: &TokenScope) -> Result<(), StoreError> {
        let (scope, school, read_scope, hash, scoped_hash) =
            super::columns::token_columns(id, hash, scope);
        let id = id.to_owned();
        self.call(move |pool| async move {
            let c = pool.get().await?;
            c.execute(
                "INSERT INTO tokens (id, hash, scope, school, created_at, read_scope, scoped_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &hash, &scope, &school, &ms(Timestamp::now()), &read_scope, &scoped_hash],
            )
            .await?;
            Ok(())
        })
    }

    fn token_by_hash(&self, hash: &str) -> Result<Option<TokenInfo>, StoreError> {
        let hash = hash.to_owned();
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT id, scope, school, created_at, revoked_at, read_scope FROM tokens WHERE hash = $1 OR scoped_hash = $1",
                )
                .await?;
            c.query_opt(&st, &[&hash])
                .await?
                .as_ref()
                .map(token_row)
                .transpose()
        })
    }

    fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
        self.revoke_now(sql, id.to_owned()).map(|n| n > 0)
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.call(|pool| async move {
            let c = pool.get().await?;
            c.query(
                "SELECT id, scope, school, created_at, revoked_at, read_scope FROM tokens ORDER BY created_at, id",
                &[],
            )
            .await?
            .iter()
            .map(token_row)
            .collect()
        })
    }

    fn create_probe_link(&self, link: &ProbeLink) -> Result<(), StoreError> {
        let l = link.clone();
        self.call(move |pool| async move {
            let c = pool.get().await?;
            c.execute(
                "INSERT INTO probe_links (id, hash, school, label_prefix, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &l.id,
                    &l.hash,
                    &l.school.as_str(),
                    &l.label_prefix,
                    &ms(l.created_at),
                    &ms(l.expires_at),
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn probe_link_by_hash(&self, hash: &str) -> Result<Option<ProbeLink>, StoreError> {
        let hash = hash.to_owned();
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT id, hash, school, label_prefix, created_at, expires_at, revoked_at \
                     FROM probe_links WHERE hash = $1",
                )
                .await?;
            c.query_opt(&st, &[&hash])
                .await?
                .as_ref()
                .map(probe_link_row)
                .transpose()
        })
    }

    fn probe_links(&self, school: Option<&Uai>) -> Result<Vec<ProbeLink>, StoreError> {
        let school = owned(school);
        self.call(move |pool| async move {
            let c = pool.get().await?;
            c.query(
                "SELECT id, hash, school, label_prefix, created_at, expires_at, revoked_at \
                 FROM probe_links WHERE $1::text IS NULL OR school = $1 ORDER BY created_at, id",
                &[&school],
            )
            .await?
            .iter()
            .map(probe_link_row)
            .collect()
        })
    }

    fn revoke_probe_link(&self, id: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE probe_links SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
        self.revoke_now(sql, id.to_owned()).map(|n| n > 0)
    }

    fn enrol(&self, e: NewEnrolment) -> Result<EnrolOutcome, StoreError> {
        self.call(move |pool| async move {
            let mut c = pool.get().await?;
            write::enrol(&mut c, &e).await
        })
    }

    fn credential_by_hash(&self, hash: &str) -> Result<Option<CredentialInfo>, StoreError> {
        let hash = hash.to_owned();
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT school, workstation_id, revoked_at FROM enrolments WHERE credential_hash = $1",
                )
                .await?;
            let Some(row) = c.query_opt(&st, &[&hash]).await? else {
                return Ok(None);
            };
            Ok(Some(CredentialInfo {
                school: parse_uai(row.try_get(0)?)?,
                workstation_id: parse_uuid(row.try_get(1)?),
                revoked: row.try_get::<_, Option<i64>>(2)?.is_some(),
            }))
        })
    }

    fn enrolments(&self, school: Option<&Uai>) -> Result<Vec<EnrolmentRow>, StoreError> {
        let school = owned(school);
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let filter = school_filter(school.is_some(), "e.school");
            c.query(
                &format!(
                    "SELECT e.school, e.workstation_id, e.label, e.enrolled_at, e.revoked_at, w.received_at
                     FROM enrolments e LEFT JOIN workstations w
                       ON w.school = e.school AND w.workstation_id = e.workstation_id
                     WHERE {filter} ORDER BY e.school, e.enrolled_at, e.workstation_id"
                ),
                &[&school],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(EnrolmentRow {
                    school: parse_uai(row.try_get(0)?)?,
                    workstation_id: parse_uuid(row.try_get(1)?),
                    label: row.try_get(2)?,
                    enrolled_at: ts(row.try_get(3)?),
                    revoked_at: row.try_get::<_, Option<i64>>(4)?.map(ts),
                    last_report_at: row.try_get::<_, Option<i64>>(5)?.map(ts),
                })
            })
            .collect()
        })
    }

    fn revoke_enrolment(&self, workstation_id: &Uuid) -> Result<usize, StoreError> {
        let sql = "UPDATE enrolments SET revoked_at = $2 WHERE workstation_id = $1 AND revoked_at IS NULL";
        self.revoke_now(sql, workstation_id.to_string())
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn hostname_salt(&self) -> Result<String, StoreError> {
        self.call(|pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached("SELECT value FROM settings WHERE key = 'hostname_salt'")
                .await?;
            Ok(c.query_one(&st, &[]).await?.try_get(0)?)
        })
    }

    fn schools_written_since(
        &self,
        since: Timestamp,
    ) -> Result<Option<Vec<(Uai, Timestamp)>>, StoreError> {
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT school, max(received_at) FROM workstations WHERE received_at >= $1 GROUP BY school",
                )
                .await?;
            c.query(&st, &[&ms(since)])
                .await?
                .iter()
                .map(|row| Ok((parse_uai(row.try_get(0)?)?, ts(row.try_get(1)?))))
                .collect::<Result<Vec<_>, Fault>>()
                .map(Some)
        })
    }

    fn export_rows(
        &self,
        table: &'static Table,
        after: Option<&[Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<Value>>, StoreError> {
        let sql = table.select_sql(after.is_some(), dollar);
        let mut params: Vec<Param> = match after {
            Some(key) => key
                .iter()
                .zip(table.columns)
                .map(|(v, (_, kind))| to_param(v, *kind))
                .collect::<Result<_, _>>()
                .map_err(|f| StoreError::backend(&self.target, f))?,
            None => Vec::new(),
        };
        params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c.prepare_cached(&sql).await?;
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p.as_ref() as _).collect();
            c.query(&st, &refs)
                .await?
                .iter()
                .map(|row| {
                    table
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(i, (_, kind))| from_column(row, i, *kind))
                        .collect()
                })
                .collect()
        })
    }

    fn import_rows(&self, table: &'static Table, rows: Vec<Vec<Value>>) -> Result<u64, StoreError> {
        let sql = table.insert_sql(dollar);
        let rows: Vec<Vec<Param>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(table.columns)
                    .map(|(v, (_, kind))| to_param(v, *kind))
                    .collect()
            })
            .collect::<Result<_, _>>()
            .map_err(|f| StoreError::backend(&self.target, f))?;
        self.call(move |pool| async move {
            let mut c = pool.get().await?;
            let t = c.transaction().await?;
            let st = t.prepare_cached(&sql).await?;
            let mut n = 0;
            for row in &rows {
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    row.iter().map(|p| p.as_ref() as _).collect();
                n += t.execute(&st, &refs).await?;
            }
            t.commit().await?;
            Ok(n)
        })
    }

    fn cluster(&self) -> Option<&dyn super::ClusterSummaries> {
        Some(self)
    }

    /// In batches of [`PURGE_BATCH`] rows, each its own transaction: ingest goes on between
    /// them, and a purge interrupted keeps what it deleted.
    fn purge(&self, before: Timestamp) -> Result<PurgeStats, StoreError> {
        let cutoff = ms(before);
        self.call_within(PURGE_DEADLINE, move |pool| async move {
            let c = pool.get().await?;
            let mut stats = PurgeStats::default();
            for (table, count) in [
                ("reports", &mut stats.reports),
                ("workstations", &mut stats.workstations),
            ] {
                let sql = format!(
                    "DELETE FROM {table} WHERE ctid = ANY (ARRAY(
                        SELECT ctid FROM {table} WHERE received_at < $1 LIMIT $2))"
                );
                let st = c.prepare_cached(&sql).await?;
                loop {
                    let n = c.execute(&st, &[&cutoff, &PURGE_BATCH]).await?;
                    *count += n;
                    if n < PURGE_BATCH as u64 {
                        break;
                    }
                }
            }
            Ok(stats)
        })
    }
}
