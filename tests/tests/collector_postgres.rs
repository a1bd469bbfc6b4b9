//! Several collectors on one PostgreSQL database: they start together (the migrations under
//! an advisory lock), `ent-collector migrate` runs alone, the same report posted to two
//! nodes at once is stored once, a school's cap holds across nodes, and a password given in
//! the URL is never printed. The API suite itself runs on PostgreSQL in `collector_api.rs`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Barrier;

use ent_tests::collector::{
    Backend, Collector, TestDb, admin, collector_bin, import_sample_directory, sample_report,
};
use ent_tests::postgres::Cluster;
use uuid::Uuid;

const SCHOOL: &str = "0690101K";

/// The database's name in its URL.
fn name_of(db: &TestDb) -> String {
    let url = db.database().to_string_lossy().into_owned();
    url.rsplit('/').next().unwrap().to_owned()
}

/// Versions recorded in `schema_migrations`, in order.
fn recorded_versions(db: &TestDb) -> String {
    Cluster::shared().psql(
        &name_of(db),
        "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations",
    )
}

/// Every migration of the collector, as `schema_migrations` lists them once applied.
fn all_versions() -> String {
    // Each file's number (NNNN_name.sql), in order.
    let mut versions: Vec<u32> =
        std::fs::read_dir(ent_tests::workspace_root().join("collector/migrations/postgres"))
            .unwrap()
            .map(|e| {
                e.unwrap().file_name().to_string_lossy()[..4]
                    .parse()
                    .unwrap()
            })
            .collect();
    versions.sort();
    versions
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn nodes_starting_together_on_an_empty_database_all_come_up() {
    let db = TestDb::new(Backend::Postgres);
    let barrier = Barrier::new(3);
    let nodes: Vec<Collector> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    Collector::start(db.database(), &[])
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Each migration applied once, and every node serves.
    assert_eq!(recorded_versions(&db), all_versions());
    for n in &nodes {
        assert_eq!(n.report_count(), 0);
    }
    // One salt for the deployment, whichever node made it.
    assert_eq!(
        Cluster::shared().psql(&name_of(&db), "SELECT count(*) FROM settings"),
        "1"
    );
    let out = ent_tests::stdout_of(admin(db.database()).arg("migrate"), "migrate");
    assert!(out.contains("(0 migrations applied)"), "{out}");
}

#[test]
fn migrate_runs_alone_and_exits() {
    let db = TestDb::new(Backend::Postgres);
    // The database named by the environment, as the service's unit does.
    let out = ent_tests::stdout_of(
        std::process::Command::new(collector_bin())
            .arg("migrate")
            .env("ENT_COLLECTOR_DATABASE", db.database()),
        "migrate",
    );
    let versions = all_versions();
    let n = versions.split(',').count();
    let last = versions.rsplit(',').next().unwrap();
    assert!(
        out.contains(&format!("schema version {last} ({n} migrations applied)")),
        "{out}"
    );
    assert_eq!(recorded_versions(&db), versions);
    // Nothing but the schema: no node ran, so no salt yet.
    assert_eq!(
        Cluster::shared().psql(&name_of(&db), "SELECT count(*) FROM settings"),
        "0"
    );
    // A schema newer than the collector knows is refused, with what to do.
    Cluster::shared().psql(
        &name_of(&db),
        "INSERT INTO schema_migrations VALUES (999, '0999_future', 0)",
    );
    let run = ent_tests::run(
        admin(db.database())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("ENT_COLLECTOR_LOG", "warn"),
    );
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("version 999") && run.stderr.contains("newer ent-collector"),
        "{}",
        run.stderr
    );
}

/// Two nodes on one fresh PostgreSQL database holding the sample directory.
fn two_nodes() -> (TestDb, Collector, Collector) {
    let db = TestDb::new(Backend::Postgres);
    import_sample_directory(db.database());
    let a = Collector::start(db.database(), &[]);
    let b = Collector::start(db.database(), &[]);
    (db, a, b)
}

#[test]
fn the_same_report_posted_to_two_nodes_at_once_is_stored_once() {
    let (_db, a, b) = two_nodes();
    let token = a.school_token(SCHOOL);
    let rounds = 25;
    for round in 0..rounds {
        // A new workstation half of the time: its first report creates its latest state.
        let ws = if round % 2 == 0 {
            Uuid::new_v4()
        } else {
            Uuid::from_u128(7)
        };
        let report = serde_json::to_string(&sample_report(SCHOOL, ws)).unwrap();
        let barrier = Barrier::new(2);
        let answers: Vec<(u16, serde_json::Value)> = std::thread::scope(|s| {
            let hs: Vec<_> = [&a, &b]
                .into_iter()
                .map(|node| {
                    let (barrier, report, token) = (&barrier, report.clone(), &token);
                    s.spawn(move || {
                        barrier.wait();
                        node.post_report(Some(token), report)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "round {round}: {answers:?}");
        let (x, y) = (&answers[0].1, &answers[1].1);
        assert_eq!(
            (&x["verdict"], &x["score"]),
            (&y["verdict"], &y["score"]),
            "round {round}: the two answers differ: {answers:?}"
        );
    }
    // One id, two contents, at once: one is stored, the other is a conflict.
    for round in 0..5 {
        let first = sample_report(SCHOOL, Uuid::new_v4());
        let mut second = first.clone();
        second.workstation.label = Some("salle 9".into());
        let bodies = [first, second].map(|r| serde_json::to_string(&r).unwrap());
        let barrier = Barrier::new(2);
        let mut statuses: Vec<u16> = std::thread::scope(|s| {
            let hs: Vec<_> = [&a, &b]
                .into_iter()
                .zip(&bodies)
                .map(|(node, body)| {
                    let (barrier, token) = (&barrier, &token);
                    s.spawn(move || {
                        barrier.wait();
                        node.post_report(Some(token), body.clone()).0
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "conflict round {round}");
    }
    let rounds = rounds + 5;
    assert_eq!(a.report_count(), rounds);
    assert_eq!(b.report_count(), rounds);
    // Node B serves node A's last writes too, once it has followed them (within 2 s).
    let read = b.read_token();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let school = b.listed_school(&read, SCHOOL);
        if school["workstations"] == 14 + 5 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{school}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_schools_cap_holds_across_nodes() {
    let dir = TestDb::new(Backend::Postgres);
    let profile = dir.path().join("cap.toml");
    let shipped =
        std::fs::read_to_string(ent_tests::workspace_root().join("dist/profiles/fr-primaire.toml"))
            .unwrap();
    assert!(shipped.contains("max_workstations = 200"));
    std::fs::write(
        &profile,
        shipped.replace("max_workstations = 200", "max_workstations = 5"),
    )
    .unwrap();
    let profile = profile.to_str().unwrap();
    let nodes = [
        Collector::start(dir.database(), &["--profile", profile]),
        Collector::start(dir.database(), &["--profile", profile]),
    ];
    let token = nodes[0].school_token(SCHOOL);
    let barrier = Barrier::new(16);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..16)
            .map(|i| {
                let (node, barrier, token) = (&nodes[i % 2], &barrier, &token);
                s.spawn(move || {
                    let http = Collector::http();
                    barrier.wait();
                    http.post(format!("{}/api/v1/enrolments", node.url))
                        .bearer_auth(token)
                        .json(&serde_json::json!({"workstation_id": Uuid::new_v4()}))
                        .send()
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let enrolled = statuses.iter().filter(|&&s| s == 201).count();
    let full = statuses.iter().filter(|&&s| s == 409).count();
    assert_eq!((enrolled, full), (5, 11), "{statuses:?}");
    let list = ent_tests::stdout_of(
        admin(dir.database()).args(["workstations", "list", "--school", SCHOOL]),
        "workstations list",
    );
    assert_eq!(
        list.lines().filter(|l| l.contains(SCHOOL)).count(),
        5,
        "{list}"
    );
}

#[test]
fn a_password_in_the_url_is_never_printed() {
    let cluster = Cluster::shared();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    for url in [
        format!("postgres://ent:hunter2@127.0.0.1:{closed_port}/x"),
        format!(
            "postgres://ent:hunter2@127.0.0.1:{}/no_such_db",
            cluster.port
        ),
        format!(
            "postgresql://ent@127.0.0.1:{}/no_such_db?password=hunter2",
            cluster.port
        ),
    ] {
        for args in [&["migrate"][..], &["serve", "--listen", "127.0.0.1:0"]] {
            let run = ent_tests::run(admin(&url).args(args).env("ENT_COLLECTOR_LOG", "debug"));
            assert_eq!(run.code, Some(2), "{url} {args:?}: {run:?}");
            assert!(
                !run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("127.0.0.1"), "{}", run.stderr);
        }
    }
    // A node that starts (the tests' cluster trusts loopback: the password is not needed)
    // logs its database without the password, at every level.
    let db = TestDb::new(Backend::Postgres);
    let url = db
        .database()
        .to_str()
        .unwrap()
        .replace("postgres://ent@", "postgres://ent:hunter2@");
    let log = db.path().join("serve.log");
    let mut child = admin(&url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ENT_COLLECTOR_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let listening = ent_tests::collector::listening_url(&mut child);
    let (status, _) = Collector::http()
        .get(format!("{listening}/healthz"))
        .send()
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 200);
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("ent:***@127.0.0.1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// Past the batch size (5,000 rows a transaction): every old row goes, the recent stay.
#[test]
fn the_purge_deletes_in_batches_and_keeps_recent_reports() {
    let db = TestDb::new(Backend::Postgres);
    ent_tests::stdout_of(admin(db.database()).arg("migrate"), "migrate");
    let name = name_of(&db);
    let cluster = Cluster::shared();
    cluster.psql(
        &name,
        "INSERT INTO reports (school, report_id, workstation_id, finished_at, received_at, verdict,
                score, agent_verdict, agent_score, checks, body, content_hash)
         SELECT '0690101K', 'r' || g, 'w' || (g % 20), 0, CASE WHEN g <= 12001 THEN 0
                ELSE (extract(epoch FROM now()) * 1000)::bigint END,
                'ready', 90, 'ready', 90, '[]', '', 'h'
         FROM generate_series(1, 12003) AS g",
    );
    cluster.psql(
        &name,
        "INSERT INTO workstations (school, workstation_id, report_id, finished_at, received_at,
                verdict, score, checks, failing)
         SELECT '0690101K', 'w' || g, 'r' || g, 0, 0, 'ready', 90, '[]', '[]'
         FROM generate_series(0, 19) AS g",
    );
    let out = ent_tests::stdout_of(
        admin(db.database()).args(["purge", "--retention-days", "1"]),
        "purge",
    );
    assert!(
        out.contains("purged 12001 reports and 20 workstations"),
        "{out}"
    );
    assert_eq!(cluster.psql(&name, "SELECT count(*) FROM reports"), "2");
}

/// Clients spread over two nodes, as a balancer does, and one node killed (SIGKILL) in the
/// middle: every report either node acknowledged is stored, and the other node goes on.
#[test]
fn no_acknowledged_report_is_lost_when_a_node_is_killed() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let db = TestDb::new(Backend::Postgres);
    import_sample_directory(db.database());
    let mut a = Collector::start(db.database(), &[]);
    let b = Collector::start(db.database(), &[]);
    let token = a.school_token(SCHOOL);
    let urls = [a.url.clone(), b.url.clone()];
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let submitters: Vec<_> = (0..4)
        .map(|i| {
            let (urls, token, stop, acked) =
                (urls.clone(), token.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let http = Collector::http();
                let ws = Uuid::new_v4();
                let mut n = i;
                while !stop.load(Ordering::SeqCst) {
                    let r = sample_report(SCHOOL, ws);
                    let body = serde_json::to_string(&r).unwrap();
                    // Round robin; a refused connection goes to the other node.
                    for attempt in 0..2 {
                        let url = &urls[(n + attempt) % 2];
                        let resp = http
                            .post(format!("{url}/api/v1/reports"))
                            .bearer_auth(&token)
                            .body(body.clone())
                            .send();
                        match resp {
                            Ok(resp) if resp.status().is_success() => {
                                acked.lock().unwrap().push(r.clone());
                                break;
                            }
                            Ok(resp) => panic!("{}", resp.status()),
                            Err(_) => continue,
                        }
                    }
                    n += 1;
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while acked.lock().unwrap().len() < n {
            assert!(std::time::Instant::now() < deadline, "too slow");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    };
    wait_for(150);
    a.kill9();
    let at_kill = acked.lock().unwrap().len();
    wait_for(at_kill + 100);
    stop.store(true, Ordering::SeqCst);
    for s in submitters {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(b.report_count() >= acked.len() as u64);
    for r in &acked {
        let (s, answer) = b.post_report(Some(&token), serde_json::to_string(r).unwrap());
        assert_eq!(
            (s, answer["status"].as_str()),
            (200, Some("duplicate")),
            "{} lost",
            r.report_id
        );
    }
}

/// A node's summaries follow what another node wrote: within 2 s, not at the next full
/// recompute (5 minutes).
#[test]
fn every_node_serves_another_nodes_write_within_two_seconds() {
    let (_db, a, b) = two_nodes();
    let token = a.school_token(SCHOOL);
    let read = b.read_token();
    // B has computed its summaries before the write.
    assert_eq!(b.listed_school(&read, SCHOOL)["workstations"], 0);
    for expected in 1..=2 {
        let report = serde_json::to_string(&sample_report(SCHOOL, Uuid::new_v4())).unwrap();
        let (s, answer) = a.post_report(Some(&token), report);
        assert_eq!(s, 201, "{answer}");
        let written = std::time::Instant::now();
        loop {
            let seen = b.listed_school(&read, SCHOOL)["workstations"].clone();
            if seen == expected {
                break;
            }
            assert!(
                written.elapsed() < std::time::Duration::from_secs(2),
                "node B still shows {seen} workstations, 2 s after node A stored the report"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// A database on the same host through its Unix socket (a percent-encoded directory as the
/// host), where peer authentication needs no password at all.
#[test]
fn a_database_is_reached_through_its_unix_socket() {
    let cluster = Cluster::shared();
    let db = TestDb::new(Backend::Postgres);
    let socket_dir = cluster.dir().to_str().unwrap().replace('/', "%2F");
    let url = format!(
        "postgres://{}@{socket_dir}:{}/{}",
        ent_tests::postgres::USER,
        cluster.port,
        name_of(&db)
    );
    let out = ent_tests::stdout_of(admin(&url).arg("migrate"), "migrate over the socket");
    assert!(out.contains("migrations applied"), "{out}");
    assert_eq!(recorded_versions(&db), all_versions());
}

/// A counter of `/metrics`.
fn counter(c: &Collector, name: &str) -> u64 {
    let metrics = c.metrics();
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
}

/// The scheduled full recompute of the summaries is one node's per period, not each
/// node's: with a period of 2 s and both nodes read all along, the passes of both together
/// are about one per period, and a node leaves to the other each one it does not make. What the pass changed (a
/// directory import, which no report announces) reaches the other node all the same, and
/// the two serve the same list.
#[test]
fn the_full_recompute_is_done_once_for_the_cluster() {
    let db = TestDb::new(Backend::Postgres);
    import_sample_directory(db.database());
    let period = ["--summary-refresh-seconds", "2"];
    let a = Collector::start(db.database(), &period);
    let b = Collector::start(db.database(), &period);
    let read = a.read_token();
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        for node in [&a, &b] {
            assert_eq!(node.get("/api/v1/schools", Some(&read)).0, 200);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let full = |c: &Collector| counter(c, "ent_collector_summary_full_passes_total");
    let skipped = |c: &Collector| counter(c, "ent_collector_summary_full_passes_skipped_total");
    let elapsed = started.elapsed().as_secs();
    // Each node's first pass is its own (its cache was empty).
    let scheduled = full(&a) + full(&b) - 2;
    assert!(
        (2..=elapsed / 2 + 1).contains(&scheduled),
        "{scheduled} scheduled full passes in {elapsed} s on two nodes (every 2 s)"
    );
    // (Whichever node's period ends first takes each pass: often the same one.)
    let left = skipped(&a) + skipped(&b);
    assert!(
        left + scheduled >= elapsed / 2 && left >= scheduled - 1,
        "{left} passes left to the other node, {scheduled} made"
    );

    // A school renamed by an import: only a full pass sees it, one node's, and both serve it.
    let csv = std::fs::read_to_string(ent_tests::workspace_root().join("dist/annuaire-sample.csv"))
        .unwrap();
    assert!(csv.contains("École élémentaire Jean Moulin"));
    let renamed = db.path().join("annuaire.csv");
    std::fs::write(
        &renamed,
        csv.replace("École élémentaire Jean Moulin", "École Jean Moulin"),
    )
    .unwrap();
    ent_tests::stdout_of(
        admin(db.database())
            .args(["schools", "import"])
            .arg(&renamed),
        "schools import",
    );
    let imported = std::time::Instant::now();
    for node in [&a, &b] {
        while node.listed_school(&read, SCHOOL)["name"] != "École Jean Moulin" {
            assert!(
                imported.elapsed() < std::time::Duration::from_secs(8),
                "the import not served by {} after 8 s",
                node.url
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    assert_eq!(
        a.get("/api/v1/schools", Some(&read)).1["schools"],
        b.get("/api/v1/schools", Some(&read)).1["schools"]
    );
}
