//! See main.rs. What a hostile "collector" (a captive portal, a misconfigured reverse proxy,
//! a compromised server) can make the real `ent-agent` do: nothing unacknowledged leaves the
//! spool, and nothing from the collector is trusted raw.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ent_tests::hostile_collector::{Answer, HostileCollector, Request, enrolment_answer};
use ent_tests::shaped::bandwidth_profile;
use ent_tests::{Run, agent, run, workspace_root};

const SCHOOL: &str = "0751234J";
const REPORTS: &str = "/api/v1/reports";

fn lenient() -> String {
    std::fs::read_to_string(workspace_root().join("tests/tests/fixtures/lenient.toml")).unwrap()
}

/// A hostile server that answers the enrolment honestly and everything else with `f`.
fn server(f: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> HostileCollector {
    let profile = lenient();
    HostileCollector::start(move |req| enrolment_answer(req, &profile).unwrap_or_else(|| f(req)))
}

fn agent_cmd(state: &Path) -> Command {
    let mut cmd = agent(state);
    cmd.env_remove("ENT_AGENT_TOKEN");
    cmd
}

/// A state directory enrolled with `s` (extra `enroll` options in `extra`).
fn enrolled(s: &HostileCollector, extra: &[&str]) -> tempfile::TempDir {
    let state = tempfile::tempdir().unwrap();
    let r = run(agent_cmd(state.path())
        .args(["enroll", "--collector", &s.url, "--school", SCHOOL])
        .args(extra)
        .env("ENT_AGENT_TOKEN", "hostile-test-school-token"));
    assert_eq!(r.code, Some(0), "{r:?}");
    state
}

fn agent_run(state: &Path) -> Run {
    let r =
        run(agent_cmd(state).args(["run", "--no-network", "--lang", "en", "--send-budget", "5"]));
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    assert!(!r.stderr.contains("panicked"), "{r:?}");
    r
}

/// The reports waiting in the spool.
fn spooled(state: &Path) -> Vec<PathBuf> {
    json_files(&state.join("spool"))
        .into_iter()
        .filter(|p| uuid::Uuid::try_parse(p.file_stem().unwrap().to_str().unwrap()).is_ok())
        .collect()
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "json"));
    v.sort();
    v
}

fn report_files(dir: &Path) -> Vec<PathBuf> {
    json_files(dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".reason.json"))
        .collect()
}

fn dir_bytes(dir: &Path) -> u64 {
    json_files(dir)
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum()
}

/// Case 1: an answer to `POST /api/v1/reports` that is not the collector's acknowledgement
/// of that very report never counts as a delivery: the report stays in the spool, and the
/// technician (and `last_delivery.json`) are told why. Before: every one of these
/// printed "report sent to the collector" and deleted the report.
#[test]
fn captive_portals_and_foreign_acks_are_not_deliveries() {
    // Another origin, which would acknowledge whatever reaches it.
    let elsewhere = HostileCollector::start(|req| match req.report_id() {
        Some(id) => Answer::ack(&id),
        None => Answer::json(200, &serde_json::json!({"status": "stored"})),
    });
    let far = elsewhere.url.clone();
    type Portal = Box<dyn Fn(&Request) -> Answer + Send + Sync>;
    let cases: Vec<(&str, &str, Portal)> = vec![
        (
            "302 to a 200 HTML page",
            "redirect",
            Box::new(|req: &Request| match req.path() {
                "/portal" => Answer::html(200, "<html><body>Welcome to the wifi</body></html>"),
                _ => Answer::redirect(302, "/portal"),
            }),
        ),
        (
            "200 HTML",
            "text/html",
            Box::new(|_: &Request| Answer::html(200, "<html><body>Please log in</body></html>")),
        ),
        (
            "200 JSON {}",
            "report_id",
            Box::new(|_: &Request| Answer::json(200, &serde_json::json!({}))),
        ),
        (
            "an acknowledgement of another report",
            "another report",
            Box::new(|_: &Request| Answer::ack(&uuid::Uuid::now_v7().to_string())),
        ),
        (
            "an unknown status",
            "status",
            Box::new(|req: &Request| {
                Answer::json(
                    200,
                    &serde_json::json!({"status": "queued", "report_id": req.report_id()}),
                )
            }),
        ),
        (
            "301 to another origin",
            "redirect",
            Box::new({
                let far = far.clone();
                move |_: &Request| Answer::redirect(301, &format!("{far}login"))
            }),
        ),
        (
            "308 to another origin that acknowledges",
            "redirect",
            Box::new({
                let far = far.clone();
                move |_: &Request| Answer::redirect(308, &format!("{far}api/v1/reports"))
            }),
        ),
    ];
    for (name, why, portal) in cases {
        let s = server(portal);
        let state = enrolled(&s, &[]);
        let r = agent_run(state.path());
        let said = r.stdout.lines().find(|l| l.starts_with("Delivery"));
        eprintln!("{name}: {}", said.unwrap_or("?"));
        assert!(!r.stdout.contains("report sent"), "{name}: {r:?}");
        assert!(r.stdout.contains("not sent"), "{name}: {r:?}");
        assert!(r.stdout.contains("not acknowledged"), "{name}: {r:?}");
        assert!(r.stdout.contains(why), "{name}: says why ({why}): {r:?}");
        assert_eq!(spooled(state.path()).len(), 1, "{name}: kept in the spool");
        let last = std::fs::read_to_string(state.path().join("last_delivery.json"))
            .unwrap_or_else(|e| panic!("{name}: no last_delivery.json: {e}"));
        assert!(last.contains("not acknowledged"), "{name}: {last}");
        assert!(s.count("POST", REPORTS) >= 1, "{name}");
    }
    assert_eq!(
        elsewhere.count("POST", REPORTS),
        0,
        "a POST was redirected to another origin"
    );

    // The honest cases still deliver: the acknowledgement, and a 307 to the same origin.
    for (name, redirect) in [("the ack", false), ("307 to the same origin", true)] {
        let s = server(move |req| match (req.path(), redirect) {
            ("/api/v1/reports", true) => Answer::redirect(307, "/moved/api/v1/reports"),
            _ => Answer::ack(&req.report_id().unwrap_or_default()),
        });
        let state = enrolled(&s, &[]);
        let r = agent_run(state.path());
        assert!(
            r.stdout.contains("report sent to the collector"),
            "{name}: {r:?}"
        );
        assert!(spooled(state.path()).is_empty(), "{name}: {r:?}");
    }
}

/// Case 2: a `409` (the report id is held by another report) is not a delivery and not a
/// refusal for good: the report stays in the spool (not in `rejected/`), the collector's
/// message is shown, and the reports after it are still sent. Before: a 409 read as "the
/// collector refuses this workstation's enrolment", which stopped the whole spool.
#[test]
fn a_conflict_keeps_the_report_and_does_not_block_the_others() {
    let first: Arc<Mutex<Option<String>>> = Arc::default();
    let held = Arc::clone(&first);
    let s = server(move |req| {
        let id = req.report_id().unwrap_or_default();
        let mut first = held.lock().unwrap();
        if first.get_or_insert_with(|| id.clone()) == &id {
            Answer::json(
                409,
                &serde_json::json!({
                    "code": "report_id_conflict",
                    "message": "this report id is already held by another report"
                }),
            )
        } else {
            Answer::ack(&id)
        }
    });
    let state = enrolled(&s, &[]);
    let r = agent_run(state.path());
    assert!(r.stdout.contains("already held by another report"), "{r:?}");
    assert!(!r.stdout.contains("enrol again"), "{r:?}");
    let kept = spooled(state.path());
    assert_eq!(kept.len(), 1, "{r:?}");

    let r = agent_run(state.path());
    eprintln!("{}", &r.stdout[r.stdout.find("Profile:").unwrap_or(0)..]);
    assert!(r.stdout.contains("report sent to the collector"), "{r:?}");
    assert!(r.stdout.contains("already held by another report"), "{r:?}");
    assert_eq!(
        spooled(state.path()),
        kept,
        "the conflicting report stays, alone"
    );
    assert!(report_files(&state.path().join("spool/rejected")).is_empty());
}

/// The agent's peak resident memory (VmHWM, KiB) over a run of `cmd`, with what it printed.
fn peak_rss(cmd: &mut Command) -> (u64, Run) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let mut peak = 0;
    let t0 = Instant::now();
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            let hwm = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the agent hangs");
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        code: status.code(),
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    };
    (peak, run)
}

/// Case 3: every answer of the collector is read with a size cap. A "collector" that
/// answers the speed-test session request (or its refusal, or the counters and the pings)
/// with an endless body does not make the agent hold it: its peak memory stays small and the
/// bandwidth test ends with a reason. Before: the session answer was read whole (VmHWM
/// ~1 GiB for a 512 MiB answer; 1.9 GB in the issue).
#[test]
fn endless_speedtest_answers_do_not_fill_the_agent_memory() {
    const ENDLESS: u64 = 512 * 1024 * 1024;
    const SESSIONS: &str = "/api/v1/speedtest/sessions";
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, bandwidth_profile(2.0, 16.0)).unwrap();
    type Hostile = Box<dyn Fn(&Request) -> Answer + Send + Sync>;
    let cases: Vec<(&str, Hostile)> = vec![
        (
            "an endless session answer",
            Box::new(|_: &Request| Answer::endless(201, r#"{"session":""#, ENDLESS)),
        ),
        (
            "an endless refusal",
            Box::new(|_: &Request| Answer::endless(403, r#"{"code":"x","message":""#, ENDLESS)),
        ),
        (
            "endless counters and pings",
            Box::new(|req: &Request| match (req.method.as_str(), req.path()) {
                ("POST", SESSIONS) => Answer::json(
                    201,
                    &serde_json::json!({"session": "s1", "expires_in_s": 60}),
                ),
                ("GET", p) if p.starts_with(SESSIONS) || p.ends_with("/ping") => {
                    Answer::endless(200, r#"{"elapsed_us":1,"x":""#, ENDLESS)
                }
                _ => Answer::html(404, "no"),
            }),
        ),
    ];
    let mut figures = Vec::new();
    for (name, hostile) in cases {
        let s = HostileCollector::start(hostile);
        let state = dir.path().join(name.replace(' ', "-"));
        let (peak_kib, r) = peak_rss(
            agent_cmd(&state)
                .args(["audit", "--json", "--lang", "en", "--profile"])
                .arg(&profile)
                .args(["--collector", &s.url])
                .env("ENT_AGENT_TOKEN", "hostile-test-school-token"),
        );
        assert!(matches!(r.code, Some(0 | 1)), "{name}: {r:?}");
        let report: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{name}: no JSON report ({e}): {r:?}"));
        let why = report["measurements"]["bandwidth"]["unavailable"].to_string();
        figures.push((name, peak_kib / 1024, why));
    }
    eprintln!("peak RSS (MiB) and findings: {figures:#?}");
    for (name, peak_mib, why) in &figures {
        assert!(
            *peak_mib < 64,
            "{name}: the agent's peak RSS was {peak_mib} MiB"
        );
        assert!(
            why.contains("larger than") || why.contains("no answer"),
            "{name}: the test ends with a reason: {why}"
        );
    }
}

/// Case 4: what the collector says is shown without terminal control characters and kept
/// bounded. A refusal with `ESC [2J` (clear screen), BEL, CR and a megabyte of text: the
/// agent's output holds no ESC and the stored reason is small. Before: the escape reached the
/// terminal and `rejected/<id>.reason.json` held the whole megabyte.
#[test]
fn collector_messages_are_cleaned_and_bounded() {
    let message = format!("\x1b[2J\x07\rbad report {}", "x".repeat(1_000_000));
    let s = server(move |_| {
        Answer::json(
            422,
            &serde_json::json!({"code": "invalid_report\x1b[31m", "message": message}),
        )
    });
    let state = enrolled(&s, &[]);
    let r = agent_run(state.path());
    eprintln!(
        "stdout {} bytes, stderr {} bytes",
        r.stdout.len(),
        r.stderr.len()
    );
    for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        assert!(!text.contains('\x1b'), "{what} holds ESC");
        assert!(!text.contains('\x07'), "{what} holds BEL");
        assert!(!text.contains('\r'), "{what} holds CR");
        assert!(text.len() < 16 * 1024, "{what}: {} bytes", text.len());
    }
    assert!(r.stdout.contains("bad report xxx"), "{}", r.stdout);
    let rejected = state.path().join("spool/rejected");
    let reasons: Vec<PathBuf> = json_files(&rejected)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".reason.json"))
        .collect();
    assert_eq!(reasons.len(), 1);
    let reason = std::fs::read_to_string(&reasons[0]).unwrap();
    eprintln!("stored reason: {} bytes", reason.len());
    assert!(reason.len() < 4096, "stored reason: {} bytes", reason.len());
    assert!(!reason.contains("\\u001b"), "{reason}");
}

/// Case 5: `spool/rejected/` is bounded in bytes as well as in count: a quarter of the
/// spool's byte bound, oldest deleted first. With a 2 MiB spool and fifteen 100 KB reports
/// refused, at most 512 KiB stay. Before: all of them (1.5 MB, bounded by count only).
#[test]
fn the_rejected_folder_is_bounded_in_bytes() {
    let s = server(|_| {
        Answer::json(
            422,
            &serde_json::json!({"code": "invalid_report", "message": "not a report"}),
        )
    });
    let state = enrolled(&s, &["--spool-max-mib", "2"]);
    let spool = state.path().join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    let ids: Vec<uuid::Uuid> = (0..15).map(|_| uuid::Uuid::now_v7()).collect();
    for id in &ids {
        let doc = serde_json::json!({"report_id": id, "pad": "x".repeat(100_000)});
        std::fs::write(spool.join(format!("{id}.json")), doc.to_string()).unwrap();
    }
    let r = agent_run(state.path());
    let rejected = spool.join("rejected");
    let kept = report_files(&rejected);
    let bytes = dir_bytes(&rejected);
    eprintln!("rejected/: {} reports, {bytes} bytes", kept.len());
    assert!(spooled(state.path()).is_empty(), "{r:?}");
    assert!(bytes <= 512 * 1024, "rejected/ holds {bytes} bytes: {r:?}");
    assert!(!kept.is_empty());
    // The newest are kept, the oldest deleted.
    let newest = kept.last().unwrap().file_stem().unwrap().to_str().unwrap();
    assert_ne!(newest, ids[0].to_string());
    assert!(!rejected.join(format!("{}.json", ids[0])).exists());
    assert!(r.stdout.contains("MiB"), "the bounds are said: {r:?}");
}

/// Case 6: only the collector's own refusal (`application/json`, an `ErrorBody` with a
/// code) moves a report to `rejected/` (pruned, so eventually deleted). A school web
/// filter's `403` HTML block page, or a reverse proxy's default `413` HTML page, is not the
/// collector refusing the report: it stays in the spool, the run stops sending and says why.
/// Before: both moved the report to `rejected/`.
#[test]
fn refusals_from_something_other_than_the_collector_keep_the_report() {
    let cases = [
        (
            "a web filter's 403 block page",
            Answer::html(
                403,
                "<html><body><h1>Access denied</h1>This site is blocked by the school's web \
                 filter.</body></html>",
            ),
            "403",
        ),
        (
            "nginx's default 413 page",
            Answer::html(
                413,
                "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\
                 \r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>\
                 nginx</center>\r\n</body>\r\n</html>\r\n",
            ),
            "413",
        ),
        (
            "a 403 JSON body that is not an error body",
            Answer::json(403, &serde_json::json!({"blocked": true})),
            "403",
        ),
    ];
    for (name, answer, status) in cases {
        let s = server(move |_| answer.clone());
        let state = enrolled(&s, &[]);
        let r = agent_run(state.path());
        let said = r.stdout.lines().find(|l| l.starts_with("Delivery"));
        eprintln!("{name}: {}", said.unwrap_or("?"));
        assert!(
            report_files(&state.path().join("spool/rejected")).is_empty(),
            "{name}: moved to rejected/: {r:?}"
        );
        assert_eq!(spooled(state.path()).len(), 1, "{name}: kept: {r:?}");
        assert!(r.stdout.contains("not sent"), "{name}: {r:?}");
        assert!(
            r.stdout.contains(&format!(
                "{status} answered by something other than the collector"
            )),
            "{name}: says why: {r:?}"
        );
    }

    // The collector's own refusal still moves the report to rejected/.
    let s = server(|_| {
        Answer::json(
            422,
            &serde_json::json!({"code": "invalid_report", "message": "school is not a UAI"}),
        )
    });
    let state = enrolled(&s, &[]);
    let r = agent_run(state.path());
    assert!(spooled(state.path()).is_empty(), "{r:?}");
    assert_eq!(
        report_files(&state.path().join("spool/rejected")).len(),
        1,
        "{r:?}"
    );
    assert!(r.stdout.contains("school is not a UAI"), "{r:?}");
}

/// Case 7: a `Retry-After` beyond any sane delay (here `u64::MAX` seconds, on a `503`) is
/// clamped: the run ends normally, the report stays in the spool for the next run. The first
/// five answers say `Retry-After: 0`, so that the backoff's jitter window has grown to 32 s
/// when the huge one comes. Before: adding the jitter to it overflowed `Duration` and the
/// agent panicked (exit 101, "overflow when adding durations").
#[test]
fn a_huge_retry_after_does_not_crash_the_agent() {
    let posts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&posts);
    let s = server(move |_| {
        let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut a = Answer::json(
            503,
            &serde_json::json!({"code": "unavailable", "message": "busy"}),
        );
        let wait = if n < 5 {
            "0".into()
        } else {
            u64::MAX.to_string()
        };
        a.headers.push(("retry-after".into(), wait));
        a
    });
    let state = enrolled(&s, &[]);
    let t0 = Instant::now();
    let r = run(agent_cmd(state.path()).args([
        "run",
        "--no-network",
        "--lang",
        "en",
        "--send-budget",
        "60",
    ]));
    eprintln!(
        "run: {:?}, exit {:?}, {} POSTs, {}",
        t0.elapsed(),
        r.code,
        s.count("POST", REPORTS),
        r.stdout
            .lines()
            .find(|l| l.starts_with("Delivery"))
            .unwrap_or("?")
    );
    assert!(!r.stderr.contains("panicked"), "{r:?}");
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    assert!(
        s.count("POST", REPORTS) >= 6,
        "the huge Retry-After was reached: {r:?}"
    );
    assert!(r.stdout.contains("not sent"), "{r:?}");
    assert_eq!(spooled(state.path()).len(), 1, "kept: {r:?}");
    assert!(report_files(&state.path().join("spool/rejected")).is_empty());
}
