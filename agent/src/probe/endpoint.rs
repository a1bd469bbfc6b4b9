//! Endpoint probe: an ENT or identity URL fetched as a browser on this PC would (through the
//! configured proxy when one applies, and then also directly for comparison), redirects
//! followed by hand so that each hop's phases are timed: DNS, TCP connect, proxy tunnel, TLS
//! handshake, time to first byte.
//!
//! Built from tokio's `TcpStream`, tokio-rustls and hyper's HTTP/1 client connection, since
//! a full client hides those phases. Every phase has its own time limit and the whole
//! attempt stops at the probe's deadline; a failure is classified
//! ([`EndpointErrorKind`]) for scoring to name. A redirect to a host outside the ENT is not
//! followed: it is reported as a captive portal or a filter.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use readiness::limits::{MAX_SHORT_TEXT, cut_text};
use readiness::measurements::network::{
    ClockSample, EndpointAttempt, EndpointError, EndpointErrorKind, EndpointMeasurement, Hop,
    Route, TlsInfo,
};
use readiness::profile::Endpoint;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use url::Url;

use super::clock;
use super::dns::{self, NamedResolver};
use super::proxy::{self, ProxyConfig, TunnelError};
use super::tls::{self, TrustStores};

/// Largest page read to look for the profile's `expect_text`.
const MAX_BODY: usize = 256 * 1024;

/// What every endpoint probe of an audit shares.
#[derive(Debug)]
pub struct Shared {
    /// The resolver connections use (the system's, else the first listed).
    pub resolver: Option<NamedResolver>,
    pub stores: Arc<TrustStores>,
    pub proxy: ProxyConfig,
    /// Hosts a redirect may lead to: the profile's hosts and every endpoint's host.
    pub known_hosts: BTreeSet<String>,
    pub dns_timeout: Duration,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    pub max_redirects: u32,
}

/// An endpoint's measurement and the server clock it saw.
#[derive(Debug)]
pub struct Outcome {
    pub measurement: EndpointMeasurement,
    pub clock: Option<ClockSample>,
}

/// Probe `ep`, stopping at `deadline`.
pub async fn probe(shared: &Shared, ep: &Endpoint, deadline: Instant) -> Outcome {
    let proxy = Url::parse(&ep.url)
        .ok()
        .and_then(|u| shared.proxy.for_url(&u).cloned());
    let (attempt, direct) = match &proxy {
        Some(p) => {
            let (a, d) = tokio::join!(
                attempt(shared, ep, Some(p), deadline),
                attempt(shared, ep, None, deadline)
            );
            (a, Some(d))
        }
        None => (attempt(shared, ep, None, deadline).await, None),
    };
    let clock = attempt
        .1
        .clone()
        .or_else(|| direct.as_ref().and_then(|d| d.1.clone()));
    Outcome {
        measurement: EndpointMeasurement {
            name: ep.name.clone(),
            url: ep.url.clone(),
            proxy: proxy.as_ref().map(|p| {
                let mut shown = p.clone();
                let _ = shown.set_username("");
                let _ = shown.set_password(None);
                shown.as_str().trim_end_matches('/').to_owned()
            }),
            attempt: attempt.0,
            direct: direct.map(|d| d.0),
        },
        clock,
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn fail(kind: EndpointErrorKind, detail: impl Into<String>) -> EndpointError {
    EndpointError {
        kind,
        detail: detail.into(),
    }
}

/// A phase cut short.
enum Cut {
    /// The phase's own limit: a finding.
    Timeout(Duration),
    /// The probe's deadline: not a finding.
    Deadline,
}

/// Run one phase under `limit`, and under what is left before `deadline`.
async fn phase<T>(
    limit: Duration,
    deadline: Instant,
    fut: impl std::future::Future<Output = T>,
) -> Result<T, Cut> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    let (allowed, by_deadline) = if remaining < limit {
        (remaining, true)
    } else {
        (limit, false)
    };
    match tokio::time::timeout(allowed, fut).await {
        Ok(v) => Ok(v),
        Err(_) if by_deadline => Err(Cut::Deadline),
        Err(_) => Err(Cut::Timeout(limit)),
    }
}

fn cut_error(cut: Cut, kind: EndpointErrorKind, what: &str) -> EndpointError {
    match cut {
        Cut::Deadline => fail(
            EndpointErrorKind::Deadline,
            format!("the audit's deadline stopped the probe during {what}"),
        ),
        Cut::Timeout(limit) => fail(kind, format!("no {what} within {} ms", limit.as_millis())),
    }
}

fn io_error(e: &std::io::Error, default: EndpointErrorKind, what: &str) -> EndpointError {
    use std::io::ErrorKind as K;
    let kind = match e.kind() {
        K::ConnectionRefused => EndpointErrorKind::ConnectRefused,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            EndpointErrorKind::Reset
        }
        K::HostUnreachable | K::NetworkUnreachable => EndpointErrorKind::Unreachable,
        K::TimedOut => EndpointErrorKind::ConnectTimeout,
        _ => default,
    };
    fail(kind, format!("{what}: {e}"))
}

/// Whether a redirect may go to `host`: the endpoint's own host, the profile's hosts, the
/// endpoint's `redirect_hosts` (`*.domain` for subdomains).
fn allowed_redirect(shared: &Shared, ep: &Endpoint, host: &str) -> bool {
    if host == ep.host() || shared.known_hosts.contains(host) {
        return true;
    }
    ep.redirect_hosts
        .iter()
        .any(|rule| match rule.strip_prefix("*.") {
            Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
            None => host == rule,
        })
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What one request brought back.
struct Answer {
    status: u16,
    location: Option<String>,
    date: Option<String>,
    tls: Option<TlsInfo>,
    body: Option<String>,
    sent_at: jiff::Timestamp,
    answered_at: jiff::Timestamp,
}

/// One attempt: the endpoint's URL and its redirects.
async fn attempt(
    shared: &Shared,
    ep: &Endpoint,
    proxy: Option<&Url>,
    deadline: Instant,
) -> (EndpointAttempt, Option<ClockSample>) {
    let start = Instant::now();
    let route = if proxy.is_some() {
        Route::Proxy
    } else {
        Route::Direct
    };
    let mut result = EndpointAttempt {
        route,
        hops: Vec::new(),
        total_ms: 0.0,
        error: None,
        tls: None,
        expected_text_found: None,
    };
    let mut clock = None;
    let mut current = match Url::parse(&ep.url) {
        Ok(u) => u,
        Err(e) => {
            result.error = Some(fail(
                EndpointErrorKind::InvalidUrl,
                format!("{}: {e}", ep.url),
            ));
            return (result, None);
        }
    };
    let mut visited = vec![current.to_string()];
    let endpoint_host = ep.host();
    loop {
        let mut hop = Hop::to(current.to_string());
        let want_body = ep.expect_text.is_some();
        let answer = request(shared, &current, proxy, &mut hop, want_body, deadline).await;
        result.hops.push(hop);
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                result.error = Some(e);
                break;
            }
        };
        let host = super::url_host(&current);
        if result.tls.is_none() && host == endpoint_host {
            result.tls = answer.tls.clone();
        }
        if clock.is_none()
            && let Some(date) = &answer.date
        {
            clock = clock::sample(&ep.name, date, answer.sent_at, answer.answered_at);
        }
        let redirect = matches!(answer.status, 301 | 302 | 303 | 307 | 308);
        match (redirect, &answer.location) {
            (true, Some(location)) => {
                let next = match current.join(location) {
                    Ok(n) => n,
                    Err(e) => {
                        result.error = Some(fail(
                            EndpointErrorKind::InvalidUrl,
                            format!("redirect to {location:?}: {e}"),
                        ));
                        break;
                    }
                };
                let next_host = super::url_host(&next);
                if visited.contains(&next.to_string()) {
                    result.error = Some(fail(
                        EndpointErrorKind::RedirectLoop,
                        loop_chain(&visited, &next),
                    ));
                    break;
                }
                if !allowed_redirect(shared, ep, &next_host) {
                    result.error = Some(fail(EndpointErrorKind::RedirectOffsite, next_host));
                    break;
                }
                if result.hops.len() > shared.max_redirects as usize {
                    result.error = Some(fail(
                        EndpointErrorKind::TooManyRedirects,
                        format!("more than {} redirects", shared.max_redirects),
                    ));
                    break;
                }
                visited.push(next.to_string());
                current = next;
            }
            _ => {
                if let (Some(expected), Some(body)) = (&ep.expect_text, &answer.body) {
                    result.expected_text_found = Some(body.contains(expected.as_str()));
                }
                break;
            }
        }
    }
    result.total_ms = ms(start.elapsed());
    (result, clock)
}

/// The URLs of a redirect loop, `a -> b -> a`, each cut to a short text so that a server's
/// long URLs keep the chain readable and within the report's bounds.
fn loop_chain(visited: &[String], next: &Url) -> String {
    let shown = |url: &str| {
        let mut url = url.to_owned();
        if url.len() > MAX_SHORT_TEXT {
            cut_text(&mut url, MAX_SHORT_TEXT - 3);
            url.push_str("...");
        }
        url
    };
    let mut chain: Vec<String> = visited.iter().map(|u| shown(u)).collect();
    chain.push(shown(next.as_str()));
    chain.join(" -> ")
}

/// Resolve `host` (or take it as an address), timing the lookup.
async fn addresses_of(
    shared: &Shared,
    host: &url::Host<&str>,
    hop: &mut Hop,
    record: bool,
    deadline: Instant,
) -> Result<Vec<IpAddr>, EndpointError> {
    match host {
        url::Host::Ipv4(a) => Ok(vec![IpAddr::V4(*a)]),
        url::Host::Ipv6(a) => Ok(vec![IpAddr::V6(*a)]),
        url::Host::Domain(name) => {
            let start = Instant::now();
            let limit = shared.dns_timeout + Duration::from_millis(100);
            let found = phase(
                limit,
                deadline,
                dns::resolve(shared.resolver.as_ref(), name, shared.dns_timeout),
            )
            .await
            .map_err(|c| cut_error(c, EndpointErrorKind::Dns, "DNS answer"))?;
            if record {
                hop.dns_ms = Some(ms(start.elapsed()));
            }
            let (addresses, _) = found.map_err(|e| fail(EndpointErrorKind::Dns, e))?;
            if record {
                hop.addresses = addresses.clone();
            }
            Ok(addresses)
        }
    }
}

/// Open a TCP connection to the first address that answers.
async fn connect(
    shared: &Shared,
    addresses: &[IpAddr],
    port: u16,
    hop: &mut Hop,
    deadline: Instant,
    what: &str,
) -> Result<TcpStream, EndpointError> {
    let start = Instant::now();
    let try_all = async {
        let mut last = None;
        for ip in addresses {
            let addr = SocketAddr::new(*ip, port);
            match TcpStream::connect(addr).await {
                Ok(s) => return Ok((s, addr)),
                Err(e) => last = Some((e, addr)),
            }
        }
        Err(last)
    };
    let connected = phase(shared.connect_timeout, deadline, try_all)
        .await
        .map_err(|c| {
            cut_error(
                c,
                EndpointErrorKind::ConnectTimeout,
                &format!("TCP connection to {what}"),
            )
        })?;
    match connected {
        Ok((stream, addr)) => {
            hop.connect_ms = Some(ms(start.elapsed()));
            hop.connected_to = Some(addr.to_string());
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
        Err(Some((e, addr))) => Err(io_error(
            &e,
            EndpointErrorKind::Unreachable,
            &format!("connection to {addr}"),
        )),
        Err(None) => Err(fail(EndpointErrorKind::Dns, "no address to connect to")),
    }
}

/// One HTTP request (no redirect following), every phase timed into `hop`.
async fn request(
    shared: &Shared,
    url: &Url,
    proxy: Option<&Url>,
    hop: &mut Hop,
    want_body: bool,
    deadline: Instant,
) -> Result<Answer, EndpointError> {
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        other => {
            return Err(fail(
                EndpointErrorKind::InvalidUrl,
                format!("{url}: unsupported scheme {other}"),
            ));
        }
    };
    let host = url
        .host()
        .ok_or_else(|| fail(EndpointErrorKind::InvalidUrl, format!("{url}: no host")))?;
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    let host_text = url.host_str().unwrap_or("").to_owned();
    let authority = match url.port() {
        Some(p) => format!("{host_text}:{p}"),
        None => host_text.clone(),
    };

    // TCP: to the server, or to the proxy (which resolves the server's name itself).
    let mut stream = match proxy {
        None => {
            let addresses = addresses_of(shared, &host, hop, true, deadline).await?;
            connect(shared, &addresses, port, hop, deadline, &authority).await?
        }
        Some(p) => {
            if p.scheme() != "http" {
                return Err(fail(
                    EndpointErrorKind::ProxyUnsupported,
                    format!("{} proxies are not tested by the agent", p.scheme()),
                ));
            }
            let proxy_host = p
                .host()
                .ok_or_else(|| fail(EndpointErrorKind::Proxy, "proxy URL without host"))?;
            let proxy_port = p.port_or_known_default().unwrap_or(8080);
            let addresses = addresses_of(shared, &proxy_host, hop, false, deadline)
                .await
                .map_err(|e| fail(EndpointErrorKind::Proxy, format!("proxy: {}", e.detail)))?;
            connect(shared, &addresses, proxy_port, hop, deadline, "the proxy")
                .await
                .map_err(|e| match e.kind {
                    EndpointErrorKind::Deadline => e,
                    _ => fail(EndpointErrorKind::Proxy, e.detail),
                })?
        }
    };

    // The proxy's tunnel, for HTTPS.
    if let (Some(p), true) = (proxy, https) {
        let start = Instant::now();
        let target = format!("{host_text}:{port}");
        let remaining = deadline.saturating_duration_since(Instant::now());
        let limit = shared.response_timeout.min(remaining);
        match proxy::connect_tunnel(&mut stream, p, &target, limit).await {
            Ok(()) => hop.proxy_ms = Some(ms(start.elapsed())),
            Err(TunnelError::AuthRequired { proxy }) => {
                hop.status = Some(407);
                return Err(fail(
                    EndpointErrorKind::ProxyAuth,
                    format!("the proxy {proxy} answered 407 to CONNECT {target}"),
                ));
            }
            Err(TunnelError::Timeout { .. }) if limit < shared.response_timeout => {
                return Err(cut_error(
                    Cut::Deadline,
                    EndpointErrorKind::Proxy,
                    "the proxy tunnel",
                ));
            }
            Err(e) => return Err(fail(EndpointErrorKind::Proxy, e.to_string())),
        }
    }

    // TLS.
    let mut tls_info = None;
    let io: Box<dyn Io> = if https {
        let server_name = match &host {
            url::Host::Domain(d) => ServerName::try_from((*d).to_owned()),
            url::Host::Ipv4(a) => Ok(ServerName::from(IpAddr::V4(*a))),
            url::Host::Ipv6(a) => Ok(ServerName::from(IpAddr::V6(*a))),
        }
        .map_err(|e| fail(EndpointErrorKind::InvalidUrl, format!("{host_text}: {e}")))?;
        let recorder = shared.stores.recorder();
        let config = shared
            .stores
            .client_config(recorder.clone())
            .map_err(|e| fail(EndpointErrorKind::TlsHandshake, e))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let start = Instant::now();
        let handshake = phase(
            shared.response_timeout,
            deadline,
            connector.connect(server_name.clone(), stream),
        )
        .await
        .map_err(|c| cut_error(c, EndpointErrorKind::TlsTimeout, "TLS answer"))?;
        let tls_stream = match handshake {
            Ok(s) => s,
            Err(e) => {
                let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
                return Err(match inner {
                    Some(r) if tls::is_version_error(r) => {
                        fail(EndpointErrorKind::TlsVersion, format!("TLS handshake: {r}"))
                    }
                    Some(r) => fail(
                        EndpointErrorKind::TlsHandshake,
                        format!("TLS handshake: {r}"),
                    ),
                    None => io_error(&e, EndpointErrorKind::TlsHandshake, "TLS handshake"),
                });
            }
        };
        hop.tls_ms = Some(ms(start.elapsed()));
        let (_, conn) = tls_stream.get_ref();
        let version = conn
            .protocol_version()
            .map(tls::version_name)
            .unwrap_or_else(|| "?".into());
        let cipher = conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite()))
            .unwrap_or_else(|| "?".into());
        let stores = shared.stores.clone();
        let chain = recorder.chain();
        let name = server_name.to_owned();
        // Verifying against three stores is CPU work: off the async threads.
        tls_info =
            tokio::task::spawn_blocking(move || stores.inspect(&chain, &name, version, cipher))
                .await
                .ok();
        Box::new(tls_stream)
    } else {
        Box::new(stream)
    };

    // HTTP/1.1.
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(io))
            .await
            .map_err(|e| fail(EndpointErrorKind::Http, format!("HTTP handshake: {e}")))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let target = if proxy.is_some() && !https {
        url.as_str().to_owned()
    } else {
        let mut t = url.path().to_owned();
        if let Some(q) = url.query() {
            t.push('?');
            t.push_str(q);
        }
        t
    };
    let mut builder = http::Request::get(target)
        .header(http::header::HOST, &authority)
        .header(
            http::header::USER_AGENT,
            concat!("ent-agent/", env!("CARGO_PKG_VERSION")),
        )
        .header(http::header::ACCEPT, "text/html,*/*")
        .header(http::header::CONNECTION, "close");
    if let (Some(p), false) = (proxy, https)
        && let Some(auth) = proxy::authorization(p)
    {
        builder = builder.header(http::header::PROXY_AUTHORIZATION, auth);
    }
    let req = builder
        .body(Empty::new())
        .map_err(|e| fail(EndpointErrorKind::InvalidUrl, format!("{url}: {e}")))?;
    let sent_at = jiff::Timestamp::now();
    let start = Instant::now();
    let response = phase(shared.response_timeout, deadline, sender.send_request(req)).await;
    let response = match response {
        Err(c) => {
            driver.abort();
            return Err(cut_error(c, EndpointErrorKind::HttpTimeout, "HTTP answer"));
        }
        Ok(Err(e)) => {
            driver.abort();
            return Err(hyper_error(&e));
        }
        Ok(Ok(r)) => r,
    };
    hop.ttfb_ms = Some(ms(start.elapsed()));
    let answered_at = jiff::Timestamp::now();
    let status = response.status().as_u16();
    hop.status = Some(status);
    let header = |name: http::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header(http::header::LOCATION);
    hop.location = location.clone();
    let date = header(http::header::DATE);
    let body = if want_body && response.status().is_success() {
        let collect = Limited::new(response.into_body(), MAX_BODY).collect();
        match phase(shared.response_timeout, deadline, collect).await {
            Ok(Ok(b)) => Some(String::from_utf8_lossy(&b.to_bytes()).into_owned()),
            _ => None,
        }
    } else {
        None
    };
    driver.abort();
    Ok(Answer {
        status,
        location,
        date,
        tls: tls_info,
        body,
        sent_at,
        answered_at,
    })
}

fn hyper_error(e: &hyper::Error) -> EndpointError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return io_error(io, EndpointErrorKind::Http, "HTTP exchange");
        }
        source = s.source();
    }
    if e.is_incomplete_message() || e.is_closed() {
        return fail(
            EndpointErrorKind::Reset,
            format!("the server closed the connection without answering: {e}"),
        );
    }
    fail(EndpointErrorKind::Http, format!("HTTP exchange: {e}"))
}
