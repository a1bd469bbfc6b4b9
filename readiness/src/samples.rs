//! Sample measurements and reports, as data (nothing probed), for the tests of every crate:
//! a healthy network for a profile's hosts and endpoints, a good Debian 12 PC, and the
//! report of that PC. Not part of the wire format; hidden from the documentation.

use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::measurements::bandwidth::{
    BandwidthMeasurements, Confidence, CountedBy, LatencySummary, StopReason, Transfer,
};
use crate::measurements::network::*;
use crate::measurements::{
    BrowserInfo, BrowserMeasurements, CpuInfo, DiskInfo, Measurements, OsFamily, OsInfo,
    SystemMeasurements,
};
use crate::profile::Profile;
use crate::report::{Lang, Report, SCHEMA_VERSION, Workstation};
use crate::uai::Uai;

/// The address every sample server answers from (TEST-NET-1).
pub const SERVER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 10));

/// A DNS answer in `ms` with [`SERVER`].
pub fn answered(ms: f64) -> DnsQuery {
    DnsQuery {
        outcome: DnsOutcome::Answered,
        elapsed_ms: ms,
        addresses: vec![SERVER],
        detail: None,
    }
}

/// A DNS query that failed with `outcome` after `ms`.
pub fn failed(outcome: DnsOutcome, ms: f64) -> DnsQuery {
    DnsQuery {
        outcome,
        elapsed_ms: ms,
        addresses: vec![],
        detail: None,
    }
}

/// A chain that verified.
pub fn valid() -> Verification {
    Verification {
        valid: true,
        error: None,
        detail: None,
    }
}

/// One hop answered `status` from [`SERVER`] (a redirect to `location`).
pub fn hop(url: &str, status: u16, location: Option<&str>) -> Hop {
    Hop {
        url: url.into(),
        addresses: vec![SERVER],
        connected_to: Some(format!("{SERVER}:443")),
        dns_ms: Some(12.0),
        connect_ms: Some(11.0),
        proxy_ms: None,
        tls_ms: Some(30.0),
        ttfb_ms: Some(150.0),
        status: Some(status),
        location: location.map(str::to_owned),
    }
}

/// TLS 1.3 to `host`, with a public chain of `chain` valid for it.
pub fn tls(host: &str, chain: Vec<CertInfo>) -> TlsInfo {
    TlsInfo {
        server_name: host.into(),
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_256_GCM_SHA384".into(),
        chain,
        public_roots: valid(),
        os_roots: Some(valid()),
        extra_roots: None,
    }
}

/// An endpoint reached directly, one hop answering 200 in `total_ms`, over `tls` for https.
pub fn reached(name: &str, url: &str, total_ms: f64, tls: Option<TlsInfo>) -> EndpointMeasurement {
    EndpointMeasurement {
        name: name.into(),
        url: url.into(),
        proxy: None,
        attempt: EndpointAttempt {
            route: Route::Direct,
            hops: vec![hop(url, 200, None)],
            total_ms,
            error: None,
            tls,
            expected_text_found: None,
        },
        direct: None,
    }
}

/// Round trips to `host` (as `target`) from [`SERVER`] by ICMP.
pub fn rtt(target: &str, host: &str, samples: &[Option<f64>]) -> LatencyMeasurement {
    LatencyMeasurement {
        target: target.into(),
        host: host.into(),
        address: Some(SERVER),
        method: Some(LatencyMethod::IcmpRaw),
        samples_ms: samples.to_vec(),
        notes: vec![],
        error: None,
    }
}

/// A wired gigabit link.
pub fn wired() -> InterfaceInfo {
    InterfaceInfo {
        name: "eth0".into(),
        kind: InterfaceKind::Wired,
        speed_mbps: Some(1000),
        wifi_signal_dbm: None,
    }
}

/// The hosts the DNS probe resolves for `profile`: its hosts, then its endpoints' hosts
/// (names only, each once).
pub fn dns_hosts(profile: &Profile) -> Vec<String> {
    let mut hosts: Vec<String> = profile.network.hosts.clone();
    for e in &profile.network.endpoints {
        let h = e.host();
        if h.parse::<IpAddr>().is_err() && !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    hosts
}

/// Network measurements under which every network check of `profile` passes at `now`: each
/// host and endpoint host answered in 12 ms, each endpoint 200 in 250 ms over TLS 1.3 with
/// a public chain valid a year either side of `now`, 11 ms round trips, no proxy, the clock
/// right, a wired gigabit link.
pub fn healthy_network(profile: &Profile, now: Timestamp) -> NetworkMeasurements {
    let year = SignedDuration::from_hours(24 * 365);
    let no_aaaa = failed(DnsOutcome::NoAnswer, 11.0);
    let endpoints = &profile.network.endpoints;
    NetworkMeasurements {
        dns: dns_hosts(profile)
            .into_iter()
            .map(|host| DnsLookup {
                host,
                resolver: "system".into(),
                a: answered(12.0),
                aaaa: no_aaaa.clone(),
            })
            .collect(),
        endpoints: endpoints
            .iter()
            .map(|e| {
                let chain = vec![CertInfo {
                    subject: format!("CN={}", e.host()),
                    issuer: "CN=Public Test CA".into(),
                    not_before: now.checked_sub(year).unwrap_or(now),
                    not_after: now.checked_add(year).unwrap_or(now),
                    names: vec![e.host()],
                }];
                let tls = e.url.starts_with("https://").then(|| tls(&e.host(), chain));
                let mut m = reached(&e.name, &e.url, 250.0, tls);
                m.attempt.expected_text_found = e.expect_text.as_ref().map(|_| true);
                m
            })
            .collect(),
        proxy: Some(ProxySettings::direct(ProxySource::None)),
        latency: endpoints
            .iter()
            .map(|e| rtt(&e.name, &e.host(), &[Some(11.0), Some(12.0), Some(11.5)]))
            .collect(),
        clock: endpoints
            .first()
            .map(|e| ClockSample {
                source: e.name.clone(),
                server_time: now,
                local_time: now,
            })
            .into_iter()
            .collect(),
        interface: Some(wired()),
        unavailable: Default::default(),
    }
}

/// `toml` without the sections whose header line starts with one of `headers` (`"[network]"`,
/// `"[[network."`): a profile written before they existed, or to be completed.
pub fn profile_without(toml: &str, headers: &[&str]) -> String {
    let mut text = String::new();
    let mut skip = false;
    for line in toml.lines() {
        if line.starts_with('[') {
            skip = headers.iter().any(|h| line.starts_with(h));
        }
        if !skip {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// Debian 12 (bookworm).
pub fn debian12() -> OsInfo {
    OsInfo {
        version: Some("12".into()),
        codename: Some("bookworm".into()),
        debian_version: Some("12.7".into()),
        ..OsInfo::new(OsFamily::Linux, "debian", "Debian GNU/Linux 12 (bookworm)")
    }
}

/// A good school PC: Debian 12, 8 GiB, 4 cores, 40 GiB free of 100, x86_64, Firefox 128
/// ESR, on a healthy network for `profile` at `now`; no bandwidth test.
pub fn good_pc(profile: &Profile, now: Timestamp) -> Measurements {
    Measurements {
        system: Some(SystemMeasurements {
            os: Some(debian12()),
            cpu: Some(CpuInfo {
                model: Some("Intel Core i5".into()),
                logical_cores: 4,
                physical_cores: Some(4),
            }),
            memory_total_bytes: Some(8 << 30),
            system_disk: Some(DiskInfo {
                mount_point: "/".into(),
                total_bytes: 100 << 30,
                available_bytes: 40 << 30,
            }),
            architecture: Some("x86_64".into()),
            uptime_s: Some(3600),
            unavailable: Default::default(),
        }),
        browsers: Some(BrowserMeasurements {
            installed: vec![BrowserInfo {
                name: "firefox".into(),
                version: Some("128.5.0esr".into()),
                source: "system".into(),
                location: None,
            }],
            unavailable: Default::default(),
        }),
        network: Some(healthy_network(profile, now)),
        bandwidth: None,
    }
}

/// One direction of a good link's speed test: `mbps`, stable over 4 s of 6, 8 streams.
pub fn transfer(mbps: f64, counted_by: CountedBy) -> Transfer {
    Transfer {
        mbps,
        p10_mbps: mbps * 0.9,
        p50_mbps: mbps,
        p90_mbps: mbps * 1.1,
        streams: 8,
        bytes: (mbps * 1e6 / 8.0 * 6.0) as u64,
        duration_s: 6.0,
        window_start_s: 2.0,
        window_s: 4.0,
        counted_by,
        stop: StopReason::Stable,
        confidence: Confidence::High,
        loaded_latency_ms: LatencySummary::of(&[24.0, 25.0, 27.0]),
    }
}

/// A good school link measured against `server`: 80 Mbit/s down, 20 up, 12 ms idle and
/// 25 ms under load.
pub fn good_link(server: &str) -> BandwidthMeasurements {
    BandwidthMeasurements {
        server: Some(server.into()),
        download_mbps: Some(80.0),
        upload_mbps: Some(20.0),
        streams: Some(8),
        idle_latency_ms: LatencySummary::of(&[11.0, 12.0, 13.0]),
        loaded_latency_ms: LatencySummary::of(&[24.0, 25.0, 27.0]),
        rpm: Some(2400.0),
        confidence: Some(Confidence::High),
        download: Some(transfer(80.0, CountedBy::Agent)),
        upload: Some(transfer(20.0, CountedBy::Collector)),
        ..BandwidthMeasurements::default()
    }
}

/// The report of `measurements` for `school`'s `workstation` ("salle 1"), scored with
/// `profile` at `now`, texts in English; its `report_id` is nil (set your own).
pub fn report(
    profile: &Profile,
    school: Option<Uai>,
    workstation: Uuid,
    measurements: Measurements,
    now: Timestamp,
) -> Report {
    report_in(Lang::En, profile, school, workstation, measurements, now)
}

/// [`report`], texts in `lang`.
pub fn report_in(
    lang: Lang,
    profile: &Profile,
    school: Option<Uai>,
    workstation: Uuid,
    measurements: Measurements,
    now: Timestamp,
) -> Report {
    let day = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let a = crate::assess(&measurements, profile, day, lang);
    Report {
        schema_version: SCHEMA_VERSION,
        report_id: Uuid::nil(),
        agent_version: "test".into(),
        profile: profile.name.clone(),
        lang,
        school,
        workstation: Workstation {
            id: workstation,
            label: Some("salle 1".into()),
            hostname: None,
        },
        started_at: now,
        finished_at: now,
        verdict: a.verdict,
        score: a.score,
        checks: a.checks,
        measurements,
        probe: None,
    }
}
