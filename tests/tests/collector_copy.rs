//! `ent-collector copy`: a département's SQLite file with history (several rounds, several
//! schools, enrolled workstations, a revoked token and a revoked credential) copied to
//! PostgreSQL gives the same read API answers from a collector started on each, and so
//! does a copy back to a new SQLite file; a second copy writes nothing; a copy killed (SIGKILL) halfway through the reports and run again
//! ends with the same contents.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use ent_tests::collector::{Collector, TestDb, admin, import_sample_directory, sample_report};
use ent_tests::postgres::Cluster;
use serde_json::Value;
use uuid::Uuid;

const SCHOOLS: [&str; 4] = ["0690101K", "0690102L", "0690103M", "0690105P"];
const ROUNDS: i64 = 3;
const PER_SCHOOL: usize = 4;
/// The school whose token is revoked.
const REVOKED_SCHOOL: &str = "0690104N";

struct Source {
    db: TestDb,
    read: String,
    /// A read token of one circonscription's (its scope travels with it).
    scoped: String,
    /// A school token that works, its school's, and a revoked one.
    token: String,
    revoked: String,
    /// An enrolled workstation's credential, and a revoked one's.
    credential: (Uuid, String),
    revoked_credential: String,
    /// One report posted, to post again.
    report: String,
}

fn enrol(c: &Collector, token: &str, ws: Uuid) -> String {
    let r = Collector::http()
        .post(format!("{}/api/v1/enrolments", c.url))
        .bearer_auth(token)
        .json(&serde_json::json!({"workstation_id": ws, "label": "salle 1"}))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json::<Value>().unwrap()["credential"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A SQLite database with history: `ROUNDS` weekly rounds of `PER_SCHOOL` workstations in
/// each school of `SCHOOLS`, two of them enrolled (one revoked since), tokens (one revoked).
fn seeded_source() -> Source {
    let db = TestDb::new(ent_tests::collector::Backend::Sqlite);
    import_sample_directory(db.database());
    let mut c = Collector::start(db.database(), &[]);
    let read = c.read_token();
    let scoped = c.token(&["--read", "--scope", "circonscription:0690900D"]);
    // A browser probe link (listed by `probe-link list`, compared after the copy).
    ent_tests::browser_probe::probe_link(
        std::path::Path::new(db.database()),
        SCHOOLS[0],
        &c.url,
        &[],
    );
    let revoked = c.school_token(REVOKED_SCHOOL);
    let list = ent_tests::stdout_of(admin(db.database()).args(["token", "list"]), "token list");
    let revoked_id = list
        .lines()
        .find(|l| l.contains(REVOKED_SCHOOL))
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    ent_tests::stdout_of(
        admin(db.database()).args(["token", "revoke", &revoked_id]),
        "token revoke",
    );
    let tokens: Vec<String> = SCHOOLS.iter().map(|s| c.school_token(s)).collect();
    let enrolled = (Uuid::new_v4(), Uuid::new_v4());
    let credential = enrol(&c, &tokens[0], enrolled.0);
    let revoked_credential = enrol(&c, &tokens[0], enrolled.1);
    let mut report = String::new();
    let now = jiff::Timestamp::now();
    for (i, school) in SCHOOLS.iter().enumerate() {
        let mut workstations: Vec<Uuid> = (0..PER_SCHOOL).map(|_| Uuid::new_v4()).collect();
        if i == 0 {
            workstations[0] = enrolled.0;
            workstations[1] = enrolled.1;
        }
        for round in (0..ROUNDS).rev() {
            for (w, ws) in workstations.iter().enumerate() {
                let mut r = sample_report(school, *ws);
                r.finished_at = now - jiff::SignedDuration::from_hours(24 * 7 * round + w as i64);
                r.started_at = r.finished_at - jiff::SignedDuration::from_secs(40);
                // Some not ready, so that the rounds and roll-ups are not all alike.
                if (w + round as usize).is_multiple_of(3) {
                    r.measurements.browsers = None;
                }
                let token = match (i, w) {
                    (0, 0) => &credential,
                    (0, 1) => &revoked_credential,
                    _ => &tokens[i],
                };
                let body = serde_json::to_string(&r).unwrap();
                let (s, a) = c.post_report(Some(token), body.clone());
                assert_eq!(s, 201, "{a}");
                report = body;
            }
        }
    }
    ent_tests::stdout_of(
        admin(db.database()).args(["workstations", "revoke", &enrolled.1.to_string()]),
        "workstations revoke",
    );
    c.terminate(Duration::from_secs(10));
    Source {
        db,
        read,
        scoped,
        token: tokens[SCHOOLS.len() - 1].clone(),
        revoked,
        credential: (enrolled.0, credential),
        revoked_credential,
        report,
    }
}

/// `ent-collector copy --from --to` (with extra arguments): its stdout.
fn copy(from: &str, to: &str, extra: &[&str]) -> String {
    ent_tests::stdout_of(
        admin("unused.db")
            .args(["copy", "--from", from, "--to", to])
            .args(extra),
        "copy",
    )
}

/// The value without the times it was made at (they differ between two collectors).
fn without_generation_times(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| k != "generated_at");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// What the read API answers, route by route.
fn read_api(c: &Collector, read: &str) -> Vec<(String, Value)> {
    let mut paths = vec![
        "/api/v1/schools".to_owned(),
        "/api/v1/schools?limit=3".to_owned(),
        "/api/v1/circonscriptions".to_owned(),
        "/api/v1/departements".to_owned(),
        "/api/v1/academies".to_owned(),
        "/api/v1/regions".to_owned(),
    ];
    for s in SCHOOLS.iter().chain([&REVOKED_SCHOOL]) {
        paths.push(format!("/api/v1/schools/{s}"));
        paths.push(format!("/api/v1/schools/{s}/history?days=60"));
    }
    let mut out: Vec<(String, Value)> = paths
        .into_iter()
        .map(|p| {
            let (status, body) = c.get(&p, Some(read));
            assert_eq!(status, 200, "{p}: {body}");
            (p, without_generation_times(body))
        })
        .collect();
    out.push(("export.csv".into(), Value::String(c.export_csv(read))));
    out
}

/// The admin CLI's lists (tokens, workstations) of a database.
fn admin_lists(db: &str) -> (String, String, String) {
    (
        ent_tests::stdout_of(admin(db).args(["token", "list"]), "token list"),
        ent_tests::stdout_of(
            admin(db).args(["workstations", "list"]),
            "workstations list",
        ),
        ent_tests::stdout_of(admin(db).args(["probe-link", "list"]), "probe-link list"),
    )
}

fn assert_same_as_source(source: &Source, source_answers: &[(String, Value)], to: &str) {
    let c = Collector::start(to, &[]);
    let answers = read_api(&c, &source.read);
    for ((path, a), (_, b)) in source_answers.iter().zip(&answers) {
        assert_eq!(a, b, "{path} differs after the copy");
    }
    assert_eq!(
        admin_lists(&source.db.database().to_string_lossy()),
        admin_lists(to)
    );
    // The scoped token keeps its scope: its circonscription's three schools.
    let (status, body) = c.get("/api/v1/schools", Some(&source.scoped));
    assert_eq!(status, 200, "{body}");
    let codes: Vec<&Value> = body["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["circonscription"]["code"])
        .collect();
    assert_eq!(codes, ["0690900D"; 3], "{body}");
    assert_eq!(
        c.report_count(),
        (SCHOOLS.len() * PER_SCHOOL) as u64 * ROUNDS as u64
    );
}

#[test]
fn a_sqlite_history_copied_to_postgres_reads_the_same_and_a_second_copy_adds_nothing() {
    let source = seeded_source();
    let from = format!("sqlite://{}", source.db.database().to_string_lossy());
    let answers = {
        let c = Collector::start(source.db.database(), &[]);
        read_api(&c, &source.read)
    };
    let school = find(&answers, "/api/v1/schools/0690101K");
    assert_eq!(school["workstations"].as_array().unwrap().len(), PER_SCHOOL);
    let history = find(&answers, "/api/v1/schools/0690101K/history?days=60");
    assert_eq!(history["rounds"].as_array().unwrap().len(), ROUNDS as usize);

    let cluster = Cluster::shared();
    let to = cluster.url(&cluster.create_database());
    let first = copy(&from, &to, &["--batch", "7"]);
    assert!(
        first.contains("reports: 48 rows read, 48 written"),
        "{first}"
    );
    assert_same_as_source(&source, &answers, &to);

    // Run again: nothing written, the same answers.
    let second = copy(&from, &to, &[]);
    assert!(second.contains(": 0 rows written"), "{second}");
    assert_same_as_source(&source, &answers, &to);

    // And back, from PostgreSQL to a new SQLite file: the same again.
    let back = source.db.path().join("back.db");
    let back = format!("sqlite://{}", back.display());
    let third = copy(&to, &back, &[]);
    assert!(
        third.contains("reports: 48 rows read, 48 written"),
        "{third}"
    );
    assert_same_as_source(&source, &answers, back.trim_start_matches("sqlite://"));

    // The copied secrets work on the new database, and what was revoked stays so.
    let c = Collector::start(&to, &[]);
    let (s, a) = c.post_report(Some(&source.token), source.report.clone());
    assert_eq!(s, 200, "the same report again: a duplicate, {a}");
    assert_eq!(a["status"], "duplicate");
    let (s, _) = c.post_report(Some(&source.revoked), source.report.clone());
    assert_eq!(s, 401, "a revoked token stays revoked");
    let mut r = sample_report(SCHOOLS[0], source.credential.0);
    r.finished_at = jiff::Timestamp::now();
    let (s, a) = c.post_report(
        Some(&source.credential.1),
        serde_json::to_string(&r).unwrap(),
    );
    assert_eq!(s, 201, "an enrolled workstation's credential works: {a}");
    let (s, _) = c.post_report(
        Some(&source.revoked_credential),
        serde_json::to_string(&sample_report(SCHOOLS[0], Uuid::new_v4())).unwrap(),
    );
    assert_eq!(s, 401, "a revoked credential stays revoked");
}

fn find<'a>(answers: &'a [(String, Value)], path: &str) -> &'a Value {
    &answers.iter().find(|(p, _)| p == path).unwrap().1
}

/// Killed while it copies the reports (held at one of them by a lock of the test's), then run
/// again: the same contents as the source.
#[test]
fn a_copy_killed_halfway_and_run_again_ends_identical() {
    let source = seeded_source();
    let path = source.db.database().to_string_lossy().into_owned();
    let from = format!("sqlite://{path}");
    let answers = {
        let c = Collector::start(source.db.database(), &[]);
        read_api(&c, &source.read)
    };
    // The key of the report in the middle of the copy's order.
    let total = (SCHOOLS.len() * PER_SCHOOL) as i64 * ROUNDS;
    let (school, id): (String, String) = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT school, report_id FROM reports ORDER BY school, report_id LIMIT 1 OFFSET ?1",
            [total / 2],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();

    let cluster = Cluster::shared();
    let name = cluster.create_database();
    let to = cluster.url(&name);
    // The schema first, then a transaction of the test's holds that report's key: the copy
    // waits there, with the reports before it committed.
    ent_tests::stdout_of(admin(&to).arg("migrate"), "migrate");
    let mut lock = cluster.psql_session(&name);
    writeln!(
        lock.stdin.as_mut().unwrap(),
        "BEGIN; INSERT INTO reports (school, report_id, workstation_id, finished_at, received_at,
            verdict, score, agent_verdict, agent_score, checks, body)
         VALUES ('{school}', '{id}', 'w', 0, 0, 'ready', 0, 'ready', 0, '[]', '');"
    )
    .unwrap();
    let mut running = admin("unused.db")
        .args(["copy", "--from", &from, "--to", &to, "--batch", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let count = || -> i64 {
        cluster
            .psql(&name, "SELECT count(*) FROM reports")
            .parse()
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() < total / 2 - 5 {
        assert!(Instant::now() < deadline, "the copy did not reach the lock");
        assert!(running.try_wait().unwrap().is_none(), "the copy ended");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    running.kill().unwrap();
    running.wait().unwrap();
    drop(lock.stdin.take());
    lock.wait().unwrap();
    let halfway = count();
    assert!(
        halfway > 0 && halfway < total,
        "killed halfway: {halfway} of {total}"
    );
    assert_eq!(
        cluster.psql(&name, "SELECT count(*) FROM workstations"),
        "0",
        "killed before the latest states"
    );

    let again = copy(&from, &to, &[]);
    assert!(
        again.contains(&format!(
            "reports: {total} rows read, {} written",
            total - halfway
        )),
        "{again}"
    );
    assert_same_as_source(&source, &answers, &to);
}
