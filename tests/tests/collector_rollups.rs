//! Roll-ups above the département and the paged, filtered read lists, against the real
//! collector: a directory of two régions and three académies imported with the admin CLI,
//! reports posted, and `/api/v1/academies`, `/api/v1/regions` and the lists read back.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ent_tests::collector::{Collector, admin, sample_report};
use ent_tests::find_in;
use serde_json::Value;
use uuid::Uuid;

/// A school of the test directory: département, académie (code, name), région (code, name).
struct Place {
    departement: &'static str,
    academie: (&'static str, &'static str),
    region: (&'static str, &'static str),
}

/// Three départements: Rhône and Isère (two académies of one région), Paris (another).
const PLACES: [Place; 3] = [
    Place {
        departement: "069",
        academie: ("10", "Lyon"),
        region: ("84", "Auvergne-Rhône-Alpes"),
    },
    Place {
        departement: "038",
        academie: ("08", "Grenoble"),
        region: ("84", "Auvergne-Rhône-Alpes"),
    },
    Place {
        departement: "075",
        academie: ("01", "Paris"),
        region: ("11", "Île-de-France"),
    },
];

/// The UAI of school `n` of département `dep` (a valid check letter).
fn uai(dep: &str, n: u32) -> String {
    let digits = format!("{dep}{n:04}");
    format!("{digits}{}", readiness::Uai::check_letter(&digits).unwrap())
}

/// A directory file (the annuaire's columns) with `per_departement` schools in each place,
/// two circonscriptions per département, and one school without académie nor région; the
/// UAIs, in the file's order.
fn write_directory(path: &Path, per_departement: u32) -> Vec<String> {
    let mut text = String::from(
        "identifiant_de_l_etablissement;nom_etablissement;nom_commune;code_circonscription;\
         nom_circonscription;code_departement;code_academie;libelle_academie;code_region;\
         libelle_region\n",
    );
    let mut uais = Vec::new();
    for p in &PLACES {
        for n in 0..per_departement {
            let u = uai(p.departement, n);
            let circ = format!("{}C{}", p.departement, n % 2);
            text += &format!(
                "{u};École {u};Commune {dep};{circ};Circonscription {circ};{dep};{};{};{};{}\n",
                p.academie.0,
                p.academie.1,
                p.region.0,
                p.region.1,
                dep = p.departement
            );
            uais.push(u);
        }
    }
    // A school the directory does not place above its département.
    let lone = uai("069", 9999);
    text += &format!("{lone};École seule;Lyon;;;069;;;;\n");
    uais.push(lone);
    std::fs::write(path, text).unwrap();
    uais
}

/// A collector on a fresh database holding the test directory.
fn with_directory(per_departement: u32) -> (tempfile::TempDir, Collector, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collector.db");
    let csv = dir.path().join("annuaire.csv");
    let uais = write_directory(&csv, per_departement);
    ent_tests::stdout_of(
        admin(&db).args(["schools", "import"]).arg(&csv),
        "schools import",
    );
    let c = Collector::start(&db, &[]);
    (dir, c, uais)
}

/// Post a report of a new workstation of `school`: a good PC, or one without a browser (a
/// blocking failure).
fn post(c: &Collector, token: &str, school: &str, good: bool) {
    let mut r = sample_report(school, Uuid::new_v4());
    if !good {
        r.measurements.browsers.as_mut().unwrap().installed.clear();
    }
    let (status, answer) = c.post_report(Some(token), serde_json::to_string(&r).unwrap());
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["verdict"],
        if good { "ready" } else { "not_ready" },
        "{answer}"
    );
}

/// `GET path` with `read`: 200 and its body.
fn get_ok(c: &Collector, path: &str, read: &str) -> Value {
    let (status, body) = c.get(path, Some(read));
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Every item of a list, walked page by page with `limit`; checks each page's `page`.
fn walk(c: &Collector, path: &str, key: &str, read: &str, limit: usize) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(cur) => format!("{path}{sep}limit={limit}&cursor={cur}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let body = get_ok(c, &url, read);
        let page = body[key].as_array().unwrap();
        assert!(page.len() <= limit, "{url}: {} items", page.len());
        assert_eq!(body["page"]["limit"], limit);
        let t = body["page"]["total"].as_u64().unwrap();
        assert_eq!(
            *total.get_or_insert(t),
            t,
            "the total is the same on every page"
        );
        items.extend(page.iter().cloned());
        match body["page"]["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(page.len(), limit, "only the last page is short");
                cursor = Some(next.to_owned());
            }
            None => {
                assert_eq!(items.len() as u64, t, "{path}: the pages hold the total");
                return items;
            }
        }
    }
    panic!("{path}: more than 1000 pages");
}

/// `value` is valid against the API schema's definition `def` (readiness::api).
fn assert_valid(def: &str, value: &Value) {
    let mut schema: Value = serde_json::from_str(readiness::api::API_SCHEMA_V1).unwrap();
    schema["$ref"] = Value::String(format!("#/$defs/{def}"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{def}: {errors:?} in {value}");
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_owned())
        .collect()
}

/// What a roll-up adds up from its schools.
#[derive(Debug, Default, PartialEq)]
struct Sums {
    schools: u64,
    workstations: u64,
    stale: u64,
    verdicts: BTreeMap<String, u64>,
}

fn sums_by(schools: &[Value], key: impl Fn(&Value) -> String) -> BTreeMap<String, Sums> {
    let mut out: BTreeMap<String, Sums> = BTreeMap::new();
    for s in schools {
        let e = out.entry(key(s)).or_default();
        e.schools += 1;
        e.workstations += s["workstations"].as_u64().unwrap();
        e.stale += s["stale_workstations"].as_u64().unwrap();
        *e.verdicts
            .entry(s["verdict"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

fn sums_of(groups: &Value) -> BTreeMap<String, Sums> {
    groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let v = &g["school_verdicts"];
            let verdicts = [
                "ready",
                "ready_with_warnings",
                "not_ready",
                "insufficient_data",
            ]
            .iter()
            .filter(|k| v[**k].as_u64().unwrap() > 0)
            .map(|k| ((*k).to_owned(), v[*k].as_u64().unwrap()))
            .collect();
            (
                g["code"].as_str().unwrap().to_owned(),
                Sums {
                    schools: g["schools"].as_u64().unwrap(),
                    workstations: g["workstations"].as_u64().unwrap(),
                    stale: g["stale_workstations"].as_u64().unwrap(),
                    verdicts,
                },
            )
        })
        .collect()
}

#[test]
fn academies_and_regions_add_up_their_schools() {
    let (_dir, c, uais) = with_directory(4);
    let read = c.read_token();
    // Lyon: one school ready (2 PCs), one not ready; Grenoble: one ready; Paris: one ready
    // with one PC too few (insufficient data), one not ready.
    for (school, good) in [
        (&uais[0], true),
        (&uais[0], true),
        (&uais[1], true),
        (&uais[1], false),
        (&uais[1], false),
        (&uais[4], true),
        (&uais[4], true),
        (&uais[8], true),
        (&uais[9], false),
        (&uais[9], false),
    ] {
        let token = c.school_token(school);
        post(&c, &token, school, good);
    }
    // A school outside the directory reports too.
    let outside = uai("013", 1);
    post(&c, &c.school_token(&outside), &outside, true);

    let all = get_ok(&c, "/api/v1/schools?limit=all", &read);
    assert_eq!(all["page"]["limit"], Value::Null);
    assert_eq!(all["page"]["next_cursor"], Value::Null);
    let schools = all["schools"].as_array().unwrap();
    assert_eq!(schools.len(), uais.len() + 1);
    let s = find_in(&all["schools"], "uai", &uais[4]);
    assert_eq!(
        s["academie"],
        serde_json::json!({"code": "08", "name": "Grenoble"})
    );
    assert_eq!(
        s["region"],
        serde_json::json!({"code": "84", "name": "Auvergne-Rhône-Alpes"})
    );
    let lone = find_in(&all["schools"], "uai", uais.last().unwrap());
    assert_eq!(lone["academie"]["code"], "unknown");
    assert_eq!(
        find_in(&all["schools"], "uai", &outside)["region"]["code"],
        "unknown"
    );

    let academies = get_ok(&c, "/api/v1/academies", &read);
    assert_eq!(
        codes(&academies["academies"]),
        ["01", "08", "10", "unknown"]
    );
    assert_eq!(academies["page"]["total"], 4);
    assert_eq!(academies["page"]["next_cursor"], Value::Null);
    assert_eq!(
        sums_of(&academies["academies"]),
        sums_by(schools, |s| s["academie"]["code"]
            .as_str()
            .unwrap()
            .to_owned()),
        "each académie is the sum of its schools"
    );
    let lyon = find_in(&academies["academies"], "code", "10");
    assert_eq!(lyon["name"], "Lyon");
    assert_eq!(lyon["region"], "84", "an académie names its région");
    assert_eq!(lyon["school_verdicts"]["ready"], 1);
    assert_eq!(lyon["school_verdicts"]["not_ready"], 1);
    assert_eq!(lyon["ready_share"], 0.5);
    assert_eq!(lyon["top_blockers"][0]["check"], "browser.any");
    assert_eq!(lyon["top_blockers"][0]["workstations"], 2);

    let regions = get_ok(&c, "/api/v1/regions", &read);
    assert_eq!(codes(&regions["regions"]), ["11", "84", "unknown"]);
    assert_eq!(
        sums_of(&regions["regions"]),
        sums_by(schools, |s| s["region"]["code"]
            .as_str()
            .unwrap()
            .to_owned()),
        "each région is the sum of its schools"
    );
    // The answers are the typed, documented messages.
    for (body, key) in [(&academies, "academies"), (&regions, "regions")] {
        assert_valid("ListPage", &body["page"]);
        for g in body[key].as_array().unwrap() {
            assert_valid("RollUp", g);
        }
    }
    assert_valid("ListPage", &all["page"]);
    let ara = find_in(&regions["regions"], "code", "84");
    assert_eq!(ara["name"], "Auvergne-Rhône-Alpes");
    assert_eq!(ara["schools"], 8);
    assert_eq!(ara["workstations"], 7);
    assert_eq!(ara["school_verdicts"]["ready"], 2);
    assert_eq!(ara.get("departement"), None);

    // The départements and circonscriptions of the same schools add up the same way.
    let deps = get_ok(&c, "/api/v1/departements", &read);
    assert_eq!(
        sums_of(&deps["departements"]),
        sums_by(schools, |s| s["departement"].as_str().unwrap().to_owned())
    );
    // A new report shows in the roll-ups read next (kept with the summaries, not stale).
    let paris = find_in(&regions["regions"], "code", "11").clone();
    assert_eq!(paris["school_verdicts"]["ready"], 0);
    post(&c, &c.school_token(&uais[8]), &uais[8], true);
    let regions = get_ok(&c, "/api/v1/regions", &read);
    let now = find_in(&regions["regions"], "code", "11");
    assert_eq!(now["school_verdicts"]["ready"], 1, "{now}");
    assert_eq!(
        now["workstations"],
        paris["workstations"].as_u64().unwrap() + 1
    );

    // Without a token, or with a school's, the new roll-ups are refused like the others.
    let school_token = c.school_token(&uais[0]);
    for path in ["/api/v1/academies", "/api/v1/regions"] {
        assert_eq!(c.get(path, None).0, 401, "{path}");
        assert_eq!(c.get(path, Some(&school_token)).0, 403, "{path}");
    }
}

#[test]
fn pages_walk_every_school_and_roll_up_exactly_once() {
    let (_dir, c, uais) = with_directory(5);
    let read = c.read_token();
    let token = c.school_token(&uais[3]);
    post(&c, &token, &uais[3], true);

    let walked = walk(&c, "/api/v1/schools", "schools", &read, 4);
    let got: Vec<&str> = walked.iter().map(|s| s["uai"].as_str().unwrap()).collect();
    let mut expected: Vec<&str> = uais.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(got, expected, "every school once, by UAI");

    // Reports arriving between two pages do not move the walk.
    let first = get_ok(&c, "/api/v1/schools?limit=7", &read);
    post(&c, &token, &uais[3], false);
    let cursor = first["page"]["next_cursor"].as_str().unwrap();
    let second = get_ok(
        &c,
        &format!("/api/v1/schools?limit=7&cursor={cursor}"),
        &read,
    );
    let both: Vec<&str> = first["schools"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["schools"].as_array().unwrap())
        .map(|s| s["uai"].as_str().unwrap())
        .collect();
    assert_eq!(both, expected[..14]);

    for (path, key, all) in [
        ("/api/v1/circonscriptions", "circonscriptions", 7),
        ("/api/v1/departements", "departements", 3),
        ("/api/v1/academies", "academies", 4),
        ("/api/v1/regions", "regions", 3),
    ] {
        let walked = walk(&c, path, key, &read, 1);
        let codes: Vec<&str> = walked.iter().map(|g| g["code"].as_str().unwrap()).collect();
        let unique: BTreeSet<&str> = codes.iter().copied().collect();
        assert_eq!(codes.len(), all, "{path}: {codes:?}");
        assert_eq!(unique.len(), all, "{path}: each once");
        let whole = get_ok(&c, &format!("{path}?limit=all"), &read);
        assert_eq!(whole[key].as_array().unwrap(), &walked, "{path}");
    }
}

#[test]
fn filters_select_the_schools_of_a_place_or_a_verdict() {
    let (_dir, c, uais) = with_directory(3);
    let read = c.read_token();
    // uais: 069 0..3, 038 3..6, 075 6..9, then the lone 069 school.
    for school in [&uais[0], &uais[0], &uais[6], &uais[6]] {
        post(&c, &c.school_token(school), school, true);
    }
    let uai_list = |path: &str| -> Vec<String> {
        let body = get_ok(&c, path, &read);
        let list = body["schools"].as_array().unwrap();
        assert_eq!(body["page"]["total"], list.len(), "{path}");
        list.iter()
            .map(|s| s["uai"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(uai_list("/api/v1/schools?departement=075"), uais[6..9]);
    assert_eq!(uai_list("/api/v1/schools?academie=08"), uais[3..6]);
    let mut ara: Vec<String> = uais[..6].to_vec();
    ara.sort();
    assert_eq!(uai_list("/api/v1/schools?region=84"), ara);
    assert_eq!(
        uai_list("/api/v1/schools?verdict=ready"),
        [uais[0].clone(), uais[6].clone()]
    );
    assert_eq!(
        uai_list("/api/v1/schools?region=11&verdict=ready"),
        [uais[6].clone()]
    );
    assert_eq!(
        uai_list("/api/v1/schools?circonscription=038C1"),
        [uais[4].clone()]
    );
    assert!(uai_list("/api/v1/schools?departement=999").is_empty());
    // The CSV takes the same filters (and is never paged).
    let csv = ent_tests::collector::Collector::http()
        .get(format!("{}/api/v1/export.csv?academie=01", c.url))
        .bearer_auth(&read)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).map(|l| &l[..8]).collect();
    assert_eq!(rows, uais[6..9], "{csv}");
    let (status, body) = c.get("/api/v1/export.csv?limit=5", Some(&read));
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_query"))
    );
    // Filters and paging together: two pages of the région's six schools.
    let walked = walk(&c, "/api/v1/schools?region=84", "schools", &read, 4);
    assert_eq!(walked.len(), 6);

    // A roll-up of the schools the filters select.
    let circ = get_ok(&c, "/api/v1/circonscriptions?departement=069", &read);
    assert_eq!(
        codes(&circ["circonscriptions"]),
        ["069C0", "069C1", "commune:LYON"]
    );
    assert!(
        circ["circonscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["departement"] == "069")
    );
    let deps = get_ok(&c, "/api/v1/departements?region=84", &read);
    assert_eq!(codes(&deps["departements"]), ["038", "069"]);
    let acad = get_ok(&c, "/api/v1/academies?region=84", &read);
    assert_eq!(codes(&acad["academies"]), ["08", "10",]);
    let ready = get_ok(&c, "/api/v1/regions?verdict=ready", &read);
    assert_eq!(codes(&ready["regions"]), ["11", "84"]);
    assert_eq!(find_in(&ready["regions"], "code", "84")["schools"], 1);
}

#[test]
fn hostile_list_queries_are_refused_with_the_api_error() {
    let (_dir, c, _) = with_directory(2);
    let read = c.read_token();
    let schools_cursor = get_ok(&c, "/api/v1/schools?limit=1", &read)["page"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let long = "ab".repeat(5000);
    // A cursor is hex: one of the right list that does not name a UAI.
    let not_a_uai: String = "schools:not-a-uai"
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    for (path, code) in [
        ("/api/v1/schools?limit=0", "invalid_query"),
        ("/api/v1/schools?limit=-1", "invalid_query"),
        ("/api/v1/schools?limit=10001", "invalid_query"),
        (
            "/api/v1/schools?limit=18446744073709551616",
            "invalid_query",
        ),
        ("/api/v1/schools?limit=ALL", "invalid_query"),
        ("/api/v1/schools?limit=", "invalid_query"),
        ("/api/v1/schools?limit=1&limit=2", "invalid_query"),
        ("/api/v1/schools?verdict=great", "invalid_query"),
        ("/api/v1/schools?departement=", "invalid_query"),
        ("/api/v1/schools?region=%0A", "invalid_query"),
        ("/api/v1/schools?offset=3", "invalid_query"),
        ("/api/v1/schools?cursor=", "invalid_cursor"),
        ("/api/v1/schools?cursor=zz", "invalid_cursor"),
        ("/api/v1/schools?cursor=%FF%FE", "invalid_cursor"),
        (&format!("/api/v1/schools?cursor={long}"), "invalid_cursor"),
        (
            &format!("/api/v1/schools?cursor={not_a_uai}"),
            "invalid_cursor",
        ),
        (
            &format!("/api/v1/academies?cursor={schools_cursor}"),
            "invalid_cursor",
        ),
        ("/api/v1/regions?limit=0", "invalid_query"),
        ("/api/v1/circonscriptions?verdict=", "invalid_query"),
        ("/api/v1/departements?cursor=00", "invalid_cursor"),
    ] {
        let (status, body) = c.get(path, Some(&read));
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["code"], code, "{path}: {body}");
        assert!(
            !body["message"].as_str().unwrap().is_empty(),
            "{path}: {body}"
        );
    }
    // The cursor of the schools' list works where it was given.
    let (status, _) = c.get(
        &format!("/api/v1/schools?cursor={schools_cursor}"),
        Some(&read),
    );
    assert_eq!(status, 200);
}

#[test]
fn the_default_page_is_bounded_and_the_csv_and_dashboard_still_get_everything() {
    // More schools than a default page.
    let (_dir, c, uais) = with_directory(400);
    let read = c.read_token();
    assert!(uais.len() > 1000);
    let first = get_ok(&c, "/api/v1/schools", &read);
    assert_eq!(first["schools"].as_array().unwrap().len(), 1000);
    assert_eq!(first["page"]["limit"], 1000);
    assert_eq!(first["page"]["total"], uais.len());
    assert!(first["page"]["next_cursor"].is_string());
    let all = get_ok(&c, "/api/v1/schools?limit=all", &read);
    assert_eq!(all["schools"].as_array().unwrap().len(), uais.len());
    // The export is the whole list, as before.
    let csv = c.export_csv(&read);
    assert_eq!(csv.lines().count(), uais.len() + 1);
    // The dashboard walks the pages (its script follows next_cursor).
    let (_, js) = c.get("/assets/app.js", None);
    assert!(js.as_str().unwrap().contains("next_cursor"));
}
