//! Read tokens' scopes against the real collector, on each backend: tokens made with
//! `token create --read --scope ...`, a directory of three départements (one in Corsica,
//! `02A`) and a school known only from its reports, and every read route read back with a
//! token of each scope. A token sees its schools only: lists, pages and their totals,
//! roll-ups (made of its schools), the CSV; a school outside is the same 404 as an unknown
//! UAI; `/metrics`, which counts every school, wants a token of scope all.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use ent_tests::collector::{Backend, Collector, TestDb, admin, sample_report};
use ent_tests::on_both_backends;
use serde_json::Value;
use uuid::Uuid;

on_both_backends!(
    each_read_route_shows_the_token_s_schools_only,
    the_cli_creates_lists_and_refuses_scopes,
    a_read_token_written_without_a_scope_sees_everything,
);

/// The UAI of school `n` whose seven digits start with `prefix` (a valid check letter).
fn uai(prefix: &str, n: u32) -> String {
    let digits = format!("{prefix}{n:04}");
    format!("{digits}{}", readiness::Uai::check_letter(&digits).unwrap())
}

/// A school of the test directory.
struct Row {
    uai: String,
    circonscription: String,
    departement: &'static str,
    academie: &'static str,
    region: &'static str,
}

/// Rhône (069: seven schools in two circonscriptions), Paris (075: two), Corse-du-Sud
/// (02A, whose UAIs start with 620: one).
fn directory() -> Vec<Row> {
    let mut rows = Vec::new();
    for n in 0..7 {
        rows.push(Row {
            uai: uai("069", n),
            circonscription: format!("069C{}", n % 2),
            departement: "069",
            academie: "10",
            region: "84",
        });
    }
    for n in 0..2 {
        rows.push(Row {
            uai: uai("075", n),
            circonscription: "075C0".into(),
            departement: "075",
            academie: "01",
            region: "11",
        });
    }
    rows.push(Row {
        uai: uai("620", 0),
        circonscription: "02AC0".into(),
        departement: "02A",
        academie: "27",
        region: "94",
    });
    rows
}

fn write_directory(path: &Path, rows: &[Row]) {
    let mut text = String::from(
        "identifiant_de_l_etablissement;nom_etablissement;nom_commune;code_circonscription;\
         nom_circonscription;code_departement;code_academie;libelle_academie;code_region;\
         libelle_region\n",
    );
    for r in rows {
        text += &format!(
            "{u};École {u};Commune {d};{c};Circonscription {c};{d};{a};Académie {a};{g};Région {g}\n",
            u = r.uai,
            c = r.circonscription,
            d = r.departement,
            a = r.academie,
            g = r.region,
        );
    }
    std::fs::write(path, text).unwrap();
}

/// A fresh database of `backend` holding `rows` as its directory.
fn database(backend: Backend, rows: &[Row]) -> TestDb {
    let db = TestDb::new(backend);
    let csv = db.path().join("annuaire.csv");
    write_directory(&csv, rows);
    ent_tests::stdout_of(
        admin(db.database()).args(["schools", "import"]).arg(&csv),
        "schools import",
    );
    db
}

/// Post a report of a new workstation of `school`: a good PC, or one without a browser.
fn post(c: &Collector, school: &str, good: bool) {
    let token = c.school_token(school);
    let mut r = sample_report(school, Uuid::new_v4());
    if !good {
        r.measurements.browsers.as_mut().unwrap().installed.clear();
    }
    let (status, answer) = c.post_report(Some(&token), serde_json::to_string(&r).unwrap());
    assert_eq!(status, 201, "{answer}");
}

fn get_ok(c: &Collector, path: &str, token: &str) -> Value {
    let (status, body) = c.get(path, Some(token));
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The UAIs of a list of schools.
fn uais(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["uai"].as_str().unwrap().to_owned())
        .collect()
}

/// Every school of `/api/v1/schools`, walked two at a time: checks that each page's total
/// is the number of schools the token sees.
fn walk_schools(c: &Collector, token: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    for _ in 0..100 {
        let path = match &cursor {
            Some(cur) => format!("/api/v1/schools?limit=2&cursor={cur}"),
            None => "/api/v1/schools?limit=2".to_owned(),
        };
        let body = get_ok(c, &path, token);
        let t = body["page"]["total"].as_u64().unwrap();
        assert_eq!(*total.get_or_insert(t), t, "{path}");
        seen.extend(uais(&body["schools"]));
        match body["page"]["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert_eq!(seen.len() as u64, t, "the pages hold the total");
                return seen;
            }
        }
    }
    panic!("more than 100 pages");
}

/// What a roll-up adds up from its schools.
#[derive(Debug, Default, Clone, PartialEq)]
struct Sums {
    schools: u64,
    workstations: u64,
    stale: u64,
    verdicts: BTreeMap<String, u64>,
}

impl Sums {
    fn of_rollup(g: &Value) -> Sums {
        let v = &g["school_verdicts"];
        Sums {
            schools: g["schools"].as_u64().unwrap(),
            workstations: g["workstations"].as_u64().unwrap(),
            stale: g["stale_workstations"].as_u64().unwrap(),
            verdicts: [
                "ready",
                "ready_with_warnings",
                "not_ready",
                "insufficient_data",
            ]
            .iter()
            .map(|k| (k.to_string(), v[k].as_u64().unwrap()))
            .filter(|(_, n)| *n > 0)
            .collect(),
        }
    }

    fn add(&mut self, school: &Value) {
        self.schools += 1;
        self.workstations += school["workstations"].as_u64().unwrap();
        self.stale += school["stale_workstations"].as_u64().unwrap();
        let verdict = school["verdict"].as_str().unwrap().to_owned();
        *self.verdicts.entry(verdict).or_default() += 1;
    }
}

/// The roll-up's code of a school's summary, per list.
fn code_of<'a>(list: &str, school: &'a Value) -> &'a str {
    match list {
        "circonscriptions" => school["circonscription"]["code"].as_str().unwrap(),
        "departements" => school["departement"].as_str().unwrap(),
        "academies" => school["academie"]["code"].as_str().unwrap(),
        "regions" => school["region"]["code"].as_str().unwrap(),
        _ => unreachable!(),
    }
}

/// The status and body of `GET path` with `token`, as text.
fn raw_get(c: &Collector, path: &str, token: Option<&str>) -> (u16, String) {
    let req = Collector::http().get(format!("{}{path}", c.url));
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let r = req.send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn each_read_route_shows_the_token_s_schools_only(backend: Backend) {
    let rows = directory();
    let db = database(backend, &rows);
    let c = Collector::start(db.database(), &[]);
    let u = |p: &str, n: u32| uai(p, n);
    // A school the directory does not know, known from its report: département 069 by its
    // UAI, circonscription unknown.
    let outside_directory = u("069", 500);
    for (school, good) in [
        (u("069", 0), true),
        (u("069", 0), true),
        (u("069", 1), false),
        (u("069", 3), true),
        (u("069", 4), false),
        (u("069", 4), true),
        (u("075", 0), true),
        (u("620", 0), false),
        (outside_directory.clone(), true),
    ] {
        post(&c, &school, good);
    }
    let everything: BTreeSet<String> = rows
        .iter()
        .map(|r| r.uai.clone())
        .chain([outside_directory.clone()])
        .collect();
    let rhone: BTreeSet<String> = (0..7)
        .map(|n| u("069", n))
        .chain([outside_directory.clone()])
        .collect();
    let circ0: BTreeSet<String> = [0, 2, 4, 6].iter().map(|n| u("069", *n)).collect();
    let listed: BTreeSet<String> = [u("069", 1), u("075", 0)].into();
    let corsica: BTreeSet<String> = [u("620", 0)].into();

    let all = c.read_token();
    let tokens: Vec<(&str, String, BTreeSet<String>)> = vec![
        ("all", all.clone(), everything.clone()),
        (
            "circonscription",
            c.token(&["--read", "--scope", "circonscription:069C0"]),
            circ0,
        ),
        (
            "departement (written 69)",
            c.token(&["--read", "--scope", "departement:69"]),
            rhone,
        ),
        (
            "ecoles",
            c.token(&[
                "--read",
                "--scope",
                &format!("ecoles:{},{}", u("069", 1), u("075", 0)),
            ]),
            listed,
        ),
        (
            "departement 2A",
            c.token(&["--read", "--scope", "departement:2A"]),
            corsica,
        ),
    ];
    // Every school's summary, as the token of scope all sees it.
    let summaries = get_ok(&c, "/api/v1/schools?limit=all", &all);
    let summary: BTreeMap<String, Value> = summaries["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["uai"].as_str().unwrap().to_owned(), s.clone()))
        .collect();
    assert_eq!(summary.keys().cloned().collect::<BTreeSet<_>>(), everything);
    let unknown = u("069", 9000);

    for (what, token, visible) in &tokens {
        let token = token.as_str();
        // The list, whole and paged; its total counts the visible schools only.
        let body = get_ok(&c, "/api/v1/schools?limit=all", token);
        assert_eq!(&uais(&body["schools"]), visible, "{what}");
        assert_eq!(body["page"]["total"], visible.len(), "{what}");
        assert_eq!(&walk_schools(&c, token), visible, "{what}: paged");
        // Filters select among the visible schools.
        for dep in ["069", "075", "02A"] {
            let body = get_ok(
                &c,
                &format!("/api/v1/schools?departement={dep}&limit=all"),
                token,
            );
            let expected: BTreeSet<String> = visible
                .iter()
                .filter(|x| summary[*x]["departement"] == dep)
                .cloned()
                .collect();
            assert_eq!(
                uais(&body["schools"]),
                expected,
                "{what}: departement={dep}"
            );
            assert_eq!(
                body["page"]["total"],
                expected.len(),
                "{what}: departement={dep}"
            );
        }

        // A school's detail and history: its own, or the unknown school's 404, word for
        // word.
        for route in ["", "/history"] {
            let (status, unknown_body) = raw_get(
                &c,
                &format!("/api/v1/schools/{unknown}{route}"),
                Some(token),
            );
            assert_eq!(status, 404, "{what}: {unknown_body}");
            for school in &everything {
                let (status, body) =
                    raw_get(&c, &format!("/api/v1/schools/{school}{route}"), Some(token));
                if visible.contains(school) {
                    assert_eq!(status, 200, "{what}: {school}{route}: {body}");
                    let v: Value = serde_json::from_str(&body).unwrap();
                    let shown = if route.is_empty() {
                        &v["school"]["uai"]
                    } else {
                        &v["uai"]
                    };
                    assert_eq!(shown, school.as_str());
                } else {
                    assert_eq!(status, 404, "{what}: {school}{route}: {body}");
                    assert_eq!(
                        body,
                        unknown_body.replace(&unknown, school),
                        "{what}: {school}{route} answers as an unknown school"
                    );
                }
            }
        }

        // Roll-ups: of the visible schools only, each the sum of its visible schools.
        for list in ["circonscriptions", "departements", "academies", "regions"] {
            let mut expected: BTreeMap<String, Sums> = BTreeMap::new();
            for x in visible {
                let s = &summary[x];
                expected
                    .entry(code_of(list, s).to_owned())
                    .or_default()
                    .add(s);
            }
            let body = get_ok(&c, &format!("/api/v1/{list}?limit=all"), token);
            let got: BTreeMap<String, Sums> = body[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| (g["code"].as_str().unwrap().to_owned(), Sums::of_rollup(g)))
                .collect();
            assert_eq!(got, expected, "{what}: {list}");
            assert_eq!(body["page"]["total"], expected.len(), "{what}: {list}");
            // A filter outside the scope selects nothing.
            if *what != "all" {
                let body = get_ok(&c, &format!("/api/v1/{list}?region=11&limit=all"), token);
                let paris: usize = visible
                    .iter()
                    .filter(|x| summary[*x]["region"]["code"] == "11")
                    .count();
                assert_eq!(
                    body[list]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| g["schools"].as_u64().unwrap())
                        .sum::<u64>(),
                    paris as u64,
                    "{what}: {list}?region=11"
                );
            }
        }

        // The CSV: one row per visible school.
        let (status, csv) = raw_get(&c, "/api/v1/export.csv", Some(token));
        assert_eq!(status, 200, "{what}: {csv}");
        let rows: BTreeSet<String> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(';').next().unwrap().to_owned())
            .collect();
        assert_eq!(&rows, visible, "{what}: CSV");
        assert_eq!(csv.lines().count(), visible.len() + 1, "{what}: CSV");

        // /metrics counts every school: scope all only.
        let (status, body) = raw_get(&c, "/metrics", Some(token));
        if *what == "all" {
            assert_eq!(status, 200, "{body}");
            assert!(
                body.contains("ent_collector_schools{verdict=\"ready\"}"),
                "{body}"
            );
        } else {
            assert_eq!(status, 403, "{what}: {body}");
            let e: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(e["code"], "wrong_scope", "{what}: {body}");
        }
    }
    let (status, body) = raw_get(&c, "/metrics", None);
    assert_eq!(status, 401, "{body}");

    // The token of scope all sees what a read token saw before scopes.
    let deps = get_ok(&c, "/api/v1/departements?limit=all", &all);
    let codes: Vec<&str> = deps["departements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["02A", "069", "075"]);
    let rhone = &deps["departements"][1];
    assert_eq!(
        (rhone["schools"].as_u64(), rhone["workstations"].as_u64()),
        (Some(8), Some(7))
    );
}

/// `token create --read [--scope]` says the scope, `token list` shows it, and a bad scope
/// is refused with the reason (nothing created).
fn the_cli_creates_lists_and_refuses_scopes(backend: Backend) {
    let db = database(backend, &directory());
    let run = |args: &[&str]| admin(db.database()).args(args).output().unwrap();
    let out = run(&["token", "create", "--read"]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("scope all: every school"), "{said}");
    let out = run(&[
        "token",
        "create",
        "--read",
        "--scope",
        "circonscription:069C0",
    ]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("scope circonscription:069C0"), "{said}");
    let out = run(&[
        "token",
        "create",
        "--read",
        "--scope",
        "schools:0690001B, 0690000A",
    ]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("scope ecoles:0690000A,0690001B"), "{said}");

    for (scope, reason) in [
        ("departement:6", "a département code is"),
        ("circonscription:", "a circonscription code is"),
        // The schools missing from the directory, of every département, are no
        // circonscription; nor is a code the directory does not have.
        (
            "circonscription:unknown",
            "no school of the directory is in",
        ),
        ("circonscription:069C9", "no school of the directory is in"),
        ("ecoles:0690000B", "check letter"),
        ("region:84", "expected all, departement:CODE"),
    ] {
        let out = run(&["token", "create", "--read", "--scope", scope]);
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{scope}: {said}");
        assert!(
            said.contains("--scope") && said.contains(reason),
            "{scope}: {said}"
        );
    }
    let out = run(&["token", "create", "--school", "0690000A", "--scope", "all"]);
    assert!(!out.status.success(), "--scope is for read tokens");

    let list = ent_tests::stdout_of(admin(db.database()).args(["token", "list"]), "token list");
    let scopes: Vec<&str> = list
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap())
        .collect();
    assert_eq!(
        scopes,
        [
            "read all",
            "read circonscription:069C0",
            "read ecoles:0690000A,0690001B"
        ],
        "{list}"
    );
}

/// A département-scoped token over 2,000 schools (of 4,000): its roll-ups are made per
/// request (those of scope all are cached with the summaries). Prints the figures (`cargo test -p ent-tests --test read_scopes
/// -- --nocapture scoped_roll_ups`).
#[test]
fn scoped_roll_ups_of_2000_schools_print_their_time() {
    let mut rows = Vec::new();
    for (dep, prefix, academie, region) in [("069", "069", "10", "84"), ("038", "038", "08", "84")]
    {
        for n in 0..2000 {
            rows.push(Row {
                uai: uai(prefix, n),
                circonscription: format!("{dep}C{}", n % 40),
                departement: dep,
                academie,
                region,
            });
        }
    }
    let db = database(Backend::Sqlite, &rows);
    let c = Collector::start(db.database(), &[]);
    for n in (0..2000).step_by(20) {
        post(&c, &uai("069", n), n % 40 != 0);
    }
    let all = c.read_token();
    let scoped = c.token(&["--read", "--scope", "departement:069"]);
    // The answer's time, body read but not parsed (a debug build's JSON parsing of 4,000
    // schools would be most of it).
    let time = |token: &str, path: &str| {
        get_ok(&c, path, token); // warm the summaries
        let mut runs: Vec<Duration> = (0..15)
            .map(|_| {
                let t = Instant::now();
                let (status, _) = raw_get(&c, path, Some(token));
                assert_eq!(status, 200, "{path}");
                t.elapsed()
            })
            .collect();
        runs.sort();
        runs[runs.len() / 2]
    };
    for path in [
        "/api/v1/circonscriptions?limit=all",
        "/api/v1/departements",
        "/api/v1/schools?limit=all",
        "/api/v1/export.csv",
    ] {
        let (a, s) = (time(&all, path), time(&scoped, path));
        eprintln!(
            "{path}: median {a:?} with scope all, {s:?} with departement:069 (2,000 of 4,000 schools)"
        );
    }
    // The figures are printed, not asserted (a busy machine's timings are no test); what
    // the scoped token gets is.
    let body = get_ok(&c, "/api/v1/circonscriptions?limit=all", &scoped);
    assert_eq!(body["page"]["total"], 40);
}

/// A read token written without a scope (by a collector of before migration 0007 on the
/// same database: the column's default) sees every school and /metrics, as it did.
fn a_read_token_written_without_a_scope_sees_everything(backend: Backend) {
    let rows = directory();
    let db = database(backend, &rows);
    ent_tests::stdout_of(admin(db.database()).arg("migrate"), "migrate");
    let secret = "entr_written-by-an-older-collector";
    let insert = format!(
        "INSERT INTO tokens (id, hash, scope, school, created_at) VALUES ('old', '{}', 'read', NULL, 1)",
        ent_collector::tokens::hash(secret)
    );
    match backend {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(db.database()).unwrap();
            conn.execute_batch(&insert).unwrap();
        }
        Backend::Postgres => {
            let url = db.database().to_string_lossy().into_owned();
            let name = url.rsplit('/').next().unwrap().to_owned();
            ent_tests::postgres::Cluster::shared().psql(&name, &insert);
        }
    }
    let c = Collector::start(db.database(), &[]);
    let body = get_ok(&c, "/api/v1/schools?limit=all", secret);
    let all: BTreeSet<String> = rows.iter().map(|r| r.uai.clone()).collect();
    assert_eq!(uais(&body["schools"]), all);
    assert_eq!(raw_get(&c, "/metrics", Some(secret)).0, 200);
    let list = ent_tests::stdout_of(admin(db.database()).args(["token", "list"]), "token list");
    assert!(list.starts_with("old\tread all\t"), "{list}");
}
