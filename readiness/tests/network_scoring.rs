//! Scoring of the network checks from measurements alone (what the collector does when it
//! re-scores a report): statuses, reasons, and `unknown` kept apart from `fail`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use readiness::CheckStatus::{Fail, Pass, Unknown, Warn};
use readiness::measurements::network::*;
use readiness::samples::failed;
use readiness::{CheckResult, Lang, Measurements, Profile, assess};

fn network_only(net: NetworkMeasurements) -> Measurements {
    Measurements {
        network: Some(net),
        ..Default::default()
    }
}

fn score_in(net: NetworkMeasurements, lang: Lang) -> Vec<CheckResult> {
    assess_default(&network_only(net), lang).checks
}

fn score(net: NetworkMeasurements) -> Vec<CheckResult> {
    score_in(net, Lang::En)
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
        expect(&checks, id, Pass, &[]);
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
    expect(&checks, "endpoint.educonnect", Unknown, &["--no-network"]);
    expect(&checks, "dns.gar.education.fr", Unknown, &[]);
    expect(&checks, "system.clock_skew", Unknown, &[]);
}

#[test]
fn chain_valid_only_through_the_os_store_is_interception() {
    let mut net = good_network();
    let tls = net.endpoints[0].attempt.tls.as_mut().unwrap();
    tls.public_roots = invalid(CertErrorKind::UnknownIssuer);
    tls.chain[1].issuer = "CN=Fortinet CA, O=Fortinet".into();
    let checks = score(net);
    expect(&checks, "network.tls_interception", Warn, &["Fortinet CA"]);
    expect(&checks, "endpoint.educonnect.tls", Warn, &[]);
    // Browsers accept it (the root is installed): the endpoint itself passes.
    expect(&checks, "endpoint.educonnect", Pass, &[]);
}

#[test]
fn unexpected_issuer_is_interception_when_the_profile_names_issuers() {
    let text = readiness::profile::DEFAULT_PROFILE_TOML.replace(
        "name = \"gar\"\nurl = \"https://idp-auth.gar.education.fr/\"",
        "name = \"gar\"\nurl = \"https://idp-auth.gar.education.fr/\"\nexpected_issuers = [\"DigiCert\"]",
    );
    let profile = Profile::from_toml_str(&text, "p.toml").unwrap();
    let m = network_only(good_network());
    let checks = assess(&m, &profile, audit_day(), Lang::En).checks;
    expect(&checks, "endpoint.gar.tls", Warn, &["expects DigiCert"]);
}

#[test]
fn proxy_asking_for_credentials_fails_and_says_direct_works() {
    let mut net = good_network();
    net.proxy = Some(ProxySettings {
        https_proxy: Some("http://proxy.ecole:3128".into()),
        ..ProxySettings::direct(ProxySource::Windows)
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
    expect(&checks, "network.proxy", Fail, &["407", "Windows settings"]);
    expect(&checks, "endpoint.educonnect", Fail, &["directly"]);
    // Not reached over TLS through the proxy: unknown, not failed.
    expect(&checks, "endpoint.educonnect.tls", Unknown, &[]);
}

#[test]
fn latency_loss_and_unreachable() {
    let mut net = good_network();
    net.latency[0].samples_ms = vec![Some(12.0), None, Some(13.0), Some(12.5), Some(12.0)];
    net.latency[1].samples_ms = vec![None; 5];
    let checks = score(net);
    expect(&checks, "latency.educonnect", Warn, &["loss 20 %"]);
    expect(&checks, "latency.gar", Fail, &["unreachable"]);
}

#[test]
fn latency_between_150_and_300_ms_warns() {
    let mut net = good_network();
    net.latency[0].samples_ms = vec![Some(200.0); 5];
    net.latency[1].samples_ms = vec![Some(320.0); 5];
    let checks = score(net);
    expect(&checks, "latency.educonnect", Warn, &[]);
    expect(&checks, "latency.gar", Fail, &[]);
}

#[test]
fn dns_answer_with_an_unanswered_aaaa_warns() {
    let mut net = good_network();
    net.dns[0].aaaa = failed(DnsOutcome::Timeout, 2000.0);
    net.dns[1].a = failed(DnsOutcome::Nxdomain, 20.0);
    net.dns[1].aaaa = failed(DnsOutcome::Nxdomain, 20.0);
    let checks = score(net);
    let stuck = "dns.educonnect.education.gouv.fr";
    expect(&checks, stuck, Warn, &["AAAA query"]);
    expect(&checks, "dns.gar.education.fr", Fail, &["NXDOMAIN"]);
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
    let skew = expect(&checks, "system.clock_skew", Fail, &["240 s ahead"]);
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
    let i = expect(&checks, "network.interface", Warn, &["-72 dBm"]);
    assert_eq!(i.weight, 0.0, "informational by default");
}

#[test]
fn french_texts() {
    let mut net = good_network();
    net.endpoints[1].attempt.error = Some(EndpointError {
        kind: EndpointErrorKind::ConnectTimeout,
        detail: "no TCP connection within 3000 ms".into(),
    });
    let checks = score_in(net, Lang::Fr);
    let no_answer = "pas de réponse à la connexion";
    let gar = expect(&checks, "endpoint.gar", Fail, &[no_answer]);
    assert!(gar.remediation.as_deref().unwrap().contains("pare-feu"));
}
