//! The bounds of a report, and of the profile lists that decide its size.
//!
//! A report comes from outside (any client holding a school token), so the collector checks
//! it with [`Report::check_bounds`] before scoring or storing anything: at most a few hundred
//! checks, DNS lookups, endpoints, latency targets, browsers..., bounded texts, and no
//! control character in the technician's label or the host name. The walk is linear in the
//! report's size and allocates nothing unless it fails; the error names the field's path in
//! the JSON and the limit (`measurements.network.latency: 15000 targets, at most 256`).
//!
//! The profile's own lists are capped ([`MAX_PROFILE_HOSTS`], [`MAX_PROFILE_ENDPOINTS`],
//! [`MAX_PROFILE_RESOLVERS`], ...) so that an agent running a valid profile stays within
//! these bounds; what a server sends (certificate chains, DNS answers, redirect targets) is
//! for the probes to cut to these limits.

use std::collections::BTreeMap;
use std::fmt;

use crate::measurements::bandwidth::BandwidthMeasurements;
use crate::measurements::network::{EndpointAttempt, NetworkMeasurements, TlsInfo};
use crate::measurements::{BrowserMeasurements, Measurements, SystemMeasurements};
use crate::report::{CheckValue, Report};

/// Host names a profile lists for the DNS probe.
pub const MAX_PROFILE_HOSTS: usize = 32;
/// Endpoints a profile lists.
pub const MAX_PROFILE_ENDPOINTS: usize = 32;
/// Resolvers a profile lists (the workstation's own comes in addition).
pub const MAX_PROFILE_RESOLVERS: usize = 4;
/// Redirect hosts and expected issuers per endpoint of a profile.
pub const MAX_PROFILE_ENDPOINT_HOSTS: usize = 16;
/// Architectures in each list of `system.architecture`.
pub const MAX_PROFILE_ARCHITECTURES: usize = 16;
/// Characters of an endpoint's name (it is part of check ids).
pub const MAX_ENDPOINT_NAME: usize = 32;
/// Characters of a host name (RFC 1035: 253).
pub const MAX_HOST: usize = 253;

/// Checks in a report. A valid profile gives at most about 320 (see the unit test).
pub const MAX_CHECKS: usize = 512;
/// DNS lookups: (profile hosts + endpoint hosts) x (resolvers + the system's), with room for
/// `--dns-server` and `--endpoint` of the command line.
pub const MAX_DNS_LOOKUPS: usize = 512;
/// Addresses in one DNS answer or one hop.
pub const MAX_ADDRESSES: usize = 64;
/// Endpoints measured (the profile's and the command line's).
pub const MAX_ENDPOINTS: usize = 64;
/// Hops of one endpoint attempt (redirects followed + 1; the profile allows 30).
pub const MAX_HOPS: usize = 64;
/// Certificates in one chain.
pub const MAX_CHAIN: usize = 32;
/// Names of one certificate (subject alternative names).
pub const MAX_CERT_NAMES: usize = 1024;
/// Latency targets (one per endpoint host).
pub const MAX_LATENCY_TARGETS: usize = 256;
/// Samples of one latency target (the profile allows 50).
pub const MAX_LATENCY_SAMPLES: usize = 256;
/// Clock samples.
pub const MAX_CLOCK_SAMPLES: usize = 64;
/// Installed browsers.
pub const MAX_BROWSERS: usize = 64;
/// Entries of `no_proxy`, `id_like`, notes, and `unavailable` maps.
pub const MAX_SMALL_LIST: usize = 64;
/// Entries of a proxy's `no_proxy` list.
pub const MAX_NO_PROXY: usize = 256;
/// Bytes of a short text: ids, names, versions, hosts, units, sources.
pub const MAX_SHORT_TEXT: usize = 256;
/// Bytes of a long text: URLs, messages, remediations, thresholds, details, notes,
/// certificate subjects and issuers.
pub const MAX_LONG_TEXT: usize = 8192;
/// Characters of the technician's label (`--label`).
pub const MAX_LABEL: usize = 100;

/// A list's limit and what the error counts.
type Limit = (usize, &'static str);
const CHECKS: Limit = (MAX_CHECKS, "checks");
const BROWSERS: Limit = (MAX_BROWSERS, "browsers");
const DNS_LOOKUPS: Limit = (MAX_DNS_LOOKUPS, "lookups");
const ENDPOINTS: Limit = (MAX_ENDPOINTS, "endpoints");
const LATENCY_TARGETS: Limit = (MAX_LATENCY_TARGETS, "targets");
const CLOCK_SAMPLES: Limit = (MAX_CLOCK_SAMPLES, "samples");
const HOPS: Limit = (MAX_HOPS, "hops");
const CHAIN: Limit = (MAX_CHAIN, "certificates");

/// A report over one of the bounds: the field's path in the JSON and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct BoundsError {
    /// `measurements.network.latency`, `checks[3].message`, `workstation.label`...
    pub field: String,
    /// `15000 targets, at most 256`; `300 bytes, at most 256`; `contains a control character`.
    pub problem: String,
}

/// Why a technician's label is refused, if it is: longer than [`MAX_LABEL`] characters, or
/// holding a control character. The agent's `--label` and the collector's bounds use it.
pub fn label_problem(label: &str) -> Option<String> {
    if label.chars().count() > MAX_LABEL {
        return Some(format!("is too long: at most {MAX_LABEL} characters"));
    }
    if label.chars().any(char::is_control) {
        return Some("must not contain control characters".into());
    }
    None
}

/// `text` cut to at most `max` bytes (at a character boundary): for the probes, which keep
/// what a server sends (a `Location`, a certificate subject) within the bounds at the source
/// (and lists with `Vec::truncate` to the `MAX_*` here).
pub fn cut_text(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

impl Report {
    /// Whether this report is within every bound of [`crate::limits`]; what the collector
    /// calls on every incoming report before scoring it. Linear in the report's size.
    pub fn check_bounds(&self) -> Result<(), BoundsError> {
        check_report(self)
    }
}

/// A place in the report, built only when an error names it.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Field(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root => Ok(()),
            At::Field(At::Root, name) => f.write_str(name),
            At::Field(parent, name) => write!(f, "{parent}.{name}"),
            At::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl<'a> At<'a> {
    fn field(&'a self, name: &'a str) -> At<'a> {
        At::Field(self, name)
    }

    fn index(&'a self, i: usize) -> At<'a> {
        At::Index(self, i)
    }

    fn error(&self, problem: String) -> BoundsError {
        BoundsError {
            field: self.to_string(),
            problem,
        }
    }

    /// The list `name` here has at most `max` items (`what`: how the error counts them).
    fn list<T>(&self, name: &str, items: &[T], max: usize, what: &str) -> Result<(), BoundsError> {
        if items.len() <= max {
            return Ok(());
        }
        Err(self
            .field(name)
            .error(format!("{} {what}, at most {max}", items.len())))
    }

    /// The list `name` here has at most `max` items, and `f` accepts each (at its index).
    fn each<T>(
        &self,
        name: &str,
        items: &[T],
        (max, what): Limit,
        mut f: impl FnMut(&At<'_>, &T) -> Result<(), BoundsError>,
    ) -> Result<(), BoundsError> {
        self.list(name, items, max, what)?;
        let list = self.field(name);
        for (i, item) in items.iter().enumerate() {
            f(&list.index(i), item)?;
        }
        Ok(())
    }

    /// The text `name` here has at most `max` bytes.
    fn text(&self, name: &str, text: &str, max: usize) -> Result<(), BoundsError> {
        if text.len() <= max {
            return Ok(());
        }
        Err(self
            .field(name)
            .error(format!("{} bytes, at most {max}", text.len())))
    }

    fn short(&self, name: &str, text: &str) -> Result<(), BoundsError> {
        self.text(name, text, MAX_SHORT_TEXT)
    }

    fn long(&self, name: &str, text: &str) -> Result<(), BoundsError> {
        self.text(name, text, MAX_LONG_TEXT)
    }

    fn short_opt(&self, name: &str, text: Option<&String>) -> Result<(), BoundsError> {
        text.map_or(Ok(()), |t| self.short(name, t))
    }

    fn long_opt(&self, name: &str, text: Option<&String>) -> Result<(), BoundsError> {
        text.map_or(Ok(()), |t| self.long(name, t))
    }

    /// Each text of the list `name` (at most `max` of them) has at most `text_max` bytes.
    fn texts(
        &self,
        name: &str,
        items: &[String],
        max: usize,
        text_max: usize,
    ) -> Result<(), BoundsError> {
        self.each(name, items, (max, "entries"), |at, item| {
            if item.len() > text_max {
                return Err(at.error(format!("{} bytes, at most {text_max}", item.len())));
            }
            Ok(())
        })
    }

    /// The `unavailable` map here: few entries, short keys, long-text reasons.
    fn unavailable(&self, map: &BTreeMap<String, String>) -> Result<(), BoundsError> {
        let at = self.field("unavailable");
        if map.len() > MAX_SMALL_LIST {
            return Err(at.error(format!("{} entries, at most {MAX_SMALL_LIST}", map.len())));
        }
        for (key, reason) in map {
            if key.len() > MAX_SHORT_TEXT {
                return Err(at.error(format!(
                    "a key of {} bytes, at most {MAX_SHORT_TEXT}",
                    key.len()
                )));
            }
            at.field(key).long("reason", reason)?;
        }
        Ok(())
    }
}

fn check_report(r: &Report) -> Result<(), BoundsError> {
    let root = At::Root;
    root.short("agent_version", &r.agent_version)?;
    root.short("profile", &r.profile)?;
    let ws = root.field("workstation");
    if let Some(label) = &r.workstation.label
        && let Some(problem) = label_problem(label)
    {
        return Err(ws.field("label").error(problem));
    }
    if let Some(host) = &r.workstation.hostname {
        ws.text("hostname", host, MAX_HOST + "sha256:".len())?;
        if host.chars().any(char::is_control) {
            return Err(ws
                .field("hostname")
                .error("contains a control character".into()));
        }
    }
    root.each("checks", &r.checks, CHECKS, |at, c| {
        at.short("id", &c.id)?;
        if let Some(CheckValue::Text(v)) = &c.value {
            at.long("value", v)?;
        }
        at.short_opt("unit", c.unit.as_ref())?;
        at.long_opt("threshold", c.threshold.as_ref())?;
        at.long("message", &c.message)?;
        at.long_opt("remediation", c.remediation.as_ref())
    })?;
    check_measurements(&root.field("measurements"), &r.measurements)
}

fn check_measurements(at: &At<'_>, m: &Measurements) -> Result<(), BoundsError> {
    if let Some(s) = &m.system {
        check_system(&at.field("system"), s)?;
    }
    if let Some(b) = &m.browsers {
        check_browsers(&at.field("browsers"), b)?;
    }
    if let Some(n) = &m.network {
        check_network(&at.field("network"), n)?;
    }
    if let Some(b) = &m.bandwidth {
        check_bandwidth(&at.field("bandwidth"), b)?;
    }
    Ok(())
}

fn check_system(at: &At<'_>, s: &SystemMeasurements) -> Result<(), BoundsError> {
    if let Some(os) = &s.os {
        let at = at.field("os");
        at.short("name", &os.name)?;
        at.short("id", &os.id)?;
        at.texts("id_like", &os.id_like, MAX_SMALL_LIST, MAX_SHORT_TEXT)?;
        for (name, value) in [
            ("version", &os.version),
            ("codename", &os.codename),
            ("ubuntu_codename", &os.ubuntu_codename),
            ("debian_version", &os.debian_version),
            ("build", &os.build),
            ("edition", &os.edition),
            ("kernel", &os.kernel),
        ] {
            at.short_opt(name, value.as_ref())?;
        }
    }
    if let Some(cpu) = &s.cpu {
        at.field("cpu").short_opt("model", cpu.model.as_ref())?;
    }
    if let Some(disk) = &s.system_disk {
        at.field("system_disk")
            .long("mount_point", &disk.mount_point)?;
    }
    at.short_opt("architecture", s.architecture.as_ref())?;
    at.unavailable(&s.unavailable)
}

fn check_browsers(at: &At<'_>, b: &BrowserMeasurements) -> Result<(), BoundsError> {
    at.each("installed", &b.installed, BROWSERS, |at, browser| {
        at.short("name", &browser.name)?;
        at.short_opt("version", browser.version.as_ref())?;
        at.short("source", &browser.source)?;
        at.long_opt("location", browser.location.as_ref())
    })?;
    at.unavailable(&b.unavailable)
}

fn check_network(at: &At<'_>, n: &NetworkMeasurements) -> Result<(), BoundsError> {
    at.each("dns", &n.dns, DNS_LOOKUPS, |at, lookup| {
        at.short("host", &lookup.host)?;
        at.short("resolver", &lookup.resolver)?;
        for (name, query) in [("a", &lookup.a), ("aaaa", &lookup.aaaa)] {
            let at = at.field(name);
            at.list("addresses", &query.addresses, MAX_ADDRESSES, "addresses")?;
            at.long_opt("detail", query.detail.as_ref())?;
        }
        Ok(())
    })?;
    at.each("endpoints", &n.endpoints, ENDPOINTS, |at, e| {
        at.short("name", &e.name)?;
        at.long("url", &e.url)?;
        at.long_opt("proxy", e.proxy.as_ref())?;
        check_attempt(&at.field("attempt"), &e.attempt)?;
        e.direct
            .as_ref()
            .map_or(Ok(()), |direct| check_attempt(&at.field("direct"), direct))
    })?;
    if let Some(p) = &n.proxy {
        let at = at.field("proxy");
        at.long_opt("https_proxy", p.https_proxy.as_ref())?;
        at.long_opt("http_proxy", p.http_proxy.as_ref())?;
        at.texts("no_proxy", &p.no_proxy, MAX_NO_PROXY, MAX_SHORT_TEXT)?;
        at.long_opt("pac_url", p.pac_url.as_ref())?;
    }
    at.each("latency", &n.latency, LATENCY_TARGETS, |at, l| {
        at.short("target", &l.target)?;
        at.short("host", &l.host)?;
        at.list("samples_ms", &l.samples_ms, MAX_LATENCY_SAMPLES, "samples")?;
        at.texts("notes", &l.notes, MAX_SMALL_LIST, MAX_LONG_TEXT)?;
        at.long_opt("error", l.error.as_ref())
    })?;
    at.each("clock", &n.clock, CLOCK_SAMPLES, |at, c| {
        at.short("source", &c.source)
    })?;
    if let Some(interface) = &n.interface {
        at.field("interface").short("name", &interface.name)?;
    }
    at.unavailable(&n.unavailable)
}

fn check_attempt(at: &At<'_>, a: &EndpointAttempt) -> Result<(), BoundsError> {
    at.each("hops", &a.hops, HOPS, |at, hop| {
        at.long("url", &hop.url)?;
        at.list("addresses", &hop.addresses, MAX_ADDRESSES, "addresses")?;
        at.short_opt("connected_to", hop.connected_to.as_ref())?;
        at.long_opt("location", hop.location.as_ref())
    })?;
    if let Some(e) = &a.error {
        at.field("error").long("detail", &e.detail)?;
    }
    if let Some(tls) = &a.tls {
        check_tls(&at.field("tls"), tls)?;
    }
    Ok(())
}

fn check_tls(at: &At<'_>, tls: &TlsInfo) -> Result<(), BoundsError> {
    at.short("server_name", &tls.server_name)?;
    at.short("version", &tls.version)?;
    at.short("cipher", &tls.cipher)?;
    at.each("chain", &tls.chain, CHAIN, |at, cert| {
        at.long("subject", &cert.subject)?;
        at.long("issuer", &cert.issuer)?;
        at.texts("names", &cert.names, MAX_CERT_NAMES, MAX_SHORT_TEXT)
    })?;
    for (name, v) in [
        ("public_roots", Some(&tls.public_roots)),
        ("os_roots", tls.os_roots.as_ref()),
        ("extra_roots", tls.extra_roots.as_ref()),
    ] {
        if let Some(v) = v {
            at.field(name).long_opt("detail", v.detail.as_ref())?;
        }
    }
    Ok(())
}

fn check_bandwidth(at: &At<'_>, b: &BandwidthMeasurements) -> Result<(), BoundsError> {
    at.long_opt("server", b.server.as_ref())?;
    at.texts("notes", &b.notes, MAX_SMALL_LIST, MAX_LONG_TEXT)?;
    at.unavailable(&b.unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_the_json() {
        let root = At::Root;
        let m = root.field("measurements");
        let n = m.field("network");
        let l = n.field("latency");
        let i = l.index(3);
        assert_eq!(
            i.field("notes").to_string(),
            "measurements.network.latency[3].notes"
        );
        assert_eq!(root.field("checks").to_string(), "checks");
    }

    #[test]
    fn cuts_keep_characters_whole() {
        let mut t = "aé".repeat(3);
        cut_text(&mut t, 4);
        assert_eq!(t, "aéa");
        cut_text(&mut t, 2);
        assert_eq!(t, "a");
    }

    #[test]
    fn labels() {
        assert_eq!(label_problem("salle 2, poste 5"), None);
        assert!(label_problem(&"x".repeat(MAX_LABEL)).is_none());
        assert_eq!(
            label_problem(&"x".repeat(MAX_LABEL + 1)).unwrap(),
            "is too long: at most 100 characters"
        );
        assert_eq!(
            label_problem("a\u{1b}[2Jb").unwrap(),
            "must not contain control characters"
        );
    }
}
