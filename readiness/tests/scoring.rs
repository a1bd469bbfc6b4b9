//! Scoring: unit cases on the default profile, and property tests of the invariants.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use proptest::prelude::*;
use readiness::measurements::*;
use readiness::profile::Scoring;
use readiness::{CheckResult, CheckStatus, Lang, Profile, Verdict, samples, scoring};

const GIB: u64 = 1 << 30;

fn browser(name: &str, version: Option<&str>) -> BrowserInfo {
    BrowserInfo {
        name: name.into(),
        version: version.map(str::to_owned),
        source: "system".into(),
        location: None,
    }
}

/// A good school PC (`readiness::samples`: Debian 12, 8 GiB, 4 cores, 40 GiB free, x86_64,
/// Firefox 128) on the healthy network of the scoring tests.
fn good_pc() -> Measurements {
    let mut m = samples::good_pc(&Profile::default_profile(), common::audit_time());
    m.network = Some(common::good_network());
    m
}

fn run(m: &Measurements) -> readiness::Assessment {
    common::assess_default(m, Lang::En)
}

fn run_in(m: &Measurements, lang: Lang) -> readiness::Assessment {
    common::assess_default(m, lang)
}

fn check<'a>(a: &'a readiness::Assessment, id: &str) -> &'a CheckResult {
    common::find(&a.checks, id)
}

#[test]
fn good_pc_is_ready() {
    let a = run(&good_pc());
    assert_eq!(a.verdict, Verdict::Ready, "{:#?}", a.checks);
    assert_eq!(a.score, 100);
    for id in [
        "system.os_support",
        "system.ram",
        "system.cpu_cores",
        "system.disk_free",
        "system.architecture",
        "browser.firefox",
        "browser.any",
    ] {
        let c = common::expect(&a.checks, id, CheckStatus::Pass, &[]);
        assert!(c.remediation.is_none());
        assert!(c.threshold.is_some());
    }
}

#[test]
fn ram_rounds_to_installed_memory() {
    let mut m = good_pc();
    let sys = m.system.as_mut().unwrap();
    // A "4 GB" PC whose OS sees 3.7 GiB passes.
    sys.memory_total_bytes = Some(37 * GIB / 10);
    assert_eq!(check(&run(&m), "system.ram").status, CheckStatus::Pass);
    let sys = m.system.as_mut().unwrap();
    sys.memory_total_bytes = Some(19 * GIB / 10);
    assert_eq!(check(&run(&m), "system.ram").status, CheckStatus::Warn);
    let sys = m.system.as_mut().unwrap();
    sys.memory_total_bytes = Some(GIB + GIB / 5);
    let a = run(&m);
    let ram = check(&a, "system.ram");
    assert_eq!(ram.status, CheckStatus::Fail);
    assert!(ram.remediation.as_deref().unwrap().contains("memory"));
    // RAM is not blocking in the default profile: the PC still works, with warnings.
    assert_eq!(a.verdict, Verdict::ReadyWithWarnings);
}

#[test]
fn disk_cpu_and_architecture_grades() {
    let mut m = good_pc();
    let sys = m.system.as_mut().unwrap();
    sys.system_disk.as_mut().unwrap().available_bytes = 5 * GIB;
    sys.cpu.as_mut().unwrap().logical_cores = 1;
    sys.architecture = Some("x86".into());
    let a = run(&m);
    assert_eq!(check(&a, "system.disk_free").status, CheckStatus::Warn);
    assert_eq!(check(&a, "system.cpu_cores").status, CheckStatus::Fail);
    assert_eq!(check(&a, "system.architecture").status, CheckStatus::Fail);
}

#[test]
fn unsupported_os_blocks() {
    let mut m = good_pc();
    m.system.as_mut().unwrap().os = Some(OsInfo {
        family: OsFamily::Windows,
        name: "Windows 10 Pro".into(),
        id: "windows".into(),
        id_like: vec![],
        version: Some("22H2".into()),
        codename: None,
        ubuntu_codename: None,
        debian_version: None,
        build: Some("19045".into()),
        edition: Some("Professional".into()),
        kernel: None,
    });
    let a = run(&m);
    let os = check(&a, "system.os_support");
    assert_eq!(os.status, CheckStatus::Fail, "{os:#?}");
    assert!(os.blocking);
    assert!(os.message.contains("2025-10-14"), "{}", os.message);
    assert!(os.remediation.as_deref().unwrap().contains("ESU"));
    assert_eq!(a.verdict, Verdict::NotReady);
}

/// An iPad stuck on an old iPadOS (as the browser probe reads it) is a blocking finding, with
/// the iPad's fix in both languages; the latest iPadOS passes.
#[test]
fn ipad_on_old_ipados_is_a_finding_with_a_fix() {
    let ipad = |version: &str| {
        let mut m = good_pc();
        m.system.as_mut().unwrap().os = Some(OsInfo {
            version: Some(version.into()),
            ..OsInfo::new(OsFamily::Ipados, "ipados", "iPadOS")
        });
        m
    };
    let old = ipad("17.7");
    let a = run(&old);
    let os = check(&a, "system.os_support");
    assert_eq!(os.status, CheckStatus::Fail, "{os:#?}");
    assert!(os.message.contains("iPadOS 17"), "{}", os.message);
    let fix = os.remediation.as_deref().unwrap();
    assert!(
        fix.contains("iPad") && fix.contains("Software Update"),
        "{fix}"
    );
    assert_eq!(a.verdict, Verdict::NotReady);
    let fr = common::assess_default(&old, Lang::Fr);
    let fix = common::find(&fr.checks, "system.os_support")
        .remediation
        .clone()
        .unwrap();
    assert!(fix.contains("Mise à jour logicielle"), "{fix}");

    let current = run(&ipad("27.1"));
    let os = check(&current, "system.os_support");
    assert_eq!(os.status, CheckStatus::Pass, "{os:#?}");
    // The previous major warns: Apple patches it only on iPads that cannot update.
    assert_eq!(
        check(&run(&ipad("26.7")), "system.os_support").status,
        CheckStatus::Warn
    );
}

/// A version the browser hid (the browser probe's reason under `os.version`) makes the OS
/// check unknown with that reason, not "not recognised".
#[test]
fn an_os_version_hidden_by_the_browser_is_unknown_with_its_reason() {
    let mut m = good_pc();
    let device = readiness::useragent::parse(
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/131.0.0.0 Safari/537.36",
        None,
        None,
    );
    let sys = m.system.as_mut().unwrap();
    sys.os = Some(device.os.clone());
    sys.unavailable.extend(
        device
            .unknown
            .clone()
            .into_iter()
            .filter(|(k, _)| k.starts_with("os.")),
    );
    let a = run(&m);
    let os = check(&a, "system.os_support");
    assert_eq!(os.status, CheckStatus::Unknown, "{os:#?}");
    assert!(os.message.contains("reduced User-Agent"), "{}", os.message);
    // The same OS without the reason: not recognised, as before.
    m.system.as_mut().unwrap().unavailable.clear();
    let os = check(&run(&m), "system.os_support").clone();
    assert!(os.message.contains("not recognised"), "{}", os.message);
}

#[test]
fn internet_explorer_alone_fails() {
    let mut m = good_pc();
    m.browsers.as_mut().unwrap().installed = vec![browser("internet_explorer", Some("11.0"))];
    let a = run(&m);
    assert_eq!(
        check(&a, "browser.internet_explorer").status,
        CheckStatus::Fail
    );
    let any = check(&a, "browser.any");
    assert_eq!(any.status, CheckStatus::Fail);
    assert!(any.message.contains("Internet Explorer"), "{}", any.message);
    assert_eq!(a.verdict, Verdict::NotReady);

    // With a current Firefox beside it, the PC is usable: IE only warns through its own check.
    m.browsers
        .as_mut()
        .unwrap()
        .installed
        .push(browser("firefox", Some("128.0")));
    let a = run(&m);
    assert_eq!(check(&a, "browser.any").status, CheckStatus::Pass);
    assert_eq!(a.verdict, Verdict::ReadyWithWarnings);
}

#[test]
fn browser_versions_and_best_install() {
    let mut m = good_pc();
    m.browsers.as_mut().unwrap().installed = vec![
        browser("firefox", Some("91.0esr")),
        BrowserInfo {
            source: "snap".into(),
            ..browser("firefox", Some("102.0"))
        },
        browser("chrome", Some("80.0.3987.0")),
        browser("brave", Some("1.70.0")),
        browser("edge", None),
    ];
    let a = run(&m);
    let ff = check(&a, "browser.firefox");
    assert_eq!(
        ff.status,
        CheckStatus::Warn,
        "best of the two installs: 102"
    );
    assert!(ff.message.contains("102.0") && ff.message.contains("snap"));
    assert_eq!(check(&a, "browser.chrome").status, CheckStatus::Fail);
    assert_eq!(check(&a, "browser.brave").status, CheckStatus::Unknown);
    assert_eq!(check(&a, "browser.edge").status, CheckStatus::Unknown);
    assert_eq!(check(&a, "browser.any").status, CheckStatus::Warn);
    assert_eq!(
        a.checks
            .iter()
            .filter(|c| c.id == "browser.firefox")
            .count(),
        1
    );
}

#[test]
fn no_browser_fails_and_unmeasured_is_unknown() {
    let mut m = good_pc();
    m.browsers.as_mut().unwrap().installed.clear();
    let a = run(&m);
    assert_eq!(check(&a, "browser.any").status, CheckStatus::Fail);
    assert_eq!(a.verdict, Verdict::NotReady);

    let mut m = good_pc();
    let sys = m.system.as_mut().unwrap();
    sys.system_disk = None;
    sys.unavailable
        .insert("system_disk".into(), "no disk listed by the OS".into());
    let a = run(&m);
    let disk = check(&a, "system.disk_free");
    assert_eq!(disk.status, CheckStatus::Unknown);
    assert!(
        disk.message.contains("no disk listed by the OS"),
        "{}",
        disk.message
    );
    assert!(disk.value.is_none());
    // 10 of 92 weight unknown: under the 25 % limit, still ready.
    assert_eq!(a.verdict, Verdict::Ready);
    assert_eq!(a.score, 100, "unknown is not counted as a failure");
}

#[test]
fn failed_browser_scan_is_unknown_not_failed() {
    let mut m = good_pc();
    let b = m.browsers.as_mut().unwrap();
    b.installed.clear();
    b.unavailable
        .insert("~/.local/share/flatpak".into(), "permission denied".into());
    assert_eq!(check(&run(&m), "browser.any").status, CheckStatus::Fail);
    let b = m.browsers.as_mut().unwrap();
    b.unavailable
        .insert("scan".into(), "timed out after 8.0 s".into());
    let any = check(&run(&m), "browser.any").clone();
    assert_eq!(any.status, CheckStatus::Unknown);
    assert!(any.message.contains("timed out"), "{}", any.message);
}

#[test]
fn nothing_measured_is_incomplete() {
    let a = run(&Measurements::default());
    assert_eq!(a.verdict, Verdict::Incomplete, "{:#?}", a.checks);
    assert!(a.checks.iter().all(|c| c.status == CheckStatus::Unknown));
}

#[test]
fn french_texts() {
    let mut m = good_pc();
    m.system.as_mut().unwrap().memory_total_bytes = Some(GIB);
    let a = common::assess_default(&m, Lang::Fr);
    let ram = check(&a, "system.ram");
    assert!(ram.message.contains("Mémoire"), "{}", ram.message);
    assert!(ram.remediation.as_deref().unwrap().contains("mémoire"));
}

// ---- property tests of `summarize` ----

fn arb_status() -> impl Strategy<Value = CheckStatus> {
    prop_oneof![
        Just(CheckStatus::Pass),
        Just(CheckStatus::Warn),
        Just(CheckStatus::Fail),
        Just(CheckStatus::Unknown),
    ]
}

fn arb_check() -> impl Strategy<Value = CheckResult> {
    (arb_status(), 0.0f64..50.0, any::<bool>()).prop_map(|(status, weight, blocking)| CheckResult {
        id: "x".into(),
        status,
        value: None,
        unit: None,
        threshold: None,
        message: String::new(),
        remediation: None,
        weight,
        blocking,
    })
}

fn arb_scoring() -> impl Strategy<Value = Scoring> {
    (0.0f64..=1.0, 0u8..=100).prop_map(|(max_unknown_share, not_ready_below)| Scoring {
        max_unknown_share,
        not_ready_below,
    })
}

fn rank(s: CheckStatus) -> u8 {
    match s {
        CheckStatus::Pass => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Fail => 2,
        CheckStatus::Unknown => 3,
    }
}

fn verdict_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Ready => 0,
        Verdict::ReadyWithWarnings => 1,
        Verdict::Incomplete => 2,
        Verdict::NotReady => 3,
    }
}

proptest! {
    #[test]
    fn score_is_bounded_and_all_pass_is_ready(checks in prop::collection::vec(arb_check(), 0..20), sc in arb_scoring()) {
        let (score, verdict) = scoring::summarize(&checks, &sc);
        prop_assert!(score <= 100);
        let all_pass = checks.iter().all(|c| c.status == CheckStatus::Pass);
        if all_pass {
            prop_assert_eq!(score, 100);
            prop_assert_eq!(verdict, Verdict::Ready);
        }
    }

    #[test]
    fn blocking_failure_means_not_ready(mut checks in prop::collection::vec(arb_check(), 0..20), sc in arb_scoring(), w in 0.0f64..50.0) {
        checks.push(CheckResult { status: CheckStatus::Fail, blocking: true, weight: w, ..arb_check_fixed() });
        let (_, verdict) = scoring::summarize(&checks, &sc);
        prop_assert_eq!(verdict, Verdict::NotReady);
    }

    #[test]
    fn ready_means_no_problem(checks in prop::collection::vec(arb_check(), 0..20), sc in arb_scoring()) {
        let (_, verdict) = scoring::summarize(&checks, &sc);
        if verdict == Verdict::Ready {
            prop_assert!(checks.iter().all(|c| matches!(c.status, CheckStatus::Pass | CheckStatus::Unknown)));
        }
        if verdict.is_ready() {
            prop_assert!(!checks.iter().any(|c| c.blocking && c.status == CheckStatus::Fail));
        }
    }

    #[test]
    fn degrading_a_check_never_helps(checks in prop::collection::vec(arb_check(), 1..20), sc in arb_scoring(), i in any::<prop::sample::Index>()) {
        let i = i.index(checks.len());
        let before = &checks[i];
        // pass -> warn -> fail is worse at each step.
        let worse = match before.status {
            CheckStatus::Pass => CheckStatus::Warn,
            CheckStatus::Warn => CheckStatus::Fail,
            _ => return Ok(()),
        };
        prop_assert!(rank(worse) > rank(before.status));
        let mut degraded = checks.clone();
        degraded[i].status = worse;
        let (s1, v1) = scoring::summarize(&checks, &sc);
        let (s2, v2) = scoring::summarize(&degraded, &sc);
        prop_assert!(s2 <= s1, "score rose from {} to {}", s1, s2);
        prop_assert!(verdict_rank(v2) >= verdict_rank(v1) || v1 == Verdict::Incomplete,
            "verdict improved from {:?} to {:?}", v1, v2);
    }

    #[test]
    fn unknown_is_not_a_failure(checks in prop::collection::vec(arb_check(), 1..20), sc in arb_scoring(), i in any::<prop::sample::Index>()) {
        let i = i.index(checks.len());
        prop_assume!(checks[i].status == CheckStatus::Fail);
        let mut unknown = checks.clone();
        unknown[i].status = CheckStatus::Unknown;
        let (s1, _) = scoring::summarize(&checks, &sc);
        let (s2, _) = scoring::summarize(&unknown, &sc);
        prop_assert!(s2 >= s1, "turning a failure into unknown lowered the score {} -> {}", s1, s2);
    }

    #[test]
    fn incomplete_only_with_many_unknowns(checks in prop::collection::vec(arb_check(), 0..20), sc in arb_scoring()) {
        let (_, verdict) = scoring::summarize(&checks, &sc);
        let total: f64 = checks.iter().map(|c| c.weight).sum();
        let unknown: f64 = checks.iter().filter(|c| c.status == CheckStatus::Unknown).map(|c| c.weight).sum();
        if verdict == Verdict::Incomplete {
            prop_assert!(total > 0.0 && unknown / total > sc.max_unknown_share);
        }
    }
}

fn arb_check_fixed() -> CheckResult {
    CheckResult {
        id: "blocking".into(),
        status: CheckStatus::Fail,
        value: None,
        unit: None,
        threshold: None,
        message: String::new(),
        remediation: None,
        weight: 1.0,
        blocking: true,
    }
}

/// Every check a report can hold has a title of its own in both languages, derived from its
/// id; an id this crate does not build is shown as it is.
#[test]
fn every_check_has_a_title() {
    let mut m = good_pc();
    m.bandwidth = Some(samples::good_link("https://collecteur.test/"));
    m.browsers
        .as_mut()
        .unwrap()
        .installed
        .push(browser("chrome", Some("131.0")));
    for lang in [Lang::Fr, Lang::En] {
        let checks = run_in(&m, lang).checks;
        assert!(checks.len() >= 20, "{checks:#?}");
        let titles: Vec<String> = checks
            .iter()
            .map(|c| scoring::check_title(&c.id, lang))
            .collect();
        for (c, t) in checks.iter().zip(&titles) {
            assert_ne!(&c.id, t, "no title for {}", c.id);
        }
        let distinct: std::collections::BTreeSet<&String> = titles.iter().collect();
        assert_eq!(distinct.len(), titles.len(), "{titles:#?}");
    }
    let t = |id: &str, lang| scoring::check_title(id, lang);
    assert_eq!(
        t("dns.educonnect.education.gouv.fr", Lang::Fr),
        "Résolution DNS : educonnect.education.gouv.fr"
    );
    assert_eq!(t("endpoint.gar", Lang::Fr), "Accès ENT : gar");
    assert_eq!(t("endpoint.gar", Lang::En), "ENT access: gar");
    assert_eq!(t("endpoint.gar.tls", Lang::En), "TLS and certificate: gar");
    assert_eq!(t("system.ram", Lang::Fr), "Mémoire vive");
    assert_eq!(t("browser.chrome", Lang::En), "Browser: Google Chrome");
    assert_eq!(t("latency.gar", Lang::Fr), "Latence : gar");
    for unknown in ["future.check", "dns.", "nodot", ""] {
        assert_eq!(t(unknown, Lang::Fr), unknown);
    }
}

/// What to do about a check that could not be measured follows its cause: an option of the
/// command line or a missing collector is no reason to run again as administrator.
#[test]
fn unknown_remediation_follows_the_cause() {
    use readiness::measurements::bandwidth::BandwidthMeasurements;
    use readiness::measurements::reasons::{NO_COLLECTOR, NO_NETWORK, timed_out};
    let mut m = good_pc();
    let mut net = readiness::measurements::network::NetworkMeasurements::default();
    net.unavailable.insert("network".into(), NO_NETWORK.into());
    m.network = Some(net);
    let mut bw = BandwidthMeasurements::default();
    bw.unavailable
        .insert("bandwidth".into(), NO_COLLECTOR.into());
    m.bandwidth = Some(bw);
    let sys = m.system.as_mut().unwrap();
    sys.cpu = None;
    sys.unavailable.insert("cpu".into(), timed_out(8.0));
    sys.system_disk = None;
    sys.unavailable
        .insert("system_disk".into(), "permission denied".into());
    let checks = run_in(&m, Lang::En).checks;
    let fix = |id: &str| common::find(&checks, id).remediation.clone().unwrap();
    assert_eq!(
        fix("dns.gar.education.fr"),
        "Run the audit again without --no-network."
    );
    assert_eq!(
        fix("endpoint.gar.tls"),
        "Run the audit again without --no-network."
    );
    assert!(fix("bandwidth.download").contains("enrolled PC"));
    assert!(fix("system.cpu_cores").contains("times out again"));
    assert!(fix("system.disk_free").contains("as administrator"));
}
