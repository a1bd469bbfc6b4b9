//! The fault matrix of the network probes: the real `ent-agent` against a local network of
//! faults (`ent_tests::netlab`), each fault asserting the check's status, the reason the
//! technician reads, and the time the probe took.
//!
//! Every server is on loopback or in network namespaces the test creates; the agent's
//! system resolver is off (`local-network.toml`) and proxies from the environment are
//! cleared, so nothing leaves this machine. The black-holed address needs root (network
//! namespaces, nftables): CI runs as root; elsewhere that test says why it is skipped.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::net::IpAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use ent_tests::fault_matrix::{
    AuditRun, CONNECT_TIMEOUT, DNS_TIMEOUT, MARGIN, RESPONSE_TIMEOUT, World, assert_matrix, audit,
    ep, expect, fixture, quick_endpoint, url,
};
use ent_tests::netlab::{self, Behaviour, BlackHole, DnsAnswer, ProxyMode, Reply, TestCa};
use ent_tests::{agent, check};
use serde_json::Value;

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

/// DNS classes, certificates, TCP and HTTP faults, redirects, a captive portal: one agent
/// run, every endpoint probed concurrently.
#[test]
fn fault_matrix_direct() {
    let w = World::new();
    let now = time::OffsetDateTime::now_utc();
    let good = w
        .lab
        .https(&w.good_leaf(), Behaviour::Reply(Reply::ok("<h1>ENT</h1>")));
    let expired = w.lab.https(
        &w.ca
            .leaf_valid(&["127.0.0.1"], now - days(400), now - days(35)),
        Behaviour::Reply(Reply::ok("old")),
    );
    let expiring = w.lab.https(
        &w.ca
            .leaf_valid(&["127.0.0.1"], now - days(80), now + days(5)),
        Behaviour::Reply(Reply::ok("soon")),
    );
    let wrong_host = w.lab.https(
        &w.ca.leaf(&["other.lab.test"]),
        Behaviour::Reply(Reply::ok("other")),
    );
    let self_signed = w.lab.https(
        &netlab::self_signed(&["127.0.0.1"]),
        Behaviour::Reply(Reply::ok("self")),
    );
    let refused = w.lab.closed_port();
    let reset = w.lab.https(&w.good_leaf(), Behaviour::Reset);
    let silent = w.lab.https(&w.good_leaf(), Behaviour::Silent);
    let no_http = w.lab.https(
        &w.good_leaf(),
        Behaviour::Reply(Reply::ok("late").delayed(Duration::from_secs(60))),
    );
    let slow = w.lab.https(
        &w.good_leaf(),
        Behaviour::Reply(Reply::ok("slow").delayed(Duration::from_millis(1200))),
    );
    let down = w
        .lab
        .https(&w.good_leaf(), Behaviour::Reply(Reply::status(503)));
    let looping = w.lab.https(
        &w.good_leaf(),
        Behaviour::Routes(vec![
            ("/".into(), Reply::redirect("/a")),
            ("/a".into(), Reply::redirect("/b")),
            ("/b".into(), Reply::redirect("/a")),
        ]),
    );
    let portal = w.lab.https(
        &w.good_leaf(),
        Behaviour::Reply(Reply::redirect("http://portail.wifi-invite.lab.test/login")),
    );
    let redirected = w.lab.https(
        &w.good_leaf(),
        Behaviour::Routes(vec![
            ("/".into(), Reply::redirect("/login")),
            ("/login".into(), Reply::ok("<form>login</form>")),
        ]),
    );
    let tls10 = w.lab.tls10(&w.ca.leaf(&["127.0.0.1"]), w.dir.path());

    let mut args = w.base_args();
    for (name, u) in [
        ("good", url(good)),
        ("named", format!("https://ok.lab.test:{}/", good.port())),
        ("redirected", url(redirected)),
        ("expired", url(expired)),
        ("expiring", url(expiring)),
        ("wronghost", url(wrong_host)),
        ("selfsigned", url(self_signed)),
        ("refused", url(refused)),
        ("reset", url(reset)),
        ("silent", url(silent)),
        ("nohttp", url(no_http)),
        ("slow", url(slow)),
        ("down", url(down)),
        ("loop", url(looping)),
        ("portal", url(portal)),
        ("nxhost", format!("https://nx.lab.test:{}/", good.port())),
    ] {
        args.extend(ep(name, u));
    }
    if let Ok(addr) = &tls10 {
        args.extend(ep("tls10", url(*addr)));
    }
    let run = audit(&w.state("direct"), None, &args, &[], None);

    let mut rows = vec![
        // DNS through the test's server.
        expect(
            "dns.ok.lab.test",
            "pass",
            &["127.0.0.1", "resolver 127.0.0.1:"],
        )
        .dns_ms("ok.lab.test", 0.0, 100.0),
        expect("dns.nx.lab.test", "fail", &["NXDOMAIN"]).dns_ms("nx.lab.test", 0.0, MARGIN),
        expect("dns.servfail.lab.test", "fail", &["SERVFAIL"]),
        expect("dns.refused.lab.test", "fail", &["REFUSED"]),
        expect(
            "dns.silent.lab.test",
            "fail",
            &["no answer from the resolver within"],
        )
        .dns_ms("silent.lab.test", DNS_TIMEOUT - 50.0, DNS_TIMEOUT + MARGIN),
        expect("dns.slow.lab.test", "warn", &["ms"]).dns_ms("slow.lab.test", 290.0, 300.0 + MARGIN),
        expect("dns.blocked.lab.test", "fail", &["blocked by a DNS filter"]),
        // A good server, by address and by name (DNS phase timed), and with a redirect.
        quick_endpoint("good", "pass", &["HTTP 200"]),
        expect("endpoint.good.tls", "pass", &["TLSv1.3", "--ca-file"]),
        expect("endpoint.named", "pass", &["HTTP 200", "DNS"]),
        expect("endpoint.redirected", "pass", &["HTTP 200", "1 redirect"]),
        // Certificates.
        expect("endpoint.expired.tls", "fail", &["certificate expired on"]),
        expect("endpoint.expired", "fail", &["certificate refused"]),
        expect("endpoint.expiring.tls", "warn", &["expires in"]),
        expect(
            "endpoint.wronghost.tls",
            "fail",
            &["certificate is for other.lab.test, not for 127.0.0.1"],
        ),
        expect(
            "endpoint.selfsigned.tls",
            "fail",
            &["self-signed certificate"],
        ),
        // TCP.
        quick_endpoint("refused", "fail", &["connection refused"]),
        quick_endpoint("reset", "fail", &["connection reset"]),
        expect("endpoint.reset.tls", "unknown", &["not reached over TLS"]),
        // A server that accepts and never answers: TLS, then HTTP.
        expect(
            "endpoint.silent",
            "fail",
            &["connection accepted but no TLS answer"],
        )
        .endpoint_timed_out("silent", RESPONSE_TIMEOUT),
        expect(
            "endpoint.nohttp",
            "fail",
            &["connected, but no HTTP answer"],
        )
        .endpoint_timed_out("nohttp", RESPONSE_TIMEOUT),
        // HTTP.
        expect("endpoint.slow", "warn", &["HTTP 200", "slow"]).endpoint_ms(
            "slow",
            1150.0,
            1200.0 + MARGIN,
        ),
        quick_endpoint("down", "fail", &["HTTP 503", "server error"]),
        quick_endpoint("loop", "fail", &["redirect loop", "/a -> "]),
        quick_endpoint(
            "portal",
            "fail",
            &[
                "redirected to portail.wifi-invite.lab.test",
                "captive portal",
            ],
        ),
        expect(
            "endpoint.nxhost",
            "fail",
            &["the name does not resolve", "NXDOMAIN"],
        ),
        // The other network checks of this world.
        expect("network.tls_interception", "pass", &["No TLS interception"]),
        expect("network.proxy", "pass", &["No proxy configured"]),
        expect("system.clock_skew", "pass", &["the ENT's"]),
        expect("latency.good", "pass", &["127.0.0.1", "median"]),
        expect("latency.nxhost", "unknown", &["NXDOMAIN"]),
    ];
    match &tls10 {
        Ok(_) => rows.push(
            expect(
                "endpoint.tls10.tls",
                "fail",
                &["only offers TLS 1.1 or older"],
            )
            .endpoint_ms("tls10", 0.0, MARGIN),
        ),
        Err(reason) => eprintln!("TLS 1.0 server not available, case skipped: {reason}"),
    }
    assert_matrix(&run, &rows);
    // All probes run concurrently: the run takes about the longest probe, not the sum.
    assert!(
        run.wall < Duration::from_secs_f64((RESPONSE_TIMEOUT + CONNECT_TIMEOUT + 3000.0) / 1000.0),
        "the audit took {:?}",
        run.wall
    );
    // Each hop's phases are timed.
    let named = run.endpoint("named");
    let hop = &named["attempt"]["hops"][0];
    for phase in ["dns_ms", "connect_ms", "tls_ms", "ttfb_ms"] {
        assert!(hop[phase].as_f64().is_some(), "{phase} missing in {hop}");
    }
    assert_eq!(hop["addresses"][0], "127.0.0.1");
    let redirected = run.endpoint("redirected");
    assert_eq!(redirected["attempt"]["hops"].as_array().unwrap().len(), 2);
    assert_eq!(redirected["attempt"]["hops"][0]["status"], 302);
}

fn skew_run(seconds: i64) -> AuditRun {
    let w = World::new();
    let args = w.ent_args(Behaviour::Reply(Reply::ok("ENT").clock_ahead(seconds)));
    audit(&w.state("skew"), None, &args, &[], None)
}

#[test]
fn clock_skew_is_judged_from_the_servers_date() {
    let ahead = skew_run(600);
    assert_matrix(
        &ahead,
        &[expect(
            "system.clock_skew",
            "fail",
            &["s behind the ENT's", "ent"],
        )],
    );
    let skew = ahead.check("system.clock_skew")["value"].as_f64().unwrap();
    assert!((598.0..=602.0).contains(&skew), "{skew}");
    assert_eq!(
        ahead.report["verdict"], "not_ready",
        "clock skew is blocking"
    );

    let slightly = skew_run(-90);
    assert_matrix(
        &slightly,
        &[expect(
            "system.clock_skew",
            "warn",
            &["s ahead of the ENT's"],
        )],
    );
}

#[test]
fn forward_proxy_open_and_with_authentication() {
    let w = World::new();
    let args = w.ent_args(Behaviour::Reply(Reply::ok("ENT")));

    let open = w.lab.proxy(ProxyMode::Open);
    let proxy_url = format!("http://{open}");
    let run = audit(
        &w.state("open"),
        None,
        &args,
        &[("HTTPS_PROXY", &proxy_url)],
        None,
    );
    assert_matrix(
        &run,
        &[
            quick_endpoint("ent", "pass", &["through the proxy", "HTTP 200", "proxy"]),
            expect(
                "network.proxy",
                "pass",
                &["reachable through it", "environment"],
            ),
            expect("endpoint.ent.tls", "pass", &["TLSv1.3"]),
        ],
    );
    assert_eq!(run.endpoint("ent")["attempt"]["route"], "proxy");
    assert!(
        run.endpoint("ent")["attempt"]["hops"][0]["proxy_ms"]
            .as_f64()
            .is_some()
    );
    assert_eq!(run.endpoint("ent")["direct"]["route"], "direct");

    let auth = w.lab.proxy(ProxyMode::Auth {
        user: "ecole".into(),
        pass: "s3cret".into(),
    });
    let without = audit(
        &w.state("auth"),
        None,
        &args,
        &[("https_proxy", &format!("http://{auth}"))],
        None,
    );
    assert_matrix(
        &without,
        &[
            quick_endpoint("ent", "fail", &["407", "directly"]),
            expect(
                "network.proxy",
                "fail",
                &["asks for authentication (HTTP 407)"],
            ),
        ],
    );
    let with = audit(
        &w.state("auth2"),
        None,
        &args,
        &[("HTTPS_PROXY", &format!("http://ecole:s3cret@{auth}"))],
        None,
    );
    assert_matrix(
        &with,
        &[
            expect("endpoint.ent", "pass", &["through the proxy"]),
            expect("network.proxy", "pass", &["reachable through it"]),
        ],
    );
    let text = with.report.to_string();
    assert!(
        !text.contains("s3cret") && !text.contains("ecole:"),
        "credentials leaked"
    );
}

#[test]
fn re_signing_proxy_is_reported_as_interception() {
    let w = World::new();
    let args = w.ent_args(Behaviour::Reply(Reply::ok("ENT")));
    let filter_ca = Arc::new(TestCa::new("Filtre Academique CA"));
    // The filter's root is installed in the OS store (as on school PCs), not given by
    // --ca-file: SSL_CERT_FILE is the OS store the agent reads on Linux.
    let os_store = filter_ca.write_pem(&w.dir.path().join("os-store.pem"));
    let resigner = w.lab.proxy(ProxyMode::Resign(filter_ca));
    let run = audit(
        &w.state("resign"),
        None,
        &args,
        &[
            ("HTTPS_PROXY", &format!("http://{resigner}")),
            ("SSL_CERT_FILE", os_store.to_str().unwrap()),
        ],
        None,
    );
    assert_matrix(
        &run,
        &[
            expect(
                "network.tls_interception",
                "warn",
                &["re-signed by \"Filtre Academique CA\"", "filtering proxy"],
            ),
            expect("endpoint.ent.tls", "warn", &["re-signed"]),
            quick_endpoint("ent", "pass", &["through the proxy"]),
        ],
    );
    let tls = &run.endpoint("ent")["attempt"]["tls"];
    assert_eq!(tls["public_roots"]["valid"], false);
    assert_eq!(tls["os_roots"]["valid"], true);
    assert_eq!(tls["extra_roots"]["valid"], false);
}

#[test]
fn block_page_instead_of_the_ent_is_named() {
    let w = World::new();
    let blocked = w.lab.https(
        &w.good_leaf(),
        Behaviour::Reply(Reply::ok("<h1>Accès refusé par le filtre</h1>")),
    );
    let profile = w.dir.path().join("expect-text.toml");
    std::fs::write(
        &profile,
        std::fs::read_to_string(fixture()).unwrap()
            + &format!(
                "\n[[network.endpoints]]\nname = \"ent\"\nurl = \"https://ent.lab.test:{}/\"\nexpect_text = \"Bienvenue sur l'ENT\"\n",
                blocked.port()
            ),
    )
    .unwrap();
    let run = audit(&w.state("block"), Some(&profile), &w.base_args(), &[], None);
    assert_matrix(
        &run,
        &[
            quick_endpoint(
                "ent",
                "fail",
                &["lacks \"Bienvenue sur l'ENT\"", "block page"],
            ),
            expect("dns.ent.lab.test", "pass", &["127.0.0.1"]),
        ],
    );
}

#[test]
fn black_holed_address_times_out_as_a_finding() {
    if !netlab::is_root() {
        eprintln!("skipped: network namespaces and nftables need root (CI runs as root)");
        return;
    }
    let hole = BlackHole::create().unwrap();
    let state = tempfile::tempdir().unwrap();
    let args = ep("ent", format!("https://{}/", hole.address));
    let run = audit(state.path(), None, &args, &[], Some(&hole));
    assert_matrix(
        &run,
        &[
            expect("endpoint.ent", "fail", &["no answer to the connection"])
                .endpoint_timed_out("ent", CONNECT_TIMEOUT),
            expect(
                "latency.ent",
                "fail",
                &["no answer to 3 probes", "unreachable"],
            ),
            expect("endpoint.ent.tls", "unknown", &["not reached over TLS"]),
        ],
    );
    // Inside the namespace the default route goes through a veth: virtual, never an SSID.
    assert_eq!(
        run.report["measurements"]["network"]["interface"]["kind"],
        "virtual"
    );
    let latency = &run.report["measurements"]["network"]["latency"][0];
    assert_eq!(latency["method"], "tcp_connect", "{latency}");
    assert!(run.wall < Duration::from_secs(6), "{:?}", run.wall);
}

/// Nothing of the default profile is probed with --no-network, and the checks say why.
#[test]
fn no_network_skips_every_network_probe() {
    let state = tempfile::tempdir().unwrap();
    let mut cmd: Command = agent(state.path());
    cmd.args(["audit", "--json", "--lang", "en", "--no-network"]);
    let out = cmd.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["measurements"]["network"]["unavailable"]["network"],
        "network probes skipped (--no-network)"
    );
    let network_checks: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let id = c["id"].as_str().unwrap();
            id.starts_with("dns.") || id.starts_with("endpoint.") || id.starts_with("latency.")
        })
        .collect();
    assert!(!network_checks.is_empty());
    for c in network_checks {
        assert_eq!(c["status"], "unknown", "{c}");
        assert!(
            c["message"].as_str().unwrap().contains("--no-network"),
            "{c}"
        );
    }

    // In French, the check says it in French; the measurement keeps the agent's words.
    let mut cmd: Command = agent(state.path());
    cmd.args(["audit", "--json", "--lang", "fr", "--no-network"]);
    let report: Value = serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
    assert_eq!(
        report["measurements"]["network"]["unavailable"]["network"],
        "network probes skipped (--no-network)"
    );
    let c = check(&report, "bandwidth.download");
    assert_eq!(
        c["message"], "Mesure impossible : sondes réseau non lancées (--no-network)",
        "{c}"
    );
}

/// The audit's deadline stops probes still waiting: their checks are unknown (not
/// measured), not failed, and the audit ends on time.
#[test]
fn audit_deadline_makes_unfinished_probes_unknown() {
    let w = World::new();
    let mut args = w.ent_args(Behaviour::Silent);
    args.extend(["--deadline".to_owned(), "0.8".to_owned()]);
    let run = audit(&w.state("deadline"), None, &args, &[], None);
    assert_matrix(
        &run,
        &[
            expect("endpoint.ent", "unknown", &["cut by the audit's deadline"])
                .endpoint_ms("ent", 400.0, 800.0),
            expect("dns.silent.lab.test", "unknown", &["deadline"]),
        ],
    );
    assert!(
        run.wall < Duration::from_millis(800 + 1500),
        "{:?}",
        run.wall
    );
}

/// What hostile servers send cannot make the report undeliverable: a certificate with
/// 2,000 names, a 60 KB `Location` that loops, a DNS answer of 200 addresses. The report
/// stays within the collector's bounds (`Report::check_bounds`), says what was cut, and
/// each check is still a finding.
#[test]
fn hostile_servers_cannot_push_the_report_past_its_bounds() {
    let w = World::new();
    let names: Vec<String> = (0..2000).map(|i| format!("n{i}.lab.test")).collect();
    let mut leaf_names = vec!["127.0.0.1"];
    leaf_names.extend(names.iter().map(String::as_str));
    let many_names = w
        .lab
        .https(&w.ca.leaf(&leaf_names), Behaviour::Reply(Reply::ok("ENT")));
    let long_location = format!("/{}", "a".repeat(60_000));
    let long_loop = w.lab.https(
        &w.good_leaf(),
        Behaviour::Reply(Reply::redirect(&long_location)),
    );
    let many = (0..200u8).map(|i| IpAddr::from([127, 0, 1, i])).collect();
    let dns = w.lab.dns(
        [("many.lab.test".to_owned(), DnsAnswer::Addr(many))]
            .into_iter()
            .collect(),
    );
    let mut args = vec![
        "--ca-file".to_owned(),
        w.ca_file.display().to_string(),
        "--dns-server".to_owned(),
        dns.to_string(),
    ];
    args.extend(ep("names", url(many_names)));
    args.extend(ep("longloop", url(long_loop)));
    args.extend(ep(
        "many",
        format!("https://many.lab.test:{}/", long_loop.port()),
    ));
    let run = audit(&w.state("hostile"), None, &args, &[], None);
    let report: readiness::Report = serde_json::from_value(run.report.clone()).unwrap();
    if let Err(e) = report.check_bounds() {
        panic!("report refused: {e}");
    }
    assert_matrix(
        &run,
        &[
            quick_endpoint("names", "pass", &["HTTP 200"]),
            expect("endpoint.names.tls", "pass", &["TLSv1.3"]),
            quick_endpoint("longloop", "fail", &["redirect loop"]),
            expect("dns.many.lab.test", "pass", &["127.0.1.0"]),
        ],
    );
    let cert = &run.endpoint("names")["attempt"]["tls"]["chain"][0];
    assert_eq!(
        cert["names"].as_array().unwrap().len(),
        readiness::limits::MAX_CERT_NAMES
    );
    assert_eq!(
        run.dns("many.lab.test")["a"]["addresses"]
            .as_array()
            .unwrap()
            .len(),
        readiness::limits::MAX_ADDRESSES
    );
    let cut = run.report["measurements"]["network"]["unavailable"]["cut"]
        .as_str()
        .unwrap_or_default();
    for what in ["names", "addresses", "location"] {
        assert!(cut.contains(what), "the cut note lacks {what}: {cut:?}");
    }
}

/// Repeated `--endpoint` and `--dns-server` cannot make a report beyond the bounds either:
/// the audit refuses them before probing anything, and says why.
#[test]
fn command_line_beyond_the_bounds_is_refused() {
    let state = tempfile::tempdir().unwrap();
    let run = |args: &[String]| {
        let mut cmd: Command = agent(state.path());
        // The local profile: no system resolver, so that the old agent asked only loopback.
        cmd.args(["audit", "--json", "--no-bandwidth", "--profile"])
            .arg(fixture())
            .args(args);
        cmd.output().unwrap()
    };
    let endpoints: Vec<String> = (0..65)
        .flat_map(|i| ep(&format!("e{i}"), format!("https://h{i}.lab.test:1/")))
        .collect();
    let out = run(&endpoints);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("endpoints") && stderr.contains("at most 64"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let mut args: Vec<String> = endpoints[..60].to_vec();
    for port in 5300..5320 {
        args.extend(["--dns-server".to_owned(), format!("127.0.0.1:{port}")]);
    }
    let out = run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("DNS lookups") && stderr.contains("at most 512"),
        "{stderr}"
    );
}
