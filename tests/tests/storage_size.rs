//! What a stored report costs on disk, on each backend: typical reports posted to the real
//! collector, then the bytes of the `reports` table (rows, TOAST, indexes) per report.
//! Prints the figure (`cargo test -p ent-tests --test storage_size -- --nocapture`). The
//! bodies are kept compressed (zstd), the history's checks without their messages.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ent_tests::collector::{Backend, Collector, TestDb, sample_report};
use ent_tests::on_both_backends;
use ent_tests::postgres::Cluster;
use uuid::Uuid;

on_both_backends!(a_stored_report_is_compressed);

const SCHOOL: &str = "0690101K";
const REPORTS: usize = 200;

/// Bytes of the `reports` table and its indexes.
fn reports_bytes(db: &TestDb) -> u64 {
    let database = db.database().to_string_lossy().into_owned();
    match db.backend {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open_with_flags(
                &database,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            c.query_row(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat
                 WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'reports')",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap() as u64
        }
        Backend::Postgres => {
            let name = database.rsplit('/').next().unwrap();
            Cluster::shared()
                .psql(name, "SELECT pg_total_relation_size('reports')")
                .parse()
                .unwrap()
        }
    }
}

fn a_stored_report_is_compressed(backend: Backend) {
    let db = TestDb::new(backend);
    let c = Collector::start(db.database(), &[]);
    let token = c.school_token(SCHOOL);
    // One workstation's history: reports alike but for their ids and dates, as a
    // workstation's weekly audits are.
    let ws = Uuid::new_v4();
    let empty = reports_bytes(&db);
    let mut body_bytes = 0;
    for _ in 0..REPORTS {
        let body = serde_json::to_string(&sample_report(SCHOOL, ws)).unwrap();
        body_bytes += body.len();
        let (s, a) = c.post_report(Some(&token), body);
        assert_eq!(s, 201, "{a}");
    }
    let per_report = (reports_bytes(&db) - empty) as f64 / REPORTS as f64;
    if backend == Backend::Sqlite {
        let c = rusqlite::Connection::open(db.database()).unwrap();
        let (body, checks): (f64, f64) = c
            .query_row(
                "SELECT avg(length(body_zstd)), avg(length(checks)) FROM reports",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        println!(
            "{backend:?}: columns per report: compressed body {body:.0} bytes, history checks {checks:.0}"
        );
    }
    let body = body_bytes as f64 / REPORTS as f64;
    println!(
        "{backend:?}: {per_report:.0} bytes stored per report (table, TOAST and indexes) for a {body:.0}-byte report ({:.2} of it)",
        per_report / body
    );
    // Before the bodies were compressed and the history's checks kept without their
    // messages: 1.41 of the report on SQLite, 0.69 on PostgreSQL (its own compression of
    // long text); then 0.46 and 0.55; with the compact history checks (and 16 KiB SQLite
    // pages) 0.36 and 0.45.
    assert!(
        per_report < body * 0.5,
        "{per_report:.0} bytes per {body:.0}-byte report"
    );
}
