//! The parsers that take outside input, fed arbitrary and mutated inputs: a report's JSON
//! (what any school token may post), a profile's TOML (a file, or what a collector serves
//! to its agents), and the speed-test query strings (`TransferQuery`, `CountersQuery`).
//! None may panic; a report that parses and is within the bounds scores without panicking
//! into a bounded number of checks; every profile error of a text with lines has a line.
//!
//! `tests/corpus/` holds hostile inputs that every run replays (`report-*.json`,
//! `profile-*.toml`, `query-*.txt`, one query a line). The generated cases are few by
//! default (a few seconds); `PROPTEST_CASES=5000` runs more.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::PathBuf;

use proptest::prelude::*;
use readiness::api::{CountersQuery, TransferQuery};
use readiness::profile::DEFAULT_PROFILE_TOML;
use readiness::{Lang, Profile, Report, assess};
use serde_json::Value;

/// The sample report, as JSON.
fn sample_json() -> String {
    serde_json::to_string(&common::sample_report()).unwrap()
}

/// `bytes` as the collector takes a report: parse, check the bounds, score. Never panics;
/// a report within the bounds gives a bounded number of checks, scored 0-100.
fn report_input(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(report) = serde_json::from_slice::<Report>(bytes) else {
        return Ok(());
    };
    if report.check_bounds().is_err() {
        return Ok(());
    }
    let profile = Profile::default_profile();
    let a = assess(
        &report.measurements,
        &profile,
        common::audit_day(),
        Lang::Fr,
    );
    let m = &report.measurements;
    let net = m.network.as_ref();
    let measured = net.map_or(0, |n| n.dns.len() + 2 * n.endpoints.len() + n.latency.len())
        + m.browsers.as_ref().map_or(0, |b| b.installed.len());
    let from_profile = profile.network.hosts.len() + 3 * profile.network.endpoints.len();
    let most = 32 + measured + from_profile;
    prop_assert!(
        a.checks.len() <= most,
        "{} checks, at most {most} expected",
        a.checks.len()
    );
    prop_assert!(a.score <= 100);
    Ok(())
}

/// `text` as a profile: never panics, and an error of a text with lines says which.
fn profile_input(text: &str) -> Result<(), TestCaseError> {
    if let Err(e) = Profile::from_toml_str(text, "p.toml") {
        if text.contains('\n') {
            prop_assert!(e.line.is_some(), "no line for {e}");
        }
        prop_assert!(e.to_string().starts_with("p.toml"), "{e}");
    }
    Ok(())
}

/// `query` as the speed-test routes read it: never panics, and what parses encodes back
/// to the same value.
fn query_input(query: &str) -> Result<(), TestCaseError> {
    if let Ok(q) = serde_urlencoded::from_str::<TransferQuery>(query) {
        let again: TransferQuery =
            serde_urlencoded::from_str(&serde_urlencoded::to_string(&q).unwrap()).unwrap();
        prop_assert_eq!(again, q);
    }
    if let Ok(q) = serde_urlencoded::from_str::<CountersQuery>(query) {
        let again: CountersQuery =
            serde_urlencoded::from_str(&serde_urlencoded::to_string(q).unwrap()).unwrap();
        prop_assert_eq!(again, q);
    }
    Ok(())
}

fn corpus(prefix: &str, ext: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(ext)
        })
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {prefix}*{ext} in {}", dir.display());
    files
}

#[test]
fn corpus_reports() {
    for (path, bytes) in corpus("report-", ".json") {
        report_input(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    report_input(sample_json().as_bytes()).unwrap();
}

#[test]
fn corpus_profiles() {
    for (path, bytes) in corpus("profile-", ".toml") {
        let text = String::from_utf8_lossy(&bytes);
        profile_input(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    profile_input(DEFAULT_PROFILE_TOML).unwrap();
}

#[test]
fn corpus_queries() {
    for (path, bytes) in corpus("query-", ".txt") {
        for line in String::from_utf8_lossy(&bytes).lines() {
            query_input(line).unwrap_or_else(|e| panic!("{}: {line:?}: {e}", path.display()));
        }
    }
}

/// Every place in `v` (JSON pointers), the root included.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Values a hostile client puts where the report expects something else.
fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(u64::MAX)),
        ".{0,40}".prop_map(Value::from),
        "[\\x00-\\x1f\u{7f}\u{202e}é]{1,8}".prop_map(Value::from),
        Just(Value::from("x".repeat(10_000))),
        Just(Value::from("0751234J")),
        Just(Value::from("9999-12-31T23:59:59Z")),
        Just(Value::from("-009999-01-01T00:00:00Z")),
        Just(Value::from("::1")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What a mutation does at a place of the sample report.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    /// An array at that place repeated to `n` items.
    Repeat(usize),
    AddField(String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        hostile_value().prop_map(Mutation::Replace),
        Just(Mutation::Remove),
        (1usize..300).prop_map(Mutation::Repeat),
        ("[a-z_]{1,12}", hostile_value()).prop_map(|(k, v)| Mutation::AddField(k, v)),
    ]
}

fn mutate(root: &mut Value, pointer: &str, m: Mutation) {
    let parent_of = |p: &str| {
        p.rsplit_once('/')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    };
    match m {
        Mutation::Replace(v) => {
            if let Some(slot) = root.pointer_mut(pointer) {
                *slot = v;
            }
        }
        Mutation::Remove => {
            if let Some((parent, key)) = parent_of(pointer) {
                match root.pointer_mut(&parent) {
                    Some(Value::Object(map)) => {
                        map.remove(&key.replace("~1", "/").replace("~0", "~"));
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = key.parse::<usize>()
                            && i < items.len()
                        {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Repeat(n) => {
            if let Some(Value::Array(items)) = root.pointer_mut(pointer)
                && let Some(first) = items.first().cloned()
            {
                items.resize(n, first);
            }
        }
        Mutation::AddField(key, v) => {
            if let Some(Value::Object(map)) = root.pointer_mut(pointer) {
                map.insert(key, v);
            }
        }
    }
}

/// Byte-level damage: a flipped, deleted or inserted run at a place.
fn damage(bytes: &mut Vec<u8>, at: prop::sample::Index, what: u8, len: usize) {
    let i = at.index(bytes.len().max(1)).min(bytes.len());
    match what % 3 {
        0 => {
            for b in bytes.iter_mut().skip(i).take(len) {
                *b ^= 0x5a;
            }
        }
        1 => {
            let end = (i + len).min(bytes.len());
            bytes.drain(i..end);
        }
        _ => {
            let insert: Vec<u8> = b"\"[{}]:,\\0-9e"
                .iter()
                .copied()
                .cycle()
                .skip(len)
                .take(len)
                .collect();
            bytes.splice(i..i, insert);
        }
    }
}

fn config() -> ProptestConfig {
    // Few cases by default (the corpus holds what was found); PROPTEST_CASES for more.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_are_not_a_report(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        report_input(&bytes)?;
    }

    #[test]
    fn mutated_reports_parse_or_are_refused(
        picks in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    ) {
        let mut root: Value = serde_json::from_str(&sample_json()).unwrap();
        for (pick, m) in picks {
            let mut places = Vec::new();
            pointers(&root, String::new(), &mut places);
            let place = places[pick.index(places.len())].clone();
            mutate(&mut root, &place, m);
        }
        report_input(serde_json::to_string(&root).unwrap().as_bytes())?;
    }

    #[test]
    fn damaged_report_bytes(
        hits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 1usize..16), 1..4),
    ) {
        let mut bytes = sample_json().into_bytes();
        for (at, what, len) in hits {
            damage(&mut bytes, at, what, len);
        }
        report_input(&bytes)?;
    }

    #[test]
    fn arbitrary_text_is_not_a_profile(text in ".{0,300}") {
        profile_input(&text)?;
    }

    #[test]
    fn toml_like_text_is_not_a_profile(text in "([a-z_.\"]{1,12} ?= ?[-0-9a-z\"\\[\\]{},.]{0,12}\n|\\[[a-z.\"]{0,12}\\]\n|\\[\\[[a-z.]{0,12}\\]\\]\n){0,20}") {
        profile_input(&text)?;
    }

    #[test]
    fn damaged_profiles(
        hits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 1usize..16), 1..4),
    ) {
        let mut bytes = DEFAULT_PROFILE_TOML.as_bytes().to_vec();
        for (at, what, len) in hits {
            damage(&mut bytes, at, what, len);
        }
        profile_input(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn edited_profile_values(
        line in any::<prop::sample::Index>(),
        value in prop_oneof![
            Just("-1".to_owned()), Just("1e309".to_owned()), Just("nan".to_owned()),
            Just("inf".to_owned()), Just("18446744073709551616".to_owned()),
            Just("\"\"".to_owned()), Just("[]".to_owned()), Just("{}".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()), any::<f64>().prop_map(|f| format!("{f:?}")),
        ],
    ) {
        // One `key = value` line of the shipped profile given a hostile value.
        let lines: Vec<&str> = DEFAULT_PROFILE_TOML.lines().collect();
        let keyed: Vec<usize> = (0..lines.len())
            .filter(|&i| !lines[i].starts_with('#') && lines[i].contains(" = "))
            .collect();
        let i = keyed[line.index(keyed.len())];
        let key = lines[i].split(" = ").next().unwrap();
        let mut edited: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        edited[i] = format!("{key} = {value}");
        profile_input(&edited.join("\n"))?;
    }

    #[test]
    fn arbitrary_queries(query in prop_oneof![
        ".{0,64}",
        "((session|bytes|bins_from|x)=[-+%0-9A-Fa-z.]{0,24}&?){0,4}",
    ]) {
        query_input(&query)?;
    }
}
