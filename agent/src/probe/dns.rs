//! DNS probe (hickory-resolver): each host resolved for A and AAAA through the system
//! resolver configuration (when enabled) and each listed resolver, every query timed and its
//! failure classified (NXDOMAIN, no answer, SERVFAIL, REFUSED, timeout).
//!
//! Also the resolver the other probes use to find servers: the system's when enabled, else
//! the first listed one, so that a test can keep every query on its own DNS server.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use readiness::measurements::network::{DnsLookup, DnsOutcome, DnsQuery};

/// A resolver and how the report names it (`system` or `IP:PORT`).
#[derive(Debug, Clone)]
pub struct NamedResolver {
    pub label: String,
    /// The resolver, or why it could not be set up.
    pub resolver: Result<TokioResolver, String>,
}

fn options(timeout: Duration, system: bool) -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    // One try per server: the probe's time limit must hold.
    opts.attempts = 1;
    // Each probe asks once: a cache would only hide the resolver's speed.
    opts.cache_size = 0;
    // The system's view includes the hosts file (browsers see it); a listed resolver is
    // asked directly.
    opts.use_hosts_file = if system {
        ResolveHosts::Always
    } else {
        ResolveHosts::Never
    };
    opts
}

/// The workstation's own resolver configuration (`/etc/resolv.conf`, the Windows adapters'
/// DNS servers, macOS's configuration).
pub fn system_resolver(timeout: Duration) -> NamedResolver {
    let resolver = Resolver::builder_tokio()
        .map_err(|e| format!("cannot read the system's DNS configuration: {e}"))
        .and_then(|b| {
            b.with_options(options(timeout, true))
                .build()
                .map_err(|e| format!("cannot set up the system resolver: {e}"))
        });
    NamedResolver {
        label: "system".to_owned(),
        resolver,
    }
}

/// A resolver at `addr` (UDP, then TCP for truncated answers).
pub fn listed_resolver(addr: SocketAddr, timeout: Duration) -> NamedResolver {
    let mut server = NameServerConfig::udp_and_tcp(addr.ip());
    for c in &mut server.connections {
        c.port = addr.port();
    }
    if server.connections.is_empty() {
        server.connections = vec![ConnectionConfig::udp()];
    }
    let resolver = Resolver::builder_with_config(
        ResolverConfig::from_name_servers(vec![server]),
        TokioRuntimeProvider::default(),
    )
    .with_options(options(timeout, false))
    .build()
    .map_err(|e| format!("cannot set up the resolver {addr}: {e}"));
    NamedResolver {
        label: addr.to_string(),
        resolver,
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Classify a resolver error.
pub fn classify(e: &NetError) -> DnsOutcome {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => match nr.response_code {
            ResponseCode::NXDomain => DnsOutcome::Nxdomain,
            ResponseCode::NoError => DnsOutcome::NoAnswer,
            ResponseCode::ServFail => DnsOutcome::Servfail,
            ResponseCode::Refused => DnsOutcome::Refused,
            _ => DnsOutcome::Error,
        },
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => DnsOutcome::Servfail,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => DnsOutcome::Refused,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::NXDomain)) => DnsOutcome::Nxdomain,
        NetError::Timeout => DnsOutcome::Timeout,
        _ => DnsOutcome::Error,
    }
}

/// One query, bounded by `timeout` whatever the resolver does (several servers in the
/// system configuration would each get their own timeout).
async fn query(
    resolver: &TokioResolver,
    host: &str,
    rtype: RecordType,
    timeout: Duration,
) -> DnsQuery {
    let fqdn = if host.ends_with('.') {
        host.to_owned()
    } else {
        format!("{host}.")
    };
    let start = Instant::now();
    let result = tokio::time::timeout(timeout, resolver.lookup(fqdn.as_str(), rtype)).await;
    let elapsed_ms = ms(start.elapsed());
    match result {
        Err(_) => DnsQuery {
            outcome: DnsOutcome::Timeout,
            elapsed_ms,
            addresses: Vec::new(),
            detail: None,
        },
        Ok(Err(e)) => {
            let outcome = classify(&e);
            DnsQuery {
                outcome,
                elapsed_ms,
                addresses: Vec::new(),
                detail: (outcome == DnsOutcome::Error).then(|| e.to_string()),
            }
        }
        Ok(Ok(lookup)) => {
            let addresses: Vec<IpAddr> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                    _ => None,
                })
                .collect();
            DnsQuery {
                outcome: if addresses.is_empty() {
                    DnsOutcome::NoAnswer
                } else {
                    DnsOutcome::Answered
                },
                elapsed_ms,
                addresses,
                detail: None,
            }
        }
    }
}

/// A and AAAA of `host` through `named`, concurrently.
pub async fn lookup(named: &NamedResolver, host: &str, timeout: Duration) -> DnsLookup {
    let (a, aaaa) = match &named.resolver {
        Ok(r) => {
            tokio::join!(
                query(r, host, RecordType::A, timeout),
                query(r, host, RecordType::AAAA, timeout)
            )
        }
        Err(reason) => {
            let q = DnsQuery {
                outcome: DnsOutcome::Error,
                elapsed_ms: 0.0,
                addresses: Vec::new(),
                detail: Some(reason.clone()),
            };
            (q.clone(), q)
        }
    };
    DnsLookup {
        host: host.to_owned(),
        resolver: named.label.clone(),
        a,
        aaaa,
    }
}

/// Resolve a host for a connection: IPv4 first (then IPv6), as (addresses, elapsed), or the
/// failure in words.
pub async fn resolve(
    named: Option<&NamedResolver>,
    host: &str,
    timeout: Duration,
) -> Result<(Vec<IpAddr>, Duration), String> {
    let Some(named) = named else {
        return Err("no resolver to use (system resolver off and none listed)".to_owned());
    };
    let start = Instant::now();
    let l = lookup(named, host, timeout).await;
    let elapsed = start.elapsed();
    let mut addresses = l.a.addresses.clone();
    addresses.extend(l.aaaa.addresses.iter().copied());
    if addresses.is_empty() {
        let q = if l.a.outcome == DnsOutcome::NoAnswer {
            &l.aaaa
        } else {
            &l.a
        };
        let what = match q.outcome {
            DnsOutcome::Nxdomain => "NXDOMAIN (the name does not exist)".to_owned(),
            DnsOutcome::NoAnswer => "no address for this name".to_owned(),
            DnsOutcome::Servfail => "SERVFAIL".to_owned(),
            DnsOutcome::Refused => "REFUSED".to_owned(),
            DnsOutcome::Timeout => format!("no answer within {} ms", timeout.as_millis()),
            DnsOutcome::Error | DnsOutcome::Answered => q
                .detail
                .clone()
                .unwrap_or_else(|| "resolution error".into()),
        };
        return Err(format!("{host}: {what} ({})", named.label));
    }
    if addresses.iter().all(IpAddr::is_unspecified) {
        return Err(format!(
            "{host}: blocked by a DNS filter (answer 0.0.0.0) ({})",
            named.label
        ));
    }
    Ok((addresses, elapsed))
}
