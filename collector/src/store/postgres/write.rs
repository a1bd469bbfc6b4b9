//! The writes of the PostgreSQL backend that decide something: storing a report (its
//! idempotency and its admission) and enrolling a workstation (the school's cap and rate),
//! each in one transaction that several nodes may run at once.
//!
//! Two rules make them safe across nodes. The same report id of a school is stored once by
//! the primary key: an insert that meets a row another node is committing waits for it
//! (`ON CONFLICT DO NOTHING`), then reads it and answers as for a retry. And whatever
//! counts a school's workstations against its cap runs under the school's advisory lock
//! (`pg_advisory_xact_lock`, held until the transaction ends), so that two nodes cannot both
//! give away its last place.

use deadpool_postgres::GenericClient;
use sha2::{Digest, Sha256};

use super::{Fault, score};
use crate::store::columns::{
    checks_json, compress_body, failing_json, history_checks, ms, parse_verdict, verdict_str,
};
use crate::store::{
    EnrolOutcome, InsertOutcome, NewEnrolment, NewReport, School, Submitter, content_hash,
};

/// The first key of the per-school advisory locks ("ENT" and 1); the second is the school's.
const SCHOOL_LOCK_CLASS: i32 = 0x454e_5401;

/// Schools written per statement of a directory import.
const SCHOOLS_PER_STATEMENT: usize = 1000;

/// A transaction at READ COMMITTED whatever the database's default: the locks above are
/// what these writes rely on, and a stricter level would only add serialization failures.
async fn begin(
    c: &mut deadpool_postgres::Client,
) -> Result<deadpool_postgres::Transaction<'_>, Fault> {
    Ok(c.build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::ReadCommitted)
        .start()
        .await?)
}

/// Hold the school's lock until the end of the transaction `t`.
async fn lock_school(t: &impl GenericClient, school: &str) -> Result<(), Fault> {
    let digest = Sha256::digest(format!("school:{school}").as_bytes());
    let key = i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    t.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&SCHOOL_LOCK_CLASS, &key],
    )
    .await?;
    Ok(())
}

/// What a stored report with this id says to a new submission of it: the same content is a
/// duplicate (answered with the stored verdict), other content a conflict.
async fn existing(
    c: &impl GenericClient,
    r: &NewReport,
    school: &str,
    id: &str,
) -> Result<Option<InsertOutcome>, Fault> {
    let st = c
        .prepare_cached(
            "SELECT verdict, score, content_hash FROM reports WHERE school = $1 AND report_id = $2",
        )
        .await?;
    let Some(row) = c.query_opt(&st, &[&school, &id]).await? else {
        return Ok(None);
    };
    let hash: Option<String> = row.try_get(2)?;
    // Rows stored before content hashes (and before compressed bodies): hash their body
    // the same way.
    let hash = match hash {
        Some(h) => h,
        None => {
            let body = c
                .query_one(
                    "SELECT body FROM reports WHERE school = $1 AND report_id = $2",
                    &[&school, &id],
                )
                .await?;
            serde_json::from_str::<readiness::Report>(body.try_get(0)?)
                .map(|b| content_hash(&b))
                .unwrap_or_default()
        }
    };
    if hash != r.admission.content_hash {
        return Ok(Some(InsertOutcome::Conflict));
    }
    Ok(Some(InsertOutcome::Duplicate {
        verdict: parse_verdict(row.try_get(0)?),
        score: score(row.try_get(1)?),
    }))
}

/// Workstations a school holds (as on SQLite): those enrolled and not revoked, and those
/// never enrolled that it knows from their reports; browser probe devices never. A revoked
/// workstation frees its place.
async fn workstation_count(t: &impl GenericClient, school: &str) -> Result<i64, Fault> {
    let st = t
        .prepare_cached(
            "SELECT count(*) FROM (
                SELECT workstation_id FROM workstations WHERE school = $1
                UNION SELECT workstation_id FROM reports WHERE school = $1
                EXCEPT SELECT workstation_id FROM workstations WHERE school = $1 AND kind = 'browser'
                EXCEPT SELECT workstation_id FROM enrolments WHERE school = $1 AND revoked_at IS NOT NULL
                UNION SELECT workstation_id FROM enrolments WHERE school = $1 AND revoked_at IS NULL
            ) AS counted",
        )
        .await?;
    Ok(t.query_one(&st, &[&school]).await?.try_get(0)?)
}

/// Store a report and move its workstation's latest state, in one transaction.
pub(super) async fn insert_report(
    c: &mut deadpool_postgres::Client,
    r: &NewReport,
) -> Result<InsertOutcome, Fault> {
    let id = r.report_id.to_string();
    let school = r.school.as_str();
    let ws = r.workstation_id.to_string();
    // A retry, the common case of an id already there, answers without a transaction.
    if let Some(outcome) = existing(&*c, r, school, &id).await? {
        return Ok(outcome);
    }
    let t = begin(c).await?;
    if let Submitter::SchoolToken { max_workstations } = r.admission.submitter {
        lock_school(&t, school).await?;
        let st = t
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM enrolments WHERE school = $1 AND workstation_id = $2),
                        EXISTS (SELECT 1 FROM workstations WHERE school = $1 AND workstation_id = $2)
                            OR EXISTS (SELECT 1 FROM reports WHERE school = $1 AND workstation_id = $2)",
            )
            .await?;
        let row = t.query_one(&st, &[&school, &ws]).await?;
        let (enrolled, known): (bool, bool) = (row.try_get(0)?, row.try_get(1)?);
        if enrolled {
            return Ok(InsertOutcome::CredentialRequired);
        }
        // Not enrolled, so known means counted.
        if !known && workstation_count(&t, school).await? >= i64::from(max_workstations) {
            return Ok(InsertOutcome::WorkstationLimit {
                max: max_workstations,
            });
        }
    }
    if let Submitter::Browser { max_devices } = r.admission.submitter {
        lock_school(&t, school).await?;
        let st = t
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM workstations WHERE school = $1 AND workstation_id = $2),
                        (SELECT count(*) FROM workstations WHERE school = $1 AND kind = 'browser')",
            )
            .await?;
        let row = t.query_one(&st, &[&school, &ws]).await?;
        let (known, devices): (bool, i64) = (row.try_get(0)?, row.try_get(1)?);
        if !known && devices >= i64::from(max_devices) {
            return Ok(InsertOutcome::WorkstationLimit { max: max_devices });
        }
    }
    let st = t
        .prepare_cached(
            "INSERT INTO reports (report_id, school, workstation_id, finished_at, received_at, verdict, score, agent_verdict, agent_score, checks, body, content_hash, body_zstd)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12)
             ON CONFLICT (school, report_id) DO NOTHING",
        )
        .await?;
    let checks = checks_json(&r.checks);
    let inserted = t
        .execute(
            &st,
            &[
                &id,
                &school,
                &ws,
                &ms(r.finished_at),
                &ms(r.received_at),
                &verdict_str(r.verdict),
                &i32::from(r.score),
                &verdict_str(r.agent_verdict),
                &i32::from(r.agent_score),
                &history_checks(&r.checks),
                &r.admission.content_hash,
                &compress_body(&r.body),
            ],
        )
        .await?;
    if inserted == 0 {
        // Another node stored this id meanwhile (its transaction is committed: the insert
        // waited for it). Answer as for a retry of what it stored.
        t.rollback().await?;
        return existing(&*c, r, school, &id)
            .await?
            .ok_or_else(|| Fault::Other(format!("report {id} is neither stored nor new")));
    }
    if r.admission.may_be_latest {
        // The latest state moves only forward in the agent's time; the bandwidth figures
        // are replaced together, and only by a report that has some (as on SQLite).
        let st = t
            .prepare_cached(
                "INSERT INTO workstations (school, workstation_id, label, hostname, report_id, finished_at, received_at, verdict, score, checks, failing, download_mbps, upload_mbps, bandwidth_at, kind)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 ON CONFLICT (school, workstation_id) DO UPDATE SET
                    label = excluded.label, hostname = excluded.hostname, report_id = excluded.report_id,
                    finished_at = excluded.finished_at, received_at = excluded.received_at,
                    verdict = excluded.verdict, score = excluded.score, checks = excluded.checks,
                    failing = excluded.failing, kind = excluded.kind,
                    download_mbps = CASE WHEN excluded.bandwidth_at IS NULL THEN workstations.download_mbps ELSE excluded.download_mbps END,
                    upload_mbps = CASE WHEN excluded.bandwidth_at IS NULL THEN workstations.upload_mbps ELSE excluded.upload_mbps END,
                    bandwidth_at = COALESCE(excluded.bandwidth_at, workstations.bandwidth_at)
                 WHERE excluded.finished_at >= workstations.finished_at",
            )
            .await?;
        let bw = r.bandwidth.as_ref();
        t.execute(
            &st,
            &[
                &school,
                &ws,
                &r.label,
                &r.hostname,
                &id,
                &ms(r.finished_at),
                &ms(r.received_at),
                &verdict_str(r.verdict),
                &i32::from(r.score),
                &checks,
                &failing_json(&r.checks),
                &bw.and_then(|b| b.download_mbps),
                &bw.and_then(|b| b.upload_mbps),
                &bw.map(|b| ms(b.measured_at)),
                &(if r.admission.browser {
                    "browser"
                } else {
                    "agent"
                }),
            ],
        )
        .await?;
    }
    t.commit().await?;
    Ok(InsertOutcome::Stored)
}

/// Issue or replace a credential, within the school's rate and cap, under its lock.
pub(super) async fn enrol(
    c: &mut deadpool_postgres::Client,
    e: &NewEnrolment,
) -> Result<EnrolOutcome, Fault> {
    let school = e.school.as_str();
    let ws = e.workstation_id.to_string();
    let now = ms(e.at);
    let (limit, window_s) = e.rate;
    let window_ms = i64::from(window_s) * 1000;
    let t = begin(c).await?;
    lock_school(&t, school).await?;
    t.execute(
        "DELETE FROM enrolment_events WHERE school = $1 AND at <= $2",
        &[&school, &(now - window_ms)],
    )
    .await?;
    let row = t
        .query_one(
            "SELECT count(*), min(at) FROM enrolment_events WHERE school = $1",
            &[&school],
        )
        .await?;
    let (recent, oldest): (i64, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
    if recent >= i64::from(limit) {
        let free_at = oldest.unwrap_or(now) + window_ms;
        let retry_after = u64::try_from((free_at - now).max(1000) / 1000).unwrap_or(1);
        t.commit().await?;
        return Ok(EnrolOutcome::RateLimited { retry_after });
    }
    let row = t
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM enrolments WHERE school = $1 AND workstation_id = $2),
                    EXISTS (SELECT 1 FROM enrolments WHERE school = $1 AND workstation_id = $2 AND revoked_at IS NULL),
                    EXISTS (SELECT 1 FROM workstations WHERE school = $1 AND workstation_id = $2)
                        OR EXISTS (SELECT 1 FROM reports WHERE school = $1 AND workstation_id = $2)",
            &[&school, &ws],
        )
        .await?;
    let (enrolled, active, known): (bool, bool, bool) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    // A workstation already counted takes no new place; a revoked one has given its up.
    let counted = active || (known && !enrolled);
    if !counted && workstation_count(&t, school).await? >= i64::from(e.max_workstations) {
        t.commit().await?;
        return Ok(EnrolOutcome::Full {
            max: e.max_workstations,
        });
    }
    t.execute(
        "INSERT INTO enrolments (school, workstation_id, label, credential_hash, enrolled_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, NULL)
         ON CONFLICT (school, workstation_id) DO UPDATE SET label = excluded.label,
            credential_hash = excluded.credential_hash, enrolled_at = excluded.enrolled_at,
            revoked_at = NULL",
        &[&school, &ws, &e.label, &e.credential_hash, &now],
    )
    .await?;
    t.execute(
        "INSERT INTO enrolment_events (school, at) VALUES ($1, $2)",
        &[&school, &now],
    )
    .await?;
    t.commit().await?;
    Ok(EnrolOutcome::Enrolled { replaced: enrolled })
}

/// Insert or update schools, a thousand per statement, in one transaction; the count is of
/// the rows given (as on SQLite, where each is one upsert). A UAI given twice keeps its last
/// row.
pub(super) async fn upsert_schools(
    c: &mut deadpool_postgres::Client,
    schools: &[School],
) -> Result<usize, Fault> {
    let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, s) in schools.iter().enumerate() {
        last.insert(s.uai.as_str(), i);
    }
    let unique: Vec<&School> = schools
        .iter()
        .enumerate()
        .filter(|(i, s)| last.get(s.uai.as_str()) == Some(i))
        .map(|(_, s)| s)
        .collect();
    let t = begin(c).await?;
    let st = t
        .prepare_cached(
            "INSERT INTO schools (uai, name, commune, circonscription_code, circonscription_name, departement,
                                  academie_code, academie_name, region_code, region_name)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::text[], $8::text[], $9::text[], $10::text[])
             ON CONFLICT (uai) DO UPDATE SET name = excluded.name, commune = excluded.commune,
                circonscription_code = excluded.circonscription_code,
                circonscription_name = excluded.circonscription_name, departement = excluded.departement,
                academie_code = excluded.academie_code, academie_name = excluded.academie_name,
                region_code = excluded.region_code, region_name = excluded.region_name",
        )
        .await?;
    for chunk in unique.chunks(SCHOOLS_PER_STATEMENT) {
        let col = |f: fn(&School) -> &str| chunk.iter().map(|s| f(s)).collect::<Vec<&str>>();
        t.execute(
            &st,
            &[
                &col(|s| s.uai.as_str()),
                &col(|s| &s.name),
                &col(|s| &s.commune),
                &col(|s| &s.circonscription_code),
                &col(|s| &s.circonscription_name),
                &col(|s| &s.departement),
                &col(|s| &s.academie.code),
                &col(|s| &s.academie.name),
                &col(|s| &s.region.code),
                &col(|s| &s.region.name),
            ],
        )
        .await?;
    }
    t.commit().await?;
    Ok(schools.len())
}
