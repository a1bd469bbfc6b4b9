//! The writer thread: the one connection that writes, and its group commit. Report inserts
//! waiting in its queue are committed together in one transaction, each in its own
//! savepoint; other writes (directory imports, tokens, purges) run after them, each in its
//! own transaction.

use std::sync::mpsc::{Receiver, SyncSender};

use rusqlite::{Connection, OptionalExtension, params};

use super::columns::{checks_json, compress_body, history_checks, ms, parse_verdict, verdict_str};
use crate::store::{
    EnrolOutcome, InsertOutcome, NewEnrolment, NewReport, StoreError, Submitter, content_hash,
};

/// Reports committed together at most.
const MAX_BATCH: usize = 512;

pub(super) type Job = Box<dyn FnOnce(&mut Connection) + Send>;
pub(super) type Reply = SyncSender<Result<InsertOutcome, StoreError>>;

pub(super) enum Request {
    Insert(Box<NewReport>, Reply),
    Exec(Job),
}

pub(super) fn writer_loop(mut conn: Connection, rx: Receiver<Request>, path: String) {
    while let Ok(first) = rx.recv() {
        let mut inserts = Vec::new();
        let mut execs: Vec<Job> = Vec::new();
        let mut next = Some(first);
        while let Some(req) = next.take() {
            match req {
                Request::Insert(r, reply) => inserts.push((r, reply)),
                Request::Exec(job) => execs.push(job),
            }
            if inserts.len() + execs.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !inserts.is_empty() {
            let results = insert_batch(&mut conn, &inserts);
            for ((_, reply), result) in inserts.into_iter().zip(results) {
                let _ = reply.send(result.map_err(|message| StoreError::other(&path, message)));
            }
        }
        for job in execs {
            job(&mut conn);
        }
    }
}

/// Insert a batch in one transaction; each report in its own savepoint so that one failure
/// does not take the others down. Returns one result per report; all fail if the commit
/// itself failed (nothing of the batch is then acknowledged).
fn insert_batch(
    conn: &mut Connection,
    batch: &[(Box<NewReport>, Reply)],
) -> Vec<Result<InsertOutcome, String>> {
    let run = |conn: &mut Connection| -> rusqlite::Result<Vec<Result<InsertOutcome, String>>> {
        let mut tx = conn.transaction()?;
        let mut results = Vec::with_capacity(batch.len());
        for (report, _) in batch {
            let sp = tx.savepoint()?;
            match insert_one(&sp, report) {
                Ok(outcome) => {
                    sp.commit()?;
                    results.push(Ok(outcome));
                }
                // Dropping the savepoint rolls this report back.
                Err(e) => results.push(Err(e.to_string())),
            }
        }
        tx.commit()?;
        Ok(results)
    };
    match run(conn) {
        Ok(results) => results,
        Err(e) => {
            let msg = format!("commit failed: {e}");
            batch.iter().map(|_| Err(msg.clone())).collect()
        }
    }
}

fn insert_one(tx: &rusqlite::Connection, r: &NewReport) -> rusqlite::Result<InsertOutcome> {
    let id = r.report_id.to_string();
    let school = r.school.as_str();
    let existing: Option<(String, i64, Option<String>)> = tx
        .query_row(
            "SELECT verdict, score, content_hash FROM reports WHERE school = ?1 AND report_id = ?2",
            [school, &id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    if let Some((verdict, score, hash)) = existing {
        // Rows stored before content hashes (and before compressed bodies): hash their body
        // the same way.
        let hash = match hash {
            Some(h) => h,
            None => tx
                .query_row(
                    "SELECT body FROM reports WHERE school = ?1 AND report_id = ?2",
                    [school, &id],
                    |row| row.get::<_, String>(0),
                )
                .map(|body| {
                    serde_json::from_str::<readiness::Report>(&body)
                        .map(|b| content_hash(&b))
                        .unwrap_or_default()
                })?,
        };
        if hash != r.admission.content_hash {
            return Ok(InsertOutcome::Conflict);
        }
        return Ok(InsertOutcome::Duplicate {
            verdict: parse_verdict(&verdict),
            score: u8::try_from(score).unwrap_or(0),
        });
    }
    let ws = r.workstation_id.to_string();
    if let Submitter::SchoolToken { max_workstations } = r.admission.submitter {
        let enrolled: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM enrolments WHERE school = ?1 AND workstation_id = ?2)",
            [school, &ws],
            |row| row.get(0),
        )?;
        if enrolled {
            return Ok(InsertOutcome::CredentialRequired);
        }
        // Not enrolled, so known means counted: a latest state, or reports only (those
        // dated beyond the future tolerance leave no latest state).
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM workstations WHERE school = ?1 AND workstation_id = ?2)
                 OR EXISTS (SELECT 1 FROM reports WHERE school = ?1 AND workstation_id = ?2)",
            [school, &ws],
            |row| row.get(0),
        )?;
        if !known && workstation_count(tx, school)? >= i64::from(max_workstations) {
            return Ok(InsertOutcome::WorkstationLimit {
                max: max_workstations,
            });
        }
    }
    if let Submitter::Browser { max_devices } = r.admission.submitter {
        let (known, devices): (bool, i64) = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM workstations WHERE school = ?1 AND workstation_id = ?2),
                    (SELECT count(*) FROM workstations WHERE school = ?1 AND kind = 'browser')",
            [school, &ws],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if !known && devices >= i64::from(max_devices) {
            return Ok(InsertOutcome::WorkstationLimit { max: max_devices });
        }
    }
    let checks = checks_json(&r.checks);
    let failing: Vec<(&str, bool)> = r
        .checks
        .iter()
        .filter(|c| c.status == readiness::CheckStatus::Fail)
        .map(|c| (c.id.as_str(), c.blocking))
        .collect();
    let failing = serde_json::to_string(&failing).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO reports (report_id, school, workstation_id, finished_at, received_at, verdict, score, agent_verdict, agent_score, checks, body, content_hash, body_zstd)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11, ?12)",
        params![
            id,
            r.school.as_str(),
            r.workstation_id.to_string(),
            ms(r.finished_at),
            ms(r.received_at),
            verdict_str(r.verdict),
            r.score,
            verdict_str(r.agent_verdict),
            r.agent_score,
            history_checks(&r.checks),
            r.admission.content_hash,
            compress_body(&r.body),
        ],
    )?;
    if !r.admission.may_be_latest {
        return Ok(InsertOutcome::Stored);
    }
    // The workstation's latest state moves only forward in the agent's time: a spooled
    // report delivered late does not overwrite a newer one. Its bandwidth figures are
    // replaced together, and only by a report that has some.
    let bw = r.bandwidth.as_ref();
    tx.execute(
        "INSERT INTO workstations (school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, failing, download_mbps, upload_mbps, bandwidth_at, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (school, workstation_id) DO UPDATE SET
            label = excluded.label, hostname = excluded.hostname, report_id = excluded.report_id,
            finished_at = excluded.finished_at, received_at = excluded.received_at,
            verdict = excluded.verdict, score = excluded.score, checks = excluded.checks,
            failing = excluded.failing, kind = excluded.kind,
            download_mbps = CASE WHEN excluded.bandwidth_at IS NULL THEN workstations.download_mbps ELSE excluded.download_mbps END,
            upload_mbps = CASE WHEN excluded.bandwidth_at IS NULL THEN workstations.upload_mbps ELSE excluded.upload_mbps END,
            bandwidth_at = COALESCE(excluded.bandwidth_at, workstations.bandwidth_at)
         WHERE excluded.finished_at >= workstations.finished_at",
        params![
            r.school.as_str(),
            r.workstation_id.to_string(),
            r.label,
            r.hostname,
            id,
            ms(r.finished_at),
            ms(r.received_at),
            verdict_str(r.verdict),
            r.score,
            checks,
            failing,
            bw.and_then(|b| b.download_mbps),
            bw.and_then(|b| b.upload_mbps),
            bw.map(|b| ms(b.measured_at)),
            if r.admission.browser { "browser" } else { "agent" },
        ],
    )?;
    Ok(InsertOutcome::Stored)
}

/// Workstations a school holds: those enrolled and not revoked, and those never enrolled
/// that it knows from their reports (a latest state, or reports only: a report dated
/// beyond the future tolerance leaves no latest state); browser probe devices never. A
/// revoked workstation frees its place; its reports stay in the history. Reads the school's report index only when a
/// workstation it does not know yet arrives.
fn workstation_count(tx: &rusqlite::Connection, school: &str) -> rusqlite::Result<i64> {
    tx.query_row(
        "SELECT count(*) FROM (
            SELECT workstation_id FROM workstations WHERE school = ?1
            UNION SELECT workstation_id FROM reports WHERE school = ?1
            EXCEPT SELECT workstation_id FROM workstations WHERE school = ?1 AND kind = 'browser'
            EXCEPT SELECT workstation_id FROM enrolments WHERE school = ?1 AND revoked_at IS NOT NULL
            UNION SELECT workstation_id FROM enrolments WHERE school = ?1 AND revoked_at IS NULL)",
        [school],
        |row| row.get(0),
    )
}

/// Issue or replace a credential, within the school's rate and cap (one transaction, on the
/// writer: two enrolments cannot both take the last place).
pub(super) fn enrol(
    tx: &rusqlite::Transaction<'_>,
    e: &NewEnrolment,
) -> rusqlite::Result<EnrolOutcome> {
    let school = e.school.as_str();
    let ws = e.workstation_id.to_string();
    let now = ms(e.at);
    let (limit, window_s) = e.rate;
    let window_start = now - i64::from(window_s) * 1000;
    tx.execute(
        "DELETE FROM enrolment_events WHERE school = ?1 AND at <= ?2",
        params![school, window_start],
    )?;
    let (recent, oldest): (i64, Option<i64>) = tx.query_row(
        "SELECT count(*), min(at) FROM enrolment_events WHERE school = ?1",
        [school],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if recent >= i64::from(limit) {
        let free_at = oldest.unwrap_or(now) + i64::from(window_s) * 1000;
        let retry_after = u64::try_from((free_at - now).max(1000) / 1000).unwrap_or(1);
        return Ok(EnrolOutcome::RateLimited { retry_after });
    }
    let (enrolled, active, known): (bool, bool, bool) = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM enrolments WHERE school = ?1 AND workstation_id = ?2),
                EXISTS (SELECT 1 FROM enrolments WHERE school = ?1 AND workstation_id = ?2 AND revoked_at IS NULL),
                EXISTS (SELECT 1 FROM workstations WHERE school = ?1 AND workstation_id = ?2)
                    OR EXISTS (SELECT 1 FROM reports WHERE school = ?1 AND workstation_id = ?2)",
        [school, &ws],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    // A workstation already counted (enrolled, or never enrolled and known from its reports)
    // takes no new place; a revoked one has given its place up.
    let counted = active || (known && !enrolled);
    if !counted && workstation_count(tx, school)? >= i64::from(e.max_workstations) {
        return Ok(EnrolOutcome::Full {
            max: e.max_workstations,
        });
    }
    tx.execute(
        "INSERT INTO enrolments (school, workstation_id, label, credential_hash, enrolled_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL)
         ON CONFLICT (school, workstation_id) DO UPDATE SET label = excluded.label,
            credential_hash = excluded.credential_hash, enrolled_at = excluded.enrolled_at,
            revoked_at = NULL",
        params![school, ws, e.label, e.credential_hash, now],
    )?;
    tx.execute(
        "INSERT INTO enrolment_events (school, at) VALUES (?1, ?2)",
        params![school, now],
    )?;
    Ok(EnrolOutcome::Enrolled { replaced: enrolled })
}
