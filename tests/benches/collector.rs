//! Collector benchmark (prints figures, asserts nothing): `cargo bench -p ent-tests --bench collector`
//!
//! 1. Ingest: concurrent clients POST reports to a release `ent-collector` on loopback;
//!    reports per second acknowledged after a durable commit, and latency percentiles: on
//!    SQLite, then on a durable PostgreSQL cluster of its own with one node and two.
//! 2. Read: `/api/v1/schools?limit=all` over 10,000 schools x 20 workstations (seeded
//!    through the store; `-- --national` for 45,000 x 20, or `--schools N --workstations M`),
//!    with the cache cold (after a write) and warm; a page of 1000 schools from anywhere in
//!    the list; the région, académie, département and circonscription roll-ups; the
//!    collector's peak memory. `--read-only` skips the ingest phase; `-- ingest` or
//!    `-- read` runs that phase only.
//!
//! Everything runs on this machine: the clients share its 2 cores with the collector.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ent_collector::store::{self, CheckSummary, NewReport, School};
use ent_tests::SYSTEM_CHECKS;
use ent_tests::collector::{Collector, sample_report};
use readiness::{CheckStatus, Uai, Verdict};
use uuid::Uuid;

fn uai(n: u32) -> Uai {
    let digits = format!("{n:07}");
    format!("{digits}{}", Uai::check_letter(&digits).unwrap())
        .parse()
        .unwrap()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// `threads` clients post for `seconds`, spread over `nodes` (collectors on one database)
/// as a round-robin balancer would.
fn ingest(label: &str, nodes: &[Collector], threads: usize, seconds: u64) {
    let c = &nodes[0];
    let schools: Vec<String> = (0..threads as u32)
        .map(|i| uai(690_000 + i).to_string())
        .collect();
    let tokens: Vec<String> = schools.iter().map(|s| c.school_token(s)).collect();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0u64));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let url = nodes[i % nodes.len()].url.clone();
            let (token, school) = (tokens[i].clone(), schools[i].clone());
            let (latencies, errors) = (latencies.clone(), errors.clone());
            std::thread::spawn(move || {
                let http = Collector::http();
                // One report per client, serialised once; each request gets a new id (the
                // client must not eat the cores the collector is measured on).
                let template = sample_report(&school, Uuid::new_v4());
                let template_id = template.report_id.to_string();
                let template = serde_json::to_string(&template).unwrap();
                let mut mine = Vec::new();
                while Instant::now() < deadline {
                    let body = template.replace(&template_id, &Uuid::now_v7().to_string());
                    let t = Instant::now();
                    let ok = http
                        .post(format!("{url}/api/v1/reports"))
                        .bearer_auth(&token)
                        .body(body)
                        .send()
                        .is_ok_and(|r| r.status().as_u16() == 201);
                    if ok {
                        mine.push(t.elapsed());
                    } else {
                        *errors.lock().unwrap() += 1;
                    }
                }
                latencies.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let stored = c.report_count();
    let rss: Vec<String> = nodes
        .iter()
        .map(|n| format!("{:.1}", peak_rss_mib(n.pid())))
        .collect();
    println!(
        "ingest, {label}: {threads} clients, {seconds} s: {} reports acknowledged ({stored} in the database), {:.0} reports/s (goal >= 2000), latency p50 {:.1} ms, p99 {:.1} ms, errors {}; peak RSS per node {} MiB",
        l.len(),
        l.len() as f64 / elapsed,
        pct(&l, 0.5),
        pct(&l, 0.99),
        errors.lock().unwrap(),
        rss.join(" / "),
    );
}

fn seed(path: &std::path::Path, schools: u32, per_school: u32) -> Duration {
    let t = Instant::now();
    let st: Arc<dyn store::Store> = Arc::from(store::open(path.to_str().unwrap()).unwrap());
    let dir: Vec<School> = (0..schools)
        .map(|i| School {
            uai: uai(100_000 + i),
            name: format!("École {i}"),
            commune: format!("Commune {}", i / 10),
            circonscription_code: format!("C{:03}", i / 40),
            circonscription_name: format!("Circonscription {}", i / 40),
            departement: format!("{:03}", 1 + i / 400),
            academie: store::Area {
                code: format!("{:02}", 1 + i / 1600),
                name: format!("Académie {}", 1 + i / 1600),
            },
            region: store::Area {
                code: format!("{:02}", 1 + i / 3200),
                name: format!("Région {}", 1 + i / 3200),
            },
        })
        .collect();
    st.upsert_schools(&dir).unwrap();
    // Many writers, so that each durable commit of the store's writer carries many reports
    // (group commit): seeding is bound by fsyncs, not by the cores.
    let threads = 64;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let st = st.clone();
            std::thread::spawn(move || {
                let now = jiff::Timestamp::now();
                for i in (t..schools).step_by(threads as usize) {
                    for w in 0..per_school {
                        let n = i * per_school + w;
                        let failing = n.is_multiple_of(7);
                        let checks = SYSTEM_CHECKS
                            .iter()
                            .chain(&["browser.firefox", "browser.any"])
                            .map(|id| CheckSummary {
                                id: (*id).into(),
                                status: if failing && *id == "system.os_support" {
                                    CheckStatus::Fail
                                } else {
                                    CheckStatus::Pass
                                },
                                blocking: id.ends_with("os_support") || id.ends_with("any"),
                                message: String::new(),
                            })
                            .collect();
                        st.insert_report(NewReport {
                            report_id: Uuid::now_v7(),
                            school: uai(100_000 + i),
                            workstation_id: Uuid::new_v4(),
                            label: None,
                            hostname: None,
                            finished_at: now,
                            received_at: now,
                            verdict: if failing {
                                Verdict::NotReady
                            } else {
                                Verdict::Ready
                            },
                            score: if failing { 70 } else { 100 },
                            agent_verdict: Verdict::Ready,
                            agent_score: 100,
                            checks,
                            body: "{}".into(),
                            bandwidth: None,
                            admission: Default::default(),
                        })
                        .unwrap();
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    t.elapsed()
}

/// `GET path` with `token`, `n` times: the latencies sorted, and the last answer's size.
fn timed(
    http: &reqwest::blocking::Client,
    url: &str,
    token: &str,
    n: usize,
) -> (Vec<Duration>, usize) {
    let mut bytes = 0;
    let mut l: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let resp = http.get(url).bearer_auth(token).send().unwrap();
            assert_eq!(resp.status().as_u16(), 200, "{url}");
            bytes = resp.bytes().unwrap().len();
            t.elapsed()
        })
        .collect();
    l.sort();
    (l, bytes)
}

fn read(schools: u32, per_school: u32) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("read.db");
    let seeded = seed(&db, schools, per_school);
    let c = Collector::start(&db, &[]);
    let read = c.read_token();
    let writer = c.school_token(&uai(100_000).to_string());
    let http = Collector::http();
    let all = format!("{}/api/v1/schools?limit=all", c.url);
    let get = || {
        let t = Instant::now();
        let resp = http.get(&all).bearer_auth(&read).send().unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let bytes = resp.bytes().unwrap().len();
        (t.elapsed(), bytes)
    };
    let (first, bytes) = get();
    let mut warm: Vec<Duration> = (0..20).map(|_| get().0).collect();
    warm.sort();
    // A write before each read invalidates the cache: every read recomputes.
    let mut cold: Vec<Duration> = (0..20)
        .map(|_| {
            let r = sample_report(&uai(100_000).to_string(), Uuid::new_v4());
            c.post_report(Some(&writer), serde_json::to_string(&r).unwrap());
            get().0
        })
        .collect();
    cold.sort();
    println!(
        "read /api/v1/schools?limit=all: {schools} schools x {per_school} workstations (seeded in {:.1} s), {:.1} MB of JSON; first {:.0} ms; recomputed after a write p50 {:.0} ms p95 {:.0} ms; cached p50 {:.1} ms p95 {:.1} ms",
        seeded.as_secs_f64(),
        bytes as f64 / 1e6,
        first.as_secs_f64() * 1000.0,
        pct(&cold, 0.5),
        pct(&cold, 0.95),
        pct(&warm, 0.5),
        pct(&warm, 0.95),
    );

    // One page of schools, from a cursor anywhere in the list, with and without a filter.
    let page_of = |query: &str, after: u32| {
        let cursor: String = format!("schools:{}", uai(100_000 + after))
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{}/api/v1/schools?{query}cursor={cursor}", c.url)
    };
    let mut pages: Vec<Duration> = (0..40)
        .flat_map(|i| {
            let url = page_of("", (i * 7919) % schools);
            timed(&http, &url, &read, 1).0
        })
        .collect();
    pages.sort();
    let (_, page_bytes) = timed(&http, &page_of("", 0), &read, 1);
    // At the peak, reports arrive between any two reads: the page after a write.
    let mut after_write: Vec<Duration> = (0..20)
        .flat_map(|i| {
            let r = sample_report(&uai(100_000).to_string(), Uuid::new_v4());
            c.post_report(Some(&writer), serde_json::to_string(&r).unwrap());
            timed(&http, &page_of("", (i * 7919) % schools), &read, 1).0
        })
        .collect();
    after_write.sort();
    let (filtered, _) = timed(&http, &page_of("departement=003&limit=100&", 0), &read, 20);
    println!(
        "read a page of /api/v1/schools (1000 schools, {:.0} kB): p50 {:.1} ms p95 {:.1} ms (goal p95 < 300 ms); right after a write p50 {:.1} ms p95 {:.1} ms; filtered by département (100): p50 {:.1} ms p95 {:.1} ms",
        page_bytes as f64 / 1e3,
        pct(&pages, 0.5),
        pct(&pages, 0.95),
        pct(&after_write, 0.5),
        pct(&after_write, 0.95),
        pct(&filtered, 0.5),
        pct(&filtered, 0.95),
    );
    for list in ["regions", "academies", "departements", "circonscriptions"] {
        let url = format!("{}/api/v1/{list}", c.url);
        let (l, bytes) = timed(&http, &url, &read, 20);
        let (f, _) = timed(&http, &format!("{url}?region=01"), &read, 20);
        println!(
            "read /api/v1/{list} ({:.0} kB): p50 {:.1} ms p95 {:.1} ms; of one région: p50 {:.1} ms p95 {:.1} ms",
            bytes as f64 / 1e3,
            pct(&l, 0.5),
            pct(&l, 0.95),
            pct(&f, 0.5),
            pct(&f, 0.95),
        );
    }
    println!(
        "read phase: collector peak RSS {:.1} MiB",
        peak_rss_mib(c.pid())
    );
}

/// `--NAME N` of the command line, else `default`.
fn arg(args: &[String], name: &str, default: u32) -> u32 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn main() {
    // Benchmarks measure optimised binaries.
    if std::env::var_os("ENT_TESTS_RELEASE").is_none() {
        eprintln!(
            "note: set ENT_TESTS_RELEASE=1 to benchmark release binaries (bench/collector.sh does)"
        );
    }
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` and `--list`: nothing to run
    }
    // `--national`: the country's 45,000 schools x 20 workstations; `--schools N`,
    // `--workstations M` otherwise (10,000 x 20 by default); `--read-only` skips ingest;
    // `-- ingest` or `-- read` runs that phase only.
    let national = args.iter().any(|a| a == "--national");
    let schools = arg(&args, "--schools", if national { 45_000 } else { 10_000 });
    let per_school = arg(&args, "--workstations", 20);
    let only = |phase: &str| {
        !args.iter().any(|a| a == "ingest" || a == "read") || args.iter().any(|a| a == phase)
    };
    if only("ingest") && !args.iter().any(|a| a == "--read-only") {
        // Durable on each backend: SQLite's FULL synchronous commits, PostgreSQL with fsync.
        let dir = tempfile::tempdir().unwrap();
        ingest(
            "SQLite",
            &[Collector::start(&dir.path().join("bench.db"), &[])],
            16,
            10,
        );
        let pg = ent_tests::postgres::Cluster::start_durable();
        let url = pg.url(&pg.create_database());
        ingest("PostgreSQL, 1 node", &[Collector::start(&url, &[])], 16, 10);
        let url = pg.url(&pg.create_database());
        let nodes = [Collector::start(&url, &[]), Collector::start(&url, &[])];
        ingest("PostgreSQL, 2 nodes", &nodes, 16, 10);
    }
    if only("read") {
        read(schools, per_school);
    }
}
