#![allow(clippy::unwrap_used)]
//! The browser probe (`ent-collector probe-link`, `/sonde/{code}`) against the real
//! collector:
//! - the link's page, its refusals (unknown: 404; expired, revoked: 410, each with a clear
//!   page in French and English), what a link may and may not do in the API, one school
//!   only (loopback);
//! - headless Chromium inside the client namespace of a shaped link (root), the collector
//!   on the other side: the probe's download and upload within ±10 % of the payload
//!   capacity at 5 and 20 Mbit/s (upload counted by the collector), and the report stored
//!   in the school and scored.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ent_tests::browser_probe::{self, Browser};
use ent_tests::chromium::{chromium_or_skip, dump_dom};
use ent_tests::collector::{Collector, sample_report};
use ent_tests::netlab::is_root;
use ent_tests::shaped::{Link, SERVER, Shape};

const SCHOOL: &str = "0751234J";
const OTHER: &str = "0330001X";

/// The shaped cases one at a time (two at once would measure each other's CPU).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn http() -> reqwest::blocking::Client {
    Collector::http()
}

/// Status, headers' CSP and body of `GET url`.
fn get_page(url: &str) -> (u16, String, String) {
    let r = http().get(url).send().unwrap();
    let status = r.status().as_u16();
    let csp = r
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, csp, r.text().unwrap())
}

fn code_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

/// A minimal submission, as the page sends it (no transfers).
fn submission(device: &str) -> serde_json::Value {
    serde_json::json!({
        "device_id": device,
        "lang": "en",
        "user_agent": "Mozilla/5.0 (iPad; CPU OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1",
        "max_touch_points": 5,
        "screen_width": 1024,
        "screen_height": 768,
        "hardware_concurrency": 4,
        "duration_s": 3.0,
        "idle_latency_ms": [2.0, 2.5, 2.1],
        "endpoints": [{"name": "ent", "answered": true, "timed_out": false, "elapsed_ms": 40.0}]
    })
}

fn post(url: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let r = http()
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or_default())
}

#[test]
fn a_probe_link_serves_its_page_refuses_clearly_and_submits_for_its_school_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let profile = dir.path().join("p.toml");
    // The endpoint: a loopback port nothing listens on (nothing leaves the machine).
    std::fs::write(
        &profile,
        browser_probe::profile(None, "http://127.0.0.1:9/"),
    )
    .unwrap();
    let c = Collector::start(&db, &["--profile", profile.to_str().unwrap()]);
    let base = format!("{}/", c.url);
    let read = c.read_token();

    let a = browser_probe::probe_link(&db, SCHOOL, &base, &["--label-prefix", "tablette"]);
    let b = browser_probe::probe_link(&db, OTHER, &base, &[]);
    let expiring = browser_probe::probe_link(&db, SCHOOL, &base, &["--expires", "1s"]);
    let revoked = browser_probe::probe_link(&db, SCHOOL, &base, &[]);
    assert!(a.starts_with(&format!("{base}sonde/entp_")), "{a}");
    // 128 random bits in hex.
    assert_eq!(code_of(&a).len(), 5 + 32, "{a}");
    let list = ent_tests::stdout_of(
        ent_tests::collector::admin(&db).args(["probe-link", "list"]),
        "probe-link list",
    );
    assert_eq!(list.lines().count(), 4, "{list}");
    assert!(
        !list.contains(&code_of(&a)),
        "the list shows no code: {list}"
    );
    let revoked_id = list
        .lines()
        .nth(3)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    ent_tests::stdout_of(
        ent_tests::collector::admin(&db).args(["probe-link", "revoke", &revoked_id]),
        "probe-link revoke",
    );

    // The page: static, strict CSP, no inline script.
    let (status, csp, body) = get_page(&a);
    assert_eq!(status, 200, "{body}");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        csp.contains("require-trusted-types-for 'script'") && csp.contains("trusted-types 'none'"),
        "{csp}"
    );
    assert!(body.contains("Lancer le test"), "{body}");
    for script in body.split("<script").skip(1) {
        assert!(
            script.trim_start().starts_with("src="),
            "inline script: {script}"
        );
    }
    let (status, _, js) = get_page(&format!("{base}sonde-assets/probe.js"));
    assert_eq!(status, 200);
    assert!(js.contains("api/v1/probe/reports"), "the page's script");

    // Refusals: unknown 404, revoked and expired 410, each a page that says so, naming no
    // school.
    std::thread::sleep(Duration::from_millis(1200));
    for (url, status, fr) in [
        (
            format!("{base}sonde/entp_{}", "0".repeat(32)),
            404,
            "n’existe pas",
        ),
        (format!("{base}sonde/whatever"), 404, "n’existe pas"),
        (revoked.clone(), 410, "révoqué"),
        (expiring.clone(), 410, "expiré"),
    ] {
        let (got, csp, body) = get_page(&url);
        assert_eq!(got, status, "{url}: {body}");
        assert!(
            body.contains("Lien de test indisponible") && body.contains(fr),
            "{body}"
        );
        assert!(body.contains("Test link unavailable"), "{body}");
        assert!(!body.contains(SCHOOL) && !body.contains(OTHER), "{body}");
        assert!(csp.contains("default-src 'none'"), "{csp}");
    }
    if let Some(chromium) = chromium_or_skip() {
        let dom = dump_dom(&chromium, &expiring, Duration::from_secs(3));
        assert!(
            dom.contains("Lien de test indisponible") && dom.contains("expiré"),
            "{dom}"
        );
        // The page in French by default, in English with ?lang=en (its script ran: CSP kept).
        let dom = dump_dom(&chromium, &a, Duration::from_secs(3));
        assert!(
            dom.contains(">Lancer le test<") && dom.contains("data-state=\"ready\""),
            "{dom}"
        );
        let dom = dump_dom(&chromium, &format!("{a}?lang=en"), Duration::from_secs(3));
        assert!(
            dom.contains(">Start the test<") && dom.contains("<html lang=\"en\""),
            "{dom}"
        );
    }

    // What a link may do in the API: a speed-test session of its school, the probe's
    // config and reports; never an agent report, never the read API.
    let code = code_of(&a);
    let (status, body) = c.get("/api/v1/probe/config", Some(&code));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["school"], SCHOOL);
    assert_eq!(body["endpoints"][0]["url"], "http://127.0.0.1:9/");
    let (status, session) = ent_tests::collector::open_speedtest(&c.url, &code);
    assert_eq!(status, 201);
    ent_tests::collector::close_speedtest(&c.url, &session.unwrap(), Some(&code));
    let agent_report = serde_json::to_string(&sample_report(SCHOOL, uuid::Uuid::now_v7())).unwrap();
    let (status, body) = c.post_report(Some(&code), agent_report);
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("wrong_scope")),
        "{body}"
    );
    let (status, body) = c.get("/api/v1/schools", Some(&code));
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("wrong_scope")),
        "{body}"
    );
    // Nor the profile's TOML (the page's config has what it needs), nor an enrolment.
    let (status, body) = c.get("/api/v1/profile", Some(&code));
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("wrong_scope")),
        "{body}"
    );
    let (status, body) = post(
        &format!("{base}api/v1/enrolments"),
        &code,
        &serde_json::json!({"workstation_id": uuid::Uuid::now_v7().to_string()}),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("wrong_scope")),
        "{body}"
    );

    // Reports: into the link's school, whatever the page says; the same device twice is one
    // device; the other school's link puts the same device id into the other school only.
    let reports = format!("{base}api/v1/probe/reports");
    let (status, first) = post(&reports, &code, &submission("device-0001"));
    assert_eq!(status, 201, "{first}");
    assert!(
        first["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "system.os_support")
    );
    let ent = first["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "endpoint.ent")
        .unwrap_or_else(|| panic!("{first:#}"));
    assert_eq!(ent["status"], "pass", "{ent}");
    assert!(
        ent["message"]
            .as_str()
            .unwrap()
            .contains("answered in 40 ms"),
        "{ent}"
    );
    assert_eq!(
        first["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "system.disk_free")
            .count(),
        0
    );
    // The same device again within the minute: refused (429), and still one device.
    let again = http()
        .post(&reports)
        .bearer_auth(&code)
        .json(&submission("device-0001"))
        .send()
        .unwrap();
    assert_eq!(again.status().as_u16(), 429);
    let retry: u64 = again.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // The page's free text about what it could not measure: known parts only, with the
    // collector's words.
    let mut hostile = submission("device-0009");
    hostile["unavailable"] = serde_json::json!({
        "download": "<img src=x onerror=alert(1)> call 0612345678",
        "planted": "free text"
    });
    let (status, body) = post(&reports, &code, &hostile);
    assert_eq!(status, 201, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("onerror") && !text.contains("0612345678") && !text.contains("free text"),
        "{body:#}"
    );
    let (status, other) = post(&reports, &code_of(&b), &submission("device-0001"));
    assert_eq!(status, 201, "{other}");
    let mut forged = submission("device-0002");
    forged["school"] = serde_json::json!(OTHER);
    let (status, body) = post(&reports, &code, &forged);
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_probe_report")),
        "{body}"
    );
    let school = |uai: &str| {
        let (status, v) = c.get(&format!("/api/v1/schools/{uai}"), Some(&read));
        assert_eq!(status, 200, "{v}");
        v
    };
    let in_a = school(SCHOOL);
    // device-0001 and device-0009, the same iPad.
    let devices = in_a["workstations"].as_array().unwrap();
    assert_eq!(devices.len(), 2, "{in_a:#}");
    assert!(
        devices[0]["label"]
            .as_str()
            .unwrap()
            .starts_with("tablette "),
        "{in_a:#}"
    );
    // iPadOS 15 on an iPad: out of support, a finding with a fix.
    let os = devices[0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["check"] == "system.os_support")
        .unwrap_or_else(|| panic!("{in_a:#}"));
    assert_eq!(os["status"], "fail", "{os}");
    assert!(
        os["message"].as_str().unwrap().contains("iPadOS 15"),
        "{os}"
    );
    // Counted apart from the workstations, and never deciding alone.
    let summary = &in_a["school"];
    assert_eq!(summary["browser_devices"]["devices"], 2, "{summary:#}");
    // What the tablets fail, apart from the workstations' blockers (which stay empty).
    let blockers = summary["browser_devices"]["top_blockers"]
        .as_array()
        .unwrap();
    assert!(
        blockers
            .iter()
            .any(|b| b["check"] == "system.os_support" && b["workstations"] == 2),
        "{summary:#}"
    );
    assert_eq!(
        summary["top_blockers"],
        serde_json::json!([]),
        "{summary:#}"
    );
    assert_eq!(summary["workstations"], 0, "{summary:#}");
    assert_eq!(summary["verdict"], "insufficient_data", "{summary:#}");
    let in_b = school(OTHER);
    assert_eq!(
        in_b["workstations"].as_array().unwrap().len(),
        1,
        "{in_b:#}"
    );
    assert_ne!(
        in_b["workstations"][0]["workstation_id"],
        devices[0]["workstation_id"]
    );

    // The code is never logged: the request logs name the route template.
    let log = dir.path().join("debug.log");
    let mut debug = ent_tests::collector::admin(&db)
        .args(["serve", "--listen", "127.0.0.1:0", "--profile"])
        .arg(&profile)
        .env("ENT_COLLECTOR_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let debug_url = ent_tests::collector::listening_url(&mut debug);
    assert_eq!(get_page(&format!("{debug_url}/sonde/{code}")).0, 200);
    let (status, _) = post(
        &format!("{debug_url}/api/v1/probe/reports"),
        &code,
        &submission("device-0001"),
    );
    assert_eq!(status, 201);
    std::thread::sleep(Duration::from_millis(300));
    let _ = debug.kill();
    let _ = debug.wait();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("/sonde/{code}"), "{logged}");
    assert!(
        !logged.contains(&code[5..]),
        "the code in the logs: {logged}"
    );

    // Expired and revoked links submit nothing.
    for (url, code) in [
        (&expiring, "expired_probe_link"),
        (&revoked, "revoked_probe_link"),
    ] {
        let (status, body) = post(&reports, &code_of(url), &submission("device-0003"));
        assert_eq!((status, body["code"].as_str()), (401, Some(code)), "{body}");
    }
    assert_eq!(school(SCHOOL)["workstations"].as_array().unwrap().len(), 2);
}

/// The session clock of `session`, in seconds (its counters).
fn session_clock(url: &str, session: &str) -> f64 {
    let v: serde_json::Value = http()
        .get(format!("{url}/api/v1/speedtest/sessions/{session}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    v["elapsed_us"].as_f64().unwrap() / 1e6
}

/// A speed-test session of `code` in which `bytes` went each way, then closed: its id and
/// the window `(offset_s, window_s)` of its clock the transfers fall in.
fn measured_session(url: &str, code: &str, bytes: u64) -> (String, f64, f64) {
    let (status, session) = ent_tests::collector::open_speedtest(url, code);
    assert_eq!(status, 201);
    let session = session.unwrap();
    let from = session_clock(url, &session);
    // The transfers start in a 100 ms bin that lies wholly in the window (a burst on
    // loopback may fit in one bin: one cut by the window's start would be counted in part).
    std::thread::sleep(Duration::from_millis(250));
    let got = http()
        .get(format!(
            "{url}/api/v1/speedtest/download?session={session}&bytes={bytes}"
        ))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(got.len() as u64, bytes);
    let r = http()
        .post(format!("{url}/api/v1/speedtest/upload?session={session}"))
        .body(vec![7u8; usize::try_from(bytes).unwrap()])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    std::thread::sleep(Duration::from_millis(1300));
    let to = session_clock(url, &session);
    ent_tests::collector::close_speedtest(url, &session, Some(code));
    (session, from, to - from)
}

/// A submission of `device` with both directions claiming `down`/`up` Mbit/s over the
/// window `(offset, window)` of `session`.
fn with_transfers(
    device: &str,
    session: &str,
    (offset, window): (f64, f64),
    down: f64,
    up: f64,
) -> serde_json::Value {
    let mut s = submission(device);
    let t = |mbps: f64| {
        serde_json::json!({
            "mbps": mbps, "streams": 4, "bytes": 1u64 << 40, "duration_s": window,
            "session_offset_s": offset, "window_start_s": 0.0, "window_s": window,
            "stable": true, "bins_mbps": [mbps, mbps, mbps]
        })
    };
    s["session"] = serde_json::json!(session);
    s["download"] = t(down);
    s["upload"] = t(up);
    s
}

/// Before: the collector stored the page's figures as they came (a QR code's holder could
/// claim 100,000 Mbit/s for the school's link). Now the submission names its session, and
/// the figures are checked against what the collector counted in it: an inflated claim is
/// refused, the upload stored is the collector's own count, a session backs one report of
/// its own link.
#[test]
fn the_collector_checks_a_probe_s_figures_against_its_own_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let profile = dir.path().join("p.toml");
    std::fs::write(
        &profile,
        browser_probe::profile(None, "http://127.0.0.1:9/"),
    )
    .unwrap();
    let c = Collector::start(&db, &["--profile", profile.to_str().unwrap()]);
    let base = format!("{}/", c.url);
    let read = c.read_token();
    let code = code_of(&browser_probe::probe_link(&db, SCHOOL, &base, &[]));
    let other = code_of(&browser_probe::probe_link(&db, SCHOOL, &base, &[]));
    let reports = format!("{base}api/v1/probe/reports");
    const BYTES: u64 = 4 << 20;

    // 100,000 Mbit/s claimed, each way in turn: refused, naming the collector's figure.
    for (down, up, what) in [(1e5, 1.0, "download"), (1.0, 1e5, "upload")] {
        let (session, offset, window) = measured_session(&c.url, &code, BYTES);
        let body = with_transfers(
            &format!("hostile-{what}"),
            &session,
            (offset, window),
            down,
            up,
        );
        let (status, answer) = post(&reports, &code, &body);
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("invalid_probe_report")),
            "{answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.starts_with(what) && message.contains("100000.0"),
            "{message}"
        );
    }
    // Transfers without a session, or in a session of another link: refused.
    let (session, offset, window) = measured_session(&c.url, &other, BYTES);
    let mut unnamed = with_transfers("unnamed-01", &session, (offset, window), 1.0, 1.0);
    unnamed["session"] = serde_json::Value::Null;
    let (status, answer) = post(&reports, &code, &unnamed);
    assert_eq!(status, 400, "{answer}");
    let stolen = with_transfers("stolen-01", &session, (offset, window), 1.0, 1.0);
    let (status, answer) = post(&reports, &code, &stolen);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("another secret"),
        "{answer}"
    );
    let school = || {
        let (status, v) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
        assert_eq!(status, 200, "{v}");
        v
    };
    // Nothing stored: the school is not even known.
    let (status, v) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("unknown_school")),
        "{v}"
    );

    // An honest report: the download as the page measured it (within what was sent), the
    // upload as the collector counted it, whatever the page says (here less).
    let (session, offset, window) = measured_session(&c.url, &code, BYTES);
    let counted = BYTES as f64 * 8.0 / window / 1e6;
    let honest = with_transfers("honest-001", &session, (offset, window), counted * 0.9, 0.5);
    let (status, answer) = post(&reports, &code, &honest);
    assert_eq!(status, 201, "{answer}");
    // The same session again (another device): its figures back one report only.
    let replay = with_transfers("honest-002", &session, (offset, window), counted * 0.9, 0.5);
    let (status, answer) = post(&reports, &code, &replay);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("already"),
        "{answer}"
    );
    let v = school();
    let net = &v["school"]["network"];
    let (down, up) = (
        net["downlink_mbps"]
            .as_f64()
            .unwrap_or_else(|| panic!("{v:#}")),
        net["uplink_mbps"]
            .as_f64()
            .unwrap_or_else(|| panic!("{v:#}")),
    );
    assert!(
        (down - counted * 0.9).abs() < 0.05 * counted,
        "download {down} against {counted}: {v:#}"
    );
    assert!(
        (up - counted).abs() < 0.05 * counted,
        "upload {up}: the collector's count {counted}, not the page's 0.5: {v:#}"
    );
}

/// Before: browser devices counted in the school's workstation cap (a public link could
/// fill it and shut the agents out), and nothing limited a link's reports or sessions. Now
/// browser devices have a cap of their own (the profile's max_workstations again), a device
/// reports once a minute, a link makes `--probe-reports-per-hour` reports and sessions.
#[test]
fn browser_devices_have_their_own_cap_and_a_link_is_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let profile = dir.path().join("p.toml");
    let lenient = browser_probe::profile(None, "http://127.0.0.1:9/");
    std::fs::write(&profile, format!("{lenient}\n[school]\nmax_workstations = 2\nmin_workstations = 1\nmin_ready_share = 0.8\nstale_after_days = 21\n")).unwrap();
    let c = Collector::start(
        &db,
        &[
            "--profile",
            profile.to_str().unwrap(),
            "--probe-reports-per-hour",
            "4",
        ],
    );
    let base = format!("{}/", c.url);
    let code = code_of(&browser_probe::probe_link(&db, SCHOOL, &base, &[]));
    let reports = format!("{base}api/v1/probe/reports");
    let token = c.school_token(SCHOOL);
    for device in ["device-cap-1", "device-cap-2"] {
        let (status, body) = post(&reports, &code, &submission(device));
        assert_eq!(status, 201, "{body}");
    }
    // The school's browser devices are full...
    let (status, body) = post(&reports, &code, &submission("device-cap-3"));
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("browser_device_limit")),
        "{body}"
    );
    // ...its workstations are not: the agents' two places are still free.
    for _ in 0..2 {
        let report = serde_json::to_string(&sample_report(SCHOOL, uuid::Uuid::now_v7())).unwrap();
        let (status, body) = c.post_report(Some(&token), report);
        assert_eq!(status, 201, "{body}");
    }
    // The link's fourth report this hour is taken (refused by the cap), the fifth waits.
    let (status, _) = post(&reports, &code, &submission("device-cap-4"));
    assert_eq!(status, 409);
    let r = http()
        .post(&reports)
        .bearer_auth(&code)
        .json(&submission("device-cap-5"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3000..=3600).contains(&retry), "{retry}");
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["code"], "probe_rate_limited", "{body}");
    // Sessions: four an hour through the link, then 429; a school token is not limited.
    for _ in 0..4 {
        let (status, session) = ent_tests::collector::open_speedtest(&c.url, &code);
        assert_eq!(status, 201);
        ent_tests::collector::close_speedtest(&c.url, &session.unwrap(), Some(&code));
    }
    let (status, _) = ent_tests::collector::open_speedtest(&c.url, &code);
    assert_eq!(status, 429);
    let (status, session) = ent_tests::collector::open_speedtest(&c.url, &token);
    assert_eq!(status, 201);
    ent_tests::collector::close_speedtest(&c.url, &session.unwrap(), Some(&token));
}

/// Chromium in the client namespace of a link shaped to `mbit` both ways, the collector on
/// the other side: the probe's figures against the payload capacity, the report stored.
fn shaped_case(mbit: f64) {
    if !is_root() {
        eprintln!("skipped: network namespaces and tc need root (CI runs as root)");
        return;
    }
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let link = Link::create(Shape {
        down_mbit: Some(mbit),
        up_mbit: Some(mbit),
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let profile = dir.path().join("p.toml");
    let endpoint = format!("http://{SERVER}:8080/healthz");
    std::fs::write(&profile, browser_probe::profile(Some(mbit), &endpoint)).unwrap();
    let (collector, url) = browser_probe::collector(&link, &db, &profile);
    let url = browser_probe::probe_link(
        &db,
        SCHOOL,
        &format!("{url}/"),
        &["--label-prefix", "tablette"],
    );
    let started = Instant::now();
    let browser = Browser::open(&chromium, &format!("{url}?autostart=1"), |c| {
        link.in_client(c)
    });
    let devices = await_stored(&db, Duration::from_secs(120));
    let wall = started.elapsed().as_secs_f64();
    drop(browser);
    drop(collector);
    assert_eq!(devices.len(), 1, "{devices:#?}");
    let d = &devices[0];
    assert_eq!(d.school, SCHOOL);
    assert!(
        d.label.as_deref().unwrap_or("").starts_with("tablette "),
        "{d:?}"
    );
    // Scored: the lenient profile passes a device whose figures are within the thresholds.
    assert!(
        ["ready", "ready_with_warnings"].contains(&d.verdict.as_str()),
        "{d:#?}"
    );
    let capacity = link.payload_capacity(mbit);
    let down = d
        .download_mbps
        .unwrap_or_else(|| panic!("no download: {d:#?}"));
    let up = d.upload_mbps.unwrap_or_else(|| panic!("no upload: {d:#?}"));
    println!(
        "browser probe case {mbit} Mbit/s: payload capacity {capacity:.2}, probe {down:.2}/{up:.2}, probe/capacity {:.3}/{:.3}, wall time to the stored report {wall:.1} s",
        down / capacity,
        up / capacity
    );
    for (what, got) in [("download", down), ("upload", up)] {
        let ratio = got / capacity;
        assert!(
            (0.90..=1.10).contains(&ratio),
            "{mbit} Mbit/s {what}: {got:.3} Mbit/s is {:+.1} % of the payload capacity {capacity:.3} (allowed ±10 %)",
            (ratio - 1.0) * 100.0
        );
    }
    // Scored by the collector: the bandwidth checks and the endpoint are judged, the TLS
    // checks a browser cannot see are unknown.
    let status = |id: &str| {
        d.checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no {id}: {:#}", d.checks))
    };
    for id in ["bandwidth.download", "bandwidth.upload", "endpoint.ent"] {
        assert_ne!(status(id), "unknown", "{id}: {:#}", d.checks);
    }
    if let Some(tls) = d
        .checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "endpoint.ent.tls")
    {
        assert_eq!(tls["status"], "unknown", "{tls}");
    }
    assert!(
        !d.checks.to_string().contains("system.disk_free"),
        "a browser cannot measure the disk: left out"
    );
}

#[test]
fn browser_probe_on_a_5_mbit_link() {
    shaped_case(5.0);
}

#[test]
fn browser_probe_on_a_20_mbit_link() {
    shaped_case(20.0);
}

/// A device's latest state as the collector stored it (its `workstations` row).
#[derive(Debug, Clone)]
struct StoredDevice {
    school: String,
    label: Option<String>,
    verdict: String,
    download_mbps: Option<f64>,
    upload_mbps: Option<f64>,
    /// `[{id, status, ...}]`.
    checks: serde_json::Value,
}

/// The devices in the collector's SQLite database `db` (read while it serves: WAL), polled
/// until one has both figures or `deadline` passes.
fn await_stored(db: &Path, deadline: Duration) -> Vec<StoredDevice> {
    let start = Instant::now();
    loop {
        let got = stored(db);
        if got
            .iter()
            .any(|d| d.download_mbps.is_some() && d.upload_mbps.is_some())
            || start.elapsed() > deadline
        {
            return got;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn stored(db: &Path) -> Vec<StoredDevice> {
    let Ok(c) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Vec::new();
    };
    let Ok(mut st) = c.prepare(
        "SELECT school, label, verdict, checks, download_mbps, upload_mbps FROM workstations",
    ) else {
        return Vec::new();
    };
    st.query_map([], |r| {
        Ok(StoredDevice {
            school: r.get(0)?,
            label: r.get(1)?,
            verdict: r.get(2)?,
            checks: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
            download_mbps: r.get(4)?,
            upload_mbps: r.get(5)?,
        })
    })
    .map(|rows| rows.flatten().collect())
    .unwrap_or_default()
}

/// The benchmark (`bench/browser_probe.sh`, `--ignored`): on one shaped link per case, the
/// browser probe, the agent and iperf3 one after the other, each figure against the
/// payload capacity, and the probe's time to its stored report.
#[test]
#[ignore = "a benchmark: bench/browser_probe.sh"]
fn bench_browser_probe_beside_agent_and_iperf3() {
    if !is_root() {
        eprintln!("skipped: network namespaces and tc need root");
        return;
    }
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for (down, up) in [(5.0, 5.0), (20.0, 20.0), (20.0, 5.0)] {
        let link = Link::create(Shape {
            down_mbit: Some(down),
            up_mbit: Some(up),
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let profile = dir.path().join("p.toml");
        let endpoint = format!("http://{SERVER}:8080/healthz");
        std::fs::write(&profile, browser_probe::profile(Some(down), &endpoint)).unwrap();
        let (collector, base) = browser_probe::collector(&link, &db, &profile);
        let url = browser_probe::probe_link(&db, SCHOOL, &format!("{base}/"), &[]);
        let started = Instant::now();
        let browser = Browser::open(&chromium, &format!("{url}?autostart=1"), |c| {
            link.in_client(c)
        });
        let devices = await_stored(&db, Duration::from_secs(120));
        let probe_s = started.elapsed().as_secs_f64();
        drop(browser);
        let probe = devices.first().map_or((f64::NAN, f64::NAN), |d| {
            (
                d.download_mbps.unwrap_or(f64::NAN),
                d.upload_mbps.unwrap_or(f64::NAN),
            )
        });

        let token = ent_tests::collector::create_token(&db, &["--school", SCHOOL]);
        let agent_profile = dir.path().join("agent.toml");
        std::fs::write(&agent_profile, ent_tests::shaped::profile(Some(down))).unwrap();
        let mut cmd = ent_tests::agent(&dir.path().join("state"));
        cmd.args(["audit", "--json", "--lang", "en", "--profile"])
            .arg(&agent_profile)
            .args(["--collector", &base])
            .env("ENT_AGENT_TOKEN", &token);
        let started = Instant::now();
        let out = link.in_client(&cmd).output().unwrap();
        let agent_s = started.elapsed().as_secs_f64();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let bw = &report["measurements"]["bandwidth"];
        let agent = (
            bw["download_mbps"].as_f64().unwrap_or(f64::NAN),
            bw["upload_mbps"].as_f64().unwrap_or(f64::NAN),
        );
        drop(collector);

        let iperf = ent_tests::shaped::iperf3_server(&link);
        let iperf_down = ent_tests::shaped::iperf3(&link, true, 5);
        let iperf_up = ent_tests::shaped::iperf3(&link, false, 5);
        drop(iperf);
        let (cd, cu) = (link.payload_capacity(down), link.payload_capacity(up));
        println!(
            "browser probe bench {down}/{up} Mbit/s: payload capacity {cd:.2}/{cu:.2}; probe {:.2}/{:.2} ({:+.1} %/{:+.1} %, {probe_s:.1} s to the stored report); agent {:.2}/{:.2} ({:+.1} %/{:+.1} %, {agent_s:.1} s); iperf3 {iperf_down:.2}/{iperf_up:.2} ({:+.1} %/{:+.1} %)",
            probe.0,
            probe.1,
            (probe.0 / cd - 1.0) * 100.0,
            (probe.1 / cu - 1.0) * 100.0,
            agent.0,
            agent.1,
            (agent.0 / cd - 1.0) * 100.0,
            (agent.1 / cu - 1.0) * 100.0,
            (iperf_down / cd - 1.0) * 100.0,
            (iperf_up / cu - 1.0) * 100.0,
        );
    }
}
