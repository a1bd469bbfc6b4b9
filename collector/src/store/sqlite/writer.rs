//! The writer thread: the one connection that writes, and its group commit. Report inserts
//! waiting in its queue are committed together in one transaction, each in its own
//! savepoint; other writes (directory imports, tokens, purges) run after them, each in its
//! own transaction.

use std::sync::mpsc::{Receiver, SyncSender};

use rusqlite::{Connection, OptionalExtension, params};

use super::columns::{checks_json, ms, parse_verdict, verdict_str};
use crate::store::{InsertOutcome, NewReport, StoreError};

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
                let _ = reply.send(result.map_err(|message| StoreError::Other {
                    path: path.clone(),
                    message,
                }));
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
    let existing: Option<(String, i64)> = tx
        .query_row(
            "SELECT verdict, score FROM reports WHERE report_id = ?1",
            [&id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((verdict, score)) = existing {
        return Ok(InsertOutcome::Duplicate {
            verdict: parse_verdict(&verdict),
            score: u8::try_from(score).unwrap_or(0),
        });
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
        "INSERT INTO reports (report_id, school, workstation_id, finished_at, received_at, verdict, score, agent_verdict, agent_score, checks, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
            checks,
            r.body,
        ],
    )?;
    // The workstation's latest state moves only forward in the agent's time: a spooled
    // report delivered late does not overwrite a newer one. Its bandwidth figures are
    // replaced together, and only by a report that has some.
    let bw = r.bandwidth.as_ref();
    tx.execute(
        "INSERT INTO workstations (school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, failing, download_mbps, upload_mbps, bandwidth_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (school, workstation_id) DO UPDATE SET
            label = excluded.label, hostname = excluded.hostname, report_id = excluded.report_id,
            finished_at = excluded.finished_at, received_at = excluded.received_at,
            verdict = excluded.verdict, score = excluded.score, checks = excluded.checks,
            failing = excluded.failing,
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
        ],
    )?;
    Ok(InsertOutcome::Stored)
}
