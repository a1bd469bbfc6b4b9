#![allow(clippy::unwrap_used)]
//! Speed tests behind a load balancer: two collector nodes on one database, a real nginx
//! round-robin in front (its configuration is the README's), each node started with
//! `--public-url` naming its own prefix on the balancer.
//!
//! - On loopback: every session answer names the node that holds the session; that node
//!   knows the session, the other does not (so without the name, a session's transfers and
//!   counters would be spread over nodes that do not count them); the agent's test through
//!   the balancer measures both directions, the upload counted by the collector.
//! - On a shaped link (root: network namespaces and tc): the agent through the balancer
//!   measures what it measures against one node, within a few percent, both within 10 % of
//!   the link's payload capacity.
//!
//! nginx comes from Debian's `nginx` package; `.ci/run` installs it, and with `CI` set a
//! missing nginx is a failure.

use std::path::Path;
use std::process::{Command, Stdio};

use ent_tests::collector::{Collector, collector_bin, create_token, listening_url};
use ent_tests::netlab::is_root;
use ent_tests::nginx::{Nginx, balancer_config, free_port, nginx_or_skip};
use ent_tests::shaped::{self, Daemon, Link, SERVER, Shape};
use ent_tests::{agent, audit_report};

const SCHOOL: &str = "0751234J";

/// `audit --json` with a short bandwidth test against `url` (2 s a direction on loopback;
/// 5 s in the client namespace of `link` when given): the report.
fn audit(dir: &Path, url: &str, token: &str, link: Option<&Link>) -> serde_json::Value {
    std::fs::create_dir_all(dir).unwrap();
    let profile = dir.join("profile.toml");
    let seconds = if link.is_some() { 5.0 } else { 2.0 };
    std::fs::write(&profile, shaped::bandwidth_profile(seconds, 64.0)).unwrap();
    let mut cmd = agent(&dir.join("state"));
    cmd.args(["audit", "--json", "--lang", "en", "--profile"])
        .arg(&profile)
        .args(["--collector", url])
        .env("ENT_AGENT_TOKEN", token);
    let out = match link {
        Some(link) => link.in_client(&cmd).output(),
        None => cmd.output(),
    };
    audit_report(&out.unwrap())
}

/// Download and upload figures of a report's bandwidth test, which must have run whole.
fn figures(report: &serde_json::Value) -> (f64, f64) {
    let bw = &report["measurements"]["bandwidth"];
    assert!(
        bw["unavailable"].as_object().is_none_or(|u| u.is_empty()),
        "{bw:#}"
    );
    assert_eq!(bw["upload"]["counted_by"], "collector", "{bw:#}");
    (
        bw["download_mbps"]
            .as_f64()
            .unwrap_or_else(|| panic!("{bw:#}")),
        bw["upload_mbps"]
            .as_f64()
            .unwrap_or_else(|| panic!("{bw:#}")),
    )
}

#[test]
fn sessions_stay_on_the_node_that_opened_them() {
    let Some(nginx) = nginx_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let token = create_token(&db, &["--school", SCHOOL]);
    let port = free_port();
    let balancer = format!("http://127.0.0.1:{port}");
    let node_url = |i: usize| format!("{balancer}/noeud/{i}/");
    let nodes: Vec<Collector> = (0..2)
        .map(|i| Collector::start(&db, &["--public-url", &node_url(i)]))
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

    let http = Collector::http();
    let mut seen = [0; 2];
    for _ in 0..4 {
        let r = http
            .post(format!("{balancer}/api/v1/speedtest/sessions"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(r.status(), 201, "{}", lb.error_log());
        let answer: serde_json::Value = r.json().unwrap();
        let id = answer["session"].as_str().unwrap().to_owned();
        let node = answer["node"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"));
        let i = (0..2)
            .find(|&i| node == node_url(i))
            .unwrap_or_else(|| panic!("unknown node {node}"));
        seen[i] += 1;
        // The node that opened it counts it; the other one has never heard of it.
        let counters = |at: &str| {
            http.get(format!("{at}api/v1/speedtest/sessions/{id}"))
                .send()
                .unwrap()
                .status()
        };
        assert_eq!(counters(node), 200);
        assert_eq!(counters(&node_url(1 - i)), 404);
        let closed = http
            .delete(format!("{node}api/v1/speedtest/sessions/{id}"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert!(closed.status().is_success(), "{}", closed.status());
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "round robin over both nodes: {seen:?}"
    );

    // The agent through the balancer: a whole test, its notes naming the node.
    let report = audit(dir.path(), &balancer, &token, None);
    let (down, up) = figures(&report);
    let notes = report["measurements"]["bandwidth"]["notes"].to_string();
    assert!(notes.contains("/noeud/"), "{notes}");
    println!("through the balancer on loopback: {down:.0}/{up:.0} Mbit/s, {notes}");
}

/// A collector in the server namespace, listening on `listen`, with `extra` serve options.
fn node(link: &Link, db: &Path, listen: &str, extra: &[&str]) -> (Daemon, String) {
    let mut child = link
        .server(collector_bin())
        .arg("--database")
        .arg(db)
        .args(["serve", "--listen", listen])
        .args(extra)
        .env("ENT_COLLECTOR_LOG", "warn")
        .env_remove("ENT_COLLECTOR_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let url = listening_url(&mut child);
    (Daemon { child }, url)
}

#[test]
fn a_balanced_speed_test_measures_what_one_node_does() {
    if !is_root() {
        eprintln!("skipped: network namespaces and tc need root (CI runs as root)");
        return;
    }
    let Some(nginx) = nginx_or_skip() else {
        return;
    };
    let rate = 20.0;
    let link = Link::create(Shape {
        down_mbit: Some(rate),
        up_mbit: Some(rate),
    })
    .unwrap();
    let capacity = link.payload_capacity(rate);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let token = create_token(&db, &["--school", SCHOOL]);

    // One node alone, as a département runs it.
    let (single, single_url) = node(&link, &db, &format!("{SERVER}:8080"), &[]);
    let direct = figures(&audit(
        &dir.path().join("1"),
        &single_url,
        &token,
        Some(&link),
    ));
    drop(single);

    // Two nodes behind nginx, on the server side of the same link.
    let balancer = format!("http://{SERVER}:8090");
    let nodes: Vec<(Daemon, String)> = (0..2)
        .map(|i| {
            node(
                &link,
                &db,
                "127.0.0.1:0",
                &["--public-url", &format!("{balancer}/noeud/{i}/")],
            )
        })
        .collect();
    let addrs: Vec<String> = nodes
        .iter()
        .map(|(_, u)| u.trim_start_matches("http://").to_owned())
        .collect();
    let _lb = Nginx::start(
        &nginx,
        &balancer_config(&format!("{SERVER}:8090"), &addrs),
        |p| link.server(p),
    );
    let balanced = figures(&audit(
        &dir.path().join("2"),
        &balancer,
        &token,
        Some(&link),
    ));

    println!(
        "shaped {rate} Mbit/s (payload capacity {capacity:.2}): one node {:.2}/{:.2}, through nginx {:.2}/{:.2} Mbit/s, balanced/direct {:.3}/{:.3}",
        direct.0,
        direct.1,
        balanced.0,
        balanced.1,
        balanced.0 / direct.0,
        balanced.1 / direct.1
    );
    for (what, v) in [
        ("direct download", direct.0),
        ("direct upload", direct.1),
        ("balanced download", balanced.0),
        ("balanced upload", balanced.1),
    ] {
        assert!(
            (v / capacity - 1.0).abs() <= 0.10,
            "{what}: {v:.2} Mbit/s against a capacity of {capacity:.2}"
        );
    }
    for (what, b, d) in [
        ("download", balanced.0, direct.0),
        ("upload", balanced.1, direct.1),
    ] {
        assert!(
            (b / d - 1.0).abs() <= 0.05,
            "{what}: {b:.2} through nginx against {d:.2} from one node"
        );
    }
}
