//! Scoring of the network checks from measurements alone (what the collector does when it
//! re-scores a report): statuses, reasons, and `unknown` kept apart from `fail`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use jiff::civil::date;
use readiness::measurements::network::*;
use readiness::{CheckResult, CheckStatus, Lang, Measurements, Profile, assess};

fn score(net: NetworkMeasurements) -> Vec<CheckResult> {
    let m = Measurements {
        network: Some(net),
        ..Default::default()
    };
    assess(
        &m,
        &Profile::default_profile(),
        date(2026, 11, 28),
        Lang::En,
    )
    .checks
}

fn find<'a>(checks: &'a [CheckResult], id: &str) -> &'a CheckResult {
    checks.iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!(
            "no {id} in {:#?}",
            checks.iter().map(|c| &c.id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn healthy_network_passes_every_check() {
    let checks = score(good_network());
    for id in [
        "dns.educonnect.education.gouv.fr",
        "dns.gar.education.fr",
        "dns.idp-auth.gar.education.fr",
        "endpoint.educonnect",
        "endpoint.educonnect.tls",
        "endpoint.gar",
        "endpoint.gar.tls",
        "network.tls_interception",
        "network.proxy",
        "latency.educonnect",
        "latency.gar",
        "system.clock_skew",
        "network.interface",
    ] {
        let c = find(&checks, id);
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    }
    let skew = find(&checks, "system.clock_skew");
    assert_eq!(skew.value, Some(readiness::CheckValue::Number(1.6)));
}

#[test]
fn skipped_network_is_unknown_with_the_reason() {
    let mut net = NetworkMeasurements::default();
    net.unavailable.insert(
        "network".into(),
        "network probes skipped (--no-network)".into(),
    );
    let checks = score(net);
    let endpoint = find(&checks, "endpoint.educonnect");
    assert_eq!(endpoint.status, CheckStatus::Unknown);
    assert!(
        endpoint.message.contains("--no-network"),
        "{}",
        endpoint.message
    );
    assert_eq!(
        find(&checks, "dns.gar.education.fr").status,
        CheckStatus::Unknown
    );
    assert_eq!(
        find(&checks, "system.clock_skew").status,
        CheckStatus::Unknown
    );
}

#[test]
fn chain_valid_only_through_the_os_store_is_interception() {
    let mut net = good_network();
    let tls = net.endpoints[0].attempt.tls.as_mut().unwrap();
    tls.public_roots = invalid(CertErrorKind::UnknownIssuer);
    tls.chain[1].issuer = "CN=Fortinet CA, O=Fortinet".into();
    let checks = score(net);
    let i = find(&checks, "network.tls_interception");
    assert_eq!(i.status, CheckStatus::Warn);
    assert!(i.message.contains("Fortinet CA"), "{}", i.message);
    assert_eq!(
        find(&checks, "endpoint.educonnect.tls").status,
        CheckStatus::Warn
    );
    // Browsers accept it (the root is installed): the endpoint itself passes.
    assert_eq!(
        find(&checks, "endpoint.educonnect").status,
        CheckStatus::Pass
    );
}

#[test]
fn unexpected_issuer_is_interception_when_the_profile_names_issuers() {
    let text = readiness::profile::DEFAULT_PROFILE_TOML.replace(
        "name = \"gar\"\nurl = \"https://idp-auth.gar.education.fr/\"",
        "name = \"gar\"\nurl = \"https://idp-auth.gar.education.fr/\"\nexpected_issuers = [\"DigiCert\"]",
    );
    let profile = Profile::from_toml_str(&text, "p.toml").unwrap();
    let m = Measurements {
        network: Some(good_network()),
        ..Default::default()
    };
    let checks = assess(&m, &profile, date(2026, 11, 28), Lang::En).checks;
    let tls = find(&checks, "endpoint.gar.tls");
    assert_eq!(tls.status, CheckStatus::Warn);
    assert!(tls.message.contains("expects DigiCert"), "{}", tls.message);
}

#[test]
fn proxy_asking_for_credentials_fails_and_says_direct_works() {
    let mut net = good_network();
    net.proxy = Some(ProxySettings {
        source: ProxySource::Windows,
        https_proxy: Some("http://proxy.ecole:3128".into()),
        http_proxy: None,
        no_proxy: vec![],
        pac_url: None,
        credentials_configured: false,
    });
    let direct = net.endpoints[0].attempt.clone();
    let e = &mut net.endpoints[0];
    e.proxy = Some("http://proxy.ecole:3128".into());
    e.attempt.route = Route::Proxy;
    e.attempt.tls = None;
    e.attempt.error = Some(EndpointError {
        kind: EndpointErrorKind::ProxyAuth,
        detail: "407".into(),
    });
    e.direct = Some(direct);
    let checks = score(net);
    let proxy = find(&checks, "network.proxy");
    assert_eq!(proxy.status, CheckStatus::Fail);
    assert!(proxy.message.contains("407"), "{}", proxy.message);
    assert!(
        proxy.message.contains("Windows settings"),
        "{}",
        proxy.message
    );
    let endpoint = find(&checks, "endpoint.educonnect");
    assert_eq!(endpoint.status, CheckStatus::Fail);
    assert!(
        endpoint.message.contains("directly"),
        "{}",
        endpoint.message
    );
    // Not reached over TLS through the proxy: unknown, not failed.
    assert_eq!(
        find(&checks, "endpoint.educonnect.tls").status,
        CheckStatus::Unknown
    );
}

#[test]
fn latency_loss_and_unreachable() {
    let mut net = good_network();
    net.latency[0].samples_ms = vec![Some(12.0), None, Some(13.0), Some(12.5), Some(12.0)];
    net.latency[1].samples_ms = vec![None; 5];
    let checks = score(net);
    let lossy = find(&checks, "latency.educonnect");
    assert_eq!(lossy.status, CheckStatus::Warn, "{lossy:#?}");
    assert!(lossy.message.contains("loss 20 %"), "{}", lossy.message);
    let dead = find(&checks, "latency.gar");
    assert_eq!(dead.status, CheckStatus::Fail);
    assert!(dead.message.contains("unreachable"), "{}", dead.message);
}

#[test]
fn latency_between_150_and_300_ms_warns() {
    let mut net = good_network();
    net.latency[0].samples_ms = vec![Some(200.0); 5];
    net.latency[1].samples_ms = vec![Some(320.0); 5];
    let checks = score(net);
    assert_eq!(
        find(&checks, "latency.educonnect").status,
        CheckStatus::Warn
    );
    assert_eq!(find(&checks, "latency.gar").status, CheckStatus::Fail);
}

#[test]
fn dns_answer_with_an_unanswered_aaaa_warns() {
    let mut net = good_network();
    net.dns[0].aaaa = failed(DnsOutcome::Timeout, 2000.0);
    net.dns[1].a = failed(DnsOutcome::Nxdomain, 20.0);
    net.dns[1].aaaa = failed(DnsOutcome::Nxdomain, 20.0);
    let checks = score(net);
    let stuck = find(&checks, "dns.educonnect.education.gouv.fr");
    assert_eq!(stuck.status, CheckStatus::Warn);
    assert!(stuck.message.contains("AAAA query"), "{}", stuck.message);
    let nx = find(&checks, "dns.gar.education.fr");
    assert_eq!(nx.status, CheckStatus::Fail);
    assert!(nx.message.contains("NXDOMAIN"), "{}", nx.message);
}

#[test]
fn clock_skew_grades_and_direction() {
    let mut net = good_network();
    net.clock = vec![ClockSample {
        source: "educonnect".into(),
        server_time: ts("2026-11-28T09:00:00Z"),
        local_time: ts("2026-11-28T09:04:00Z"),
    }];
    let checks = score(net);
    let skew = find(&checks, "system.clock_skew");
    assert_eq!(skew.status, CheckStatus::Fail);
    assert!(skew.message.contains("240 s ahead"), "{}", skew.message);
    assert!(skew.blocking);
}

#[test]
fn wifi_signal_grades() {
    let mut net = good_network();
    net.interface = Some(InterfaceInfo {
        name: "wlp2s0".into(),
        kind: InterfaceKind::Wifi,
        speed_mbps: None,
        wifi_signal_dbm: Some(-72),
    });
    let checks = score(net);
    let i = find(&checks, "network.interface");
    assert_eq!(i.status, CheckStatus::Warn);
    assert!(i.message.contains("-72 dBm"), "{}", i.message);
    assert_eq!(i.weight, 0.0, "informational by default");
}

#[test]
fn french_texts() {
    let mut net = good_network();
    net.endpoints[1].attempt.error = Some(EndpointError {
        kind: EndpointErrorKind::ConnectTimeout,
        detail: "no TCP connection within 3000 ms".into(),
    });
    let m = Measurements {
        network: Some(net),
        ..Default::default()
    };
    let checks = assess(
        &m,
        &Profile::default_profile(),
        date(2026, 11, 28),
        Lang::Fr,
    )
    .checks;
    let gar = find(&checks, "endpoint.gar");
    assert_eq!(gar.status, CheckStatus::Fail);
    assert!(
        gar.message.contains("pas de réponse à la connexion"),
        "{}",
        gar.message
    );
    assert!(gar.remediation.as_deref().unwrap().contains("pare-feu"));
}
