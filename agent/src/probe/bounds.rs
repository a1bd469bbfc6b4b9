//! The report's bounds (`readiness::limits`) applied to what the probes measured.
//!
//! A valid profile keeps the agent within them, but what servers and the PC say does not:
//! a certificate with thousands of names, a DNS answer of hundreds of addresses, a 100 KB
//! `Location`, a redirect loop through such URLs, a strange PC's long names. The collector
//! refuses a report beyond its bounds, so such a report would never be delivered: every
//! list and text the collector bounds is cut here to its limit, and each area says what was
//! cut in its `unavailable["cut"]`. The checks are scored from the cut measurements; the
//! audit then cuts the report's own texts ([`report`]) and checks the whole against
//! `Report::check_bounds`.

use readiness::Report;
use std::fmt;

use readiness::limits::{
    MAX_ADDRESSES, MAX_BROWSERS, MAX_CERT_NAMES, MAX_CHAIN, MAX_CHECKS, MAX_CLOCK_SAMPLES,
    MAX_DNS_LOOKUPS, MAX_ENDPOINTS, MAX_HOPS, MAX_HOST, MAX_LATENCY_SAMPLES, MAX_LATENCY_TARGETS,
    MAX_LONG_TEXT, MAX_NO_PROXY, MAX_SHORT_TEXT, MAX_SMALL_LIST, cut_text,
};
use readiness::measurements::bandwidth::BandwidthMeasurements;
use readiness::measurements::network::{EndpointAttempt, TlsInfo};
use readiness::measurements::{
    BrowserMeasurements, Measurements, NetworkMeasurements, SystemMeasurements, Unavailable,
};
use readiness::report::CheckValue;

/// The key of an area's `unavailable` map that says what was cut.
pub const CUT_KEY: &str = "cut";

/// Where a cut is, formatted only when something is cut (`endpoint ent: attempt hops[1].url`).
type At<'a> = fmt::Arguments<'a>;

/// Cuts named in one note; the others are counted.
const NOTED_CUTS: usize = 16;

/// What was cut in one area, for its note.
#[derive(Debug, Default)]
struct Cuts(Vec<String>);

impl Cuts {
    fn record(&mut self, at: At<'_>, found: usize, max: usize, what: &str) {
        self.0.push(format!("{at} {found} {what}, kept {max}"));
    }

    /// At most `max` items in `items`.
    fn list<T>(&mut self, at: At<'_>, items: &mut Vec<T>, max: usize) {
        if items.len() > max {
            self.record(at, items.len(), max, "entries");
            items.truncate(max);
        }
    }

    /// At most `max` bytes in `text`.
    fn text(&mut self, at: At<'_>, text: &mut String, max: usize) {
        if text.len() > max {
            self.record(at, text.len(), max, "bytes");
            cut_text(text, max);
        }
    }

    fn opt(&mut self, at: At<'_>, text: &mut Option<String>, max: usize) {
        if let Some(t) = text {
            self.text(at, t, max);
        }
    }

    /// At most [`MAX_SHORT_TEXT`] bytes: ids, names, versions, hosts.
    fn short(&mut self, at: At<'_>, text: &mut String) {
        self.text(at, text, MAX_SHORT_TEXT);
    }

    /// At most [`MAX_LONG_TEXT`] bytes: URLs, messages, details.
    fn long(&mut self, at: At<'_>, text: &mut String) {
        self.text(at, text, MAX_LONG_TEXT);
    }

    fn short_opt(&mut self, at: At<'_>, text: &mut Option<String>) {
        self.opt(at, text, MAX_SHORT_TEXT);
    }

    fn long_opt(&mut self, at: At<'_>, text: &mut Option<String>) {
        self.opt(at, text, MAX_LONG_TEXT);
    }

    /// At most `max` texts of at most `text_max` bytes each.
    fn texts(&mut self, at: At<'_>, items: &mut Vec<String>, max: usize, text_max: usize) {
        self.list(at, items, max);
        for (i, t) in items.iter_mut().enumerate() {
            self.text(format_args!("{at}[{i}]"), t, text_max);
        }
    }

    /// The `unavailable` map within its bounds, with room for the note; then the note.
    fn note_into(mut self, map: &mut Unavailable) {
        if map.len() >= MAX_SMALL_LIST {
            self.0.push(format!(
                "unavailable {} entries, kept {}",
                map.len(),
                MAX_SMALL_LIST - 1
            ));
            while map.len() >= MAX_SMALL_LIST {
                map.pop_last();
            }
        }
        let long_keys: Vec<String> = map
            .keys()
            .filter(|k| k.len() > MAX_SHORT_TEXT)
            .cloned()
            .collect();
        for key in long_keys {
            map.remove(&key);
            self.0.push(format!(
                "unavailable: a key of {} bytes, left out",
                key.len()
            ));
        }
        for (key, reason) in map.iter_mut() {
            self.text(format_args!("unavailable.{key}"), reason, MAX_LONG_TEXT);
        }
        if self.0.is_empty() {
            return;
        }
        let more = self.0.len().saturating_sub(NOTED_CUTS);
        self.0.truncate(NOTED_CUTS);
        let mut note = format!("cut to the report's bounds: {}", self.0.join("; "));
        if more > 0 {
            note.push_str(&format!("; and {more} more"));
        }
        cut_text(&mut note, MAX_LONG_TEXT);
        map.insert(CUT_KEY.to_owned(), note);
    }
}

/// Every area of `m` within the report's bounds, each saying what was cut.
pub fn measurements(m: &mut Measurements) {
    if let Some(s) = &mut m.system {
        system(s);
    }
    if let Some(b) = &mut m.browsers {
        browsers(b);
    }
    if let Some(n) = &mut m.network {
        network(n);
    }
    if let Some(b) = &mut m.bandwidth {
        bandwidth(b);
    }
}

fn system(s: &mut SystemMeasurements) {
    let mut cuts = Cuts::default();
    if let Some(os) = &mut s.os {
        cuts.short(format_args!("os.name"), &mut os.name);
        cuts.short(format_args!("os.id"), &mut os.id);
        cuts.texts(
            format_args!("os.id_like"),
            &mut os.id_like,
            MAX_SMALL_LIST,
            MAX_SHORT_TEXT,
        );
        for (name, value) in [
            ("version", &mut os.version),
            ("codename", &mut os.codename),
            ("ubuntu_codename", &mut os.ubuntu_codename),
            ("debian_version", &mut os.debian_version),
            ("build", &mut os.build),
            ("edition", &mut os.edition),
            ("kernel", &mut os.kernel),
        ] {
            cuts.short_opt(format_args!("os.{name}"), value);
        }
    }
    if let Some(cpu) = &mut s.cpu {
        cuts.short_opt(format_args!("cpu.model"), &mut cpu.model);
    }
    if let Some(disk) = &mut s.system_disk {
        cuts.long(
            format_args!("system_disk.mount_point"),
            &mut disk.mount_point,
        );
    }
    cuts.short_opt(format_args!("architecture"), &mut s.architecture);
    cuts.note_into(&mut s.unavailable);
}

fn browsers(b: &mut BrowserMeasurements) {
    let mut cuts = Cuts::default();
    cuts.list(format_args!("installed"), &mut b.installed, MAX_BROWSERS);
    for (i, browser) in b.installed.iter_mut().enumerate() {
        cuts.short(format_args!("installed[{i}].name"), &mut browser.name);
        cuts.short_opt(format_args!("installed[{i}].version"), &mut browser.version);
        cuts.short(format_args!("installed[{i}].source"), &mut browser.source);
        cuts.long_opt(
            format_args!("installed[{i}].location"),
            &mut browser.location,
        );
    }
    cuts.note_into(&mut b.unavailable);
}

fn network(n: &mut NetworkMeasurements) {
    let mut cuts = Cuts::default();
    cuts.list(format_args!("dns"), &mut n.dns, MAX_DNS_LOOKUPS);
    for lookup in &mut n.dns {
        let host = lookup.host.clone();
        cuts.short(format_args!("dns.host"), &mut lookup.host);
        cuts.short(format_args!("dns {host}: resolver"), &mut lookup.resolver);
        for (name, query) in [("a", &mut lookup.a), ("aaaa", &mut lookup.aaaa)] {
            cuts.list(
                format_args!("dns {host}: {name} addresses"),
                &mut query.addresses,
                MAX_ADDRESSES,
            );
            cuts.long_opt(format_args!("dns {host}: {name} detail"), &mut query.detail);
        }
    }
    cuts.list(format_args!("endpoints"), &mut n.endpoints, MAX_ENDPOINTS);
    for e in &mut n.endpoints {
        cuts.short(format_args!("endpoint name"), &mut e.name);
        let name = e.name.clone();
        cuts.long(format_args!("endpoint {name}: url"), &mut e.url);
        cuts.long_opt(format_args!("endpoint {name}: proxy"), &mut e.proxy);
        attempt(
            &mut cuts,
            format_args!("endpoint {name}: attempt"),
            &mut e.attempt,
        );
        if let Some(direct) = &mut e.direct {
            attempt(&mut cuts, format_args!("endpoint {name}: direct"), direct);
        }
    }
    if let Some(p) = &mut n.proxy {
        cuts.long_opt(format_args!("proxy.https_proxy"), &mut p.https_proxy);
        cuts.long_opt(format_args!("proxy.http_proxy"), &mut p.http_proxy);
        cuts.texts(
            format_args!("proxy.no_proxy"),
            &mut p.no_proxy,
            MAX_NO_PROXY,
            MAX_SHORT_TEXT,
        );
        cuts.long_opt(format_args!("proxy.pac_url"), &mut p.pac_url);
    }
    cuts.list(format_args!("latency"), &mut n.latency, MAX_LATENCY_TARGETS);
    for l in &mut n.latency {
        cuts.short(format_args!("latency target"), &mut l.target);
        let target = l.target.clone();
        cuts.short(format_args!("latency {target}: host"), &mut l.host);
        cuts.list(
            format_args!("latency {target}: samples"),
            &mut l.samples_ms,
            MAX_LATENCY_SAMPLES,
        );
        cuts.texts(
            format_args!("latency {target}: notes"),
            &mut l.notes,
            MAX_SMALL_LIST,
            MAX_LONG_TEXT,
        );
        cuts.long_opt(format_args!("latency {target}: error"), &mut l.error);
    }
    cuts.list(format_args!("clock"), &mut n.clock, MAX_CLOCK_SAMPLES);
    for c in &mut n.clock {
        cuts.short(format_args!("clock source"), &mut c.source);
    }
    if let Some(interface) = &mut n.interface {
        cuts.short(format_args!("interface.name"), &mut interface.name);
    }
    cuts.note_into(&mut n.unavailable);
}

fn attempt(cuts: &mut Cuts, at: At<'_>, a: &mut EndpointAttempt) {
    cuts.list(format_args!("{at} hops"), &mut a.hops, MAX_HOPS);
    for (i, hop) in a.hops.iter_mut().enumerate() {
        cuts.long(format_args!("{at} hops[{i}].url"), &mut hop.url);
        cuts.list(
            format_args!("{at} hops[{i}].addresses"),
            &mut hop.addresses,
            MAX_ADDRESSES,
        );
        cuts.short_opt(
            format_args!("{at} hops[{i}].connected_to"),
            &mut hop.connected_to,
        );
        cuts.long_opt(format_args!("{at} hops[{i}].location"), &mut hop.location);
    }
    if let Some(e) = &mut a.error {
        cuts.long(format_args!("{at} error"), &mut e.detail);
    }
    if let Some(tls) = &mut a.tls {
        self::tls(cuts, format_args!("{at} tls"), tls);
    }
}

fn tls(cuts: &mut Cuts, at: At<'_>, tls: &mut TlsInfo) {
    cuts.short(format_args!("{at} server_name"), &mut tls.server_name);
    cuts.short(format_args!("{at} version"), &mut tls.version);
    cuts.short(format_args!("{at} cipher"), &mut tls.cipher);
    cuts.list(format_args!("{at} chain"), &mut tls.chain, MAX_CHAIN);
    for (i, cert) in tls.chain.iter_mut().enumerate() {
        cuts.long(format_args!("{at} chain[{i}].subject"), &mut cert.subject);
        cuts.long(format_args!("{at} chain[{i}].issuer"), &mut cert.issuer);
        cuts.texts(
            format_args!("{at} chain[{i}].names"),
            &mut cert.names,
            MAX_CERT_NAMES,
            MAX_SHORT_TEXT,
        );
    }
    for (name, v) in [
        ("public_roots", Some(&mut tls.public_roots)),
        ("os_roots", tls.os_roots.as_mut()),
        ("extra_roots", tls.extra_roots.as_mut()),
    ] {
        if let Some(v) = v {
            cuts.long_opt(format_args!("{at} {name}.detail"), &mut v.detail);
        }
    }
}

fn bandwidth(b: &mut BandwidthMeasurements) {
    let mut cuts = Cuts::default();
    cuts.long_opt(format_args!("server"), &mut b.server);
    cuts.texts(
        format_args!("notes"),
        &mut b.notes,
        MAX_SMALL_LIST,
        MAX_LONG_TEXT,
    );
    cuts.note_into(&mut b.unavailable);
}

/// The report's own texts and lists within its bounds (the measurements are cut before
/// scoring by [`measurements`]): check messages quoting what a server sent, the host name.
/// Returns what was cut, for the log.
pub fn report(r: &mut Report) -> Vec<String> {
    let mut cuts = Cuts::default();
    cuts.short(format_args!("agent_version"), &mut r.agent_version);
    cuts.short(format_args!("profile"), &mut r.profile);
    if let Some(host) = &mut r.workstation.hostname {
        host.retain(|c| !c.is_control());
        cuts.text(
            format_args!("workstation.hostname"),
            host,
            MAX_HOST + "sha256:".len(),
        );
    }
    // More checks than the bound would take a profile and command line the audit refuses.
    cuts.list(format_args!("checks"), &mut r.checks, MAX_CHECKS);
    for c in &mut r.checks {
        let id = c.id.clone();
        cuts.short(format_args!("check {id}: id"), &mut c.id);
        if let Some(CheckValue::Text(v)) = &mut c.value {
            cuts.long(format_args!("check {id}: value"), v);
        }
        cuts.short_opt(format_args!("check {id}: unit"), &mut c.unit);
        cuts.long_opt(format_args!("check {id}: threshold"), &mut c.threshold);
        cuts.long(format_args!("check {id}: message"), &mut c.message);
        cuts.long_opt(format_args!("check {id}: remediation"), &mut c.remediation);
    }
    cuts.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use readiness::measurements::network::{CertInfo, Hop};

    #[test]
    fn lists_and_texts_are_cut_and_the_cut_is_noted() {
        let profile = readiness::Profile::default_profile();
        let now = jiff::Timestamp::now();
        let mut m = readiness::samples::good_pc(&profile, now);
        let n = m.network.get_or_insert_with(Default::default);
        n.dns[0].a.addresses = vec!["127.0.0.1".parse().unwrap(); 300];
        let tls = n.endpoints[0].attempt.tls.as_mut().unwrap();
        tls.chain = vec![
            CertInfo {
                subject: "CN=x".into(),
                issuer: "é".repeat(MAX_LONG_TEXT),
                not_before: now,
                not_after: now,
                names: vec!["n.test".into(); 5000],
            };
            40
        ];
        let hop = Hop {
            location: Some("a".repeat(100_000)),
            ..n.endpoints[0].attempt.hops[0].clone()
        };
        n.endpoints[0].attempt.hops.push(hop);
        measurements(&mut m);
        let n = m.network.as_ref().unwrap();
        assert_eq!(n.dns[0].a.addresses.len(), MAX_ADDRESSES);
        let chain = &n.endpoints[0].attempt.tls.as_ref().unwrap().chain;
        assert_eq!(chain.len(), MAX_CHAIN);
        assert_eq!(chain[0].names.len(), MAX_CERT_NAMES);
        assert!(chain[0].issuer.len() <= MAX_LONG_TEXT);
        let note = &n.unavailable[CUT_KEY];
        assert!(note.contains("a addresses 300 entries, kept 64"), "{note}");
        assert!(note.contains("chain 40 entries, kept 32"), "{note}");
        assert!(note.contains("location 100000 bytes, kept 8192"), "{note}");
        let mut r = readiness::samples::report(&profile, None, uuid::Uuid::nil(), m, now);
        assert_eq!(r.checks[0].id, "system.os_support");
        r.checks[0].message = "x".repeat(100_000);
        let cut = report(&mut r);
        // The message quoting the 8 KiB issuer is cut too.
        assert_eq!(
            cut,
            [
                "check system.os_support: message 100000 bytes, kept 8192",
                "check endpoint.educonnect.tls: message 8290 bytes, kept 8192"
            ]
        );
        assert_eq!(r.check_bounds(), Ok(()));
    }

    #[test]
    fn a_strange_pc_is_cut_too() {
        let profile = readiness::Profile::default_profile();
        let mut m = readiness::samples::good_pc(&profile, jiff::Timestamp::now());
        let b = m.browsers.get_or_insert_with(Default::default);
        let mut browser = b.installed[0].clone();
        browser.location = Some("C:\\".repeat(5000));
        b.installed = vec![browser; 100];
        let os = m.system.as_mut().unwrap().os.as_mut().unwrap();
        os.name = "x".repeat(1000);
        os.id_like = vec!["debian".into(); 100];
        measurements(&mut m);
        let b = m.browsers.as_ref().unwrap();
        assert_eq!(b.installed.len(), MAX_BROWSERS);
        assert!(b.installed[0].location.as_ref().unwrap().len() <= MAX_LONG_TEXT);
        assert!(b.unavailable[CUT_KEY].contains("installed 100 entries, kept 64"));
        let s = m.system.as_ref().unwrap();
        let note = &s.unavailable[CUT_KEY];
        assert!(note.contains("os.name 1000 bytes, kept 256"), "{note}");
        assert!(note.contains("os.id_like 100 entries, kept 64"), "{note}");
        let r = readiness::samples::report(
            &profile,
            None,
            uuid::Uuid::nil(),
            m,
            jiff::Timestamp::now(),
        );
        assert_eq!(r.check_bounds(), Ok(()));
    }

    #[test]
    fn nothing_to_cut_leaves_no_note() {
        let profile = readiness::Profile::default_profile();
        let mut m = readiness::samples::good_pc(&profile, jiff::Timestamp::now());
        let before = m.clone();
        measurements(&mut m);
        assert_eq!(m, before);
    }
}
