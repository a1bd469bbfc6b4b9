//! The SQLite store's own behaviour: its migrations, old databases, what the copy must know.
// The store's behaviour (states, bandwidth figures, concurrency, enrolments, conflicts)
// is tested on both backends by `tests/tests/store_backends.rs`; here only what is
// SQLite's own: its migrations from older files.
use readiness::Verdict;

use super::*;
use crate::store::CheckSummary;

fn report(ws: Uuid, finished_at: Timestamp, verdict: Verdict) -> NewReport {
    NewReport {
        report_id: Uuid::now_v7(),
        school: "0751234J".parse().unwrap(),
        workstation_id: ws,
        label: None,
        hostname: None,
        finished_at,
        received_at: Timestamp::now(),
        verdict,
        score: 50,
        agent_verdict: verdict,
        agent_score: 50,
        checks: vec![CheckSummary {
            id: "browser.any".into(),
            status: readiness::CheckStatus::Fail,
            blocking: true,
            message: "none".into(),
        }],
        body: "{}".into(),
        bandwidth: None,
        admission: Default::default(),
    }
}

/// A migration that adds a column must add it to the copy too (`store::copy`), or
/// `ent-collector copy` would leave it behind.
#[test]
fn the_copy_knows_every_column_of_the_tables_it_copies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    let tables: Vec<&crate::store::copy::Table> = crate::store::copy::TABLES
        .into_iter()
        .chain([&crate::store::copy::SETTINGS])
        .collect();
    for table in tables {
        let columns: Vec<String> = store
            .read(|c| {
                let mut st = c.prepare(&format!("PRAGMA table_info({})", table.name))?;
                let names = st.query_map([], |r| r.get::<_, String>(1))?;
                names.collect()
            })
            .unwrap();
        let known: Vec<String> = table.columns.iter().map(|(c, _)| (*c).to_owned()).collect();
        let (mut a, mut b) = (columns.clone(), known);
        a.sort();
        b.sort();
        assert_eq!(a, b, "the columns of {}", table.name);
    }
    // And a migration that adds a table adds it to the copy, or here with the reason.
    let not_copied = [
        "enrolment_events", // rate-limits enrolments for a few minutes
        "cluster_claims",   // who makes the next full pass: the destination's own
        "summary_changes",  // kept an hour for the other nodes
    ];
    let mut all: Vec<String> = store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )?;
            let names = st.query_map([], |r| r.get::<_, String>(0))?;
            names.collect()
        })
        .unwrap();
    all.retain(|t| !not_copied.contains(&t.as_str()));
    all.sort();
    let mut copied: Vec<String> = crate::store::copy::TABLES
        .iter()
        .chain([&&crate::store::copy::SETTINGS])
        .map(|t| t.name.to_owned())
        .collect();
    copied.sort();
    assert_eq!(all, copied, "tables neither copied nor said not to be");
}

#[test]
fn a_database_of_an_older_version_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // What a collector with only the first migration left behind.
    let old = Connection::open(&path).unwrap();
    old.execute_batch(migrations::SQLITE[0].sql).unwrap();
    old.pragma_update(None, "user_version", 1).unwrap();
    old.execute(
        "INSERT INTO schools VALUES ('0751234J', 'École A', 'Paris', 'C1', 'Paris 1', '075')",
        [],
    )
    .unwrap();
    drop(old);
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    let school = &store.schools().unwrap()[0];
    assert_eq!(school.name, "École A");
    // Imported before académies and régions were: empty until the next import.
    assert!(school.academie.is_empty() && school.region.is_empty());
    let version: u32 = store
        .read(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
        .unwrap();
    assert_eq!(Some(version), migrations::SQLITE.last().map(|m| m.version));
    // The later migration's columns are there.
    store
        .insert_report(report(Uuid::new_v4(), Timestamp::now(), Verdict::Ready))
        .unwrap();
    assert_eq!(store.workstation_briefs(None).unwrap()[0].bandwidth, None);
}

#[test]
fn reports_of_before_per_school_ids_are_kept_and_ids_are_per_school() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let old = Connection::open(&path).unwrap();
    for m in &migrations::SQLITE[..2] {
        old.execute_batch(m.sql).unwrap();
    }
    old.pragma_update(None, "user_version", 2).unwrap();
    let id = Uuid::now_v7();
    old.execute(
        "INSERT INTO reports VALUES (?1, '0751234J', ?2, 1, 1, 'ready', 90, 'ready', 90, '[]', '{}')",
        [id.to_string(), Uuid::new_v4().to_string()],
    )
    .unwrap();
    drop(old);
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    assert_eq!(store.report_count().unwrap(), 1);
    let school: Uai = "0751234J".parse().unwrap();
    assert!(store.report_body(&school, &id).unwrap().is_some());
    // The same id from another school is another report.
    let mut other = report(Uuid::new_v4(), Timestamp::now(), Verdict::Ready);
    other.report_id = id;
    other.school = "0690101K".parse().unwrap();
    assert_eq!(store.insert_report(other).unwrap(), InsertOutcome::Stored);
    assert_eq!(store.report_count().unwrap(), 2);
    assert_eq!(store.hostname_salt().unwrap().len(), 64);
}

/// Read tokens made before scopes (schema 6) see every school, as they did; a school
/// token stays its school's.
#[test]
fn read_tokens_of_before_scopes_see_every_school() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    let old = Connection::open(&path).unwrap();
    for m in &migrations::SQLITE[..6] {
        old.execute_batch(m.sql).unwrap();
    }
    old.pragma_update(None, "user_version", 6).unwrap();
    old.execute_batch(
        "INSERT INTO tokens (id, hash, scope, school, created_at) VALUES ('r', 'hr', 'read', NULL, 1);
         INSERT INTO tokens (id, hash, scope, school, created_at) VALUES ('s', 'hs', 'school', '0751234J', 1);",
    )
    .unwrap();
    drop(old);
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    let read = store.token_by_hash("hr").unwrap().unwrap();
    assert_eq!(read.scope, TokenScope::Read(crate::store::ReadScope::All));
    let school = store.token_by_hash("hs").unwrap().unwrap();
    assert_eq!(
        school.scope,
        TokenScope::School("0751234J".parse().unwrap())
    );
    // A scope the collector cannot read is an error, never a wider scope.
    store
        .write(|t| {
            t.execute(
                "UPDATE tokens SET read_scope = 'everything' WHERE id = 'r'",
                [],
            )
        })
        .unwrap();
    assert!(store.token_by_hash("hr").is_err());
}

/// A scoped read token is not found by the lookup of a collector older than scopes
/// (`WHERE hash = ?`, which took any read token for one of scope all): a rolled-back
/// binary answers 401 for it, never every school. The new lookup finds it.
#[test]
fn scoped_read_tokens_fail_closed_for_older_collectors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scoped.db");
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    let scope: crate::store::ReadScope = "circonscription:0690900D".parse().unwrap();
    store
        .create_token("c", "hc", &TokenScope::Read(scope.clone()))
        .unwrap();
    store
        .create_token("a", "ha", &TokenScope::Read(crate::store::ReadScope::All))
        .unwrap();
    let old_lookup = |hash: &str| {
        store
            .read(|c| {
                c.query_row("SELECT id FROM tokens WHERE hash = ?1", [hash], |r| {
                    r.get::<_, String>(0)
                })
                .optional()
            })
            .unwrap()
    };
    assert_eq!(old_lookup("hc"), None);
    assert_eq!(old_lookup("ha").as_deref(), Some("a"));
    let found = store.token_by_hash("hc").unwrap().unwrap();
    assert_eq!(found.scope, TokenScope::Read(scope));
    assert_eq!(store.tokens().unwrap().len(), 2);
}

/// A database a newer collector migrated is refused with what to do, not misread.
#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    drop(SqliteStore::open(path.to_str().unwrap()).unwrap());
    let c = Connection::open(&path).unwrap();
    let newer = i64::from(migrations::SQLITE.iter().map(|m| m.version).max().unwrap()) + 1;
    c.pragma_update(None, "user_version", newer).unwrap();
    drop(c);
    let err = SqliteStore::open(path.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("newer than this collector's"), "{err}");
}
