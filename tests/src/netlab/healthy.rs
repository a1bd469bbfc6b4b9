//! Measurements of a healthy network, as data (nothing probed).

use std::net::IpAddr;

/// Network measurements under which every network check of `profile` passes: each host and
/// endpoint host answered in 12 ms, each endpoint 200 in 250 ms over TLS 1.3 with a public
/// chain valid for a year, 11 ms round trips, no proxy, the clock right, a wired gigabit
/// link. For tests that need a report (the collector's) without probing anything.
pub fn healthy_network(
    profile: &readiness::Profile,
) -> readiness::measurements::NetworkMeasurements {
    use readiness::measurements::network::*;
    let server: IpAddr = "192.0.2.10".parse().expect("address");
    let now = jiff::Timestamp::now();
    let year = jiff::SignedDuration::from_hours(24 * 365);
    let answered = |ms: f64| DnsQuery {
        outcome: DnsOutcome::Answered,
        elapsed_ms: ms,
        addresses: vec![server],
        detail: None,
    };
    let no_aaaa = DnsQuery {
        outcome: DnsOutcome::NoAnswer,
        elapsed_ms: 11.0,
        addresses: vec![],
        detail: None,
    };
    let valid = Verification {
        valid: true,
        error: None,
        detail: None,
    };
    let mut hosts: Vec<String> = profile.network.hosts.clone();
    for e in &profile.network.endpoints {
        let h = e.host();
        if h.parse::<IpAddr>().is_err() && !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    NetworkMeasurements {
        dns: hosts
            .iter()
            .map(|h| DnsLookup {
                host: h.clone(),
                resolver: "system".into(),
                a: answered(12.0),
                aaaa: no_aaaa.clone(),
            })
            .collect(),
        endpoints: profile
            .network
            .endpoints
            .iter()
            .map(|e| EndpointMeasurement {
                name: e.name.clone(),
                url: e.url.clone(),
                proxy: None,
                attempt: EndpointAttempt {
                    route: Route::Direct,
                    hops: vec![Hop {
                        url: e.url.clone(),
                        addresses: vec![server],
                        connected_to: Some(format!("{server}:443")),
                        dns_ms: Some(12.0),
                        connect_ms: Some(11.0),
                        proxy_ms: None,
                        tls_ms: Some(30.0),
                        ttfb_ms: Some(150.0),
                        status: Some(200),
                        location: None,
                    }],
                    total_ms: 250.0,
                    error: None,
                    tls: e.url.starts_with("https://").then(|| TlsInfo {
                        server_name: e.host(),
                        version: "TLSv1.3".into(),
                        cipher: "TLS13_AES_256_GCM_SHA384".into(),
                        chain: vec![CertInfo {
                            subject: format!("CN={}", e.host()),
                            issuer: "CN=Public Test CA".into(),
                            not_before: now.checked_sub(year).unwrap_or(now),
                            not_after: now.checked_add(year).unwrap_or(now),
                            names: vec![e.host()],
                        }],
                        public_roots: valid.clone(),
                        os_roots: Some(valid.clone()),
                        extra_roots: None,
                    }),
                    expected_text_found: e.expect_text.as_ref().map(|_| true),
                },
                direct: None,
            })
            .collect(),
        proxy: Some(ProxySettings::direct(ProxySource::None)),
        latency: profile
            .network
            .endpoints
            .iter()
            .map(|e| LatencyMeasurement {
                target: e.name.clone(),
                host: e.host(),
                address: Some(server),
                method: Some(LatencyMethod::IcmpRaw),
                samples_ms: vec![Some(11.0), Some(12.0), Some(11.5)],
                notes: vec![],
                error: None,
            })
            .collect(),
        clock: profile
            .network
            .endpoints
            .first()
            .map(|e| ClockSample {
                source: e.name.clone(),
                server_time: now,
                local_time: now,
            })
            .into_iter()
            .collect(),
        interface: Some(InterfaceInfo {
            name: "eth0".into(),
            kind: InterfaceKind::Wired,
            speed_mbps: Some(1000),
            wifi_signal_dbm: None,
        }),
        unavailable: Default::default(),
    }
}
