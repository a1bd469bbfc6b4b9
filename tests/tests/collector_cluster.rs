//! Three collector nodes on one PostgreSQL database behind a real nginx round-robin (the
//! README's configuration, `ent_tests::nginx`), each node started with `--public-url`
//! naming its own prefix on the balancer:
//!
//! - real agents (`ent-agent enroll`, `run`) enrol and deliver through the balancer;
//! - the same report posted twice at once through the balancer (so to two nodes) is stored
//!   once, and both answers agree;
//! - `kill -9` of one node under load (many concurrent submissions through nginx): every
//!   acknowledged report is stored, checked by id;
//! - every node answers the same `/api/v1/schools` within 2 s of a write on any node.
//!
//! nginx comes from Debian's `nginx` package; with `CI` set a missing nginx is a failure.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use ent_tests::collector::{Backend, Collector, TestDb, import_sample_directory, sample_report};
use ent_tests::nginx::{Nginx, balancer_config, free_port, nginx_or_skip};
use ent_tests::{Run, agent, run};
use serde_json::Value;
use uuid::Uuid;

const SCHOOL: &str = "0690101K";
const NODES: usize = 3;

/// Nodes on one database behind nginx.
struct Cluster {
    db: TestDb,
    nodes: Vec<Collector>,
    /// The balancer's base URL (no trailing slash).
    url: String,
    lb: Nginx,
}

fn cluster() -> Option<Cluster> {
    let nginx = nginx_or_skip()?;
    let db = TestDb::new(Backend::Postgres);
    import_sample_directory(db.database());
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let nodes: Vec<Collector> = (0..NODES)
        .map(|i| {
            Collector::start(
                db.database(),
                &["--public-url", &format!("{url}/noeud/{i}/")],
            )
        })
        .collect();
    let addrs: Vec<String> = nodes
        .iter()
        .map(|n| n.url.trim_start_matches("http://").to_owned())
        .collect();
    let lb = Nginx::start(
        &nginx,
        &balancer_config(&format!("127.0.0.1:{port}"), &addrs),
        |p| Command::new(p),
    );
    Some(Cluster { db, nodes, url, lb })
}

/// `POST /api/v1/reports` to `base`: status and JSON answer (status 0: no answer).
fn post(http: &reqwest::blocking::Client, base: &str, token: &str, body: &str) -> (u16, Value) {
    match http
        .post(format!("{base}/api/v1/reports"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
    {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.json().unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

/// The list of schools a node serves, without the time it was made.
fn schools_of(node: &Collector, read: &str) -> Value {
    let (status, mut body) = node.get("/api/v1/schools", Some(read));
    assert_eq!(status, 200, "{body}");
    if let Some(map) = body.as_object_mut() {
        map.remove("generated_at");
    }
    body
}

/// `ent-agent` with a private state directory; `agent` already clears the proxy variables.
fn agent_cmd(state: &Path) -> Command {
    let mut cmd = agent(state);
    cmd.env_remove("ENT_AGENT_TOKEN");
    cmd
}

#[test]
fn agents_enrol_and_deliver_through_the_balancer() {
    let Some(c) = cluster() else { return };
    let token = c.nodes[0].school_token(SCHOOL);
    let read = c.nodes[0].read_token();
    let agents = 4;
    for i in 0..agents {
        let state = tempfile::tempdir().unwrap();
        let e: Run = run(agent_cmd(state.path())
            .args(["enroll", "--collector", &c.url, "--school", SCHOOL])
            .args(["--label", &format!("poste {i}")])
            .env("ENT_AGENT_TOKEN", &token));
        assert_eq!(e.code, Some(0), "{e:?}\n{}", c.lb.error_log());
        let r = run(agent_cmd(state.path()).args(["run", "--no-network", "--lang", "en"]));
        assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
        assert!(r.stdout.contains("report sent to the collector"), "{r:?}");
    }
    // Stored once each, whichever node took them, and every node serves them within 2 s.
    let stored: u64 = c
        .nodes
        .iter()
        .map(|n| {
            let m = n.metrics();
            m.lines()
                .find_map(|l| l.strip_prefix("ent_collector_reports_stored_total "))
                .map_or(0, |v| v.trim().parse().unwrap())
        })
        .sum();
    assert_eq!(stored, agents);
    let since = Instant::now();
    for node in &c.nodes {
        while node.listed_school(&read, SCHOOL)["workstations"] != agents {
            assert!(since.elapsed() < Duration::from_secs(2), "{}", node.url);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let listed = c.nodes[1]
        .get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read))
        .1;
    assert_eq!(
        listed["workstations"].as_array().unwrap().len(),
        agents as usize
    );
}

#[test]
fn the_same_report_posted_twice_at_once_through_the_balancer_is_stored_once() {
    let Some(c) = cluster() else { return };
    let token = c.nodes[0].school_token(SCHOOL);
    let rounds = 15;
    for round in 0..rounds {
        let report = serde_json::to_string(&sample_report(SCHOOL, Uuid::new_v4())).unwrap();
        let barrier = Barrier::new(2);
        let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    let (barrier, report, token, url) = (&barrier, &report, &token, &c.url);
                    s.spawn(move || {
                        let http = Collector::http();
                        barrier.wait();
                        post(&http, url, token, report)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
        statuses.sort();
        assert_eq!(statuses, [200, 201], "round {round}: {answers:?}");
        assert_eq!(answers[0].1["verdict"], answers[1].1["verdict"]);
        assert_eq!(answers[0].1["score"], answers[1].1["score"]);
        assert_eq!(c.nodes[round % NODES].report_count(), round as u64 + 1);
    }
}

/// Submitters through nginx, as agents do (a report without a 2xx is sent again), and one
/// node killed (SIGKILL) in the middle: every report acknowledged is stored.
#[test]
fn no_acknowledged_report_is_lost_when_a_node_is_killed_behind_the_balancer() {
    let Some(mut c) = cluster() else { return };
    let token = c.nodes[0].school_token(SCHOOL);
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<Uuid>>> = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let submitters: Vec<_> = (0..8)
        .map(|_| {
            let (url, token, stop, acked, failed) = (
                c.url.clone(),
                token.clone(),
                stop.clone(),
                acked.clone(),
                failed.clone(),
            );
            std::thread::spawn(move || {
                let http = Collector::http();
                let ws = Uuid::new_v4();
                while !stop.load(Ordering::SeqCst) {
                    let r = sample_report(SCHOOL, ws);
                    let body = serde_json::to_string(&r).unwrap();
                    for _ in 0..20 {
                        let (status, answer) = post(&http, &url, &token, &body);
                        if (200..300).contains(&status) {
                            acked.lock().unwrap().push(r.report_id);
                            break;
                        }
                        assert!(matches!(status, 0 | 502 | 503 | 504), "{status} {answer}");
                        *failed.lock().unwrap() += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while acked.lock().unwrap().len() < n {
            assert!(Instant::now() < deadline, "too slow");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(150);
    c.nodes[0].kill9();
    let at_kill = acked.lock().unwrap().len();
    wait_for(at_kill + 150);
    stop.store(true, Ordering::SeqCst);
    for s in submitters {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    // Checked by id in the database itself.
    let ids: Vec<String> = acked.iter().map(|id| format!("'{id}'")).collect();
    let name =
        c.db.database()
            .to_string_lossy()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
    let stored: usize = ent_tests::postgres::Cluster::shared()
        .psql(
            &name,
            &format!(
                "SELECT count(DISTINCT report_id) FROM reports WHERE report_id IN ({})",
                ids.join(",")
            ),
        )
        .parse()
        .unwrap();
    println!(
        "{} reports acknowledged ({at_kill} before the kill), {} answers without a 2xx retried",
        acked.len(),
        failed.lock().unwrap()
    );
    assert_eq!(stored, acked.len(), "acknowledged reports lost");
    assert_eq!(
        c.nodes[1].report_count(),
        acked.len() as u64,
        "and nothing stored twice"
    );
}

#[test]
fn every_node_serves_the_same_schools_within_two_seconds_of_a_write() {
    let Some(c) = cluster() else { return };
    let token = c.nodes[0].school_token(SCHOOL);
    let read = c.nodes[0].read_token();
    // Every node has computed its summaries before the writes.
    for node in &c.nodes {
        assert_eq!(node.listed_school(&read, SCHOOL)["workstations"], 0);
    }
    let http = Collector::http();
    for written in 1..=NODES as u64 {
        // A write on each node in turn (directly), then each node asked.
        let node = &c.nodes[written as usize - 1];
        let report = serde_json::to_string(&sample_report(SCHOOL, Uuid::new_v4())).unwrap();
        let (s, answer) = post(&http, &node.url, &token, &report);
        assert_eq!(s, 201, "{answer}");
        let at = Instant::now();
        let mut lists = Vec::new();
        for other in &c.nodes {
            loop {
                let list = schools_of(other, &read);
                let shown = &ent_tests::find_in(&list["schools"], "uai", SCHOOL)["workstations"];
                if *shown == written {
                    lists.push(list);
                    break;
                }
                assert!(
                    at.elapsed() < Duration::from_secs(2),
                    "{} shows {shown} workstations 2 s after the write on {}",
                    other.url,
                    node.url
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        assert!(lists.windows(2).all(|w| w[0] == w[1]), "{lists:#?}");
    }
}
