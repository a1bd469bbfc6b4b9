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

/// Cuts named in one note; the others are counted.
const NOTED_CUTS: usize = 16;

/// What was cut in one area, for its note.
#[derive(Debug, Default)]
struct Cuts(Vec<String>);

impl Cuts {
    fn record(&mut self, at: &dyn Fn() -> String, found: usize, max: usize, what: &str) {
        self.0.push(format!("{} {found} {what}, kept {max}", at()));
    }

    /// At most `max` items in `items`.
    fn list<T>(&mut self, at: &dyn Fn() -> String, items: &mut Vec<T>, max: usize) {
        if items.len() > max {
            self.record(at, items.len(), max, "entries");
            items.truncate(max);
        }
    }

    /// At most `max` bytes in `text`.
    fn text(&mut self, at: &dyn Fn() -> String, text: &mut String, max: usize) {
        if text.len() > max {
            self.record(at, text.len(), max, "bytes");
            cut_text(text, max);
        }
    }

    fn opt(&mut self, at: &dyn Fn() -> String, text: &mut Option<String>, max: usize) {
        if let Some(t) = text {
            self.text(at, t, max);
        }
    }

    /// At most `max` texts of at most `text_max` bytes each.
    fn texts(
        &mut self,
        at: &dyn Fn() -> String,
        items: &mut Vec<String>,
        max: usize,
        text_max: usize,
    ) {
        self.list(at, items, max);
        for (i, t) in items.iter_mut().enumerate() {
            self.text(&|| format!("{}[{i}]", at()), t, text_max);
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
            self.text(&|| format!("unavailable.{key}"), reason, MAX_LONG_TEXT);
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
        cuts.text(&|| "os.name".into(), &mut os.name, MAX_SHORT_TEXT);
        cuts.text(&|| "os.id".into(), &mut os.id, MAX_SHORT_TEXT);
        cuts.texts(
            &|| "os.id_like".into(),
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
            cuts.opt(&|| format!("os.{name}"), value, MAX_SHORT_TEXT);
        }
    }
    if let Some(cpu) = &mut s.cpu {
        cuts.opt(&|| "cpu.model".into(), &mut cpu.model, MAX_SHORT_TEXT);
    }
    if let Some(disk) = &mut s.system_disk {
        cuts.text(
            &|| "system_disk.mount_point".into(),
            &mut disk.mount_point,
            MAX_LONG_TEXT,
        );
    }
    cuts.opt(
        &|| "architecture".into(),
        &mut s.architecture,
        MAX_SHORT_TEXT,
    );
    cuts.note_into(&mut s.unavailable);
}

fn browsers(b: &mut BrowserMeasurements) {
    let mut cuts = Cuts::default();
    cuts.list(&|| "installed".into(), &mut b.installed, MAX_BROWSERS);
    for (i, browser) in b.installed.iter_mut().enumerate() {
        let at = |field: &str| format!("installed[{i}].{field}");
        cuts.text(&|| at("name"), &mut browser.name, MAX_SHORT_TEXT);
        cuts.opt(&|| at("version"), &mut browser.version, MAX_SHORT_TEXT);
        cuts.text(&|| at("source"), &mut browser.source, MAX_SHORT_TEXT);
        cuts.opt(&|| at("location"), &mut browser.location, MAX_LONG_TEXT);
    }
    cuts.note_into(&mut b.unavailable);
}

fn network(n: &mut NetworkMeasurements) {
    let mut cuts = Cuts::default();
    cuts.list(&|| "dns".into(), &mut n.dns, MAX_DNS_LOOKUPS);
    for lookup in &mut n.dns {
        let host = lookup.host.clone();
        cuts.text(&|| "dns.host".into(), &mut lookup.host, MAX_SHORT_TEXT);
        cuts.text(
            &|| format!("dns {host}: resolver"),
            &mut lookup.resolver,
            MAX_SHORT_TEXT,
        );
        for (name, query) in [("a", &mut lookup.a), ("aaaa", &mut lookup.aaaa)] {
            let at = || format!("dns {host}: {name} addresses");
            cuts.list(&at, &mut query.addresses, MAX_ADDRESSES);
            cuts.opt(
                &|| format!("dns {host}: {name} detail"),
                &mut query.detail,
                MAX_LONG_TEXT,
            );
        }
    }
    cuts.list(&|| "endpoints".into(), &mut n.endpoints, MAX_ENDPOINTS);
    for e in &mut n.endpoints {
        cuts.text(&|| "endpoint name".into(), &mut e.name, MAX_SHORT_TEXT);
        let name = e.name.clone();
        cuts.text(
            &|| format!("endpoint {name}: url"),
            &mut e.url,
            MAX_LONG_TEXT,
        );
        cuts.opt(
            &|| format!("endpoint {name}: proxy"),
            &mut e.proxy,
            MAX_LONG_TEXT,
        );
        attempt(
            &mut cuts,
            &format!("endpoint {name}: attempt"),
            &mut e.attempt,
        );
        if let Some(direct) = &mut e.direct {
            attempt(&mut cuts, &format!("endpoint {name}: direct"), direct);
        }
    }
    if let Some(p) = &mut n.proxy {
        cuts.opt(
            &|| "proxy.https_proxy".into(),
            &mut p.https_proxy,
            MAX_LONG_TEXT,
        );
        cuts.opt(
            &|| "proxy.http_proxy".into(),
            &mut p.http_proxy,
            MAX_LONG_TEXT,
        );
        cuts.texts(
            &|| "proxy.no_proxy".into(),
            &mut p.no_proxy,
            MAX_NO_PROXY,
            MAX_SHORT_TEXT,
        );
        cuts.opt(&|| "proxy.pac_url".into(), &mut p.pac_url, MAX_LONG_TEXT);
    }
    cuts.list(&|| "latency".into(), &mut n.latency, MAX_LATENCY_TARGETS);
    for l in &mut n.latency {
        cuts.text(&|| "latency target".into(), &mut l.target, MAX_SHORT_TEXT);
        let target = l.target.clone();
        let at = |field: &str| format!("latency {target}: {field}");
        cuts.text(&|| at("host"), &mut l.host, MAX_SHORT_TEXT);
        cuts.list(&|| at("samples"), &mut l.samples_ms, MAX_LATENCY_SAMPLES);
        cuts.texts(&|| at("notes"), &mut l.notes, MAX_SMALL_LIST, MAX_LONG_TEXT);
        cuts.opt(&|| at("error"), &mut l.error, MAX_LONG_TEXT);
    }
    cuts.list(&|| "clock".into(), &mut n.clock, MAX_CLOCK_SAMPLES);
    for c in &mut n.clock {
        cuts.text(&|| "clock source".into(), &mut c.source, MAX_SHORT_TEXT);
    }
    if let Some(interface) = &mut n.interface {
        cuts.text(
            &|| "interface.name".into(),
            &mut interface.name,
            MAX_SHORT_TEXT,
        );
    }
    cuts.note_into(&mut n.unavailable);
}

fn attempt(cuts: &mut Cuts, at: &str, a: &mut EndpointAttempt) {
    cuts.list(&|| format!("{at} hops"), &mut a.hops, MAX_HOPS);
    for (i, hop) in a.hops.iter_mut().enumerate() {
        let field = |name: &str| format!("{at} hops[{i}].{name}");
        cuts.text(&|| field("url"), &mut hop.url, MAX_LONG_TEXT);
        cuts.list(&|| field("addresses"), &mut hop.addresses, MAX_ADDRESSES);
        cuts.opt(
            &|| field("connected_to"),
            &mut hop.connected_to,
            MAX_SHORT_TEXT,
        );
        cuts.opt(&|| field("location"), &mut hop.location, MAX_LONG_TEXT);
    }
    if let Some(e) = &mut a.error {
        cuts.text(&|| format!("{at} error"), &mut e.detail, MAX_LONG_TEXT);
    }
    if let Some(tls) = &mut a.tls {
        self::tls(cuts, &format!("{at} tls"), tls);
    }
}

fn tls(cuts: &mut Cuts, at: &str, tls: &mut TlsInfo) {
    cuts.text(
        &|| format!("{at} server_name"),
        &mut tls.server_name,
        MAX_SHORT_TEXT,
    );
    cuts.text(
        &|| format!("{at} version"),
        &mut tls.version,
        MAX_SHORT_TEXT,
    );
    cuts.text(&|| format!("{at} cipher"), &mut tls.cipher, MAX_SHORT_TEXT);
    cuts.list(&|| format!("{at} chain"), &mut tls.chain, MAX_CHAIN);
    for (i, cert) in tls.chain.iter_mut().enumerate() {
        let field = |name: &str| format!("{at} chain[{i}].{name}");
        cuts.text(&|| field("subject"), &mut cert.subject, MAX_LONG_TEXT);
        cuts.text(&|| field("issuer"), &mut cert.issuer, MAX_LONG_TEXT);
        cuts.texts(
            &|| field("names"),
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
            cuts.opt(
                &|| format!("{at} {name}.detail"),
                &mut v.detail,
                MAX_LONG_TEXT,
            );
        }
    }
}

fn bandwidth(b: &mut BandwidthMeasurements) {
    let mut cuts = Cuts::default();
    cuts.opt(&|| "server".into(), &mut b.server, MAX_LONG_TEXT);
    cuts.texts(
        &|| "notes".into(),
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
    cuts.text(
        &|| "agent_version".into(),
        &mut r.agent_version,
        MAX_SHORT_TEXT,
    );
    cuts.text(&|| "profile".into(), &mut r.profile, MAX_SHORT_TEXT);
    if let Some(host) = &mut r.workstation.hostname {
        host.retain(|c| !c.is_control());
        cuts.text(
            &|| "workstation.hostname".into(),
            host,
            MAX_HOST + "sha256:".len(),
        );
    }
    // More checks than the bound would take a profile and command line the audit refuses.
    cuts.list(&|| "checks".into(), &mut r.checks, MAX_CHECKS);
    for c in &mut r.checks {
        let id = c.id.clone();
        let at = |field: &str| format!("check {id}: {field}");
        cuts.text(&|| at("id"), &mut c.id, MAX_SHORT_TEXT);
        if let Some(CheckValue::Text(v)) = &mut c.value {
            cuts.text(&|| at("value"), v, MAX_LONG_TEXT);
        }
        cuts.opt(&|| at("unit"), &mut c.unit, MAX_SHORT_TEXT);
        cuts.opt(&|| at("threshold"), &mut c.threshold, MAX_LONG_TEXT);
        cuts.text(&|| at("message"), &mut c.message, MAX_LONG_TEXT);
        cuts.opt(&|| at("remediation"), &mut c.remediation, MAX_LONG_TEXT);
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
    fn nothing_to_cut_leaves_no_note() {
        let profile = readiness::Profile::default_profile();
        let mut m = readiness::samples::good_pc(&profile, jiff::Timestamp::now());
        let before = m.clone();
        measurements(&mut m);
        assert_eq!(m, before);
    }
}
