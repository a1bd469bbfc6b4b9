//! The network probes of an audit, run concurrently under one deadline: DNS for each host and
//! resolver, each endpoint (direct or through the proxy), latency to each endpoint's host,
//! the proxy configuration, the clock (from the endpoints' answers) and the interface.
//!
//! The configuration merges the profile's `[network]` with the command line (`--endpoint`,
//! `--dns-server`, `--no-system-resolver`, `--ca-file`).

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use readiness::measurements::NetworkMeasurements;
use readiness::measurements::network::LatencyMeasurement;
use readiness::profile::{Endpoint, Network};
use rustls::pki_types::CertificateDer;

use super::dns::{self, NamedResolver};
use super::endpoint::{self, Shared};
use super::latency::{self, Target};
use super::tls::TrustStores;
use super::{interface, proxy};

/// Time kept back from the deadline to assemble the measurements.
const MARGIN: Duration = Duration::from_millis(150);

/// What the command line adds to the profile's `[network]`.
#[derive(Debug, Clone, Default)]
pub struct NetworkOptions {
    /// Skip every network probe (`--no-network`).
    pub skip: bool,
    /// `--endpoint NAME=URL`: added to the profile's, replacing one of the same name.
    pub endpoints: Vec<Endpoint>,
    /// `--dns-server`: asked in addition to the profile's resolvers.
    pub resolvers: Vec<SocketAddr>,
    /// `--no-system-resolver`.
    pub no_system_resolver: bool,
    /// Roots from `--ca-file`.
    pub extra_roots: Vec<CertificateDer<'static>>,
}

/// Everything the network probes need.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    pub hosts: Vec<String>,
    pub endpoints: Vec<Endpoint>,
    pub system_resolver: bool,
    pub resolvers: Vec<SocketAddr>,
    pub extra_roots: Vec<CertificateDer<'static>>,
    pub dns_timeout: Duration,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    pub max_redirects: u32,
    pub latency_samples: u32,
    pub latency_timeout: Duration,
}

impl NetworkConfig {
    pub fn new(profile: &Network, options: &NetworkOptions) -> NetworkConfig {
        let mut endpoints: Vec<Endpoint> = profile
            .endpoints
            .iter()
            .filter(|e| !options.endpoints.iter().any(|o| o.name == e.name))
            .cloned()
            .collect();
        endpoints.extend(options.endpoints.iter().cloned());
        let mut resolvers = profile.resolvers.clone();
        for r in &options.resolvers {
            if !resolvers.contains(r) {
                resolvers.push(*r);
            }
        }
        let ms = |v: u32| Duration::from_millis(u64::from(v));
        NetworkConfig {
            hosts: profile.hosts.clone(),
            endpoints,
            system_resolver: profile.system_resolver && !options.no_system_resolver,
            resolvers,
            extra_roots: options.extra_roots.clone(),
            dns_timeout: ms(profile.dns_timeout_ms),
            connect_timeout: ms(profile.connect_timeout_ms),
            response_timeout: ms(profile.response_timeout_ms),
            max_redirects: profile.max_redirects,
            latency_samples: profile.latency_samples,
            latency_timeout: ms(profile.latency_timeout_ms),
        }
    }

    /// Hosts to resolve: the profile's, then the endpoints' names (not IP addresses).
    pub fn dns_hosts(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.hosts
            .iter()
            .cloned()
            .chain(self.endpoints.iter().map(Endpoint::host))
            .filter(|h| h.parse::<IpAddr>().is_err())
            .filter(|h| seen.insert(h.clone()))
            .collect()
    }
}

/// The measurements of a run with `--no-network`.
pub fn skipped(reason: &str) -> NetworkMeasurements {
    let mut m = NetworkMeasurements::default();
    m.unavailable.insert("network".into(), reason.to_owned());
    m
}

/// Run every network probe; stop by `deadline` from now.
pub async fn collect(cfg: &NetworkConfig, deadline: Duration) -> NetworkMeasurements {
    let stop = Instant::now() + deadline.saturating_sub(MARGIN);
    let mut m = NetworkMeasurements::default();

    let mut named: Vec<NamedResolver> = Vec::new();
    if cfg.system_resolver {
        named.push(dns::system_resolver(cfg.dns_timeout));
    }
    for r in &cfg.resolvers {
        named.push(dns::listed_resolver(*r, cfg.dns_timeout));
    }
    // Connections use the system's resolver when enabled (what browsers use), else the
    // first listed one.
    let primary = named.first().cloned();

    let hosts = cfg.dns_hosts();
    if named.is_empty() && !hosts.is_empty() {
        m.unavailable.insert(
            "dns".into(),
            "no resolver to ask: the system resolver is off and none is listed".into(),
        );
    }
    // Each query has its own limit; the audit's deadline may still come first, and then the
    // DNS checks are unknown rather than failed.
    let dns_probe = async {
        let lookups = hosts.iter().flat_map(|h| named.iter().map(move |n| (h, n)));
        let all = join_all(lookups.map(|(h, n)| dns::lookup(n, h, cfg.dns_timeout)));
        let remaining = stop.saturating_duration_since(Instant::now());
        tokio::time::timeout(remaining, all).await.map_err(|_| {
            format!(
                "{}: the audit's deadline came first",
                super::timed_out(remaining)
            )
        })
    };

    let extra = cfg.extra_roots.clone();
    let stores = async {
        tokio::task::spawn_blocking(move || TrustStores::load(&extra))
            .await
            .map_err(|e| format!("cannot load the trust stores: {e}"))
    };
    let proxy_config = proxy::detect();
    let interface_probe = async {
        tokio::task::spawn_blocking(interface::detect)
            .await
            .unwrap_or_else(|e| Err(format!("interface probe failed: {e}")))
    };
    let latency_probe = async {
        let targets = cfg.endpoints.iter().enumerate().map(|(i, ep)| {
            let primary = primary.as_ref();
            async move {
                let url = url::Url::parse(&ep.url).ok();
                let target = Target {
                    name: ep.name.clone(),
                    host: ep.host(),
                    port: url
                        .as_ref()
                        .and_then(url::Url::port_or_known_default)
                        .unwrap_or(443),
                };
                let remaining = stop.saturating_duration_since(Instant::now());
                let run = async {
                    let addr = match target.host.parse::<IpAddr>() {
                        Ok(ip) => ip,
                        Err(_) => {
                            match dns::resolve(primary, &target.host, cfg.dns_timeout).await {
                                Ok((addrs, _)) => addrs[0],
                                Err(e) => return unmeasured(&target, e),
                            }
                        }
                    };
                    let ident =
                        (std::process::id() as u16).wrapping_add((i as u16).wrapping_mul(7919));
                    latency::measure(
                        &target,
                        addr,
                        cfg.latency_samples,
                        cfg.latency_timeout,
                        ident,
                    )
                    .await
                };
                match tokio::time::timeout(remaining, run).await {
                    Ok(l) => l,
                    Err(_) => unmeasured(&target, super::timed_out(remaining)),
                }
            }
        });
        join_all(targets).await
    };

    let endpoints_probe = async {
        let (stores, proxy_result) = tokio::join!(stores, proxy_config);
        let mut unavailable = Vec::new();
        let proxy = match proxy_result {
            Ok(p) => Some(p),
            Err(reason) => {
                unavailable.push(("proxy", reason));
                None
            }
        };
        let settings = proxy.as_ref().map(|p| p.settings.clone());
        let stores = match stores {
            Ok(s) => std::sync::Arc::new(s),
            Err(reason) => {
                unavailable.push(("endpoints", reason));
                return (settings, unavailable, Vec::new());
            }
        };
        if let Some(reason) = stores.os_store_error() {
            tracing::info!("{reason}");
        }
        let mut known_hosts: BTreeSet<String> = cfg.hosts.iter().cloned().collect();
        known_hosts.extend(cfg.endpoints.iter().map(Endpoint::host));
        let shared = Shared {
            resolver: primary.clone(),
            stores,
            proxy: proxy.unwrap_or_else(proxy::ProxyConfig::none),
            known_hosts,
            dns_timeout: cfg.dns_timeout,
            connect_timeout: cfg.connect_timeout,
            response_timeout: cfg.response_timeout,
            max_redirects: cfg.max_redirects,
        };
        let outcomes = join_all(
            cfg.endpoints
                .iter()
                .map(|ep| endpoint::probe(&shared, ep, stop)),
        )
        .await;
        (settings, unavailable, outcomes)
    };

    let (dns_results, (settings, unavailable, outcomes), interface_result, latency_results) =
        tokio::join!(dns_probe, endpoints_probe, interface_probe, latency_probe);
    match dns_results {
        Ok(lookups) => m.dns = lookups,
        Err(reason) => {
            m.unavailable.insert("dns".into(), reason);
        }
    }
    m.latency = latency_results;
    m.proxy = settings;
    for (key, reason) in unavailable {
        m.unavailable.insert(key.into(), reason);
    }
    match interface_result {
        Ok(i) => m.interface = Some(i),
        Err(reason) => {
            m.unavailable.insert("interface".into(), reason);
        }
    }
    for o in outcomes {
        m.clock.extend(o.clock);
        m.endpoints.push(o.measurement);
    }
    m
}

fn unmeasured(target: &Target, reason: String) -> LatencyMeasurement {
    LatencyMeasurement {
        target: target.name.clone(),
        host: target.host.clone(),
        address: None,
        method: None,
        samples_ms: Vec::new(),
        notes: Vec::new(),
        error: Some(reason),
    }
}
