//! SQLite backend: one file in WAL mode, migrations (`collector/migrations/sqlite/`) applied
//! at open.
//!
//! All writes go through one writer thread. Report inserts waiting in its queue are
//! committed together in one transaction (group commit, `synchronous = FULL`), so a report
//! is acknowledged only once it is on disk, and the fsync is shared by every report of the
//! batch. Reads use a small pool of read-only connections (WAL lets them run beside writes).

mod columns;
mod writer;

use std::sync::Mutex;
use std::sync::mpsc::{SyncSender, sync_channel};

use jiff::Timestamp;
use readiness::Uai;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use uuid::Uuid;

use super::copy::{Table, Value};
use super::migrations;
use super::{
    Area, CredentialInfo, EnrolOutcome, EnrolmentRow, InsertOutcome, NewEnrolment, NewReport,
    ProbeLink, PurgeStats, ReportRow, School, Store, StoreError, TokenInfo, TokenScope,
    WorkstationBrief, WorkstationRow,
};
use columns::{
    link_figures, ms, parse_checks, parse_uai, parse_uuid, parse_verdict, stored_body, token_row,
    ts,
};
use writer::{Request, writer_loop};

/// Read connections kept open.
const READERS: usize = 4;

#[derive(Debug)]
pub struct SqliteStore {
    path: String,
    writer: Mutex<SyncSender<Request>>,
    readers: Mutex<Vec<Connection>>,
}

/// The database and its `-wal` and `-shm` files are readable by the collector's user only
/// (0600): they hold school tokens' hashes and every report. The database file is created
/// here, empty (a valid empty database), so that SQLite, which gives the `-wal` and `-shm`
/// files the mode of the database file, creates those 0600 too. Files already there (from
/// an older collector, or a wider umask) are tightened to 0600.
#[cfg(unix)]
fn private_files(path: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    for file in [
        path.to_owned(),
        format!("{path}-wal"),
        format!("{path}-shm"),
    ] {
        match std::fs::metadata(&file) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Elsewhere, the directory's access rights protect the files.
#[cfg(not(unix))]
fn private_files(_path: &str) -> std::io::Result<()> {
    Ok(())
}

impl SqliteStore {
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let err = |source| StoreError::backend(path, source);
        let (conn, _) = open_and_migrate(path)?;
        // The deployment's secret salt, once: 256 random bits.
        conn.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES ('hostname_salt', ?1)",
            [crate::tokens::random_hex(32)],
        )
        .map_err(err)?;

        let (tx, rx) = sync_channel::<Request>(4096);
        let thread_path = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx, thread_path))
            .map_err(|e| StoreError::other(path, format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer: Mutex::new(tx),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn sqlite_err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::backend(&self.path, source)
    }

    fn send(&self, req: Request) -> Result<(), StoreError> {
        let tx = self
            .writer
            .lock()
            .map_err(|_| self.other("writer lock poisoned"))?
            .clone();
        tx.send(req)
            .map_err(|_| self.other("the writer thread stopped"))
    }

    fn other(&self, message: &str) -> StoreError {
        StoreError::other(&self.path, message)
    }

    /// Run `f` on the writer connection, in its own transaction, and wait for the result.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = sync_channel(1);
        self.send(Request::Exec(Box::new(move |conn: &mut Connection| {
            let result = conn.transaction().and_then(|t| {
                let v = f(&t)?;
                t.commit()?;
                Ok(v)
            });
            let _ = tx.send(result);
        })))?;
        rx.recv()
            .map_err(|_| self.other("the writer thread stopped"))?
            .map_err(|e| self.sqlite_err(e))
    }

    /// Run `f` on a read connection from the pool.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self.readers.lock().ok().and_then(|mut p| p.pop());
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| self.sqlite_err(e))?;
                c.busy_timeout(std::time::Duration::from_secs(10))
                    .map_err(|e| self.sqlite_err(e))?;
                c
            }
        };
        let result = f(&conn).map_err(|e| self.sqlite_err(e));
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < READERS
        {
            pool.push(conn);
        }
        result
    }

    /// Run the revocation `sql` (`?1` the id, `?2` the time of revocation: now), leaving what
    /// is already revoked as it is; the number of rows revoked.
    fn revoke_now(&self, sql: &'static str, id: String) -> Result<usize, StoreError> {
        self.write(move |t| t.execute(sql, params![id, ms(Timestamp::now())]))
    }
}

/// A row of `SELECT id, hash, school, label_prefix, created_at, expires_at, revoked_at`.
fn probe_link_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ProbeLink> {
    Ok(ProbeLink {
        id: row.get(0)?,
        hash: row.get(1)?,
        school: parse_uai(row.get(2)?)?,
        label_prefix: row.get(3)?,
        created_at: ts(row.get(4)?),
        expires_at: ts(row.get(5)?),
        revoked_at: row.get::<_, Option<i64>>(6)?.map(ts),
    })
}

/// A row of `SELECT school, workstation_id, label, hostname, report_id, finished_at,
/// received_at, verdict, score, checks, download_mbps, upload_mbps, bandwidth_at, kind`.
fn workstation_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<WorkstationRow> {
    Ok(WorkstationRow {
        school: parse_uai(row.get(0)?)?,
        workstation_id: parse_uuid(&row.get::<_, String>(1)?),
        label: row.get(2)?,
        hostname: row.get(3)?,
        report_id: parse_uuid(&row.get::<_, String>(4)?),
        finished_at: ts(row.get(5)?),
        received_at: ts(row.get(6)?),
        verdict: parse_verdict(&row.get::<_, String>(7)?),
        score: u8::try_from(row.get::<_, i64>(8)?).unwrap_or(0),
        checks: parse_checks(&row.get::<_, String>(9)?),
        bandwidth: link_figures(row.get(10)?, row.get(11)?, row.get(12)?),
        browser: row.get::<_, String>(13)? == "browser",
    })
}

/// SQLite's parameter `n`.
fn question_mark(n: usize) -> String {
    format!("?{n}")
}

fn to_sqlite(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Int(i) => V::Integer(*i),
        Value::Real(f) => V::Real(*f),
        Value::Text(s) => V::Text(s.clone()),
        Value::Bytes(b) => V::Blob(b.clone()),
    }
}

fn from_sqlite(v: rusqlite::types::Value) -> Value {
    use rusqlite::types::Value as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::Int(i),
        V::Real(f) => Value::Real(f),
        V::Text(s) => Value::Text(s),
        V::Blob(b) => Value::Bytes(b),
    }
}

/// Open (creating it if missing, 0600) the database file in WAL mode with its schema up to
/// date: the connection, and how many migrations were applied.
fn open_and_migrate(path: &str) -> Result<(Connection, u32), StoreError> {
    let err = |source| StoreError::backend(path, source);
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::other(path, format!("cannot create its directory: {e}")))?;
    }
    private_files(path).map_err(|e| {
        StoreError::other(
            path,
            format!("cannot make the database files private (0600): {e}"),
        )
    })?;
    let mut conn = Connection::open(path).map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err)?;
    // 16 KiB pages: a stored report (its compressed body and its row, about 3 KB) takes a
    // whole 4 KiB page of its own (4.1 KB a report), where five share a 16 KiB page (3.3
    // KB). Effective on a new, empty file only (before WAL mode); older files keep theirs.
    conn.pragma_update(None, "page_size", 16384).map_err(err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(err)?;
    // A database a newer collector migrated may hold what this one misreads (a read
    // token's scope, say): refused, as on PostgreSQL.
    let version = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map_err(err)?;
    let known = migrations::SQLITE
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if version > i64::from(known) {
        return Err(StoreError::other(
            path,
            format!(
                "its schema is at version {version}, newer than this collector's ({known}): run a newer ent-collector"
            ),
        ));
    }
    let applied = migrate(&mut conn).map_err(err)?;
    Ok((conn, applied))
}

/// `ent-collector migrate` on SQLite: the schema version, and how many migrations ran.
pub fn migrate_only(path: &str) -> Result<(u32, u32), StoreError> {
    let (conn, applied) = open_and_migrate(path)?;
    let version = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))
        .map_err(|e| StoreError::backend(path, e))?;
    Ok((version, applied))
}

/// Bring the schema up to date: `PRAGMA user_version` is the number of migrations applied,
/// and each further one runs in its own transaction with the version it sets. Returns how
/// many ran.
fn migrate(conn: &mut Connection) -> rusqlite::Result<u32> {
    let applied = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?;
    let mut ran = 0;
    for m in migrations::SQLITE
        .iter()
        .filter(|m| i64::from(m.version) > applied)
    {
        let t = conn.transaction()?;
        t.execute_batch(m.sql)?;
        t.pragma_update(None, "user_version", i64::from(m.version))?;
        t.commit()?;
        ran += 1;
    }
    Ok(ran)
}

impl Store for SqliteStore {
    fn insert_report(&self, report: NewReport) -> Result<InsertOutcome, StoreError> {
        let (tx, rx) = sync_channel(1);
        self.send(Request::Insert(Box::new(report), tx))?;
        rx.recv()
            .map_err(|_| self.other("the writer thread stopped"))?
    }

    fn workstations(&self, school: Option<&Uai>) -> Result<Vec<WorkstationRow>, StoreError> {
        let school = school.map(|s| s.as_str().to_owned());
        self.read(|c| {
            // One statement per case: with `?1 IS NULL OR school = ?1` SQLite scans every
            // workstation of the database even for one school.
            let sql = if school.is_some() {
                "SELECT school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, download_mbps, upload_mbps, bandwidth_at, kind
                 FROM workstations WHERE school = ?1 ORDER BY school, workstation_id"
            } else {
                "SELECT school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, download_mbps, upload_mbps, bandwidth_at, kind
                 FROM workstations WHERE ?1 IS NULL ORDER BY school, workstation_id"
            };
            let mut stmt = c.prepare_cached(sql)?;
            let rows = stmt.query_map([school], workstation_row)?;
            rows.collect()
        })
    }

    fn workstation_briefs(
        &self,
        school: Option<&Uai>,
    ) -> Result<Vec<WorkstationBrief>, StoreError> {
        let school = school.map(|s| s.as_str().to_owned());
        self.read(|c| {
            // One school's through its index (see `workstations`), every one's in one scan.
            let mut stmt = c.prepare_cached(if school.is_some() {
                "SELECT school, finished_at, received_at, verdict, score, failing, download_mbps, upload_mbps, bandwidth_at, kind
                 FROM workstations WHERE school = ?1"
            } else {
                "SELECT school, finished_at, received_at, verdict, score, failing, download_mbps, upload_mbps, bandwidth_at, kind
                 FROM workstations WHERE ?1 IS NULL"
            })?;
            // Schools repeat 20 times or so: parse each UAI once.
            let mut uais: std::collections::HashMap<String, Uai> = std::collections::HashMap::new();
            let mut out = Vec::new();
            let mut rows = stmt.query([school])?;
            while let Some(row) = rows.next()? {
                let raw: String = row.get(0)?;
                let uai = match uais.get(&raw) {
                    Some(u) => u.clone(),
                    None => {
                        let u = parse_uai(raw.clone())?;
                        uais.insert(raw, u.clone());
                        u
                    }
                };
                let failing: String = row.get(5)?;
                out.push(WorkstationBrief {
                    school: uai,
                    finished_at: ts(row.get(1)?),
                    received_at: ts(row.get(2)?),
                    verdict: parse_verdict(&row.get::<_, String>(3)?),
                    score: u8::try_from(row.get::<_, i64>(4)?).unwrap_or(0),
                    failing: if failing == "[]" {
                        Vec::new()
                    } else {
                        serde_json::from_str(&failing).unwrap_or_default()
                    },
                    bandwidth: link_figures(row.get(6)?, row.get(7)?, row.get(8)?),
                    browser: row.get::<_, String>(9)? == "browser",
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
        let (offset, limit) = (offset as i64, limit as i64);
        self.read(|c| {
            let total: i64 = c.query_row(
                "SELECT count(*) FROM workstations WHERE school = ?1",
                [school.as_str()],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare_cached(
                "SELECT school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, download_mbps, upload_mbps, bandwidth_at, kind
                 FROM workstations WHERE school = ?1 ORDER BY workstation_id LIMIT ?2 OFFSET ?3",
            )?;
            let rows = stmt.query_map(params![school.as_str(), limit, offset], workstation_row)?;
            Ok((rows.collect::<rusqlite::Result<_>>()?, total.max(0) as u64))
        })
    }

    fn school_reports(
        &self,
        school: &Uai,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let limit = limit as i64;
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT workstation_id, finished_at, verdict, score, checks FROM reports
                 WHERE school = ?1 AND finished_at >= ?2 ORDER BY finished_at DESC, report_id DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![school.as_str(), ms(since), limit], |row| {
                Ok(ReportRow {
                    workstation_id: parse_uuid(&row.get::<_, String>(0)?),
                    finished_at: ts(row.get(1)?),
                    verdict: parse_verdict(&row.get::<_, String>(2)?),
                    score: u8::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                    checks: parse_checks(&row.get::<_, String>(4)?),
                })
            })?;
            let mut out: Vec<ReportRow> = rows.collect::<rusqlite::Result<_>>()?;
            out.reverse();
            Ok(out)
        })
    }

    fn report_count(&self) -> Result<u64, StoreError> {
        self.read(|c| c.query_row("SELECT count(*) FROM reports", [], |r| r.get::<_, i64>(0)))
            .map(|n| n.max(0) as u64)
    }

    fn report_body(&self, school: &Uai, report_id: &Uuid) -> Result<Option<String>, StoreError> {
        let id = report_id.to_string();
        self.read(|c| {
            let row = c
                .query_row(
                    "SELECT body, body_zstd FROM reports WHERE school = ?1 AND report_id = ?2",
                    [school.as_str(), &id],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?)),
                )
                .optional()?;
            row.map(|(text, zstd)| {
                stored_body(text, zstd.as_deref()).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Blob,
                        Box::new(e),
                    )
                })
            })
            .transpose()
        })
    }

    fn schools(&self) -> Result<Vec<School>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT uai, name, commune, circonscription_code, circonscription_name, departement,
                        academie_code, academie_name, region_code, region_name
                 FROM schools ORDER BY uai",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok(School {
                    uai: parse_uai(row.get(0)?)?,
                    name: row.get(1)?,
                    commune: row.get(2)?,
                    circonscription_code: row.get(3)?,
                    circonscription_name: row.get(4)?,
                    departement: row.get(5)?,
                    academie: Area {
                        code: row.get(6)?,
                        name: row.get(7)?,
                    },
                    region: Area {
                        code: row.get(8)?,
                        name: row.get(9)?,
                    },
                })
            })?;
            rows.collect()
        })
    }

    fn upsert_schools(&self, schools: &[School]) -> Result<usize, StoreError> {
        let schools = schools.to_vec();
        self.write(move |t| {
            let mut stmt = t.prepare(
                "INSERT INTO schools (uai, name, commune, circonscription_code, circonscription_name, departement,
                    academie_code, academie_name, region_code, region_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (uai) DO UPDATE SET name = excluded.name, commune = excluded.commune,
                    circonscription_code = excluded.circonscription_code,
                    circonscription_name = excluded.circonscription_name, departement = excluded.departement,
                    academie_code = excluded.academie_code, academie_name = excluded.academie_name,
                    region_code = excluded.region_code, region_name = excluded.region_name",
            )?;
            let mut n = 0;
            for s in &schools {
                n += stmt.execute(params![
                    s.uai.as_str(),
                    s.name,
                    s.commune,
                    s.circonscription_code,
                    s.circonscription_name,
                    s.departement,
                    s.academie.code,
                    s.academie.name,
                    s.region.code,
                    s.region.name
                ])?;
            }
            Ok(n)
        })
    }

    fn create_token(&self, id: &str, hash: &str, scope: &TokenScope) -> Result<(), StoreError> {
        let (scope, school, read_scope, hash, scoped_hash) =
            columns::token_columns(id, hash, scope);
        let id = id.to_owned();
        self.write(move |t| {
            t.execute(
                "INSERT INTO tokens (id, hash, scope, school, created_at, read_scope, scoped_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, hash, scope, school, ms(Timestamp::now()), read_scope, scoped_hash],
            )
            .map(|_| ())
        })
    }

    fn token_by_hash(&self, hash: &str) -> Result<Option<TokenInfo>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT id, scope, school, created_at, revoked_at, read_scope FROM tokens WHERE hash = ?1 OR scoped_hash = ?1",
                [hash],
                token_row,
            )
            .optional()
        })
    }

    fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
        self.revoke_now(sql, id.to_owned()).map(|n| n > 0)
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, scope, school, created_at, revoked_at, read_scope FROM tokens ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([], token_row)?;
            rows.collect()
        })
    }

    fn create_probe_link(&self, link: &ProbeLink) -> Result<(), StoreError> {
        let l = link.clone();
        self.write(move |t| {
            t.execute(
                "INSERT INTO probe_links (id, hash, school, label_prefix, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    l.id,
                    l.hash,
                    l.school.as_str(),
                    l.label_prefix,
                    ms(l.created_at),
                    ms(l.expires_at)
                ],
            )
            .map(|_| ())
        })
    }

    fn probe_link_by_hash(&self, hash: &str) -> Result<Option<ProbeLink>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT id, hash, school, label_prefix, created_at, expires_at, revoked_at \
                 FROM probe_links WHERE hash = ?1",
                [hash],
                probe_link_row,
            )
            .optional()
        })
    }

    fn probe_links(&self, school: Option<&Uai>) -> Result<Vec<ProbeLink>, StoreError> {
        let school = school.map(|s| s.as_str().to_owned());
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, hash, school, label_prefix, created_at, expires_at, revoked_at \
                 FROM probe_links WHERE ?1 IS NULL OR school = ?1 ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([school], probe_link_row)?;
            rows.collect()
        })
    }

    fn revoke_probe_link(&self, id: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE probe_links SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
        self.revoke_now(sql, id.to_owned()).map(|n| n > 0)
    }

    fn enrol(&self, e: NewEnrolment) -> Result<EnrolOutcome, StoreError> {
        self.write(move |t| writer::enrol(t, &e))
    }

    fn credential_by_hash(&self, hash: &str) -> Result<Option<CredentialInfo>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT school, workstation_id, revoked_at FROM enrolments WHERE credential_hash = ?1",
                [hash],
                |row| {
                    Ok(CredentialInfo {
                        school: parse_uai(row.get(0)?)?,
                        workstation_id: parse_uuid(&row.get::<_, String>(1)?),
                        revoked: row.get::<_, Option<i64>>(2)?.is_some(),
                    })
                },
            )
            .optional()
        })
    }

    fn enrolments(&self, school: Option<&Uai>) -> Result<Vec<EnrolmentRow>, StoreError> {
        let school = school.map(|s| s.as_str().to_owned());
        self.read(|c| {
            // One statement per case, as in `workstations`.
            let filter = if school.is_some() {
                "e.school = ?1"
            } else {
                "?1 IS NULL"
            };
            let mut stmt = c.prepare_cached(&format!(
                "SELECT e.school, e.workstation_id, e.label, e.enrolled_at, e.revoked_at, w.received_at
                 FROM enrolments e LEFT JOIN workstations w
                   ON w.school = e.school AND w.workstation_id = e.workstation_id
                 WHERE {filter} ORDER BY e.school, e.enrolled_at, e.workstation_id"
            ))?;
            let rows = stmt.query_map([school], |row| {
                Ok(EnrolmentRow {
                    school: parse_uai(row.get(0)?)?,
                    workstation_id: parse_uuid(&row.get::<_, String>(1)?),
                    label: row.get(2)?,
                    enrolled_at: ts(row.get(3)?),
                    revoked_at: row.get::<_, Option<i64>>(4)?.map(ts),
                    last_report_at: row.get::<_, Option<i64>>(5)?.map(ts),
                })
            })?;
            rows.collect()
        })
    }

    fn revoke_enrolment(&self, workstation_id: &Uuid) -> Result<usize, StoreError> {
        let sql = "UPDATE enrolments SET revoked_at = ?2 WHERE workstation_id = ?1 AND revoked_at IS NULL";
        self.revoke_now(sql, workstation_id.to_string())
    }

    fn hostname_salt(&self) -> Result<String, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT value FROM settings WHERE key = 'hostname_salt'",
                [],
                |r| r.get(0),
            )
        })
    }

    fn export_rows(
        &self,
        table: &'static Table,
        after: Option<&[Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<Value>>, StoreError> {
        let mut params: Vec<rusqlite::types::Value> =
            after.unwrap_or_default().iter().map(to_sqlite).collect();
        params.push(rusqlite::types::Value::Integer(limit as i64));
        let sql = table.select_sql(after.is_some(), question_mark);
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut values = Vec::with_capacity(table.columns.len());
                for i in 0..table.columns.len() {
                    values.push(from_sqlite(row.get(i)?));
                }
                out.push(values);
            }
            Ok(out)
        })
    }

    fn import_rows(&self, table: &'static Table, rows: Vec<Vec<Value>>) -> Result<u64, StoreError> {
        let sql = table.insert_sql(question_mark);
        self.write(move |t| {
            let mut stmt = t.prepare(&sql)?;
            let mut n = 0;
            for row in &rows {
                n += stmt.execute(rusqlite::params_from_iter(row.iter().map(to_sqlite)))? as u64;
            }
            Ok(n)
        })
    }

    fn purge(&self, before: Timestamp) -> Result<PurgeStats, StoreError> {
        let cutoff = ms(before);
        self.write(move |t| {
            let reports = t.execute("DELETE FROM reports WHERE received_at < ?1", [cutoff])?;
            let workstations =
                t.execute("DELETE FROM workstations WHERE received_at < ?1", [cutoff])?;
            Ok(PurgeStats {
                reports: reports as u64,
                workstations: workstations as u64,
            })
        })
    }
}

#[cfg(test)]
mod tests;
