//! The agent's delivery end to end: the real `ent-agent` (enroll, run) against the real
//! `ent-collector` on 127.0.0.1 port 0. Enrolment checks, delivery, the offline spool across
//! a collector outage and an agent `kill -9`, exactly-once storage, refusals kept aside.
//! Network probes are off (`--no-network`): nothing but loopback is contacted.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ent_tests::collector::{Collector, with_sample_directory};
use ent_tests::{Run, agent, run, workspace_root};

const SCHOOL: &str = "0690101K";
const OTHER_SCHOOL: &str = "0690102L";

/// `ent-agent` with a private state directory, no proxy, English texts.
fn agent_cmd(state: &Path) -> Command {
    let mut cmd = agent(state);
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "ENT_AGENT_TOKEN",
    ] {
        cmd.env_remove(v);
    }
    cmd
}

fn enroll(state: &Path, url: &str, school: &str, token: &str, extra: &[&str]) -> Run {
    run(agent_cmd(state)
        .args(["enroll", "--collector", url, "--school", school])
        .args(extra)
        .env("ENT_AGENT_TOKEN", token))
}

fn agent_run(state: &Path, extra: &[&str]) -> Run {
    run(agent_cmd(state)
        .args(["run", "--no-network", "--lang", "en"])
        .args(extra))
}

fn spooled(state: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(state.join("spool"))
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.extension().is_some_and(|e| e == "json")
            && !p.file_name().unwrap().to_string_lossy().starts_with('.')
            && p.file_name().unwrap() != "dropped.json"
    });
    v.sort();
    v
}

fn verdict_code(r: &Run) {
    assert!(
        matches!(r.code, Some(0 | 1)),
        "the exit code is the verdict's, delivery aside: {r:?}"
    );
}

#[test]
fn enroll_then_run_delivers_and_the_school_appears() {
    let (_dir, c) = with_sample_directory();
    let token = c.school_token(SCHOOL);
    let state = tempfile::tempdir().unwrap();

    let e = enroll(
        state.path(),
        &c.url,
        SCHOOL,
        &token,
        &["--label", "salle 2, poste 5"],
    );
    assert_eq!(e.code, Some(0), "{e:?}");
    assert!(e.stdout.contains("accepted the token"), "{e:?}");
    assert!(!e.stdout.contains(&token) && !e.stderr.contains(&token));
    let enrollment = state.path().join("enrollment.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&enrollment).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        state.path().join("profile.toml").exists(),
        "profile kept at enrolment"
    );

    let r = agent_run(state.path(), &[]);
    verdict_code(&r);
    assert!(r.stdout.contains("report sent to the collector"), "{r:?}");
    assert!(
        r.stdout
            .contains("Profile: fr-primaire (from the collector)"),
        "{r:?}"
    );
    assert!(spooled(state.path()).is_empty());
    assert_eq!(c.report_count(), 1);

    let read = c.read_token();
    let (status, school) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(status, 200, "{school}");
    let ws = school["workstations"].as_array().unwrap();
    assert_eq!(ws.len(), 1, "{school}");
    assert!(school.to_string().contains("salle 2, poste 5"), "{school}");

    // --if-due right after: nothing to audit, nothing sent, exit 0.
    let r = agent_run(state.path(), &["--if-due"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("No audit due"), "{r:?}");
    assert_eq!(c.report_count(), 1);
}

/// A collector with the sample directory, a workstation enrolled with it, and the collector
/// killed (-9): its directory, the agent's state directory, and the address it listened on.
fn enrolled_then_collector_killed() -> (tempfile::TempDir, tempfile::TempDir, String) {
    let (dir, mut c) = with_sample_directory();
    let token = c.school_token(SCHOOL);
    let url = c.url.clone();
    let listen = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let state = tempfile::tempdir().unwrap();
    assert_eq!(
        enroll(state.path(), &url, SCHOOL, &token, &[]).code,
        Some(0)
    );
    c.kill9();
    (dir, state, listen)
}

#[test]
fn collector_down_then_back_delivers_each_report_exactly_once() {
    let (dir, state, listen) = enrolled_then_collector_killed();

    // Down: the report waits in the spool; not an error.
    let r = agent_run(state.path(), &["--send-budget", "2"]);
    verdict_code(&r);
    assert!(r.stdout.contains("not sent"), "{r:?}");
    assert!(r.stdout.contains("reports waiting: 1"), "{r:?}");
    assert!(
        r.stderr.contains("last copy received"),
        "profile fallback said: {r:?}"
    );
    assert_eq!(spooled(state.path()).len(), 1);

    // Back on the same address: the spooled report first, then the new one.
    let c = Collector::start_on(&dir.path().join("collector.db"), &listen, &[]);
    let r = agent_run(state.path(), &[]);
    verdict_code(&r);
    assert!(r.stdout.contains("Earlier reports sent: 1"), "{r:?}");
    assert!(r.stdout.contains("report sent to the collector"), "{r:?}");
    assert!(spooled(state.path()).is_empty());
    assert_eq!(c.report_count(), 2);
}

#[test]
fn agent_killed_while_retrying_loses_nothing() {
    let (dir, state, listen) = enrolled_then_collector_killed();

    // The agent spools its report, then retries for up to a minute: kill -9 it then. (With
    // a local profile it has not seen the collector fail yet, so it retries rather than
    // giving up after one attempt.)
    let profile = workspace_root().join("dist/profiles/fr-primaire.toml");
    let mut child = agent_cmd(state.path())
        .args(["run", "--no-network", "--send-budget", "60", "--profile"])
        .arg(&profile)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while spooled(state.path()).is_empty() {
        assert!(t0.elapsed() < Duration::from_secs(60), "never spooled");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let left = spooled(state.path());
    assert_eq!(left.len(), 1);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&left[0]).unwrap()).unwrap();
    assert_eq!(
        doc["report_id"].as_str().unwrap(),
        left[0].file_stem().unwrap().to_str().unwrap()
    );

    let c = Collector::start_on(&dir.path().join("collector.db"), &listen, &[]);
    let r = agent_run(state.path(), &[]);
    verdict_code(&r);
    assert!(r.stdout.contains("Earlier reports sent: 1"), "{r:?}");
    assert_eq!(c.report_count(), 2);
}

#[test]
fn a_refused_token_saves_nothing() {
    let (_dir, c) = with_sample_directory();
    let state = tempfile::tempdir().unwrap();
    let r = enroll(state.path(), &c.url, SCHOOL, "not-a-real-token", &[]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("refused"), "{r:?}");
    assert!(!state.path().join("enrollment.json").exists());

    // Not enrolled: run is a configuration error that says what to do.
    let r = agent_run(state.path(), &[]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("not enrolled"), "{r:?}");
    assert!(r.stdout.is_empty());
}

#[test]
fn another_schools_token_gets_the_report_moved_aside() {
    let (_dir, c) = with_sample_directory();
    // Enrolled for SCHOOL with OTHER_SCHOOL's token: the collector refuses every report
    // (403) and the agent keeps them in rejected/ instead of retrying forever.
    let token = c.school_token(OTHER_SCHOOL);
    let state = tempfile::tempdir().unwrap();
    assert_eq!(
        enroll(state.path(), &c.url, SCHOOL, &token, &["--no-check"]).code,
        Some(0)
    );
    let r = agent_run(state.path(), &[]);
    verdict_code(&r);
    assert!(r.stdout.contains("refused this report"), "{r:?}");
    assert!(spooled(state.path()).is_empty());
    let rejected: Vec<_> = std::fs::read_dir(state.path().join("spool/rejected"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(rejected.len(), 2, "the report and its reason: {rejected:?}");
    let reason = rejected
        .iter()
        .find(|n| n.ends_with(".reason.json"))
        .unwrap();
    let reason = std::fs::read_to_string(state.path().join("spool/rejected").join(reason)).unwrap();
    assert!(reason.contains("403"), "{reason}");
    assert_eq!(c.report_count(), 0);
}

/// `enroll --token-file`: the token read from a file as Notepad writes it (byte-order mark,
/// CRLF), winning over ENT_AGENT_TOKEN; a file too large to be a token refused (exit 2,
/// nothing saved); a file other users can read used with a warning.
#[test]
fn enroll_reads_the_token_from_a_file() {
    let (_dir, c) = with_sample_directory();
    let token = c.school_token(SCHOOL);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("school.token");
    std::fs::write(&file, format!("\u{feff}{token}\r\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let state = tempfile::tempdir().unwrap();
    let args = ["--token-file", file.to_str().unwrap()];
    let e = enroll(state.path(), &c.url, SCHOOL, "not-the-token", &args);
    assert_eq!(e.code, Some(0), "{e:?}");
    assert!(e.stdout.contains("accepted the token"), "{e:?}");
    assert!(!e.stderr.contains("warning"), "{e:?}");
    assert!(!e.stdout.contains(&token) && !e.stderr.contains(&token));

    let big = work.path().join("big.token");
    std::fs::write(&big, "a".repeat(5000)).unwrap();
    let state = tempfile::tempdir().unwrap();
    let e = enroll(
        state.path(),
        &c.url,
        SCHOOL,
        &token,
        &["--token-file", big.to_str().unwrap()],
    );
    assert_eq!(e.code, Some(2), "{e:?}");
    assert!(e.stderr.contains("larger than 4096 bytes"), "{e:?}");
    assert!(!state.path().join("enrollment.json").exists());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let state = tempfile::tempdir().unwrap();
        let e = enroll(state.path(), &c.url, SCHOOL, "not-the-token", &args);
        assert_eq!(e.code, Some(0), "{e:?}");
        assert!(e.stderr.contains("can be read by other users"), "{e:?}");
    }
}
