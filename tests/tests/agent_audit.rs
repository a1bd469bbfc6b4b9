//! `ent-agent audit` end to end: the real binary on this machine, its exit codes, its JSON
//! against the committed schema, its errors, its help text.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::PathBuf;

use ent_tests::{SYSTEM_CHECKS, agent, check, run, schema_errors, workspace_root};

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("tests/tests/fixtures").join(name)
}

fn json_report(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{stdout}"))
}

#[test]
fn json_report_validates_and_has_the_checks() {
    let state = tempfile::tempdir().unwrap();
    // The default profile lists real hosts: tests never probe them (--no-network).
    let r = run(agent(state.path()).args([
        "audit",
        "--json",
        "--no-network",
        "--school",
        "0751234J",
        "--label",
        "salle 2, poste 5",
        "--lang",
        "en",
    ]));
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    let report = json_report(&r.stdout);
    let errors = schema_errors(&report);
    assert!(
        errors.is_empty(),
        "report does not match the schema: {errors:#?}"
    );

    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["school"], "0751234J");
    assert_eq!(report["workstation"]["label"], "salle 2, poste 5");
    assert_eq!(report["profile"], "fr-primaire");
    let hostname = report["workstation"]["hostname"].as_str().unwrap();
    assert!(
        hostname.starts_with("sha256:"),
        "default profile hashes host names: {hostname}"
    );
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in SYSTEM_CHECKS.iter().chain(&["browser.any"]) {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    // Exit code follows the verdict.
    let verdict = report["verdict"].as_str().unwrap();
    let ready = matches!(verdict, "ready" | "ready_with_warnings");
    assert_eq!(r.code, Some(if ready { 0 } else { 1 }), "verdict {verdict}");
    // On Linux the hardware is measurable: RAM, CPU and architecture are never unknown here.
    if cfg!(target_os = "linux") {
        for id in ["system.ram", "system.cpu_cores", "system.architecture"] {
            let c = check(&report, id);
            assert_ne!(c["status"], "unknown", "{c}");
        }
        assert!(
            report["measurements"]["system"]["memory_total_bytes"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
}

#[test]
fn exit_codes_follow_the_verdict() {
    let state = tempfile::tempdir().unwrap();
    let ok = run(agent(state.path())
        .args(["audit", "--json", "--profile"])
        .arg(fixture("lenient.toml")));
    assert_eq!(ok.code, Some(0), "{ok:?}");
    let report = json_report(&ok.stdout);
    assert!(matches!(
        report["verdict"].as_str(),
        Some("ready" | "ready_with_warnings")
    ));
    assert_eq!(
        report["workstation"]["hostname"],
        serde_json::Value::Null,
        "privacy: omitted"
    );

    let bad = run(agent(state.path())
        .args(["audit", "--json", "--profile"])
        .arg(fixture("strict.toml")));
    assert_eq!(bad.code, Some(1), "{bad:?}");
    let report = json_report(&bad.stdout);
    assert_eq!(report["verdict"], "not_ready");
    let ram = check(&report, "system.ram");
    assert_eq!(ram["status"], "fail");
    assert!(ram["remediation"].as_str().unwrap().len() > 10);
}

#[test]
fn workstation_id_is_kept_in_the_state_directory() {
    let state = tempfile::tempdir().unwrap();
    let id = |args: &[&str]| {
        let r = run(agent(state.path())
            .args(["audit", "--json", "--profile"])
            .arg(fixture("lenient.toml"))
            .args(args));
        json_report(&r.stdout)["workstation"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = id(&[]);
    assert_eq!(first, id(&[]));
    assert!(state.path().join("workstation.json").exists());
    // --state-dir overrides the environment.
    let other = tempfile::tempdir().unwrap();
    let elsewhere = id(&["--state-dir", other.path().to_str().unwrap()]);
    assert_ne!(first, elsewhere);
    // Report ids are unique per run.
    let r1 = run(agent(state.path())
        .args(["audit", "--json", "--profile"])
        .arg(fixture("lenient.toml")));
    let r2 = run(agent(state.path())
        .args(["audit", "--json", "--profile"])
        .arg(fixture("lenient.toml")));
    assert_ne!(
        json_report(&r1.stdout)["report_id"],
        json_report(&r2.stdout)["report_id"]
    );
}

#[test]
fn output_file_gets_the_same_report() {
    let state = tempfile::tempdir().unwrap();
    let out = state.path().join("report.json");
    let r = run(agent(state.path())
        .args(["audit", "--lang", "en", "--profile"])
        .arg(fixture("lenient.toml"))
        .arg("--output")
        .arg(&out));
    assert_eq!(r.code, Some(0), "{r:?}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(schema_errors(&written).is_empty());
    // Human output on stdout, not JSON.
    assert!(r.stdout.contains("Verdict:"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("score {}/100", written["score"])),
        "{}",
        r.stdout
    );
}

#[test]
fn human_output_in_both_languages_without_colour_when_piped() {
    let state = tempfile::tempdir().unwrap();
    let en = run(agent(state.path())
        .args(["audit", "--lang", "en", "--profile"])
        .arg(fixture("strict.toml")));
    assert_eq!(en.code, Some(1));
    assert!(en.stdout.contains("Verdict: NOT READY"), "{}", en.stdout);
    assert!(en.stdout.contains("What to do:"), "{}", en.stdout);
    // Titles on the screen; the ids with --verbose only.
    assert!(en.stdout.contains("Memory (RAM)"), "{}", en.stdout);
    assert!(!en.stdout.contains("system.ram"), "{}", en.stdout);
    let verbose = run(agent(state.path())
        .args(["-v", "audit", "--lang", "en", "--profile"])
        .arg(fixture("strict.toml")));
    assert!(verbose.stdout.contains("system.ram"), "{}", verbose.stdout);
    assert!(
        !en.stdout.contains('\x1b'),
        "no ANSI escapes when stdout is not a terminal"
    );

    let fr = run(agent(state.path())
        .args(["audit", "--lang", "fr", "--profile"])
        .arg(fixture("strict.toml")));
    assert!(fr.stdout.contains("Verdict : PAS PRÊT"), "{}", fr.stdout);
    assert!(fr.stdout.contains("À faire"), "{}", fr.stdout);

    // Without --lang, the locale decides.
    let fr_locale = run(agent(state.path())
        .env("LANG", "fr_FR.UTF-8")
        .args(["audit", "--profile"])
        .arg(fixture("strict.toml")));
    assert!(
        fr_locale.stdout.contains("PAS PRÊT"),
        "{}",
        fr_locale.stdout
    );
}

/// `audit --no-network` into a pipe, colours allowed and no width given: no ANSI escape,
/// every line within 80 columns, and the checks it could not measure on one line of
/// "What to do" naming the option, not one line each asking for an administrator.
#[test]
fn no_network_unknowns_are_one_line_when_piped() {
    let state = tempfile::tempdir().unwrap();
    for (lang, item) in [
        (
            "en",
            "checks not measured: network probes skipped (--no-network). Run the audit again without --no-network.",
        ),
        (
            "fr",
            "contrôles non mesurés : sondes réseau non lancées (--no-network). Relancer l'audit sans --no-network.",
        ),
    ] {
        let r = run(agent(state.path())
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS")
            .args(["audit", "--no-network", "--lang", lang]));
        assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
        assert!(!r.stdout.contains('\x1b'), "{}", r.stdout);
        assert!(
            r.stdout.lines().all(|l| l.chars().count() <= 80),
            "{}",
            r.stdout
        );
        // The items of "What to do", each on one line again.
        let todo = r.stdout.split_once(":\n  - ").map_or("", |(_, t)| t);
        let items: Vec<String> = todo
            .split("\n  - ")
            .map(|i| i.replace("\n    ", " "))
            .collect();
        let network: Vec<&String> = items
            .iter()
            .filter(|i| i.contains("--no-network"))
            .collect();
        assert_eq!(network.len(), 1, "{}", r.stdout);
        assert!(network[0].contains(item), "{}", network[0]);
        let count: usize = network[0]
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        // DNS, endpoints and their TLS, interception, proxy, latency, clock, interface, and
        // the speed test.
        assert!(count >= 13, "{}", network[0]);
        assert!(!network[0].contains("administra"), "{}", network[0]);
    }
}

/// Bad input: one clear line on stderr naming the problem, exit 2, nothing on stdout.
fn assert_usage_error(args: &[&str], expected: &[&str]) {
    let state = tempfile::tempdir().unwrap();
    let r = run(agent(state.path()).args(args));
    assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
    assert!(
        r.stdout.is_empty(),
        "{args:?} printed on stdout: {}",
        r.stdout
    );
    for e in expected {
        assert!(
            r.stderr.contains(e),
            "{args:?}: stderr lacks {e:?}:\n{}",
            r.stderr
        );
    }
    assert!(
        !r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let broken = fixture("broken-key.toml");
    let broken = broken.to_str().unwrap();
    let long_label = "x".repeat(500);
    // (arguments, what stderr names)
    #[rustfmt::skip]
    let cases: &[(&[&str], &[&str])] = &[
        (&["audit", "--school", "0751234A"], &["0751234A", "expected J"]),
        (&["audit", "--school", "75"], &["invalid UAI"]),
        (&["audit", "--profile", "/nonexistent/profile.toml"], &["cannot read profile /nonexistent/profile.toml"]),
        (&["audit", "--profile", broken], &[&format!("{broken}:6"), "minimum_score"]),
        (&["audit", "--output", "/nonexistent-dir/r.json"], &["--output", "/nonexistent-dir/r.json"]),
        // A directory gets one file per PC (tests/tests/kit.rs); one that cannot be written
        // is found before the audit. (This used to expect `--output /` to be refused as a
        // directory.)
        (&["audit", "--output", "/proc/"], &["--output /proc/", "cannot write there"]),
        (&["audit", "--lang", "de"], &["de"]),
        (&["audit", "--deadline", "0"], &["--deadline"]),
        (&["audit", "--label", &long_label], &["--label"]),
        (&["audit", "--frobnicate"], &["--frobnicate"]),
        (&["audit", "--endpoint", "ent"], &["--endpoint", "NAME=URL"]),
        (&["audit", "--endpoint", "ent=ftp://x/"], &["--endpoint", "https://"]),
        (&["audit", "--dns-server", "resolver.lan"], &["--dns-server", "IP:PORT"]),
        (&["audit", "--ca-file", "/nonexistent/ca.pem"], &["--ca-file", "/nonexistent/ca.pem"]),
        (&[], &["Usage"]),
    ];
    for (args, expected) in cases {
        assert_usage_error(args, expected);
    }
}

#[test]
fn unwritable_state_dir_is_a_clear_error() {
    let state = tempfile::tempdir().unwrap();
    let file = state.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let r = run(agent(&file).args(["audit", "--json", "--no-network"]));
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("state directory"), "{}", r.stderr);
}

#[test]
fn help_snapshots() {
    let state = tempfile::tempdir().unwrap();
    // The state directory variable would show its (random) value in the help.
    let top = run(agent(state.path())
        .env_remove("ENT_AGENT_STATE_DIR")
        .env("COLUMNS", "100")
        .arg("--help"));
    assert_eq!(top.code, Some(0));
    insta::assert_snapshot!("ent_agent_help", top.stdout);
    let audit = run(agent(state.path())
        .env_remove("ENT_AGENT_STATE_DIR")
        .env("COLUMNS", "100")
        .args(["audit", "--help"]));
    assert_eq!(audit.code, Some(0));
    insta::assert_snapshot!("ent_agent_audit_help", audit.stdout);
}

#[test]
fn default_profile_is_printed_and_loads_back() {
    let state = tempfile::tempdir().unwrap();
    let r = run(agent(state.path()).arg("default-profile"));
    assert_eq!(r.code, Some(0));
    let path = state.path().join("p.toml");
    std::fs::write(&path, &r.stdout).unwrap();
    let shipped =
        std::fs::read_to_string(workspace_root().join("dist/profiles/fr-primaire.toml")).unwrap();
    assert_eq!(
        r.stdout, shipped,
        "the built-in profile is the file shipped in dist/"
    );
    let again = run(agent(state.path())
        .args(["audit", "--json", "--no-network", "--profile"])
        .arg(&path));
    assert!(matches!(again.code, Some(0 | 1)), "{again:?}");
}
