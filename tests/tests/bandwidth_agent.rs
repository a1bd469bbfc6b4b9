#![allow(clippy::unwrap_used)]
//! The bandwidth test end to end on loopback: the real agent against the real collector's
//! speed-test endpoints (`audit --collector`, and `run` on an enrolled PC), the collector's
//! admission limit (429, then a retry after a random wait), the cases where there is no test
//! to run, and the school's link estimate in the read API and the CSV.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ent_tests::collector::{Collector, close_speedtest, open_speedtest};
use ent_tests::shaped::bandwidth_profile;
use ent_tests::{Run, agent, check, run, schema_errors};

const SCHOOL: &str = "0751234J";

/// A short test: 2 s per direction at most, 64 MiB.
fn profile_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("profile.toml");
    std::fs::write(&p, bandwidth_profile(2.0, 64.0)).unwrap();
    p
}

/// `audit --collector` with the test profile, in under 20 s.
fn timed_audit(dir: &Path, c: &Collector, token: &str) -> (Run, serde_json::Value) {
    let profile = profile_file(dir);
    let started = Instant::now();
    let out = audit(
        &dir.join("state"),
        &profile,
        &["--collector", &c.url],
        Some(token),
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    out
}

fn agent_cmd(state: &Path) -> Command {
    let mut cmd = agent(state);
    cmd.env_remove("ENT_AGENT_TOKEN");
    cmd
}

fn audit(
    state: &Path,
    profile: &Path,
    extra: &[&str],
    token: Option<&str>,
) -> (Run, serde_json::Value) {
    let mut cmd = agent_cmd(state);
    cmd.args(["audit", "--json", "--lang", "en", "--profile"])
        .arg(profile)
        .args(extra);
    if let Some(t) = token {
        cmd.env("ENT_AGENT_TOKEN", t);
    }
    let r = run(&mut cmd);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}\n{}", r.stdout, r.stderr));
    (r, v)
}

#[test]
fn audit_measures_against_the_collector() {
    let dir = tempfile::tempdir().unwrap();
    let c = Collector::start(&dir.path().join("c.db"), &[]);
    let token = c.school_token(SCHOOL);
    let (r, report) = timed_audit(dir.path(), &c, &token);
    assert!(
        schema_errors(&report).is_empty(),
        "{:?}",
        schema_errors(&report)
    );
    // Silent without a terminal: nothing but logs on stderr, no progress bar.
    assert!(!r.stderr.contains("bandwidth ["), "{}", r.stderr);
    let bw = &report["measurements"]["bandwidth"];
    for key in [
        "download_mbps",
        "upload_mbps",
        "streams",
        "idle_latency_ms",
        "loaded_latency_ms",
        "rpm",
        "confidence",
    ] {
        assert!(!bw[key].is_null(), "{key} missing: {bw:#}");
    }
    assert!(bw["download_mbps"].as_f64().unwrap() > 0.0);
    assert!(bw["upload_mbps"].as_f64().unwrap() > 0.0);
    assert!(bw["streams"].as_u64().unwrap() >= 4);
    assert_eq!(bw["download"]["counted_by"], "agent");
    assert_eq!(bw["upload"]["counted_by"], "collector");
    for dir in ["download", "upload"] {
        let t = &bw[dir];
        assert!(t["duration_s"].as_f64().unwrap() <= 2.6, "{t}");
        assert!(t["bytes"].as_u64().unwrap() > 0, "{t}");
        assert!(t["p10_mbps"].as_f64() <= t["p90_mbps"].as_f64(), "{t}");
    }
    // The token never appears in the report.
    assert!(!report.to_string().contains(&token));
    for id in [
        "bandwidth.download",
        "bandwidth.upload",
        "bandwidth.loaded_latency",
    ] {
        assert_ne!(
            check(&report, id)["status"],
            "unknown",
            "{}",
            check(&report, id)
        );
    }
    assert!(
        check(&report, "bandwidth.download")["message"]
            .as_str()
            .unwrap()
            .contains("streams")
    );
}

#[test]
fn without_a_collector_the_checks_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let profile = profile_file(dir.path());
    let state = dir.path().join("state");
    let cases: [(&[&str], &str); 3] = [
        (&[], "no collector to measure against"),
        (&["--no-bandwidth"], "--no-bandwidth"),
        (&["--no-network"], "--no-network"),
    ];
    for (args, reason) in cases {
        let (_, report) = audit(&state, &profile, args, None);
        for id in [
            "bandwidth.download",
            "bandwidth.upload",
            "bandwidth.loaded_latency",
        ] {
            let c = check(&report, id);
            assert_eq!(c["status"], "unknown", "{args:?}: {c}");
            assert!(
                c["message"].as_str().unwrap().contains(reason),
                "{args:?}: {c}"
            );
        }
    }
    // --collector without a token is a usage error; an unreachable collector a finding.
    let r = run(agent_cmd(&state)
        .args(["audit", "--collector", "http://127.0.0.1:9/"])
        .arg("--profile")
        .arg(&profile));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--token"), "{}", r.stderr);
    let started = Instant::now();
    let (_, report) = audit(
        &state,
        &profile,
        &["--collector", "http://127.0.0.1:9/"],
        Some("some-token"),
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let c = check(&report, "bandwidth.download");
    assert_eq!(c["status"], "unknown", "{c}");
    assert!(
        c["message"].as_str().unwrap().contains("unreachable"),
        "{c}"
    );
}

/// Open a session with the school token, as another agent would.
fn hold_session(c: &Collector, token: &str) -> String {
    let (status, session) = open_speedtest(&c.url, token);
    session.unwrap_or_else(|| panic!("no session opened: {status}"))
}

#[test]
fn a_busy_collector_is_retried_after_a_wait_and_the_report_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let c = Collector::start(&dir.path().join("c.db"), &["--max-speedtests", "1"]);
    let token = c.school_token(SCHOOL);
    let profile = profile_file(dir.path());
    let held = hold_session(&c, &token);
    let mut cmd = agent_cmd(&dir.path().join("state"));
    cmd.args(["audit", "--json", "--lang", "en", "--profile"])
        .arg(&profile)
        .args(["--collector", &c.url])
        .env("ENT_AGENT_TOKEN", &token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // The other test ends while the agent waits.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(close_speedtest(&c.url, &held, Some(&token)), 204);
    let out = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bw = &report["measurements"]["bandwidth"];
    assert!(bw["admission_retries"].as_u64().unwrap() >= 1, "{bw:#}");
    assert!(bw["download_mbps"].as_f64().unwrap() > 0.0, "{bw:#}");
    let notes = bw["notes"].to_string();
    assert!(notes.contains("busy with another speed test"), "{notes}");
}

#[test]
fn a_collector_that_stays_busy_is_a_reason_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let c = Collector::start(&dir.path().join("c.db"), &["--max-speedtests", "1"]);
    let token = c.school_token(SCHOOL);
    let _held = hold_session(&c, &token);
    // At most 12 s of waiting for admission, then a finding.
    let (_, report) = timed_audit(dir.path(), &c, &token);
    let bw = &report["measurements"]["bandwidth"];
    assert!(
        bw["unavailable"]["bandwidth"]
            .as_str()
            .unwrap()
            .contains("busy with other speed tests"),
        "{bw:#}"
    );
    assert!(bw["admission_retries"].as_u64().unwrap() >= 2, "{bw:#}");
    assert_eq!(check(&report, "bandwidth.upload")["status"], "unknown");
}

#[test]
fn an_enrolled_run_feeds_the_school_link_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let profile = profile_file(dir.path());
    let profile_arg = profile.to_str().unwrap().to_owned();
    let c = Collector::start(
        &dir.path().join("c.db"),
        &["--profile", &profile_arg, "--lang", "en"],
    );
    let token = c.school_token(SCHOOL);
    let read = c.read_token();
    let mut downloads = Vec::new();
    for pc in 0..2 {
        let state = dir.path().join(format!("pc{pc}"));
        let r = run(agent_cmd(&state)
            .args(["enroll", "--collector", &c.url, "--school", SCHOOL])
            .env("ENT_AGENT_TOKEN", &token));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let r = run(agent_cmd(&state).args(["run", "--json", "--lang", "en"]));
        let report: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
        let bw = &report["measurements"]["bandwidth"];
        assert_eq!(bw["server"], format!("{}/", c.url.trim_end_matches('/')));
        downloads.push(bw["download_mbps"].as_f64().unwrap());
    }
    let school = c.listed_school(&read, SCHOOL);
    let net = &school["network"];
    assert_eq!(net["measured_workstations"], 2, "{net:#}");
    // Two PCs on one link: the best figure, not the sum.
    let best = downloads.iter().copied().fold(0.0, f64::max);
    let downlink = net["downlink_mbps"].as_f64().unwrap();
    assert!(
        (downlink - best).abs() < 0.01,
        "{downlink} vs {downloads:?}"
    );
    assert_eq!(net["simultaneous_users"], 25);
    let per_user = net["per_user_downlink_mbps"].as_f64().unwrap();
    assert!((per_user - downlink / 25.0).abs() < 0.01, "{net:#}");
    assert!(net["downlink_status"].is_string() && net["per_user_status"].is_string());
    let (_, detail) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert!(
        detail["workstations"][0]["bandwidth"]["download_mbps"].is_number(),
        "{detail:#}"
    );

    let csv = c.export_csv(&read);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let col = header
        .iter()
        .position(|h| *h == "debit_descendant_mbps")
        .unwrap();
    let row = lines
        .map(|l| l.split(';').collect::<Vec<_>>())
        .find(|r| r[0] == SCHOOL)
        .unwrap();
    assert_eq!(row[col], format!("{downlink:.2}"));
}

#[test]
fn the_agent_closes_its_session_and_frees_the_slot() {
    let dir = tempfile::tempdir().unwrap();
    let c = Collector::start(&dir.path().join("c.db"), &["--max-speedtests", "1"]);
    let token = c.school_token(SCHOOL);
    let (_, report) = timed_audit(dir.path(), &c, &token);
    let bw = &report["measurements"]["bandwidth"];
    assert!(bw["download_mbps"].as_f64().unwrap() > 0.0, "{bw:#}");
    // The only slot is free at once: the agent closed its session with its own token
    // instead of leaving it to expire.
    assert_eq!(open_speedtest(&c.url, &token).0, 201);
}
