//! What a school token (or a workstation credential) can do, and only for its own school:
//! report ids are per school, one report is bounded, workstations are enrolled and capped,
//! dates in the future do not become the latest state, labels are plain text.

use std::time::{Duration, Instant};

use ent_tests::collector::{Collector, open_speedtest, sample_report, with_sample_directory};
use readiness::Report;

const SCHOOL_A: &str = "0690101K";
const SCHOOL_B: &str = "0690102L";

fn body(report: &Report) -> String {
    serde_json::to_string(report).unwrap()
}

/// Before: school B's report with id X made school A's real report X answer
/// `200 duplicate` with B's verdict (A's agent then deletes it); a different report under an
/// id already stored was a silent duplicate too. Now ids are per school, and the same id with
/// other content from the same school is `409 report_conflict`.
#[test]
fn report_ids_are_per_school_and_a_changed_report_is_a_conflict() {
    let (_dir, c) = with_sample_directory();
    let (a, b) = (c.school_token(SCHOOL_A), c.school_token(SCHOOL_B));

    let theirs = sample_report(SCHOOL_B, uuid::Uuid::new_v4());
    let mut ours = sample_report(SCHOOL_A, uuid::Uuid::new_v4());
    ours.report_id = theirs.report_id;
    let (s, ack) = c.post_report(Some(&b), body(&theirs));
    assert_eq!(s, 201, "{ack}");

    let (s, ack) = c.post_report(Some(&a), body(&ours));
    assert_eq!(
        (s, ack["status"].as_str()),
        (201, Some("stored")),
        "school A's report was answered with school B's: {ack}"
    );
    assert_eq!(c.report_count(), 2);

    // The same report again: a duplicate, as before.
    let (s, ack) = c.post_report(Some(&a), body(&ours));
    assert_eq!(
        (s, ack["status"].as_str()),
        (200, Some("duplicate")),
        "{ack}"
    );
    // The same id with other content: a conflict, not a silent duplicate.
    let mut changed = ours.clone();
    changed.workstation.label = Some("salle 9".into());
    let (s, err) = c.post_report(Some(&a), body(&changed));
    assert_refused((s, err.clone()), 409, "report_conflict");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains(&ours.report_id.to_string()),
        "{err}"
    );
    assert_eq!(c.report_count(), 2);
}

/// The answer `(status, body)` is a refusal with that status and error code.
#[track_caller]
fn assert_refused((status, body): (u16, serde_json::Value), want: u16, code: &str) {
    assert_eq!(
        (status, body["code"].as_str()),
        (want, Some(code)),
        "{body}"
    );
}

/// `POST /api/v1/enrolments` with `token`: the status and the answer.
fn enrol(c: &Collector, token: &str, workstation: uuid::Uuid) -> (u16, serde_json::Value) {
    let resp = Collector::http()
        .post(format!("{}/api/v1/enrolments", c.url))
        .bearer_auth(token)
        .json(&serde_json::json!({"workstation_id": workstation, "label": "salle 1"}))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

fn workstations_of(c: &Collector, read: &str, uai: &str) -> usize {
    let (s, detail) = c.get(&format!("/api/v1/schools/{uai}"), Some(read));
    assert_eq!(s, 200, "{detail}");
    detail["workstations"].as_array().unwrap().len()
}

/// Post reports of new workstations with `token` from 16 threads, for at most `n` reports or
/// `secs` seconds: (stored, refused with `workstation_limit`).
fn mint(c: &Collector, token: &str, uai: &str, n: usize, secs: u64) -> (usize, usize) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let sent = std::sync::atomic::AtomicUsize::new(0);
    let (stored, refused) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    );
    let template = sample_report(uai, uuid::Uuid::new_v4());
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                let http = Collector::http();
                while Instant::now() < deadline
                    && sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n
                {
                    let mut r = template.clone();
                    r.report_id = uuid::Uuid::now_v7();
                    r.workstation.id = uuid::Uuid::new_v4();
                    let resp = http
                        .post(format!("{}/api/v1/reports", c.url))
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .body(body(&r))
                        .send()
                        .unwrap();
                    let status = resp.status().as_u16();
                    let text = resp.text().unwrap();
                    match status {
                        201 => stored.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                        409 if text.contains("workstation_limit") => {
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                        }
                        429 => 0,
                        _ => panic!("{status}: {text}"),
                    };
                }
            });
        }
    });
    (stored.into_inner(), refused.into_inner())
}

/// Before: one school token minted 21,000 workstations in 20 s (every one counted in the
/// school's verdict). Now a school holds at most `max_workstations` (200), whether they
/// arrive as school-token reports or as enrolments, and enrolments are rate-limited.
#[test]
fn a_school_token_cannot_mint_more_than_the_cap_of_workstations() {
    let (_dir, c) = with_sample_directory();
    let (a, read) = (c.school_token(SCHOOL_A), c.read_token());
    let started = Instant::now();
    let (stored, refused) = mint(&c, &a, SCHOOL_A, 21_000, 20);
    let held = workstations_of(&c, &read, SCHOOL_A);
    eprintln!(
        "school-token reports of new workstations: {stored} stored, {refused} refused in {:?}; the school holds {held}",
        started.elapsed()
    );
    assert!(held <= 200, "school A holds {held} workstations");
    assert!(refused > 0, "nothing was refused");
    // Enrolments count against the same cap.
    assert_refused(
        enrol(&c, &a, uuid::Uuid::new_v4()),
        409,
        "workstation_limit",
    );

    // A fresh school: enrolments are rate-limited (60 a minute), then 429 with Retry-After.
    let b = c.school_token(SCHOOL_B);
    let mut codes = std::collections::BTreeMap::<u16, usize>::new();
    for _ in 0..80 {
        *codes
            .entry(enrol(&c, &b, uuid::Uuid::new_v4()).0)
            .or_default() += 1;
    }
    eprintln!("80 enrolments at once: {codes:?}");
    assert_eq!(codes.get(&201), Some(&60), "{codes:?}");
    assert_eq!(codes.get(&429), Some(&20), "{codes:?}");
    let list = ent_tests::stdout_of(
        ent_tests::collector::admin(&c.db).args(["workstations", "list", "--school", SCHOOL_B]),
        "workstations list",
    );
    assert_eq!(list.lines().count(), 1 + 60, "{list}");
}

/// A workstation credential: bound to one workstation of one school, replaced by a new
/// enrolment, revocable; the school token no longer submits for an enrolled workstation.
#[test]
fn a_workstation_credential_submits_for_its_own_workstation_only() {
    let (_dir, c) = with_sample_directory();
    let (a, b) = (c.school_token(SCHOOL_A), c.school_token(SCHOOL_B));
    let ws = uuid::Uuid::new_v4();
    let (s, e) = enrol(&c, &a, ws);
    assert_eq!(s, 201, "{e}");
    let cred = e["credential"].as_str().unwrap().to_owned();
    assert!(cred.starts_with("entw_"), "{e}");
    assert_eq!(e["hostname_salt"].as_str().unwrap().len(), 64, "{e}");

    let report = |school: &str, w: uuid::Uuid| body(&sample_report(school, w));
    let (s, ack) = c.post_report(Some(&cred), report(SCHOOL_A, ws));
    assert_eq!(s, 201, "{ack}");
    // The school token cannot speak for an enrolled workstation.
    assert_refused(
        c.post_report(Some(&a), report(SCHOOL_A, ws)),
        401,
        "credential_required",
    );
    // The credential speaks for its workstation only, and for its school only.
    assert_refused(
        c.post_report(Some(&cred), report(SCHOOL_A, uuid::Uuid::new_v4())),
        403,
        "wrong_workstation",
    );
    assert_refused(
        c.post_report(Some(&cred), report(SCHOOL_B, ws)),
        403,
        "wrong_school",
    );
    // Another school's token cannot use it either way.
    assert_refused(
        c.post_report(Some(&b), report(SCHOOL_A, ws)),
        403,
        "wrong_school",
    );
    // A credential cannot enrol others.
    assert_refused(enrol(&c, &cred, uuid::Uuid::new_v4()), 403, "wrong_scope");
    // It does what the agent did with the school token: the profile, speed tests.
    let (s, p) = c.get("/api/v1/profile", Some(&cred));
    assert_eq!(s, 200, "{p}");
    assert_eq!(open_speedtest(&c.url, &cred).0, 201);

    // Enrolling again replaces the credential.
    let (s, e) = enrol(&c, &a, ws);
    assert_eq!(s, 201, "{e}");
    let new_cred = e["credential"].as_str().unwrap().to_owned();
    assert_refused(
        c.post_report(Some(&cred), report(SCHOOL_A, ws)),
        401,
        "invalid_credential",
    );
    let (s, ack) = c.post_report(Some(&new_cred), report(SCHOOL_A, ws));
    assert_eq!(s, 201, "{ack}");

    // Revoked: 401, and listed as revoked.
    ent_tests::stdout_of(
        ent_tests::collector::admin(&c.db).args(["workstations", "revoke", &ws.to_string()]),
        "workstations revoke",
    );
    assert_refused(
        c.post_report(Some(&new_cred), report(SCHOOL_A, ws)),
        401,
        "revoked_credential",
    );
    let list = ent_tests::stdout_of(
        ent_tests::collector::admin(&c.db).args(["workstations", "list", "--school", SCHOOL_A]),
        "workstations list",
    );
    let line = list.lines().find(|l| l.contains(&ws.to_string())).unwrap();
    assert!(
        line.contains("salle 1") && !line.ends_with("\tno"),
        "{list}"
    );
}

/// Before: a report naming 15,000 latency targets was stored (and scored on an async
/// worker). Now it is a 422 naming the field.
#[test]
fn one_report_is_bounded() {
    let (_dir, c) = with_sample_directory();
    let a = c.school_token(SCHOOL_A);
    let mut r = sample_report(SCHOOL_A, uuid::Uuid::new_v4());
    let network = r.measurements.network.as_mut().unwrap();
    let one = serde_json::json!({"target": "t", "host": "h"});
    network.latency = (0..15_000)
        .map(|i| {
            let mut l: readiness::measurements::network::LatencyMeasurement =
                serde_json::from_value(one.clone()).unwrap();
            l.target = format!("t{i}");
            l
        })
        .collect();
    let text = body(&r);
    eprintln!("report with 15,000 latency targets: {} bytes", text.len());
    let (s, err) = c.post_report(Some(&a), text);
    assert_eq!(s, 422, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("measurements.network.latency"),
        "{err}"
    );
}

/// Before: the ingest permit was taken before the body was read, so 256 uploads held open
/// by one token made every other school's report answer 429. Now another school's report
/// goes through while they hang.
#[test]
fn slow_uploads_of_one_token_do_not_starve_other_schools() {
    use std::io::Write;
    let (_dir, c) = with_sample_directory();
    let (a, b) = (c.school_token(SCHOOL_A), c.school_token(SCHOOL_B));
    let addr = c.url.strip_prefix("http://").unwrap().to_owned();
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {a}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"schema_version\""
        )
        .unwrap();
        slow.push(s);
    }
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let (s, ack) = c.post_report(
        Some(&b),
        body(&sample_report(SCHOOL_B, uuid::Uuid::new_v4())),
    );
    let took = started.elapsed();
    eprintln!("school B's report with 300 slow uploads open: {s} in {took:?}");
    assert_eq!(s, 201, "{ack}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(slow);
}

/// Before: a report dated a few hours ahead became its workstation's latest state, and the
/// real reports of the next hours, being older, did not replace it. Now a report more than
/// 10 minutes ahead of the collector's clock is stored, but not as the latest state.
#[test]
fn a_report_from_the_future_does_not_become_the_latest_state() {
    let (_dir, c) = with_sample_directory();
    let (a, read) = (c.school_token(SCHOOL_A), c.read_token());
    let ws = uuid::Uuid::new_v4();
    let now = sample_report(SCHOOL_A, ws);
    let (s, ack) = c.post_report(Some(&a), body(&now));
    assert_eq!(s, 201, "{ack}");
    let mut future = sample_report(SCHOOL_A, ws);
    future.started_at = now.finished_at + jiff::SignedDuration::from_hours(3);
    future.finished_at = future.started_at;
    future.workstation.label = Some("from the future".into());
    let (s, ack) = c.post_report(Some(&a), body(&future));
    assert_eq!(s, 201, "{ack}");
    let latest = |c: &Collector| {
        let (_, d) = c.get(&format!("/api/v1/schools/{SCHOOL_A}"), Some(&read));
        d["workstations"][0]["last_report_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        latest(&c),
        now.report_id.to_string(),
        "the future report is the latest"
    );
    assert_eq!(c.report_count(), 2);
    // Within the tolerance (a clock a few minutes ahead), it is.
    let mut soon = sample_report(SCHOOL_A, ws);
    soon.started_at = now.finished_at + jiff::SignedDuration::from_mins(5);
    soon.finished_at = soon.started_at;
    let (s, ack) = c.post_report(Some(&a), body(&soon));
    assert_eq!(s, 201, "{ack}");
    assert_eq!(latest(&c), soon.report_id.to_string());
}

/// Before: a label or host name with control characters (a terminal escape, a newline) was
/// stored and served. Now it is a 422 naming the field.
#[test]
fn labels_and_hostnames_with_control_characters_are_refused() {
    let (_dir, c) = with_sample_directory();
    let a = c.school_token(SCHOOL_A);
    for (field, label, hostname) in [
        ("workstation.label", Some("salle \u{1b}[31m1"), None),
        ("workstation.hostname", Some("salle 1"), Some("pc\nEVIL")),
    ] {
        let mut r = sample_report(SCHOOL_A, uuid::Uuid::new_v4());
        r.workstation.label = label.map(Into::into);
        r.workstation.hostname = hostname.map(Into::into);
        let (s, err) = c.post_report(Some(&a), body(&r));
        assert_eq!(s, 422, "{field}: {err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{err}");
    }
    let (s, err) = {
        let resp = Collector::http()
            .post(format!("{}/api/v1/enrolments", c.url))
            .bearer_auth(&a)
            .json(&serde_json::json!({"workstation_id": uuid::Uuid::new_v4(), "label": "a\u{7}b"}))
            .send()
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json::<serde_json::Value>().unwrap(),
        )
    };
    assert_refused((s, err), 422, "invalid_label");
}

/// Before: `enrollment.json` held the school's token (on every PC of the school), and the
/// hashed host name was sha256 of the profile's public salt and the name, so a guessed name
/// could be checked. Now the agent keeps only its workstation credential and the deployment's
/// secret salt, and hashes with that salt; an older enrolment file holding the token is
/// exchanged at the next run and rewritten without it.
#[test]
fn the_agent_keeps_a_credential_not_the_token_and_hashes_host_names_with_a_secret_salt() {
    let (_dir, c) = with_sample_directory();
    let (token, read) = (c.school_token(SCHOOL_A), c.read_token());
    let agent = |state: &std::path::Path, args: &[&str]| {
        ent_tests::run(
            ent_tests::agent(state)
                .args(args)
                .env("ENT_AGENT_TOKEN", &token),
        )
    };
    let state = tempfile::tempdir().unwrap();
    let e = agent(
        state.path(),
        &["enroll", "--collector", &c.url, "--school", SCHOOL_A],
    );
    assert_eq!(e.code, Some(0), "{e:?}");
    let file = state.path().join("enrollment.json");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(!saved.contains(&token), "the school token is kept: {saved}");
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert!(
        saved["credential"].as_str().unwrap().starts_with("entw_"),
        "{saved}"
    );
    let salt = saved["hostname_salt"].as_str().unwrap().to_owned();

    let r = agent(state.path(), &["run", "--no-network", "--lang", "en"]);
    assert!(r.stdout.contains("report sent"), "{r:?}");
    let (_, detail) = c.get(&format!("/api/v1/schools/{SCHOOL_A}"), Some(&read));
    let stored = detail["workstations"][0]["hostname"]
        .as_str()
        .unwrap()
        .to_owned();
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let mut privacy = readiness::Profile::default_profile().privacy;
    let public = readiness::privacy::report_hostname(Some(&name), &privacy).unwrap();
    assert_ne!(stored, public, "hashed with the profile's public salt");
    privacy.hostname_salt = salt;
    assert_eq!(
        Some(stored),
        readiness::privacy::report_hostname(Some(&name), &privacy)
    );

    // An enrolment file of an older agent, with the school token: exchanged at the next run.
    let old = tempfile::tempdir().unwrap();
    std::fs::write(
        old.path().join("enrollment.json"),
        serde_json::json!({
            "version": 1, "collector": format!("{}/", c.url), "school": SCHOOL_A,
            "label": "salle 3", "token": token, "enrolled_at": "2026-01-01T00:00:00Z"
        })
        .to_string(),
    )
    .unwrap();
    let r = agent(old.path(), &["run", "--no-network", "--lang", "en"]);
    assert!(r.stdout.contains("report sent"), "{r:?}");
    let upgraded = std::fs::read_to_string(old.path().join("enrollment.json")).unwrap();
    assert!(!upgraded.contains(&token), "{upgraded}");
    assert!(upgraded.contains("entw_"), "{upgraded}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(old.path().join("enrollment.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// Before: a school's detail listed every workstation it ever had in one answer (10,708
/// after 20 s of minting), and its history read every report of the school. Now the detail
/// is paged (200 by default, at most 1000 a page) and the history covers the last 180 days by
/// default (`?days=`, at most 730) and at most the latest 20,000 reports.
#[test]
fn the_detail_api_is_paged_and_bounded() {
    let (_dir, c) = with_sample_directory();
    let (a, read) = (c.school_token(SCHOOL_A), c.read_token());
    for _ in 0..7 {
        let (s, ack) = c.post_report(
            Some(&a),
            body(&sample_report(SCHOOL_A, uuid::Uuid::new_v4())),
        );
        assert_eq!(s, 201, "{ack}");
    }
    let (s, page) = c.get(&format!("/api/v1/schools/{SCHOOL_A}?limit=5"), Some(&read));
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["workstations"].as_array().unwrap().len(), 5, "{page}");
    assert_eq!(page["page"]["total"], 7, "{page}");
    let (s, next) = c.get(
        &format!("/api/v1/schools/{SCHOOL_A}?offset=5&limit=5"),
        Some(&read),
    );
    assert_eq!(s, 200, "{next}");
    assert_eq!(next["workstations"].as_array().unwrap().len(), 2, "{next}");
    for bad in ["?limit=100000", "?limit=0", "?limit=x", "?offset=-1"] {
        let (s, err) = c.get(&format!("/api/v1/schools/{SCHOOL_A}{bad}"), Some(&read));
        assert_eq!(
            (s, err["code"].as_str()),
            (400, Some("invalid_query")),
            "{bad}: {err}"
        );
    }
    let (s, h) = c.get(
        &format!("/api/v1/schools/{SCHOOL_A}/history?days=30"),
        Some(&read),
    );
    assert_eq!(s, 200, "{h}");
    assert_eq!(
        (h["days"].as_u64(), h["truncated"].as_bool()),
        (Some(30), Some(false)),
        "{h}"
    );
    assert_eq!(h["rounds"][0]["workstations"], 7, "{h}");
    let (s, err) = c.get(
        &format!("/api/v1/schools/{SCHOOL_A}/history?days=100000"),
        Some(&read),
    );
    assert_refused((s, err), 400, "invalid_query");
}

/// Before: a profile asking for an audit every 100,000 hours (11 years) or a week-long
/// timeout was accepted by both binaries. Now every value has an upper bound, and the
/// refusal names the file, the line and the key, at the collector's start and in the agent.
#[test]
fn profile_values_beyond_their_bounds_are_refused_with_file_line_and_key() {
    let shipped =
        std::fs::read_to_string(ent_tests::workspace_root().join("dist/profiles/fr-primaire.toml"))
            .unwrap();
    let line = shipped
        .lines()
        .position(|l| l.trim_start().starts_with("interval_hours"))
        .unwrap()
        + 1;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.toml");
    let hostile: String = shipped
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("interval_hours") {
                "interval_hours = 100000".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&profile, hostile).unwrap();
    let expected = format!("p.toml:{line}");

    // Before, the collector took the profile and served: it must exit, not serve.
    let mut serve = ent_tests::collector::admin(&dir.path().join("c.db"))
        .args(["serve", "--listen", "127.0.0.1:0", "--profile"])
        .arg(&profile)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while serve.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(15) {
            let _ = serve.kill();
            panic!("the collector accepted a profile with interval_hours = 100000 and served");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = serve.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&expected) && stderr.contains("interval_hours"),
        "collector: {stderr}"
    );

    let out = ent_tests::agent(&dir.path().join("state"))
        .args(["audit", "--no-bandwidth", "--profile"])
        .arg(&profile)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&expected) && stderr.contains("interval_hours"),
        "agent: {stderr}"
    );
    eprintln!("interval_hours = 100000: refused by both, {expected}");
}

/// A collector on the sample directory whose profile caps a school at `max` workstations.
fn with_cap(max: u32) -> (tempfile::TempDir, Collector) {
    let cap = format!("max_workstations = {max}");
    ent_tests::collector::with_profile_edits(&[("max_workstations = 200", &cap)])
}

/// Before: a report dated more than 10 minutes ahead was stored without a latest state, and
/// the cap counted latest states only: 10 new workstations dated +1 h were all stored with a
/// cap of 3 (and counted in the school's history). Now a workstation known from its reports
/// only takes its place too.
#[test]
fn reports_dated_in_the_future_do_not_pass_the_workstation_cap() {
    let (_dir, c) = with_cap(3);
    let a = c.school_token(SCHOOL_A);
    let mut stored = 0;
    for _ in 0..10 {
        let mut r = sample_report(SCHOOL_A, uuid::Uuid::new_v4());
        r.started_at = r.finished_at + jiff::SignedDuration::from_hours(1);
        r.finished_at = r.started_at;
        match c.post_report(Some(&a), body(&r)) {
            (201, _) => stored += 1,
            answer => assert_refused(answer, 409, "workstation_limit"),
        }
    }
    eprintln!("10 new workstations dated +1 h, cap 3: {stored} stored");
    assert_eq!(stored, 3);
    // The same workstation again takes no new place.
    assert_eq!(c.report_count(), 3);
}

/// Before: a revoked workstation that had reported still held its place (the cap counted
/// every workstation with a latest state), so a school at its cap could not enrol a
/// replacement after revoking, as the 409 told it to. Now a revoked workstation frees its
/// place; its reports stay in the history.
#[test]
fn revoking_a_workstation_that_reported_frees_its_place() {
    let (_dir, c) = with_cap(2);
    let a = c.school_token(SCHOOL_A);
    let (old, kept) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for ws in [old, kept] {
        let (s, e) = enrol(&c, &a, ws);
        assert_eq!(s, 201, "{e}");
        let cred = e["credential"].as_str().unwrap();
        let (s, ack) = c.post_report(Some(cred), body(&sample_report(SCHOOL_A, ws)));
        assert_eq!(s, 201, "{ack}");
    }
    assert_refused(
        enrol(&c, &a, uuid::Uuid::new_v4()),
        409,
        "workstation_limit",
    );
    ent_tests::stdout_of(
        ent_tests::collector::admin(&c.db).args(["workstations", "revoke", &old.to_string()]),
        "workstations revoke",
    );
    let (s, e) = enrol(&c, &a, uuid::Uuid::new_v4());
    assert_eq!(s, 201, "the replacement was refused: {e}");
    assert_eq!(
        c.report_count(),
        2,
        "the revoked workstation's reports stay"
    );
    // The revoked one cannot come back over the cap, by enrolment or with the school token.
    assert_refused(enrol(&c, &a, old), 409, "workstation_limit");
    assert_refused(
        c.post_report(Some(&a), body(&sample_report(SCHOOL_A, old))),
        401,
        "credential_required",
    );
}
