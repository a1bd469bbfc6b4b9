//! The Windows build of `ent-agent` (`x86_64-pc-windows-gnu`) run under Wine: `--version`,
//! an audit without network probes (default profile: its real hosts are never probed), an
//! audit of a local network on loopback (a DNS server and an HTTPS endpoint this test
//! starts), and `enroll` + `run` against a local `ent-collector`. The reports are parsed and
//! checked: the current schema, the OS family Windows read from the registry, registry
//! browsers (per user) and proxy settings, no panic, exit code 0 or 1; the delivered report
//! is stored by the collector and leaves the spool.
//!
//! The Wine prefix is the test's own (a temporary directory). A Windows 10 Pro 22H2 PC is
//! imported into its registry (`fixtures/wine/school-pc.reg`), so the support check must fail
//! with the remediation that names the ways out. Debian 12's Wine 8 lacks
//! `bcryptprimitives.dll` (`ProcessPrng`), which Rust's standard library imports: a
//! forwarding DLL (`fixtures/wine/bcryptprimitives.c`) is built with mingw into the prefix
//! only; the agent's binary is the one shipped.
//!
//! Needs Wine (`wine64` or `wine`), `x86_64-w64-mingw32-gcc` and the Rust target
//! `x86_64-pc-windows-gnu`; `.ci/run` installs them and sets `ENT_TESTS_REQUIRE_WINE=1`, which
//! turns a missing tool into a failure. Elsewhere, the test says what is missing and stops.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use ent_tests::collector::{Collector, admin};
use ent_tests::netlab::{Behaviour, DnsAnswer, Lab, Reply, TestCa};
use ent_tests::wine::{self, Wine, windows_path};
use ent_tests::{audit_report, check, checked_output, find_in, stdout_of, workspace_root};
use serde_json::Value;

/// A school of `dist/annuaire-sample.csv`.
const SCHOOL: &str = "0690101K";

/// The test's Wine prefix with the school PC's registry imported
/// (`fixtures/wine/school-pc.reg`).
fn school_pc(loader: PathBuf) -> Result<Wine, String> {
    let wine = Wine::new(loader)?;
    let reg = workspace_root().join("tests/tests/fixtures/wine/school-pc.reg");
    checked_output(
        wine.command()
            .args(["reg", "import"])
            .arg(windows_path(&reg)),
        "reg import failed",
    )?;
    Ok(wine)
}

/// `ent-agent.exe ARGS` with a private state directory.
fn agent(wine: &Wine, exe: &Path, state: &Path, args: &[String]) -> Output {
    std::fs::create_dir_all(state).unwrap();
    wine.command()
        .arg(exe)
        .args(args)
        .env("ENT_AGENT_STATE_DIR", windows_path(state))
        .output()
        .unwrap()
}

/// Wine, mingw and the Windows build, or why not.
fn setup() -> Result<(Wine, PathBuf), String> {
    let (loader, exe) = wine::setup(&[])?;
    Ok((school_pc(loader)?, exe))
}

/// The report on stdout, after the common checks: exit 0 or 1 following the verdict, no
/// panic, one JSON document of the current schema.
fn report(out: &Output) -> Value {
    let report = audit_report(out);
    assert_eq!(report["schema_version"], readiness::report::SCHEMA_VERSION);
    let ready = matches!(
        report["verdict"].as_str(),
        Some("ready" | "ready_with_warnings")
    );
    assert_eq!(out.status.code(), Some(if ready { 0 } else { 1 }));
    report
}

/// What the registry of the prefix says, as every report must show it.
fn assert_windows_system(report: &Value) {
    let system = &report["measurements"]["system"];
    assert_eq!(system["os"]["family"], "windows", "{system:#}");
    assert_eq!(
        system["os"]["name"],
        "Windows 10 Pro 22H2 (build 19045.5247)"
    );
    assert_eq!(system["os"]["edition"], "Professional");
    // Windows 10 without ESU after 2025-10-14: out of support, with the ways out.
    let support = check(report, "system.os_support");
    assert_eq!(support["status"], "fail", "{support:#}");
    let fix = support["remediation"].as_str().unwrap_or_default();
    for words in ["Windows 11", "ESU", "PrimTux"] {
        assert!(fix.contains(words), "remediation lacks {words}: {fix}");
    }
    // RAM and CPU come from Wine's view of this machine; the disk from GetDiskFreeSpaceExW
    // (sysinfo lists no disk under Wine): measured, or unknown with a reason, never a crash.
    for id in ["system.ram", "system.cpu_cores", "system.architecture"] {
        assert_ne!(check(report, id)["status"], "unknown", "{id}");
    }
    let disk = check(report, "system.disk_free");
    if system["system_disk"].is_object() {
        assert_eq!(system["system_disk"]["mount_point"], "C:\\");
        assert_ne!(disk["status"], "unknown", "{disk:#}");
    } else {
        assert_eq!(disk["status"], "unknown", "{disk:#}");
        assert!(
            system["unavailable"]["system_disk"].is_string(),
            "{system:#}"
        );
    }
    // Chrome installed for the user only (HKCU), found in the registry.
    let browsers = report["measurements"]["browsers"]["installed"]
        .as_array()
        .unwrap();
    assert!(
        browsers.iter().any(|b| b["name"] == "chrome"
            && b["version"] == "131.0.6778.86"
            && b["source"] == "registry_hkcu"),
        "{browsers:#?}"
    );
    // Wine's user hive is also under HKEY_USERS (S-1-5-21-...): still reported once.
    assert_eq!(
        browsers.iter().filter(|b| b["name"] == "chrome").count(),
        1,
        "{browsers:#?}"
    );
}

#[test]
fn windows_agent_under_wine() {
    let (wine, exe) = match setup() {
        Ok(ready) => ready,
        Err(why) if std::env::var_os("ENT_TESTS_REQUIRE_WINE").is_some() => {
            panic!("ENT_TESTS_REQUIRE_WINE is set, but: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let state = tempfile::tempdir().unwrap();

    // --version
    let out = agent(&wine, &exe, &state.path().join("v"), &["--version".into()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ent-agent {}", env!("CARGO_PKG_VERSION"))
    );

    // The default profile without network probes: nothing leaves the machine.
    let args: Vec<String> = ["audit", "--json", "--no-network", "--lang", "en"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let offline = report(&agent(&wine, &exe, &state.path().join("offline"), &args));
    assert_eq!(offline["profile"], "fr-primaire");
    assert_windows_system(&offline);
    assert_eq!(check(&offline, "browser.chrome")["status"], "pass");
    assert_eq!(check(&offline, "browser.any")["status"], "pass");
    assert_eq!(check(&offline, "network.proxy")["status"], "unknown");

    // A local network: DNS and an HTTPS endpoint on loopback, the test CA passed with
    // --ca-file, the system resolver off (local-network.toml).
    let lab = Lab::new();
    let ca = TestCa::new("ENT Wine Test CA");
    let ca_file = ca.write_pem(&state.path().join("ca.pem"));
    let loopback: IpAddr = "127.0.0.1".parse().unwrap();
    let zone: BTreeMap<String, DnsAnswer> = ["ok.lab.test", "ent.lab.test"]
        .into_iter()
        .map(|h| (h.to_owned(), DnsAnswer::Addr(vec![loopback])))
        .collect();
    let dns = lab.dns(zone);
    let ent = lab.https(
        &ca.leaf(&["ent.lab.test"]),
        Behaviour::Reply(Reply::ok("<html>ENT</html>")),
    );
    let profile = workspace_root().join("tests/tests/fixtures/local-network.toml");
    let args = vec![
        "audit".into(),
        "--json".into(),
        "--no-bandwidth".into(),
        "--lang".into(),
        "en".into(),
        "--deadline".into(),
        "15".into(),
        "--profile".into(),
        windows_path(&profile),
        "--ca-file".into(),
        windows_path(&ca_file),
        "--dns-server".into(),
        dns.to_string(),
        "--endpoint".into(),
        format!("ent=https://ent.lab.test:{}/", ent.port()),
    ];
    let started = Instant::now();
    let online = report(&agent(&wine, &exe, &state.path().join("online"), &args));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_windows_system(&online);
    let network = &online["measurements"]["network"];
    assert_eq!(check(&online, "dns.ent.lab.test")["status"], "pass");
    // Reached directly (the proxy is bypassed), 200 over TLS through the test CA; `warn`
    // allowed for the time only (a loaded CI machine running Wine).
    let endpoint = check(&online, "endpoint.ent");
    assert!(
        matches!(endpoint["status"].as_str(), Some("pass" | "warn")),
        "{endpoint:#}\n{network:#}"
    );
    let measured = &network["endpoints"][0]["attempt"];
    assert_eq!(measured["route"], "direct", "{measured:#}");
    assert_eq!(measured["hops"][0]["status"], 200, "{measured:#}");
    assert_eq!(check(&online, "endpoint.ent.tls")["status"], "pass");
    // The proxy from the registry (HKCU), bypassed for the lab's hosts.
    let proxy = &network["proxy"];
    assert_eq!(proxy["source"], "windows", "{proxy:#}");
    assert_eq!(proxy["https_proxy"], "http://127.0.0.1:9");
    assert!(
        proxy["no_proxy"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "*.lab.test")
    );
    // Latency without administrator rights: the ICMP helper API, or TCP when Wine's
    // implementation cannot send ICMP here (the notes then say why).
    let latency = find_in(&network["latency"], "target", "ent");
    let method = latency["method"].as_str().unwrap();
    assert!(
        matches!(method, "icmp_helper" | "tcp_connect"),
        "{latency:#}"
    );
    if method == "tcp_connect" {
        assert!(
            !latency["notes"].as_array().unwrap().is_empty(),
            "{latency:#}"
        );
    }
    assert!(
        latency["samples_ms"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_number),
        "{latency:#}"
    );
    let rtt = check(&online, "latency.ent");
    assert!(
        matches!(rtt["status"].as_str(), Some("pass" | "warn")),
        "{rtt:#}"
    );
    eprintln!(
        "latency method under Wine: {method}; notes: {}",
        latency["notes"]
    );

    // Delivery: enrol with a local collector, run (spool written, sent, acknowledged), as
    // the scheduled task does, then `--if-due` right after has nothing to audit.
    let db = state.path().join("collector.db");
    stdout_of(
        admin(&db)
            .args(["schools", "import"])
            .arg(workspace_root().join("dist/annuaire-sample.csv")),
        "schools import",
    );
    let collector = Collector::start(&db, &[]);
    let token = collector.school_token(SCHOOL);
    let agent_state = state.path().join("enrolled");
    std::fs::create_dir_all(&agent_state).unwrap();
    let mut enroll = wine.command();
    enroll
        .arg(&exe)
        .args(["enroll", "--collector", &collector.url, "--school", SCHOOL])
        .args(["--label", "salle 2, poste 5"])
        .env("ENT_AGENT_STATE_DIR", windows_path(&agent_state))
        .env("ENT_AGENT_TOKEN", &token);
    let out = enroll.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains(&token), "{text}");
    let run_args: Vec<String> = ["run", "--no-network", "--no-bandwidth", "--lang", "en"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let out = agent(&wine, &exe, &agent_state, &run_args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert!(stdout.contains("report sent to the collector"), "{out:?}");
    assert_eq!(collector.report_count(), 1);
    let spool: Vec<_> = std::fs::read_dir(agent_state.join("spool"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "dropped.json")
        .collect();
    assert!(
        spool.is_empty(),
        "acknowledged reports left in the spool: {spool:?}"
    );
    let read = collector.read_token();
    let (status, school) = collector.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(status, 200, "{school}");
    assert!(school.to_string().contains("salle 2, poste 5"), "{school}");
    let mut if_due = run_args.clone();
    if_due.push("--if-due".into());
    let out = agent(&wine, &exe, &agent_state, &if_due);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No audit due"),
        "{out:?}"
    );
    assert_eq!(collector.report_count(), 1);
}
