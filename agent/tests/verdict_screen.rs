//! The technician's verdict screen (`ent_agent::output::human`), in French and in English,
//! rendered from fixed sample reports (`readiness::samples`) at a fixed width without
//! colour: a healthy PC, a PC with blocking failures, and a `--no-network` run. Snapshots
//! in `tests/snapshots/` (`INSTA_UPDATE=always cargo test -p ent-agent --test
//! verdict_screen` rewrites them).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ent_agent::output::{Screen, human};
use jiff::Timestamp;
use readiness::measurements::bandwidth::BandwidthMeasurements;
use readiness::measurements::network::{EndpointError, EndpointErrorKind, NetworkMeasurements};
use readiness::measurements::reasons::{NO_COLLECTOR, NO_NETWORK};
use readiness::measurements::{BrowserInfo, Measurements, OsFamily, OsInfo};
use readiness::{CheckStatus, Lang, Profile, Report, Uai, Verdict, samples};
use uuid::Uuid;

fn now() -> Timestamp {
    "2026-11-28T10:00:00Z".parse().unwrap()
}

fn report(lang: Lang, measurements: Measurements) -> Report {
    let school: Uai = "0751234J".parse().unwrap();
    samples::report_in(
        lang,
        &Profile::default_profile(),
        Some(school),
        Uuid::nil(),
        measurements,
        now(),
    )
}

/// Debian 12, 8 GiB, 4 cores, Firefox 128, a healthy network and link.
fn healthy() -> Measurements {
    let mut m = samples::good_pc(&Profile::default_profile(), now());
    m.bandwidth = Some(samples::good_link("https://collecteur.ac-exemple.fr/"));
    m
}

fn bandwidth_skipped(reason: &str) -> BandwidthMeasurements {
    let mut b = BandwidthMeasurements::default();
    b.unavailable.insert("bandwidth".into(), reason.into());
    b
}

/// Debian 10 (out of support), 2 GiB, only Firefox 68, the GAR refusing connections, the
/// system disk unreadable, no collector for the speed test.
fn blocking() -> Measurements {
    let mut m = samples::good_pc(&Profile::default_profile(), now());
    let sys = m.system.as_mut().unwrap();
    sys.os = Some(OsInfo {
        version: Some("10".into()),
        codename: Some("buster".into()),
        debian_version: Some("10.13".into()),
        ..OsInfo::new(OsFamily::Linux, "debian", "Debian GNU/Linux 10 (buster)")
    });
    sys.memory_total_bytes = Some(2 << 30);
    sys.system_disk = None;
    sys.unavailable.insert(
        "system_disk".into(),
        "permission denied (os error 13)".into(),
    );
    m.browsers.as_mut().unwrap().installed = vec![BrowserInfo {
        name: "firefox".into(),
        version: Some("68.12.0esr".into()),
        source: "system".into(),
        location: None,
    }];
    let net = m.network.as_mut().unwrap();
    let gar = net.endpoints.iter_mut().find(|e| e.name == "gar").unwrap();
    gar.attempt.hops.clear();
    gar.attempt.tls = None;
    gar.attempt.expected_text_found = None;
    gar.attempt.error = Some(EndpointError {
        kind: EndpointErrorKind::ConnectRefused,
        detail: "Connection refused (os error 111)".into(),
    });
    m.bandwidth = Some(bandwidth_skipped(NO_COLLECTOR));
    m
}

/// `audit --no-network` on the healthy PC.
fn no_network() -> Measurements {
    let mut m = samples::good_pc(&Profile::default_profile(), now());
    let mut net = NetworkMeasurements::default();
    net.unavailable.insert("network".into(), NO_NETWORK.into());
    m.network = Some(net);
    m.bandwidth = Some(bandwidth_skipped(NO_NETWORK));
    m
}

fn screen(report: &Report) -> String {
    human(report, &Screen::plain(80, false))
}

#[test]
fn healthy_pc() {
    for (lang, name) in [(Lang::Fr, "healthy_fr"), (Lang::En, "healthy_en")] {
        let r = report(lang, healthy());
        assert_eq!(r.verdict, Verdict::Ready, "{:#?}", r.checks);
        let text = screen(&r);
        assert!(!text.contains('\x1b'), "{text}");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn pc_with_blocking_failures() {
    for (lang, name) in [(Lang::Fr, "blocking_fr"), (Lang::En, "blocking_en")] {
        let r = report(lang, blocking());
        assert_eq!(r.verdict, Verdict::NotReady);
        insta::assert_snapshot!(name, screen(&r));
    }
    let text = screen(&report(Lang::En, blocking()));
    // The lines of "What to do" unwrapped, for the searches.
    let todo = text.split("What to do:").nth(1).unwrap();
    let todo = &todo.replace("\n  - ", "\n- ").replace("\n    ", " ");
    let position = |needle: &str| {
        todo.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {todo}"))
    };
    // Blocking failures, other failures, warnings, then the unknown checks by cause.
    for blocking in [
        "[FAIL] Operating system support *",
        "[FAIL] Compatible browser *",
        "[FAIL] ENT access: gar *",
    ] {
        assert!(position(blocking) < position("[FAIL] Browser: Firefox"));
    }
    assert!(position("[FAIL] Browser: Firefox") < position("[WARN] Memory (RAM)"));
    assert!(position("[WARN] Memory (RAM)") < position("[UNKNOWN]"));
    // Only the unreadable disk asks for an administrator; the speed test names its cause.
    assert_eq!(todo.matches("as administrator").count(), 1, "{todo}");
    assert!(todo.contains("[UNKNOWN] Free disk space: permission denied (os error 13)"));
    assert!(todo.contains("[UNKNOWN] TLS and certificate: gar: server not reached"));
    assert!(
        todo.contains("Solve the access to this service first"),
        "{todo}"
    );
    assert!(
        todo.contains("[UNKNOWN] 3 checks not measured: no collector"),
        "{todo}"
    );
    // Every line fits the width.
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn no_network_run() {
    for (lang, name, line) in [
        (
            Lang::Fr,
            "no_network_fr",
            "[INCONNU] 16 contrôles non mesurés : sondes réseau non lancées",
        ),
        (
            Lang::En,
            "no_network_en",
            "[UNKNOWN] 16 checks not measured: network probes skipped (--no-network)",
        ),
    ] {
        let r = report(lang, no_network());
        let unknown = r
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Unknown)
            .count();
        assert_eq!(unknown, 16);
        let text = screen(&r);
        assert!(text.contains(line), "{text}");
        assert!(!text.contains("administra"), "{text}");
        insta::assert_snapshot!(name, text);
    }
}

/// A wide terminal has the threshold column; `--verbose` adds the ids, under the titles
/// and in the unknown groups. The JSON report keeps its ids whatever the screen shows.
#[test]
fn wide_and_verbose() {
    let r = report(Lang::En, blocking());
    let narrow = screen(&r);
    assert!(!narrow.contains("Threshold") && !narrow.contains("system.ram"));
    let wide = human(&r, &Screen::plain(132, true));
    assert!(wide.lines().all(|l| l.chars().count() <= 132), "{wide}");
    assert!(wide.contains("Threshold"), "{wide}");
    assert!(
        wide.contains("system.ram") && wide.contains("bandwidth.download,"),
        "{wide}"
    );
    insta::assert_snapshot!("blocking_en_wide_verbose", wide);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["checks"][1]["id"], "system.ram");
}
