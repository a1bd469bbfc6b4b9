//! Scoring of the network checks: `dns.<host>`, `endpoint.<name>`, `endpoint.<name>.tls`,
//! `network.tls_interception`, `network.proxy`, `latency.<target>`, `system.clock_skew` and
//! `network.interface`.
//!
//! The hosts, endpoints and latency targets scored are the profile's plus any the
//! measurements hold (endpoints added with `--endpoint`), so that the collector scores a
//! report from its measurements and its own profile alone. A network fault is a finding
//! (`fail` or `warn` with the reason); only what could not be measured is `unknown`.

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::measurements::Measurements;
use crate::measurements::network::{EndpointErrorKind, NetworkMeasurements};
use crate::profile::{CheckMeta, Endpoint, Profile};
use crate::report::{CheckResult, Lang};
use crate::scoring::Check;

use crate::text::{Msg, msg, num, render};

mod clock;
mod dns;
mod endpoint;
mod interface;
mod latency;
mod proxy;
mod tls;

use clock::clock_check;
use dns::dns_check;
use endpoint::endpoint_check;
use interface::interface_check;
use latency::latency_check;
use proxy::proxy_check;
use tls::{interception_check, tls_check};

pub use clock::clock_skew_s;
pub use latency::{RttStats, rtt_stats};

/// Every network check, in a stable order.
pub(super) fn evaluate(
    measurements: &Measurements,
    profile: &Profile,
    today: Date,
    lang: Lang,
) -> Vec<CheckResult> {
    let ctx = Ctx {
        net: measurements.network.as_ref(),
        profile,
        lang,
    };
    let mut out = Vec::new();
    for host in ctx.dns_hosts() {
        out.push(dns_check(&ctx, &host));
    }
    for name in ctx.endpoint_names() {
        let measured = ctx
            .net
            .and_then(|n| n.endpoints.iter().find(|e| e.name == name));
        let configured = profile.network.endpoints.iter().find(|e| e.name == name);
        out.push(endpoint_check(&ctx, &name, measured, configured));
        let url = measured
            .map(|m| m.url.as_str())
            .or(configured.map(|e| e.url.as_str()))
            .unwrap_or("");
        if url.starts_with("https://") {
            out.push(tls_check(&ctx, &name, measured, configured, today));
        }
    }
    out.push(interception_check(&ctx));
    out.push(proxy_check(&ctx));
    for name in ctx.latency_targets() {
        out.push(latency_check(&ctx, &name));
    }
    out.push(clock_check(&ctx));
    out.push(interface_check(&ctx));
    out
}

pub(super) struct Ctx<'a> {
    pub(super) net: Option<&'a NetworkMeasurements>,
    pub(super) profile: &'a Profile,
    pub(super) lang: Lang,
}

impl Ctx<'_> {
    /// Why a part of the network area is missing: the whole area's reason first (e.g.
    /// `--no-network`), else the part's. `None` gives the generic "not measured" text.
    pub(super) fn missing(&self, part: &str) -> Option<&str> {
        let net = self.net?;
        net.unavailable
            .get("network")
            .or_else(|| net.unavailable.get(part))
            .map(String::as_str)
    }

    /// The check `id` in the report's language.
    pub(super) fn check(&self, id: &str, meta: CheckMeta) -> Check {
        Check::new(self.lang, id, meta)
    }

    pub(super) fn msg(&self, id: Msg) -> String {
        msg(self.lang, id)
    }

    pub(super) fn fr(&self) -> bool {
        self.lang == Lang::Fr
    }

    /// Profile hosts, then the profile endpoints' host names, then any other measured host.
    fn dns_hosts(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut hosts = Vec::new();
        let profile_hosts = self.profile.network.hosts.iter().cloned().chain(
            self.profile
                .network
                .endpoints
                .iter()
                .map(Endpoint::host)
                .filter(|h| h.parse::<std::net::IpAddr>().is_err()),
        );
        let measured = self
            .net
            .into_iter()
            .flat_map(|n| n.dns.iter().map(|l| l.host.clone()));
        for h in profile_hosts.chain(measured) {
            if seen.insert(h.clone()) {
                hosts.push(h);
            }
        }
        hosts
    }

    /// The profile's endpoint names, then any other name `measured` yields, once each.
    fn endpoints_then(&self, measured: impl Iterator<Item = String>) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.profile
            .network
            .endpoints
            .iter()
            .map(|e| e.name.clone())
            .chain(measured)
            .filter(|n| seen.insert(n.clone()))
            .collect()
    }

    fn endpoint_names(&self) -> Vec<String> {
        self.endpoints_then(
            self.net
                .into_iter()
                .flat_map(|n| n.endpoints.iter().map(|e| e.name.clone())),
        )
    }

    fn latency_targets(&self) -> Vec<String> {
        self.endpoints_then(
            self.net
                .into_iter()
                .flat_map(|n| n.latency.iter().map(|l| l.target.clone())),
        )
    }
}

/// "pass ≤ 100 ms, fail > 1000 ms".
pub(super) fn limit_threshold(lang: Lang, pass: f64, fail: f64, unit: &str) -> String {
    let (pass, fail) = (num(lang, pass), num(lang, fail));
    render(
        lang,
        Msg::ThresholdLessIsBetter,
        &[("pass", &pass), ("fail", &fail), ("unit", &unit)],
    )
}

/// `head`, a colon and `what`: "TLSv1.0, … : the server only offers …".
pub(super) fn headed(lang: Lang, head: &str, what: &str) -> String {
    format!("{head}{} {what}", colon(lang))
}

/// " :" in French, ":" in English.
pub(super) fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => " :",
        Lang::En => ":",
    }
}

/// The technician's words for an attempt that stopped, and what to do.
fn endpoint_error_text(lang: Lang, kind: EndpointErrorKind, detail: &str) -> (String, String) {
    use EndpointErrorKind as K;
    // What happened (a text that takes the `detail`, or none), and the fix.
    let (what, fix) = match kind {
        K::Dns => (Msg::EndpointErrorDns, Msg::EndpointErrorSeeNameDnsFix),
        K::ConnectRefused => (
            Msg::EndpointErrorConnectionRefused,
            Msg::EndpointErrorServerRefusesConnectionFix,
        ),
        K::ConnectTimeout => (
            Msg::EndpointErrorNoAnswerConnection,
            Msg::EndpointErrorFirewallSchoolFilterFix,
        ),
        K::Unreachable => (
            Msg::EndpointErrorNetworkHostUnreachable,
            Msg::EndpointErrorUnreachableFix,
        ),
        K::Reset => (
            Msg::EndpointErrorConnectionResetServer,
            Msg::EndpointErrorFilterFirewallCutsFix,
        ),
        K::TlsHandshake => (
            Msg::EndpointErrorTlsHandshakeFailed,
            Msg::EndpointErrorSeeServiceTlsFix,
        ),
        K::TlsVersion => (
            Msg::EndpointErrorServerOnlyOffers,
            Msg::EndpointErrorServerProxyBetweenFix,
        ),
        K::TlsTimeout => (
            Msg::EndpointErrorTlsTimeout,
            Msg::EndpointErrorServerMiddleboxDoesFix,
        ),
        K::HttpTimeout => (
            Msg::EndpointErrorConnectedButNo,
            Msg::EndpointErrorHttpTimeoutFix,
        ),
        K::Http => (
            Msg::EndpointErrorHttpExchangeFailed,
            Msg::EndpointErrorTryAgainLastsFix,
        ),
        K::RedirectLoop => (
            Msg::EndpointErrorRedirectLoop,
            Msg::EndpointErrorSiteRedirectsLoopFix,
        ),
        K::TooManyRedirects => (
            Msg::EndpointErrorTooManyRedirects,
            Msg::EndpointErrorSiteRedirectsEndlesslyFix,
        ),
        K::RedirectOffsite => (
            Msg::EndpointErrorRedirectedInsteadEnt,
            Msg::EndpointErrorOpenBrowserGetFix,
        ),
        K::ProxyAuth => (
            Msg::EndpointErrorProxyAsksAuthentication,
            Msg::EndpointErrorHaveEntAddressesFix,
        ),
        K::Proxy => (
            Msg::EndpointErrorProxyCannotReached,
            Msg::EndpointErrorCheckProxyAddressFix,
        ),
        K::ProxyUnsupported => (
            Msg::EndpointErrorProxyUnsupported,
            Msg::EndpointErrorTestEntBrowserFix,
        ),
        K::InvalidUrl => (
            Msg::EndpointErrorInvalidUrl,
            Msg::EndpointErrorFixServiceUrlFix,
        ),
        K::Deadline => (
            Msg::EndpointErrorCutAuditDeadline,
            Msg::EndpointErrorRunAuditAgainFix,
        ),
    };
    // The two texts without `{detail}` (TLS version, proxy authentication) leave it unused.
    (render(lang, what, &[("detail", &detail)]), msg(lang, fix))
}
