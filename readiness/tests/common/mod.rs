//! Measurements shared by the scoring tests: a healthy school network for the default
//! profile's hosts and endpoints; and how the tests assess and look up checks.

#![allow(dead_code)] // each test file uses a different part

use std::net::IpAddr;

use jiff::civil::{Date, date};
use readiness::measurements::Measurements;
use readiness::measurements::network::*;
use readiness::{Assessment, CheckResult, CheckStatus, Lang, Profile, assess};

/// The day every scoring test audits on.
pub fn audit_day() -> Date {
    date(2026, 11, 28)
}

/// `m` assessed against the default profile on [`audit_day`], texts in `lang`.
pub fn assess_default(m: &Measurements, lang: Lang) -> Assessment {
    assess(m, &Profile::default_profile(), audit_day(), lang)
}

/// The check `id` (a missing one fails the test, naming the ids there are).
pub fn find<'a>(checks: &'a [CheckResult], id: &str) -> &'a CheckResult {
    checks.iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!(
            "no {id} in {:#?}",
            checks.iter().map(|c| &c.id).collect::<Vec<_>>()
        )
    })
}

/// The check `id`, asserted to have `status` and a message containing each of `texts`.
pub fn expect<'a>(
    checks: &'a [CheckResult],
    id: &str,
    status: CheckStatus,
    texts: &[&str],
) -> &'a CheckResult {
    let c = find(checks, id);
    assert_eq!(c.status, status, "{c:#?}");
    for text in texts {
        assert!(c.message.contains(text), "{}", c.message);
    }
    c
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

pub fn answered(ms: f64, addr: &str) -> DnsQuery {
    DnsQuery {
        outcome: DnsOutcome::Answered,
        elapsed_ms: ms,
        addresses: vec![ip(addr)],
        detail: None,
    }
}

pub fn failed(outcome: DnsOutcome, ms: f64) -> DnsQuery {
    DnsQuery {
        outcome,
        elapsed_ms: ms,
        addresses: vec![],
        detail: None,
    }
}

pub fn lookup(host: &str, resolver: &str, a: DnsQuery, aaaa: DnsQuery) -> DnsLookup {
    DnsLookup {
        host: host.into(),
        resolver: resolver.into(),
        a,
        aaaa,
    }
}

pub fn valid() -> Verification {
    Verification {
        valid: true,
        error: None,
        detail: None,
    }
}

pub fn invalid(kind: CertErrorKind) -> Verification {
    Verification {
        valid: false,
        error: Some(kind),
        detail: Some(format!("{kind:?}")),
    }
}

pub fn public_tls(host: &str) -> TlsInfo {
    TlsInfo {
        server_name: host.into(),
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_256_GCM_SHA384".into(),
        chain: vec![
            CertInfo {
                subject: format!("CN={host}"),
                issuer: "CN=Sectigo Public Server Authentication CA DV R36, O=Sectigo Limited"
                    .into(),
                not_before: ts("2026-06-01T00:00:00Z"),
                not_after: ts("2027-06-01T00:00:00Z"),
                names: vec![host.into()],
            },
            CertInfo {
                subject: "CN=Sectigo Public Server Authentication CA DV R36, O=Sectigo Limited"
                    .into(),
                issuer: "CN=Sectigo Public Server Authentication Root R46, O=Sectigo Limited"
                    .into(),
                not_before: ts("2021-03-22T00:00:00Z"),
                not_after: ts("2036-03-21T23:59:59Z"),
                names: vec![],
            },
        ],
        public_roots: valid(),
        os_roots: Some(valid()),
        extra_roots: None,
    }
}

pub fn hop(url: &str, status: u16, location: Option<&str>) -> Hop {
    Hop {
        url: url.into(),
        addresses: vec![ip("192.0.2.10")],
        connected_to: Some("192.0.2.10:443".into()),
        dns_ms: Some(8.0),
        connect_ms: Some(12.0),
        proxy_ms: None,
        tls_ms: Some(25.0),
        ttfb_ms: Some(80.0),
        status: Some(status),
        location: location.map(str::to_owned),
    }
}

pub fn ok_endpoint(name: &str, url: &str, total_ms: f64) -> EndpointMeasurement {
    let host = readiness::profile::url_host(url);
    EndpointMeasurement {
        name: name.into(),
        url: url.into(),
        proxy: None,
        attempt: EndpointAttempt {
            route: Route::Direct,
            hops: vec![hop(url, 200, None)],
            total_ms,
            error: None,
            tls: Some(public_tls(&host)),
            expected_text_found: None,
        },
        direct: None,
    }
}

pub fn rtt(target: &str, host: &str, samples: &[Option<f64>]) -> LatencyMeasurement {
    LatencyMeasurement {
        target: target.into(),
        host: host.into(),
        address: Some(ip("192.0.2.10")),
        method: Some(LatencyMethod::IcmpRaw),
        samples_ms: samples.to_vec(),
        notes: vec![],
        error: None,
    }
}

/// The default profile's hosts and endpoints, all healthy.
pub fn good_network() -> NetworkMeasurements {
    let hosts = [
        "educonnect.education.gouv.fr",
        "gar.education.fr",
        "idp-auth.gar.education.fr",
    ];
    NetworkMeasurements {
        dns: hosts
            .iter()
            .map(|h| {
                lookup(
                    h,
                    "system",
                    answered(12.0, "192.0.2.10"),
                    failed(DnsOutcome::NoAnswer, 11.0),
                )
            })
            .collect(),
        endpoints: vec![
            ok_endpoint("educonnect", "https://educonnect.education.gouv.fr/", 320.0),
            ok_endpoint("gar", "https://idp-auth.gar.education.fr/", 250.0),
        ],
        proxy: Some(ProxySettings::direct(ProxySource::None)),
        latency: vec![
            rtt(
                "educonnect",
                "educonnect.education.gouv.fr",
                &[Some(11.0), Some(12.0), Some(10.5), Some(11.2), Some(13.0)],
            ),
            rtt(
                "gar",
                "idp-auth.gar.education.fr",
                &[Some(14.0), Some(15.0), Some(14.5), Some(14.2), Some(16.0)],
            ),
        ],
        clock: vec![ClockSample {
            source: "educonnect".into(),
            server_time: ts("2026-11-28T09:00:02Z"),
            local_time: ts("2026-11-28T09:00:00.400Z"),
        }],
        interface: Some(InterfaceInfo {
            name: "eth0".into(),
            kind: InterfaceKind::Wired,
            speed_mbps: Some(1000),
            wifi_signal_dbm: None,
        }),
        unavailable: Default::default(),
    }
}
