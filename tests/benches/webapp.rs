//! The web app's render time (prints figures, asserts nothing):
//! `bash bench/webapp.sh` (a release collector), or without a release build
//! `cargo test -p ent-tests --bench webapp -- [--schools N] [--workstations M] [--runs R]`.
//!
//! Seeds 2,000 schools x 20 workstations through the store (two audit rounds, a week apart,
//! one PC in seven failing a blocking check, another one at the second round, one school in
//! ten losing six PCs at the second round, one PC in five warned on its RAM), starts the
//! collector, warms it (the summaries cached), then loads the pages in headless Chromium
//! through chromedriver and prints, per page, the time from navigation start to the page
//! rendered (the page's own `performance.now()`, written as `data-render-ms`): the
//! overview, its "what changed" section, the list of every school, a circonscription, a
//! school. Everything runs on this machine: Chromium shares its cores with the collector.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ent_collector::store::{self, CheckSummary, NewReport, School};
use ent_tests::collector::Collector;
use ent_tests::webdriver::Browser;
use readiness::{CheckStatus, Uai, Verdict};
use uuid::Uuid;

fn uai(n: u32) -> Uai {
    let digits = format!("{n:07}");
    format!("{digits}{}", Uai::check_letter(&digits).unwrap())
        .parse()
        .unwrap()
}

const CHECKS: &[(&str, bool)] = &[
    ("system.os_support", true),
    ("system.ram", false),
    ("system.cpu_cores", false),
    ("system.disk_free", false),
    ("browser.firefox", false),
    ("browser.any", true),
];

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
            departement: "069".into(),
            academie: store::Area {
                code: "10".into(),
                name: "Lyon".into(),
            },
            region: store::Area {
                code: "84".into(),
                name: "Auvergne-Rhône-Alpes".into(),
            },
        })
        .collect();
    st.upsert_schools(&dir).unwrap();
    let threads = 32;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let st = st.clone();
            std::thread::spawn(move || {
                let now = jiff::Timestamp::now();
                for i in (t..schools).step_by(threads as usize) {
                    for w in 0..per_school {
                        let id = Uuid::from_u128(u128::from(i) << 32 | u128::from(w));
                        for round in 0..2u32 {
                            let n = i * per_school + w + round * 3;
                            // One school in ten loses six PCs at the second round.
                            let blocked = n.is_multiple_of(7)
                                || (round == 1 && i.is_multiple_of(10) && w < 6);
                            // The blocking check that fails moves between rounds: the
                            // changes have checks newly failing and fixed.
                            let failing = if round == 0 {
                                "system.os_support"
                            } else {
                                "browser.any"
                            };
                            let warned = n.is_multiple_of(5);
                            let checks = CHECKS
                                .iter()
                                .map(|(id, blocking)| CheckSummary {
                                    id: (*id).into(),
                                    status: if blocked && *id == failing {
                                        CheckStatus::Fail
                                    } else if warned && *id == "system.ram" {
                                        CheckStatus::Warn
                                    } else {
                                        CheckStatus::Pass
                                    },
                                    blocking: *blocking,
                                    message: String::new(),
                                })
                                .collect();
                            let at = now
                                - jiff::SignedDuration::from_hours(24 * 7 * i64::from(1 - round));
                            st.insert_report(NewReport {
                                report_id: Uuid::now_v7(),
                                school: uai(100_000 + i),
                                workstation_id: id,
                                label: Some(format!("Salle {} poste {}", w / 10 + 1, w % 10 + 1)),
                                hostname: None,
                                finished_at: at,
                                received_at: at,
                                verdict: if blocked {
                                    Verdict::NotReady
                                } else if warned {
                                    Verdict::ReadyWithWarnings
                                } else {
                                    Verdict::Ready
                                },
                                score: if blocked { 70 } else { 95 },
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
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    t.elapsed()
}

fn arg(args: &[String], name: &str, default: u32) -> u32 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --bench` passes its own flags; only ours are read.
    let schools = arg(&args, "--schools", 2000);
    let per_school = arg(&args, "--workstations", 20);
    let runs = arg(&args, "--runs", 5).max(1);
    let Some(chromium) = ent_tests::chromium::chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("webapp.db");
    let seeded = seed(&db, schools, per_school);
    println!(
        "seeded {schools} schools x {per_school} workstations x 2 rounds in {:.1} s",
        seeded.as_secs_f64()
    );
    let c = Collector::start(&db, &[]);
    let read = c.read_token();
    let http = Collector::http();
    // Warm: the summaries computed and cached, as on a collector that has been serving.
    for path in [
        "/api/v1/overview",
        "/api/v1/schools?limit=all",
        "/api/v1/overview/changes",
    ] {
        let t = Instant::now();
        let resp = http
            .get(format!("{}{path}", c.url))
            .bearer_auth(&read)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let bytes = resp.bytes().unwrap().len();
        println!(
            "warm-up GET {path}: {:.0} ms, {} KiB",
            t.elapsed().as_secs_f64() * 1000.0,
            bytes / 1024
        );
    }
    let Some(b) = Browser::start(&chromium) else {
        println!("chromedriver is not installed: no render figures");
        return;
    };
    let first = uai(100_000).to_string();
    let pages = [
        ("overview", "/".to_owned(), "overview", "renderMs"),
        (
            "overview, what changed",
            "/".to_owned(),
            "overview",
            "changesMs",
        ),
        ("every school", "/ecoles".to_owned(), "schools", "renderMs"),
        (
            "a circonscription",
            "/circonscriptions/C000".to_owned(),
            "circonscription",
            "renderMs",
        ),
        ("a school", format!("/ecoles/{first}"), "school", "renderMs"),
    ];
    // The token once, in the tab's storage, as the reader's sign-in leaves it.
    b.goto(&format!("{}/#token={read}", c.url));
    b.wait_for(
        "document.documentElement.dataset.page === 'overview'",
        Duration::from_secs(60),
    );
    println!(
        "render in headless Chromium, warm collector, median of {runs} loads (navigation start to rendered):"
    );
    for (name, path, page, key) in pages {
        let mut ms = Vec::new();
        for _ in 0..runs {
            b.goto(&format!("{}{path}", c.url));
            let ready = if key == "changesMs" {
                "document.documentElement.dataset.changes === 'loaded'".to_owned()
            } else {
                format!("document.documentElement.dataset.page === '{page}'")
            };
            b.wait_for(&ready, Duration::from_secs(120));
            let v = b.eval(
                &format!("return Number(document.documentElement.dataset.{key});"),
                serde_json::json!([]),
            );
            ms.push(v.as_f64().unwrap_or(f64::NAN));
        }
        let worst = ms.iter().copied().fold(0.0, f64::max);
        println!(
            "  {name:<24} {path:<24} median {:>6.0} ms   worst {:>6.0} ms",
            median(ms),
            worst
        );
    }
}
