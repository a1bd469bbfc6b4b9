//! Raw network measurements: DNS lookups, ENT endpoints (each hop's phases timed, the TLS
//! session and certificate chain, how the chain verifies against each trust store), the
//! proxy configuration, latency samples, clock samples and the network interface.
//!
//! Facts only. Whether 180 ms is slow or a chain is intercepted is decided by
//! `crate::scoring::network` against the profile, so the collector can re-score a report.
//! Privacy: server addresses of the probed hosts are recorded; the workstation's own
//! addresses, user names, proxy credentials and Wi-Fi network names never are.

use std::net::IpAddr;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Unavailable;

/// Everything the network probes measured.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkMeasurements {
    /// One entry per (host, resolver).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<DnsLookup>,
    /// One entry per endpoint (profile's and `--endpoint`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<EndpointMeasurement>,
    /// The proxy configuration found on the workstation.
    pub proxy: Option<ProxySettings>,
    /// Round trips to each endpoint's host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency: Vec<LatencyMeasurement>,
    /// Server clocks seen in HTTP `Date` headers, to compute the workstation's clock skew.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clock: Vec<ClockSample>,
    /// The interface that carries the default route.
    pub interface: Option<InterfaceInfo>,
    /// Parts that could not be measured, with the reason. Keys: `network` (all of it, e.g.
    /// skipped with `--no-network`), `dns`, `endpoints`, `proxy`, `latency`, `clock`,
    /// `interface`.
    #[serde(default, skip_serializing_if = "Unavailable::is_empty")]
    pub unavailable: Unavailable,
}

/// A host resolved through one resolver, for A and AAAA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsLookup {
    pub host: String,
    /// `system` (the workstation's resolver configuration) or a resolver's `IP:PORT`.
    pub resolver: String,
    pub a: DnsQuery,
    pub aaaa: DnsQuery,
}

/// One DNS query and its answer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsQuery {
    pub outcome: DnsOutcome,
    /// Time from sending the query to its answer (or to giving up), in milliseconds.
    pub elapsed_ms: f64,
    /// Addresses in the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<IpAddr>,
    /// The resolver's error text, when it failed.
    pub detail: Option<String>,
}

/// How a DNS query ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DnsOutcome {
    /// Addresses were returned.
    Answered,
    /// The name does not exist.
    Nxdomain,
    /// The name exists but has no record of this type.
    NoAnswer,
    /// The resolver failed (SERVFAIL).
    Servfail,
    /// The resolver refused to answer (REFUSED).
    Refused,
    /// No answer within the time allowed.
    Timeout,
    /// Any other failure (network error, malformed answer); see `detail`.
    Error,
}

/// One ENT or identity endpoint, reached the way a browser on this PC would.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointMeasurement {
    pub name: String,
    pub url: String,
    /// The proxy that applies to this URL per the configuration (`http://host:port`, never
    /// with credentials), when one does.
    pub proxy: Option<String>,
    /// The attempt a browser would make: through `proxy` when one applies, else direct.
    pub attempt: EndpointAttempt,
    /// When a proxy applies: the same request made directly, for comparison.
    pub direct: Option<EndpointAttempt>,
}

/// How an attempt reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    Direct,
    Proxy,
}

/// One request to an endpoint, following redirects.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointAttempt {
    pub route: Route,
    /// Each request made, in order: the first is the endpoint's URL, the next ones follow
    /// redirects.
    pub hops: Vec<Hop>,
    /// Wall time of the whole attempt, all hops included, in milliseconds.
    pub total_ms: f64,
    /// Why the attempt stopped before a final answer; `None` when it got one.
    pub error: Option<EndpointError>,
    /// The TLS session with the endpoint's own host (first HTTPS hop), when established.
    pub tls: Option<TlsInfo>,
    /// Whether the final page contains the profile's `expect_text` (`None` when the profile
    /// sets none or no page was received).
    pub expected_text_found: Option<bool>,
}

/// One HTTP request of an attempt, with the time of each phase in milliseconds (`None` when
/// the phase did not happen: no DNS for an IP address, no TLS for `http://`, a reused
/// connection...).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hop {
    pub url: String,
    /// Addresses the host name resolved to (servers, never the workstation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<IpAddr>,
    /// Where the TCP connection went (`IP:PORT`): the server, or the proxy.
    pub connected_to: Option<String>,
    pub dns_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    /// Time for the proxy to open the tunnel (`CONNECT`).
    pub proxy_ms: Option<f64>,
    pub tls_ms: Option<f64>,
    /// Time to first byte: from sending the request to the response's status line.
    pub ttfb_ms: Option<f64>,
    /// HTTP status of the answer.
    pub status: Option<u16>,
    /// `Location` of a redirect.
    pub location: Option<String>,
}

impl Hop {
    /// A request to `url` of which nothing is measured yet (or, from a browser, nothing can
    /// be).
    pub fn to(url: impl Into<String>) -> Hop {
        Hop {
            url: url.into(),
            addresses: Vec::new(),
            connected_to: None,
            dns_ms: None,
            connect_ms: None,
            proxy_ms: None,
            tls_ms: None,
            ttfb_ms: None,
            status: None,
            location: None,
        }
    }
}

/// Why an endpoint attempt stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointError {
    pub kind: EndpointErrorKind,
    /// The underlying error, for the technician's support (English, as the OS or library
    /// wrote it).
    pub detail: String,
}

/// The classes of endpoint failures that scoring names for the technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointErrorKind {
    /// The host name did not resolve (the detail says NXDOMAIN, SERVFAIL, timeout...).
    Dns,
    /// Nothing listens on the port: the connection was refused.
    ConnectRefused,
    /// No answer to the connection request in time (address black-holed, firewall drop).
    ConnectTimeout,
    /// No route to the server (network or host unreachable).
    Unreachable,
    /// The connection was reset or closed by the server or a middlebox.
    Reset,
    /// The TLS handshake failed (see detail).
    TlsHandshake,
    /// The server only offers TLS versions older than 1.2.
    TlsVersion,
    /// The TLS handshake did not finish in time.
    TlsTimeout,
    /// Connected, but no HTTP answer in time.
    HttpTimeout,
    /// The HTTP exchange failed (malformed answer, connection closed mid-way).
    Http,
    /// Redirects lead back to a URL already visited.
    RedirectLoop,
    /// More redirects than the profile allows.
    TooManyRedirects,
    /// A redirect to a host that is not part of the ENT (a captive portal or a filter's
    /// page); the detail names the host. It is not followed.
    RedirectOffsite,
    /// The proxy asks for credentials (HTTP 407).
    ProxyAuth,
    /// The proxy could not be reached or refused to open the tunnel.
    Proxy,
    /// The proxy type is not one the agent can use (e.g. SOCKS).
    ProxyUnsupported,
    /// The URL could not be used (bad syntax, unsupported scheme).
    InvalidUrl,
    /// The audit's deadline stopped the probe before it finished: not a finding.
    Deadline,
}

/// A TLS session and the server's certificate chain.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsInfo {
    /// The server name sent (SNI), or the IP address connected to.
    pub server_name: String,
    /// Negotiated protocol version: `TLSv1.2`, `TLSv1.3`.
    pub version: String,
    /// Negotiated cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
    /// The certificates the server sent, leaf first.
    pub chain: Vec<CertInfo>,
    /// Verification (chain, validity dates, name) against the public web PKI roots (the
    /// Mozilla set shipped with the agent).
    pub public_roots: Verification,
    /// Verification against the operating system's trust store (where filtering proxies
    /// install their own root). `None` when the store could not be read.
    pub os_roots: Option<Verification>,
    /// Verification against the roots given with `--ca-file` (a private ENT's CA), when any.
    pub extra_roots: Option<Verification>,
}

/// One certificate of a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertInfo {
    /// Subject distinguished name, e.g. `CN=ent.example.fr, O=Example`.
    pub subject: String,
    pub issuer: String,
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub not_before: Timestamp,
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub not_after: Timestamp,
    /// DNS names and IP addresses the certificate is for (subject alternative names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

/// The result of verifying a chain against one set of trusted roots.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub valid: bool,
    /// Why it is not valid.
    pub error: Option<CertErrorKind>,
    pub detail: Option<String>,
}

/// Why a certificate chain is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertErrorKind {
    Expired,
    NotYetValid,
    /// The certificate is for other names than the server's.
    NameMismatch,
    /// The chain does not lead to one of these roots (self-signed, private or interception CA).
    UnknownIssuer,
    BadSignature,
    Revoked,
    Other,
}

/// Where the proxy configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProxySource {
    /// No proxy configured.
    None,
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` (either case).
    Environment,
    /// Windows Internet settings (the user's registry).
    Windows,
    /// macOS network settings (`scutil --proxy`).
    Macos,
}

/// The proxy configuration. Credentials are never recorded.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxySettings {
    pub source: ProxySource,
    /// Proxy for `https://` URLs (`scheme://host:port`).
    pub https_proxy: Option<String>,
    /// Proxy for `http://` URLs.
    pub http_proxy: Option<String>,
    /// Hosts reached without the proxy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_proxy: Vec<String>,
    /// Automatic configuration script (PAC) URL; the agent does not run PAC scripts.
    pub pac_url: Option<String>,
    /// The configuration carries a user name and password (not recorded).
    #[serde(default)]
    pub credentials_configured: bool,
}

impl ProxySettings {
    /// No proxy configured (found by `source`): every connection goes direct.
    pub fn direct(source: ProxySource) -> ProxySettings {
        ProxySettings {
            source,
            https_proxy: None,
            http_proxy: None,
            no_proxy: Vec::new(),
            pac_url: None,
            credentials_configured: false,
        }
    }
}

/// How round trips were timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LatencyMethod {
    /// ICMP echo on a raw socket (administrator).
    IcmpRaw,
    /// ICMP echo on an unprivileged datagram socket (Linux `ping_group_range`, macOS).
    IcmpDatagram,
    /// ICMP echo through the Windows ICMP helper API (`IcmpSendEcho2`, `Icmp6SendEcho2`),
    /// which needs no administrator rights.
    IcmpHelper,
    /// Time to open a TCP connection to the endpoint's port (ICMP not allowed or not
    /// answered).
    TcpConnect,
}

/// Round trips to one endpoint's host.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyMeasurement {
    /// The endpoint's name (check `latency.<target>`).
    pub target: String,
    pub host: String,
    /// The server address probed.
    pub address: Option<IpAddr>,
    pub method: Option<LatencyMethod>,
    /// One entry per probe sent, in milliseconds; `null` when lost (no answer in time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples_ms: Vec<Option<f64>>,
    /// How the method was chosen and anything odd in the readings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why nothing could be measured (the host did not resolve...).
    pub error: Option<String>,
}

/// A server's clock as read from an HTTP `Date` header, and the workstation's at that moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockSample {
    /// The endpoint whose answer carried the date.
    pub source: String,
    /// The server's time (one-second resolution).
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub server_time: Timestamp,
    /// The workstation's time halfway through the request.
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub local_time: Timestamp,
}

/// The kind of network link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterfaceKind {
    Wired,
    Wifi,
    /// A virtual Ethernet device (VM, container, bridge).
    Virtual,
    /// A VPN or other tunnel.
    Tunnel,
    Other,
}

/// The interface that carries the default route. Never the Wi-Fi network's name (SSID), nor
/// addresses.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterfaceInfo {
    /// The OS's name for it (`eth0`, `wlp2s0`, `Ethernet`).
    pub name: String,
    pub kind: InterfaceKind,
    /// Link speed in Mbit/s, where the OS tells.
    pub speed_mbps: Option<u32>,
    /// Wi-Fi signal level in dBm, where readable.
    pub wifi_signal_dbm: Option<i32>,
}
