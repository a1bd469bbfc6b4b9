//! The network part of a profile: what the network probes reach and how (`[network]`), and the
//! thresholds of the network checks (`[checks."dns"]`, `[checks."endpoint"]`, ...).
//!
//! The check sections may be left out of a département's profile written before they
//! existed: they then take the values of the built-in profile, which a unit test keeps equal
//! to the `Default` implementations here.

use std::net::{IpAddr, SocketAddr};

use serde::Deserialize;

use super::{
    CheckMeta, Endpoint, MAX_MBPS, MAX_THRESHOLD_MS, check_between, check_chars, check_count,
    check_less_is_better,
};
use crate::limits::{MAX_HOST, MAX_PROFILE_ENDPOINTS, MAX_PROFILE_HOSTS, MAX_PROFILE_RESOLVERS};

/// Hosts and endpoints the network probes reach, which resolvers they ask, and the time each
/// step may take.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawNetwork")]
pub struct Network {
    /// Host names resolved by the DNS probe (the endpoints' hosts are added).
    pub hosts: Vec<String>,
    /// HTTPS endpoints (ENT portal, EduConnect, GAR).
    pub endpoints: Vec<Endpoint>,
    /// Also resolve through the workstation's own resolver configuration (what browsers
    /// use). Tests turn it off so that no query leaves the test's network.
    pub system_resolver: bool,
    /// Other resolvers to ask (`IP` or `IP:PORT`), e.g. the collectivité's.
    pub resolvers: Vec<SocketAddr>,
    /// Time allowed for one DNS query.
    pub dns_timeout_ms: u32,
    /// Time allowed to open a TCP connection.
    pub connect_timeout_ms: u32,
    /// Time allowed for each of: the TLS handshake, the proxy's tunnel, the first byte of an
    /// HTTP answer.
    pub response_timeout_ms: u32,
    /// Redirects followed per endpoint.
    pub max_redirects: u32,
    /// Round-trip probes per latency target.
    pub latency_samples: u32,
    /// Time allowed for one round trip.
    pub latency_timeout_ms: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    endpoints: Vec<Endpoint>,
    #[serde(default = "yes")]
    system_resolver: bool,
    #[serde(default)]
    resolvers: Vec<String>,
    #[serde(default = "default_dns_timeout")]
    dns_timeout_ms: u32,
    #[serde(default = "default_connect_timeout")]
    connect_timeout_ms: u32,
    #[serde(default = "default_response_timeout")]
    response_timeout_ms: u32,
    #[serde(default = "default_max_redirects")]
    max_redirects: u32,
    #[serde(default = "default_latency_samples")]
    latency_samples: u32,
    #[serde(default = "default_latency_timeout")]
    latency_timeout_ms: u32,
}

fn yes() -> bool {
    true
}
fn default_dns_timeout() -> u32 {
    2000
}
fn default_connect_timeout() -> u32 {
    3000
}
fn default_response_timeout() -> u32 {
    5000
}
fn default_max_redirects() -> u32 {
    10
}
fn default_latency_samples() -> u32 {
    5
}
fn default_latency_timeout() -> u32 {
    1000
}

/// A resolver address: `IP` (port 53) or `IP:PORT` (`[IPv6]:PORT`).
pub fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    text.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("resolver {text:?}: expected IP or IP:PORT, e.g. 192.0.2.53:53"))
}

impl TryFrom<RawNetwork> for Network {
    type Error = String;
    fn try_from(r: RawNetwork) -> Result<Self, String> {
        for (key, ms) in [
            ("dns_timeout_ms", r.dns_timeout_ms),
            ("connect_timeout_ms", r.connect_timeout_ms),
            ("response_timeout_ms", r.response_timeout_ms),
            ("latency_timeout_ms", r.latency_timeout_ms),
        ] {
            check_between(key, ms, 10..=60_000)?;
        }
        if r.max_redirects > 30 {
            return Err(format!(
                "max_redirects must be at most 30, got {}",
                r.max_redirects
            ));
        }
        check_between("latency_samples", r.latency_samples, 1..=50)?;
        check_count("hosts", r.hosts.len(), MAX_PROFILE_HOSTS)?;
        check_count("endpoints", r.endpoints.len(), MAX_PROFILE_ENDPOINTS)?;
        check_count("resolvers", r.resolvers.len(), MAX_PROFILE_RESOLVERS)?;
        for host in &r.hosts {
            check_chars(&format!("hosts: {host:?}"), host, MAX_HOST)?;
            let ok = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !ok {
                return Err(format!("hosts: {host:?} is not a host name"));
            }
        }
        let resolvers = r
            .resolvers
            .iter()
            .map(|s| parse_resolver(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Network {
            hosts: r.hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
            endpoints: r.endpoints,
            system_resolver: r.system_resolver,
            resolvers,
            dns_timeout_ms: r.dns_timeout_ms,
            connect_timeout_ms: r.connect_timeout_ms,
            response_timeout_ms: r.response_timeout_ms,
            max_redirects: r.max_redirects,
            latency_samples: r.latency_samples,
            latency_timeout_ms: r.latency_timeout_ms,
        })
    }
}

section! {
    /// A check with no threshold of its own: weight and blocking flag.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct MetaCheck with meta {}
    check(r) {}
}

/// Built-in `network.tls_interception`: a re-signing proxy warns, it does not block.
pub fn default_interception_meta() -> MetaCheck {
    MetaCheck {
        meta: CheckMeta::new(5.0, false),
    }
}

/// Built-in `network.proxy`.
pub fn default_proxy_meta() -> MetaCheck {
    MetaCheck {
        meta: CheckMeta::new(4.0, false),
    }
}

limit_ms_check! {
    /// `dns.<host>`: time of the slower of the A and AAAA answers. `<= pass_ms` passes,
    /// `<= fail_ms` warns, slower fails, and so do NXDOMAIN, SERVFAIL, REFUSED, no answer and
    /// a blocked name (0.0.0.0).
    DnsCheck, keys: ("pass", "fail"),
    default: { weight: 2.0, blocking: false, pass_ms: 100.0, fail_ms: 1000.0 }
}

limit_ms_check! {
    /// `endpoint.<name>`: reached, answered without a server error, in `<= pass_ms` (all
    /// hops) passes, `<= fail_ms` warns, slower fails.
    EndpointCheck, keys: ("pass", "fail"),
    default: { weight: 10.0, blocking: true, pass_ms: 1500.0, fail_ms: 5000.0 }
}

section! {
    /// `endpoint.<name>.tls`: TLS 1.2 or later with a valid chain passes; intercepted or
    /// expiring within `expiry_warn_days` warns; older TLS or an invalid chain fails.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct TlsCheck with meta {
        pub expiry_warn_days: u32,
    }
    check(r) {
        check_between("expiry_warn_days", r.expiry_warn_days, 0..=365)?;
    }
    default(4.0, false) {
        expiry_warn_days: 14,
    }
}

section! {
    /// `latency.<target>`: median round trip `<= pass_ms` passes, `<= fail_ms` warns, slower
    /// fails; loss above `loss_warn_pct` % warns, at or above `loss_fail_pct` % fails (100 %:
    /// unreachable).
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct LatencyCheck with meta {
        pub pass_ms: f64,
        pub fail_ms: f64,
        pub loss_warn_pct: f64,
        pub loss_fail_pct: f64,
    }
    check(r) {
        check_less_is_better(r.pass_ms, r.fail_ms, MAX_THRESHOLD_MS, ("pass", "fail"))?;
        let pct = |p: f64| (0.0..=100.0).contains(&p);
        if !(pct(r.loss_warn_pct) && pct(r.loss_fail_pct)) || r.loss_warn_pct > r.loss_fail_pct {
            return Err(format!(
                "loss_warn_pct ({}) and loss_fail_pct ({}) must be percentages, warn <= fail",
                r.loss_warn_pct, r.loss_fail_pct
            ));
        }
    }
    default(4.0, false) {
        pass_ms: 50.0,
        fail_ms: 300.0,
        loss_warn_pct: 10.0,
        loss_fail_pct: 50.0,
    }
}

section! {
    /// `system.clock_skew`: `|skew| <= pass_s` passes, `<= fail_s` warns, more fails.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct ClockCheck with meta {
        pub pass_s: f64,
        pub fail_s: f64,
    }
    check(r) {
        // A day.
        check_less_is_better(r.pass_s, r.fail_s, 86_400.0, ("pass", "fail"))?;
    }
    default(10.0, true) {
        pass_s: 30.0,
        fail_s: 180.0,
    }
}

section! {
    /// `network.interface`: Wi-Fi signal (dBm, more is better) and link speed (Mbit/s).
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct InterfaceCheck with meta {
        pub wifi_signal_pass_dbm: f64,
        pub wifi_signal_warn_dbm: f64,
        pub speed_pass_mbps: f64,
        pub speed_warn_mbps: f64,
    }
    check(r) {
        check_between("wifi_signal_pass_dbm", r.wifi_signal_pass_dbm, -150.0..=0.0)?;
        check_between("wifi_signal_warn_dbm", r.wifi_signal_warn_dbm, -150.0..=0.0)?;
        check_between("speed_pass_mbps", r.speed_pass_mbps, 0.0..=MAX_MBPS)?;
        if r.wifi_signal_warn_dbm > r.wifi_signal_pass_dbm {
            return Err(format!(
                "wifi_signal_warn_dbm ({}) must not be above wifi_signal_pass_dbm ({})",
                r.wifi_signal_warn_dbm, r.wifi_signal_pass_dbm
            ));
        }
        if r.speed_warn_mbps > r.speed_pass_mbps || r.speed_warn_mbps < 0.0 {
            return Err(format!(
                "speed_warn_mbps ({}) must be >= 0 and not above speed_pass_mbps ({})",
                r.speed_warn_mbps, r.speed_pass_mbps
            ));
        }
    }
    default(0.0, false) {
        wifi_signal_pass_dbm: -67.0,
        wifi_signal_warn_dbm: -75.0,
        speed_pass_mbps: 100.0,
        speed_warn_mbps: 10.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn shipped_profile_matches_the_defaults() {
        let p = Profile::default_profile();
        assert_eq!(p.checks.dns, DnsCheck::default());
        assert_eq!(p.checks.endpoint, EndpointCheck::default());
        assert_eq!(p.checks.endpoint_tls, TlsCheck::default());
        assert_eq!(p.checks.tls_interception, default_interception_meta());
        assert_eq!(p.checks.proxy, default_proxy_meta());
        assert_eq!(p.checks.latency, LatencyCheck::default());
        assert_eq!(p.checks.clock_skew, ClockCheck::default());
        assert_eq!(p.checks.interface, InterfaceCheck::default());
        assert!(p.network.system_resolver);
        assert_eq!(p.network.dns_timeout_ms, default_dns_timeout());
        assert_eq!(p.network.connect_timeout_ms, default_connect_timeout());
        assert_eq!(p.network.response_timeout_ms, default_response_timeout());
        assert_eq!(p.network.max_redirects, default_max_redirects());
        assert_eq!(p.network.latency_samples, default_latency_samples());
        assert_eq!(p.network.latency_timeout_ms, default_latency_timeout());
    }

    #[test]
    fn resolvers_parse_with_default_port() {
        assert_eq!(
            parse_resolver("192.0.2.1").unwrap(),
            "192.0.2.1:53".parse().unwrap()
        );
        assert_eq!(
            parse_resolver("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(parse_resolver("::1").unwrap(), "[::1]:53".parse().unwrap());
        assert!(parse_resolver("dns.example").is_err());
    }

    #[test]
    fn less_is_better_thresholds_are_ordered() {
        let keys = ("pass", "fail");
        let max = MAX_THRESHOLD_MS;
        assert!(check_less_is_better(100.0, 1000.0, max, keys).is_ok());
        assert!(check_less_is_better(100.0, 100.0, max, keys).is_ok());
        let err = check_less_is_better(500.0, 100.0, max, keys).unwrap_err();
        assert!(err.contains("less is better"), "{err}");
        assert!(check_less_is_better(f64::NAN, 1.0, max, keys).is_err());
        let err = check_less_is_better(1.0, 1e9, max, keys).unwrap_err();
        assert_eq!(err, "fail must be at most 600000, got 1000000000");
    }
}
