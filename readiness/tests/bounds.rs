//! Report bounds (`Report::check_bounds`): the sample reports pass, a report beyond a bound
//! is refused naming the field and the limit, and the largest report a valid profile makes
//! passes.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::audit_time as now;
use common::sample_report as sample;
use readiness::limits::{self, BoundsError};
use readiness::measurements::network::*;
use readiness::{Profile, Report, samples};
use uuid::Uuid;

fn network(r: &mut Report) -> &mut NetworkMeasurements {
    r.measurements.network.as_mut().unwrap()
}

fn refused(r: &Report) -> BoundsError {
    r.check_bounds().expect_err("beyond the bounds")
}

#[test]
fn sample_reports_pass() {
    let r = sample();
    assert!(r.checks.len() > 10, "{}", r.checks.len());
    r.check_bounds().unwrap();
    // Through JSON, as the collector sees it.
    let back: Report = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    back.check_bounds().unwrap();
}

#[test]
fn fifteen_thousand_latency_targets_are_refused() {
    let mut r = sample();
    let one = network(&mut r).latency[0].clone();
    network(&mut r).latency = vec![one; 15_000];
    let err = refused(&r);
    assert_eq!(
        err.to_string(),
        "measurements.network.latency: 15000 targets, at most 256"
    );
    assert_eq!(err.field, "measurements.network.latency");
}

#[test]
fn every_list_and_text_is_bounded() {
    let mut r = sample();
    let check = r.checks[0].clone();
    r.checks = vec![check; limits::MAX_CHECKS + 1];
    assert_eq!(refused(&r).to_string(), "checks: 513 checks, at most 512");

    let mut r = sample();
    r.checks[2].message = "x".repeat(limits::MAX_LONG_TEXT + 1);
    assert_eq!(
        refused(&r).to_string(),
        "checks[2].message: 8193 bytes, at most 8192"
    );

    let mut r = sample();
    let lookup = network(&mut r).dns[0].clone();
    network(&mut r).dns = vec![lookup; 600];
    assert!(refused(&r).to_string().contains("600 lookups"));

    let mut r = sample();
    network(&mut r).dns[1].a.addresses = vec![samples::SERVER; 65];
    assert_eq!(
        refused(&r).to_string(),
        "measurements.network.dns[1].a.addresses: 65 addresses, at most 64"
    );

    let mut r = sample();
    let e = &mut network(&mut r).endpoints[1];
    let hop = e.attempt.hops[0].clone();
    e.attempt.hops = vec![hop; 100];
    assert!(refused(&r).field.ends_with("endpoints[1].attempt.hops"));

    let mut r = sample();
    let tls = network(&mut r).endpoints[0].attempt.tls.as_mut().unwrap();
    tls.chain[0].names = vec!["a.example".into(); 2000];
    assert!(refused(&r).field.ends_with("tls.chain[0].names"));

    let mut r = sample();
    let tls = network(&mut r).endpoints[0].attempt.tls.as_mut().unwrap();
    tls.chain[0].names[0] = "a".repeat(300);
    assert!(refused(&r).field.ends_with("tls.chain[0].names[0]"));

    let mut r = sample();
    network(&mut r).latency[0].samples_ms = vec![Some(1.0); 10_000];
    assert!(refused(&r).to_string().contains("10000 samples"));

    let mut r = sample();
    let b = r.measurements.browsers.as_mut().unwrap();
    let one = b.installed[0].clone();
    b.installed = vec![one; 1000];
    assert!(
        refused(&r)
            .to_string()
            .contains("1000 browsers, at most 64")
    );

    let mut r = sample();
    let s = r.measurements.system.as_mut().unwrap();
    s.unavailable = (0..100).map(|i| (format!("k{i}"), "why".into())).collect();
    assert_eq!(
        refused(&r).to_string(),
        "measurements.system.unavailable: 100 entries, at most 64"
    );

    let mut r = sample();
    r.agent_version = "v".repeat(1000);
    assert_eq!(refused(&r).field, "agent_version");
}

#[test]
fn labels_and_hostnames_without_control_characters() {
    let mut r = sample();
    r.workstation.label = Some("salle 2\u{1b}[2J".into());
    assert_eq!(
        refused(&r).to_string(),
        "workstation.label: must not contain control characters"
    );
    r.workstation.label = Some("é".repeat(101));
    assert!(refused(&r).to_string().contains("at most 100 characters"));
    r.workstation.label = Some("é".repeat(100));
    r.check_bounds().unwrap();

    r.workstation.hostname = Some("PC-01\r\nInjected: yes".into());
    assert_eq!(
        refused(&r).to_string(),
        "workstation.hostname: contains a control character"
    );
    r.workstation.hostname = Some(format!("sha256:{}", "0".repeat(64)));
    r.check_bounds().unwrap();
}

/// The most a valid profile asks for: every list at its cap, every endpoint on its own host,
/// every lookup through every resolver, every redirect followed, the most samples. The
/// report an agent makes of it is within the bounds.
#[test]
fn the_largest_profile_makes_a_report_within_the_bounds() {
    let hosts: Vec<String> = (0..limits::MAX_PROFILE_HOSTS)
        .map(|i| format!("\"h{i}.example\""))
        .collect();
    let resolvers: Vec<String> = (0..limits::MAX_PROFILE_RESOLVERS)
        .map(|i| format!("\"192.0.2.{}\"", i + 1))
        .collect();
    let mut text = samples::profile_without(
        readiness::profile::DEFAULT_PROFILE_TOML,
        &["[network]", "[[network."],
    );
    text.push_str(&format!(
        "[network]\nhosts = [{}]\nresolvers = [{}]\nmax_redirects = 30\nlatency_samples = 50\n",
        hosts.join(", "),
        resolvers.join(", ")
    ));
    for i in 0..limits::MAX_PROFILE_ENDPOINTS {
        let name = format!("e{i:0>30}");
        text.push_str(&format!(
            "[[network.endpoints]]\nname = \"{name}\"\nurl = \"https://{name}.example/\"\n"
        ));
    }
    let profile = Profile::from_toml_str(&text, "largest.toml").unwrap();
    let mut m = samples::good_pc(&profile, now());
    let net = m.network.as_mut().unwrap();
    let resolvers = 1 + limits::MAX_PROFILE_RESOLVERS;
    net.dns = net
        .dns
        .iter()
        .flat_map(|l| std::iter::repeat_n(l.clone(), resolvers))
        .collect();
    for e in &mut net.endpoints {
        let hop = e.attempt.hops[0].clone();
        e.attempt.hops = vec![hop; 31];
        e.direct = Some(e.attempt.clone());
    }
    for l in &mut net.latency {
        l.samples_ms = vec![Some(11.0); 50];
    }
    let r = samples::report(&profile, None, Uuid::nil(), m, now());
    assert_eq!(r.measurements.network.as_ref().unwrap().dns.len(), 64 * 5);
    r.check_bounds().unwrap();
}
