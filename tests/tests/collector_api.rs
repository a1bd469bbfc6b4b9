//! The collector end to end: the real binary on port 0 with its own database, driven over
//! HTTP. Tokens, idempotence, malformed input, crash safety, the read API. Every test runs
//! on both backends (`sqlite::NAME`, `postgres::NAME`): the same behaviour on each.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ent_tests::collector::{
    Backend, Collector, TestDb, admin, close_speedtest, sample_report, with_sample_directory_on,
};
use ent_tests::{find_in, on_both_backends};
use uuid::Uuid;

const SCHOOL: &str = "0690101K";
const OTHER_SCHOOL: &str = "0690102L";

fn body(r: &readiness::Report) -> String {
    serde_json::to_string(r).unwrap()
}

on_both_backends!(
    a_report_is_stored_rescored_and_aggregated,
    resending_a_report_changes_nothing,
    tokens_are_scoped_and_revocable,
    malformed_and_oversized_bodies_are_refused_and_change_nothing,
    every_acknowledged_report_survives_a_kill_9,
    bad_admin_input_is_a_clear_error,
    retention_purges_old_reports_and_sigterm_stops_cleanly,
    speed_test_endpoints,
    dashboard_page_holds_no_data,
);

fn a_report_is_stored_rescored_and_aggregated(backend: Backend) {
    let (_dir, c) = with_sample_directory_on(backend);
    let token = c.school_token(SCHOOL);
    let read = c.read_token();
    let mut report = sample_report(SCHOOL, Uuid::new_v4());
    // The agent's score is never trusted.
    report.score = 3;
    report.verdict = readiness::Verdict::NotReady;
    let (status, answer) = c.post_report(Some(&token), body(&report));
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["status"], "stored");
    assert_eq!(answer["verdict"], "ready");
    assert_eq!(answer["score"], 100);

    let (status, schools) = c.get("/api/v1/schools", Some(&read));
    assert_eq!(status, 200, "{schools}");
    let list = schools["schools"].as_array().unwrap();
    assert_eq!(list.len(), 8, "every school of the directory is listed");
    let s = find_in(&schools["schools"], "uai", SCHOOL);
    assert_eq!(s["name"], "École élémentaire Jean Moulin");
    assert_eq!(s["workstations"], 1);
    assert_eq!(s["counts"]["ready"], 1);
    assert_eq!(
        s["verdict"], "insufficient_data",
        "one PC is below the profile's minimum of 2"
    );
    assert_eq!(s["circonscription"]["name"], "Villeurbanne Nord");

    // A second PC makes the school decidable: ready.
    c.post_report(Some(&token), body(&sample_report(SCHOOL, Uuid::new_v4())));
    let s = c.listed_school(&read, SCHOOL);
    assert_eq!(s["verdict"], "ready", "{s}");
    assert_eq!(s["score"], 100.0);

    let (status, detail) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(status, 200);
    assert_eq!(detail["workstations"].as_array().unwrap().len(), 2);
    let (status, hist) = c.get(&format!("/api/v1/schools/{SCHOOL}/history"), Some(&read));
    assert_eq!(status, 200);
    assert_eq!(hist["rounds"].as_array().unwrap().len(), 1);
    assert_eq!(hist["rounds"][0]["workstations"], 2);

    let (_, circ) = c.get("/api/v1/circonscriptions", Some(&read));
    let villeurbanne = find_in(&circ["circonscriptions"], "code", "0690900D");
    assert_eq!(villeurbanne["schools"], 3);
    assert_eq!(villeurbanne["school_verdicts"]["ready"], 1);
    // Amplepuis has no circonscription in the directory: grouped under its commune.
    assert!(
        circ["circonscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "Amplepuis")
    );
    let (_, deps) = c.get("/api/v1/departements", Some(&read));
    assert_eq!(deps["departements"][0]["code"], "069");
    assert_eq!(deps["departements"][0]["schools"], 8);

    let csv = c.export_csv(&read);
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("uai;nom;commune"));
    assert_eq!(csv.lines().count(), 9);
    assert!(csv.contains("0690101K;École élémentaire Jean Moulin;Villeurbanne;0690900D;Villeurbanne Nord;069;ready;100.0;2;2;"), "{csv}");

    let (status, profile) = c.get("/api/v1/profile", Some(&token));
    assert_eq!(status, 200);
    assert_eq!(profile["name"], "fr-primaire");
    assert_eq!(profile["schedule"]["interval_hours"], 168);
    readiness::Profile::from_toml_str(profile["toml"].as_str().unwrap(), "served").unwrap();

    let metrics = c.metrics();
    assert!(
        metrics.contains("ent_collector_reports_stored_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ent_collector_schools{verdict=\"ready\"} 1"),
        "{metrics}"
    );
}

/// A tablet as the browser probe reads it (`readiness::useragent`): the collector takes the
/// new OS families and re-scores them. An iPad stuck on iPadOS 17 is a blocking finding with
/// the iPad's fix; a current iPad (its Safari says "Macintosh", the touch points tell) is not.
#[test]
fn an_ipad_on_an_old_ipados_is_a_blocking_finding() {
    let (_dir, c) = with_sample_directory_on(Backend::Sqlite);
    let token = c.school_token(SCHOOL);
    let read = c.read_token();
    let ipad = |ua: &str| {
        let mut r = sample_report(SCHOOL, Uuid::new_v4());
        let device = readiness::useragent::parse(ua, None, Some(5));
        r.measurements.system.as_mut().unwrap().os = Some(device.os.clone());
        r.measurements.browsers.as_mut().unwrap().installed =
            device.browser_info().into_iter().collect();
        r
    };
    let old = ipad(
        "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
         Version/17.7 Mobile/15E148 Safari/604.1",
    );
    let (status, answer) = c.post_report(Some(&token), body(&old));
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["verdict"], "not_ready", "{answer}");
    let current = ipad(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
         (KHTML, like Gecko) Version/27.1 Safari/605.1.15",
    );
    let (status, answer) = c.post_report(Some(&token), body(&current));
    assert_eq!(status, 201, "{answer}");
    assert_ne!(answer["verdict"], "not_ready", "{answer}");

    let (status, detail) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(status, 200, "{detail}");
    let os_problem = |workstation: Uuid| {
        let w = find_in(
            &detail["workstations"],
            "workstation_id",
            &workstation.to_string(),
        );
        w["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["check"] == "system.os_support")
            .cloned()
    };
    let p = os_problem(old.workstation.id).expect("the old iPad's OS is a problem");
    assert_eq!(p["status"], "fail", "{p}");
    assert_eq!(p["blocking"], true);
    assert!(p["message"].as_str().unwrap().contains("iPadOS 17"), "{p}");
    let p = os_problem(current.workstation.id);
    assert!(p.as_ref().is_none_or(|p| p["status"] != "fail"), "{p:?}");
}

fn resending_a_report_changes_nothing(backend: Backend) {
    let (_dir, c) = with_sample_directory_on(backend);
    let token = c.school_token(SCHOOL);
    let r = sample_report(SCHOOL, Uuid::new_v4());
    let (s1, a1) = c.post_report(Some(&token), body(&r));
    let (s2, a2) = c.post_report(Some(&token), body(&r));
    assert_eq!((s1, s2), (201, 200), "{a1} {a2}");
    assert_eq!(a2["status"], "duplicate");
    assert_eq!(a2["verdict"], a1["verdict"]);
    assert_eq!(c.report_count(), 1);
}

fn tokens_are_scoped_and_revocable(backend: Backend) {
    let (_dir, c) = with_sample_directory_on(backend);
    let token = c.school_token(SCHOOL);
    let other = c.school_token(OTHER_SCHOOL);
    let read = c.read_token();
    let report = body(&sample_report(SCHOOL, Uuid::new_v4()));
    let cases: Vec<(&str, Option<String>, u16, &str)> = vec![
        ("no token", None, 401, "missing_token"),
        (
            "unknown token",
            Some("ents_0000".into()),
            401,
            "invalid_token",
        ),
        (
            "another school's token",
            Some(other.clone()),
            403,
            "wrong_school",
        ),
        (
            "read token used to submit",
            Some(read.clone()),
            403,
            "wrong_scope",
        ),
    ];
    for (what, tok, status, code) in cases {
        let (s, answer) = c.post_report(tok.as_deref(), report.clone());
        assert_eq!(
            (s, answer["code"].as_str().unwrap()),
            (status, code),
            "{what}: {answer}"
        );
        assert!(answer["message"].as_str().unwrap().len() > 5);
    }
    // Revoke the school token: refused from then on.
    let list = admin(&c.db).args(["token", "list"]).output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    let id = list
        .lines()
        .find(|l| l.contains(&format!("school {SCHOOL}")))
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    let out = admin(&c.db)
        .args(["token", "revoke", &id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (s, answer) = c.post_report(Some(&token), report.clone());
    assert_eq!(
        (s, answer["code"].as_str().unwrap()),
        (401, "revoked_token")
    );
    assert!(!list.contains(&token), "token list never shows secrets");
    assert_eq!(c.report_count(), 0, "nothing stored by refused requests");

    // The read API needs a read token.
    for path in [
        "/api/v1/schools",
        "/api/v1/circonscriptions",
        "/api/v1/departements",
        "/api/v1/export.csv",
        "/api/v1/schools/0690101K",
        "/api/v1/schools/0690101K/history",
    ] {
        let (s, _) = c.get(path, None);
        assert_eq!(s, 401, "{path} without token");
        let (s, _) = c.get(path, Some(&other));
        assert_eq!(s, 403, "{path} with a school token");
    }
    let (s, a) = c.get("/api/v1/schools/0751234A", Some(&read));
    assert_eq!((s, a["code"].as_str().unwrap()), (400, "invalid_uai"));
    assert!(a["message"].as_str().unwrap().contains("expected J"));
    let (s, _) = c.get("/api/v1/schools/0751234J", Some(&read));
    assert_eq!(s, 404);
}

fn malformed_and_oversized_bodies_are_refused_and_change_nothing(backend: Backend) {
    let (_dir, c) = with_sample_directory_on(backend);
    let token = c.school_token(SCHOOL);
    let good = serde_json::to_value(sample_report(SCHOOL, Uuid::new_v4())).unwrap();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };
    // A change that makes the report invalid (400 invalid_report).
    let invalid =
        |label, f: &dyn Fn(&mut serde_json::Value)| (label, with(f), 400, "invalid_report");
    let big_label = "x".repeat(2 * 1024 * 1024);
    let corpus: Vec<(&str, String, u16, &str)> = vec![
        ("empty body", String::new(), 400, "malformed_json"),
        ("not JSON", "hello".into(), 400, "malformed_json"),
        (
            "truncated JSON",
            good.to_string()[..100].to_owned(),
            400,
            "malformed_json",
        ),
        ("a JSON array", "[1,2,3]".into(), 400, "invalid_report"),
        invalid("no schema_version", &|v| {
            v.as_object_mut().unwrap().remove("schema_version");
        }),
        (
            "schema version 2",
            with(&|v| v["schema_version"] = 2.into()),
            422,
            "unsupported_schema_version",
        ),
        (
            "schema version as text",
            with(&|v| v["schema_version"] = "1".into()),
            422,
            "unsupported_schema_version",
        ),
        invalid("score as text", &|v| v["score"] = "high".into()),
        invalid("score over 255", &|v| v["score"] = 1000.into()),
        invalid("unknown field", &|v| v["extra"] = true.into()),
        invalid("bad report id", &|v| v["report_id"] = "not-a-uuid".into()),
        invalid("invalid UAI", &|v| v["school"] = "0690101A".into()),
        (
            "another school",
            with(&|v| v["school"] = OTHER_SCHOOL.into()),
            403,
            "wrong_school",
        ),
        (
            "no school",
            with(&|v| v["school"] = serde_json::Value::Null),
            400,
            "missing_school",
        ),
        invalid("unknown verdict", &|v| v["verdict"] = "maybe".into()),
        invalid("unknown check status", &|v| {
            v["checks"][0]["status"] = "meh".into()
        }),
        (
            "finished before started",
            with(&|v| v["finished_at"] = "2025-01-01T00:00:00Z".into()),
            400,
            "invalid_timestamps",
        ),
        (
            "from 2019",
            with(&|v| {
                v["started_at"] = "2019-01-01T00:00:00Z".into();
                v["finished_at"] = "2019-01-01T00:00:10Z".into();
            }),
            400,
            "invalid_timestamps",
        ),
        (
            "a week ahead",
            with(&|v| {
                let t =
                    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 7)).to_string();
                v["started_at"] = t.clone().into();
                v["finished_at"] = t.into();
            }),
            400,
            "invalid_timestamps",
        ),
        invalid("bad timestamp", &|v| v["finished_at"] = "yesterday".into()),
        (
            "label too long",
            with(&|v| v["workstation"]["label"] = "é".repeat(500).into()),
            422,
            "report_out_of_bounds",
        ),
        (
            "over the body limit",
            with(&|v| v["workstation"]["label"] = big_label.clone().into()),
            413,
            "too_large",
        ),
        (
            "deeply nested",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            400,
            "malformed_json",
        ),
    ];
    for (what, body, status, code) in &corpus {
        let (s, answer) = c.post_report(Some(&token), body.clone());
        assert_eq!(s, *status, "{what}: {answer}");
        assert_eq!(answer["code"], *code, "{what}: {answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {answer}"
        );
    }
    assert_eq!(c.report_count(), 0, "nothing stored");
    // The collector is still healthy and accepts a good report.
    let (s, _) = c.post_report(Some(&token), good.to_string());
    assert_eq!(s, 201);
    let metrics = c.metrics();
    assert!(
        metrics.contains("reports_rejected_total{reason=\"malformed_json\"} 4"),
        "{metrics}"
    );
}

fn every_acknowledged_report_survives_a_kill_9(backend: Backend) {
    let (dir, mut c) = with_sample_directory_on(backend);
    let token = c.school_token(SCHOOL);
    let url = c.url.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let submitters: Vec<_> = (0..4)
        .map(|_| {
            let (url, token, stop, acked) =
                (url.clone(), token.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let http = Collector::http();
                let ws = Uuid::new_v4();
                while !stop.load(Ordering::SeqCst) {
                    let r = sample_report(SCHOOL, ws);
                    let resp = http
                        .post(format!("{url}/api/v1/reports"))
                        .bearer_auth(&token)
                        .body(serde_json::to_string(&r).unwrap())
                        .send();
                    match resp {
                        Ok(resp) if resp.status().is_success() => acked.lock().unwrap().push(r),
                        Ok(_) => {}
                        Err(_) => break, // the collector is gone
                    }
                }
            })
        })
        .collect();
    // Let them submit for a while, then kill the collector mid-flight.
    while acked.lock().unwrap().len() < 200 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    c.kill9();
    stop.store(true, Ordering::SeqCst);
    for s in submitters {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let restarted = Collector::start(dir.database(), &[]);
    let read = restarted.read_token();
    let stored = restarted.report_count();
    assert!(
        stored >= acked.len() as u64,
        "{stored} stored < {} acknowledged",
        acked.len()
    );
    // Each acknowledged report is there: re-sending it answers "duplicate".
    let token2 = restarted.school_token(SCHOOL);
    for r in acked.iter().step_by(7) {
        let (s, a) = restarted.post_report(Some(&token2), body(r));
        assert_eq!(
            (s, a["status"].as_str().unwrap()),
            (200, "duplicate"),
            "{} lost",
            r.report_id
        );
    }
    let s = restarted.listed_school(&read, SCHOOL);
    assert_eq!(s["workstations"], 4, "{s}");
}

fn bad_admin_input_is_a_clear_error(backend: Backend) {
    let dir = TestDb::new(backend);
    let db = dir.database();
    let out = admin(db)
        .args(["token", "create", "--school", "0751234A"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected J"));
    let out = admin(db)
        .args(["token", "revoke", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let bad_csv = dir.path().join("bad.csv");
    std::fs::write(&bad_csv, "a;b\n1;2\n").unwrap();
    let out = admin(db)
        .args(["schools", "import"])
        .arg(&bad_csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("identifiant_de_l_etablissement"));
    let bad_profile = dir.path().join("p.toml");
    std::fs::write(&bad_profile, "name = 3\n").unwrap();
    let out = admin(db)
        .args(["serve", "--listen", "127.0.0.1:0", "--profile"])
        .arg(&bad_profile)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("p.toml:1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn retention_purges_old_reports_and_sigterm_stops_cleanly(backend: Backend) {
    let (dir, mut c) = with_sample_directory_on(backend);
    let token = c.school_token(SCHOOL);
    let (s, _) = c.post_report(Some(&token), body(&sample_report(SCHOOL, Uuid::new_v4())));
    assert_eq!(s, 201);
    assert_eq!(
        c.terminate(std::time::Duration::from_secs(10)),
        Some(0),
        "SIGTERM: clean exit"
    );

    let db = dir.database();
    // Kept under the default retention...
    let out = admin(db).args(["purge"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("purged 0 reports"),
        "{out:?}"
    );
    // ...purged with a retention of 0 days.
    let out = admin(db)
        .args(["purge", "--retention-days", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("purged 1 reports and 1 workstations"),
        "{out:?}"
    );
    let c = ent_tests::collector::Collector::start(db, &[]);
    assert_eq!(c.report_count(), 0);
    let read = c.read_token();
    let s = c.listed_school(&read, SCHOOL);
    assert_eq!(s["workstations"], 0, "{s}");
}

fn speed_test_endpoints(backend: Backend) {
    let db = TestDb::new(backend);
    let c = Collector::start(db.database(), &["--max-speedtests", "2"]);
    let token = c.school_token(SCHOOL);
    let http = Collector::http();
    let open = || {
        http.post(format!("{}/api/v1/speedtest/sessions", c.url))
            .bearer_auth(&token)
            .send()
            .unwrap()
    };
    // A school token is needed: no open bandwidth amplifier.
    let anon = http
        .post(format!("{}/api/v1/speedtest/sessions", c.url))
        .send()
        .unwrap();
    assert_eq!(anon.status().as_u16(), 401);
    let s1: serde_json::Value = open().json().unwrap();
    let s2 = open();
    assert_eq!(s2.status().as_u16(), 201);
    // Admission limit: the third concurrent test is told to come back.
    let s3 = open();
    assert_eq!(s3.status().as_u16(), 429);
    let retry: u64 = s3.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((2..=60).contains(&retry), "{retry}");
    let id = s1["session"].as_str().unwrap();

    let n = 3 * 1024 * 1024 + 17;
    let resp = http
        .get(format!(
            "{}/api/v1/speedtest/download?session={id}&bytes={n}",
            c.url
        ))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store, no-transform");
    let data = resp.bytes().unwrap();
    assert_eq!(data.len(), n);
    // Incompressible: every byte value about equally frequent, and no 64 KiB block repeats.
    let mut hist = [0u64; 256];
    data.iter().for_each(|&b| hist[b as usize] += 1);
    let expected = n as f64 / 256.0;
    assert!(
        hist.iter()
            .all(|&h| (h as f64 - expected).abs() < expected * 0.1),
        "{hist:?}"
    );
    assert_ne!(&data[..65536], &data[65536..131072]);

    let up = http
        .post(format!("{}/api/v1/speedtest/upload?session={id}", c.url))
        .body(vec![7u8; 1_000_000])
        .send()
        .unwrap();
    let up: serde_json::Value = up.json().unwrap();
    assert_eq!(up["received_bytes"], 1_000_000);
    let status: serde_json::Value = http
        .get(format!("{}/api/v1/speedtest/sessions/{id}", c.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(status["uploaded_bytes"], 1_000_000);
    assert_eq!(status["downloaded_bytes"], n);
    assert!(status["elapsed_us"].as_u64().unwrap() > 0);
    // The upload in 100 ms bins of the collector's clock: once the current bin is over,
    // the bins from 0 hold every byte received, and `bins_from` skips those already read.
    std::thread::sleep(std::time::Duration::from_millis(150));
    let bins = |from: usize| -> serde_json::Value {
        http.get(format!(
            "{}/api/v1/speedtest/sessions/{id}?bins_from={from}",
            c.url
        ))
        .send()
        .unwrap()
        .json()
        .unwrap()
    };
    let all = bins(0);
    assert_eq!(all["bin_ms"], 100);
    let counts: Vec<u64> = all["upload_bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), 1_000_000, "{all}");
    let later = bins(counts.len());
    assert_eq!(later["bins_from"], counts.len());
    assert!(
        later["upload_bins"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b == 0),
        "{later}"
    );
    let ping = http
        .get(format!("{}/api/v1/speedtest/ping?session={id}", c.url))
        .send()
        .unwrap();
    assert_eq!(ping.text().unwrap(), "pong");
    let bad = http
        .get(format!("{}/api/v1/speedtest/ping?session=nope", c.url))
        .send()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 404);
    let too_big = http
        .get(format!(
            "{}/api/v1/speedtest/download?session={id}&bytes=99999999999",
            c.url
        ))
        .send()
        .unwrap();
    assert_eq!(too_big.status().as_u16(), 400);

    // Closing a session (with the token that opened it) admits the next test.
    assert_eq!(close_speedtest(&c.url, id, Some(&token)), 204);
    assert_eq!(open().status().as_u16(), 201);
}

fn dashboard_page_holds_no_data(backend: Backend) {
    let (_dir, c) = with_sample_directory_on(backend);
    let resp = Collector::http().get(format!("{}/", c.url)).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(resp.headers().contains_key("content-security-policy"));
    let html = resp.text().unwrap();
    // The shell names its script, which reads the API with the token.
    assert!(html.contains("/assets/app.js"));
    let js = Collector::http()
        .get(format!("{}/assets/app.js", c.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(js.contains("/api/v1/schools") && js.contains("Authorization"));
    // Served without a token, so it must not contain any school's data.
    assert!(!html.contains("Jean Moulin") && !html.contains(SCHOOL));
}
