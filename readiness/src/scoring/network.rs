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

use super::{Better, Check, grade, num, tr};
use crate::measurements::Measurements;
use crate::measurements::network::{
    CertErrorKind, CertInfo, DnsLookup, DnsOutcome, DnsQuery, EndpointAttempt, EndpointErrorKind,
    EndpointMeasurement, InterfaceKind, LatencyMethod, NetworkMeasurements, ProxySource, Route,
    TlsInfo, Verification,
};
use crate::profile::{Endpoint, Profile};
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang};
use crate::stats;

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

struct Ctx<'a> {
    net: Option<&'a NetworkMeasurements>,
    profile: &'a Profile,
    lang: Lang,
}

impl Ctx<'_> {
    /// Why a part of the network area is missing: the whole area's reason first (e.g.
    /// `--no-network`), else the part's. `None` gives the generic "not measured" text.
    fn missing(&self, part: &str) -> Option<&str> {
        let net = self.net?;
        net.unavailable
            .get("network")
            .or_else(|| net.unavailable.get(part))
            .map(String::as_str)
    }

    fn tr(&self, fr: &str, en: &str) -> String {
        tr(self.lang, fr, en)
    }

    fn fr(&self) -> bool {
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
    match lang {
        Lang::Fr => format!(
            "réussi ≤ {} {unit}, échec > {} {unit}",
            num(lang, pass),
            num(lang, fail)
        ),
        Lang::En => format!(
            "pass ≤ {} {unit}, fail > {} {unit}",
            num(lang, pass),
            num(lang, fail)
        ),
    }
}

/// " :" in French, ":" in English.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => " :",
        Lang::En => ":",
    }
}

/// Milliseconds for people: "0.4 ms", "12 ms", "1 250 ms" stays "1250 ms".
fn ms(lang: Lang, x: f64) -> String {
    if x < 10.0 {
        let s = if x < 1.0 {
            format!("{x:.2}")
        } else {
            format!("{x:.1}")
        };
        match lang {
            Lang::Fr => s.replace('.', ","),
            Lang::En => s,
        }
    } else {
        format!("{x:.0}")
    }
}

// ---------------------------------------------------------------------------------------
// DNS

fn outcome_text(lang: Lang, q: &DnsQuery) -> String {
    let t = |fr: &str, en: &str| tr(lang, fr, en);
    match q.outcome {
        DnsOutcome::Answered => t("réponse", "answered"),
        DnsOutcome::Nxdomain => t(
            "le nom n'existe pas (NXDOMAIN)",
            "the name does not exist (NXDOMAIN)",
        ),
        DnsOutcome::NoAnswer => t("aucune adresse pour ce nom", "no address for this name"),
        DnsOutcome::Servfail => t(
            "le résolveur a échoué (SERVFAIL)",
            "the resolver failed (SERVFAIL)",
        ),
        DnsOutcome::Refused => t(
            "le résolveur refuse de répondre (REFUSED)",
            "the resolver refused to answer (REFUSED)",
        ),
        DnsOutcome::Timeout => match lang {
            Lang::Fr => format!(
                "pas de réponse du résolveur en {} ms",
                ms(lang, q.elapsed_ms)
            ),
            Lang::En => format!(
                "no answer from the resolver within {} ms",
                ms(lang, q.elapsed_ms)
            ),
        },
        DnsOutcome::Error => match lang {
            Lang::Fr => format!(
                "erreur de résolution : {}",
                q.detail.as_deref().unwrap_or("?")
            ),
            Lang::En => format!("resolution error: {}", q.detail.as_deref().unwrap_or("?")),
        },
    }
}

fn resolver_label(lang: Lang, resolver: &str) -> String {
    if resolver == "system" {
        tr(lang, "résolveur du système", "system resolver")
    } else {
        match lang {
            Lang::Fr => format!("résolveur {resolver}"),
            Lang::En => format!("resolver {resolver}"),
        }
    }
}

/// Status, value and a short description of one lookup (A and AAAA of one host through one
/// resolver).
struct DnsJudgement {
    status: CheckStatus,
    value: Option<CheckValue>,
    text: String,
    kind: DnsProblem,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DnsProblem {
    None,
    Slow,
    Missing,
    Blocked,
    ResolverDown,
}

fn judge_lookup(lang: Lang, cfg: &crate::profile::DnsCheck, l: &DnsLookup) -> DnsJudgement {
    let queries = [&l.a, &l.aaaa];
    let answered: Vec<&DnsQuery> = queries
        .iter()
        .copied()
        .filter(|q| q.outcome == DnsOutcome::Answered && !q.addresses.is_empty())
        .collect();
    if answered.is_empty() {
        // A's failure names the problem, unless A simply has no record and AAAA failed.
        let q = if l.a.outcome == DnsOutcome::NoAnswer && l.aaaa.outcome != DnsOutcome::NoAnswer {
            &l.aaaa
        } else {
            &l.a
        };
        let kind = match q.outcome {
            DnsOutcome::Nxdomain | DnsOutcome::NoAnswer => DnsProblem::Missing,
            _ => DnsProblem::ResolverDown,
        };
        let class = match q.outcome {
            DnsOutcome::Nxdomain => "NXDOMAIN",
            DnsOutcome::NoAnswer => "no_answer",
            DnsOutcome::Servfail => "SERVFAIL",
            DnsOutcome::Refused => "REFUSED",
            DnsOutcome::Timeout => "timeout",
            DnsOutcome::Error | DnsOutcome::Answered => "error",
        };
        return DnsJudgement {
            status: CheckStatus::Fail,
            value: Some(CheckValue::Text(class.to_owned())),
            text: outcome_text(lang, q),
            kind,
        };
    }
    let addresses: Vec<std::net::IpAddr> = answered
        .iter()
        .flat_map(|q| q.addresses.iter().copied())
        .collect();
    if addresses.iter().all(|a| a.is_unspecified()) {
        return DnsJudgement {
            status: CheckStatus::Fail,
            value: Some(CheckValue::Text("blocked".to_owned())),
            text: tr(
                lang,
                "nom bloqué par un filtre DNS (réponse 0.0.0.0)",
                "name blocked by a DNS filter (answer 0.0.0.0)",
            ),
            kind: DnsProblem::Blocked,
        };
    }
    // The slower of the answers a browser waits for: those that came back.
    let completed = queries.iter().filter(|q| {
        matches!(
            q.outcome,
            DnsOutcome::Answered | DnsOutcome::NoAnswer | DnsOutcome::Nxdomain
        )
    });
    let time = completed.map(|q| q.elapsed_ms).fold(0.0, f64::max);
    let mut status = grade(time, Better::Lower, cfg.pass_ms, cfg.fail_ms);
    let shown: Vec<String> = addresses.iter().take(3).map(|a| a.to_string()).collect();
    let mut text = match lang {
        Lang::Fr => format!("{} ms ({})", ms(lang, time), shown.join(", ")),
        Lang::En => format!("{} ms ({})", ms(lang, time), shown.join(", ")),
    };
    // One of A/AAAA unanswered while the other came back: browsers may wait on it.
    if let Some(stuck) = queries.iter().find(|q| {
        matches!(
            q.outcome,
            DnsOutcome::Timeout | DnsOutcome::Servfail | DnsOutcome::Refused | DnsOutcome::Error
        )
    }) {
        let which = if std::ptr::eq(*stuck, &l.a) {
            "A"
        } else {
            "AAAA"
        };
        text.push_str(&match lang {
            Lang::Fr => format!(" ; requête {which} : {}", outcome_text(lang, stuck)),
            Lang::En => format!("; {which} query: {}", outcome_text(lang, stuck)),
        });
        status = status.max(CheckStatus::Warn);
    }
    DnsJudgement {
        kind: if status == CheckStatus::Pass {
            DnsProblem::None
        } else {
            DnsProblem::Slow
        },
        status,
        value: Some(CheckValue::Number((time * 10.0).round() / 10.0)),
        text,
    }
}

fn dns_check(ctx: &Ctx<'_>, host: &str) -> CheckResult {
    let cfg = &ctx.profile.checks.dns;
    let lang = ctx.lang;
    let check = Check::new(&format!("dns.{host}"), cfg.meta);
    let threshold = Some(limit_threshold(lang, cfg.pass_ms, cfg.fail_ms, "ms"));
    let lookups: Vec<&DnsLookup> = ctx
        .net
        .into_iter()
        .flat_map(|n| n.dns.iter())
        .filter(|l| l.host == host)
        .collect();
    let Some(primary) = lookups.first() else {
        return check.unknown(lang, ctx.missing("dns"), threshold);
    };
    // The first lookup is the one browsers depend on: the system resolver when enabled,
    // else the first resolver listed. Others are compared in the message.
    let j = judge_lookup(lang, cfg, primary);
    let colon = if ctx.fr() { " :" } else { ":" };
    let mut message = format!(
        "{host}{colon} {} ({})",
        j.text,
        resolver_label(lang, &primary.resolver)
    );
    for other in lookups.iter().skip(1) {
        let o = judge_lookup(lang, cfg, other);
        message.push_str(&format!(
            "{} {}{colon} {}",
            if ctx.fr() { " ;" } else { ";" },
            resolver_label(lang, &other.resolver),
            o.text
        ));
    }
    let remediation = match j.kind {
        DnsProblem::None => None,
        DnsProblem::Slow => Some(ctx.tr(
            "Résolveur DNS lent : vérifier la box ou le résolveur de l'école, ou utiliser celui de la collectivité.",
            "Slow DNS resolver: check the school's router or resolver, or use the collectivité's resolver.",
        )),
        DnsProblem::Missing => Some(ctx.tr(
            "Vérifier le nom dans le profil ; s'il est juste, le filtre DNS de l'école le bloque : demander son autorisation.",
            "Check the name in the profile; if it is right, the school's DNS filter blocks it: ask for it to be allowed.",
        )),
        DnsProblem::Blocked => Some(ctx.tr(
            "Le filtre DNS bloque ce service de l'ENT : demander à l'administrateur du filtrage de l'autoriser.",
            "The DNS filter blocks this ENT service: ask the filter's administrator to allow it.",
        )),
        DnsProblem::ResolverDown => Some(ctx.tr(
            "Vérifier le serveur DNS du poste (DHCP) et que la box ou le résolveur de l'école fonctionne.",
            "Check the PC's DNS server (DHCP) and that the school's router or resolver works.",
        )),
    };
    check.result(
        j.status,
        j.value.clone(),
        matches!(j.value, Some(CheckValue::Number(_))).then_some("ms"),
        threshold,
        message,
        remediation,
    )
}

// ---------------------------------------------------------------------------------------
// Endpoints

fn route_text(lang: Lang, m: &EndpointMeasurement, attempt: &EndpointAttempt) -> String {
    match (attempt.route, &m.proxy) {
        (Route::Proxy, Some(p)) => match lang {
            Lang::Fr => format!(" via le proxy {p}"),
            Lang::En => format!(" through the proxy {p}"),
        },
        _ => String::new(),
    }
}

/// The technician's words for an attempt that stopped, and what to do.
fn endpoint_error_text(lang: Lang, kind: EndpointErrorKind, detail: &str) -> (String, String) {
    let t = |fr: &str, en: &str| tr(lang, fr, en);
    let with = |fr: &str, en: &str| match lang {
        Lang::Fr => format!("{fr} ({detail})"),
        Lang::En => format!("{en} ({detail})"),
    };
    match kind {
        EndpointErrorKind::Dns => (
            with("nom introuvable", "the name does not resolve"),
            t(
                "Voir le contrôle dns.* de ce nom : réglages DNS du poste ou filtre DNS.",
                "See this name's dns.* check: the PC's DNS settings or a DNS filter.",
            ),
        ),
        EndpointErrorKind::ConnectRefused => (
            with("connexion refusée", "connection refused"),
            t(
                "Le serveur refuse la connexion : vérifier l'adresse et le port, ou un pare-feu qui rejette ce trafic.",
                "The server refuses the connection: check the address and port, or a firewall rejecting this traffic.",
            ),
        ),
        EndpointErrorKind::ConnectTimeout => (
            with(
                "pas de réponse à la connexion (adresse injoignable ou filtrée)",
                "no answer to the connection (address unreachable or dropped by a firewall)",
            ),
            t(
                "Un pare-feu ou le filtrage de l'école bloque sans doute ce site : demander l'ouverture du port 443 vers ce serveur.",
                "A firewall or the school's filter probably drops this traffic: ask for port 443 to this server to be opened.",
            ),
        ),
        EndpointErrorKind::Unreachable => (
            with(
                "réseau ou serveur injoignable",
                "network or host unreachable",
            ),
            t(
                "Vérifier le câble ou le Wi-Fi, la passerelle par défaut et la connexion Internet de l'école.",
                "Check the cable or Wi-Fi, the default gateway and the school's Internet connection.",
            ),
        ),
        EndpointErrorKind::Reset => (
            with(
                "connexion coupée par le serveur ou un équipement intermédiaire",
                "connection reset by the server or a middlebox",
            ),
            t(
                "Un filtre ou un pare-feu coupe la connexion : vérifier les règles de filtrage pour ce site.",
                "A filter or firewall cuts the connection: check the filtering rules for this site.",
            ),
        ),
        EndpointErrorKind::TlsHandshake => (
            with("échec de la négociation TLS", "TLS handshake failed"),
            t(
                "Voir le contrôle .tls de ce service ; un proxy filtrant peut en être la cause.",
                "See this service's .tls check; a filtering proxy may be the cause.",
            ),
        ),
        EndpointErrorKind::TlsVersion => (
            t(
                "le serveur ne propose que TLS 1.1 ou plus ancien, refusé par les navigateurs",
                "the server only offers TLS 1.1 or older, which browsers refuse",
            ),
            t(
                "Le serveur (ou le proxy qui s'interpose) doit être mis à jour pour TLS 1.2 ou 1.3 : le signaler à son exploitant.",
                "The server (or the proxy in between) must be updated to TLS 1.2 or 1.3: report it to its operator.",
            ),
        ),
        EndpointErrorKind::TlsTimeout => (
            with(
                "connexion acceptée mais pas de réponse TLS",
                "connection accepted but no TLS answer",
            ),
            t(
                "Le serveur ou un équipement intermédiaire ne répond pas : réessayer plus tard, sinon signaler l'incident.",
                "The server or a middlebox does not answer: try again later, else report the incident.",
            ),
        ),
        EndpointErrorKind::HttpTimeout => (
            with(
                "connecté, mais aucune réponse HTTP",
                "connected, but no HTTP answer",
            ),
            t(
                "Le serveur ne répond pas : réessayer plus tard ; si cela dure, signaler l'incident à l'exploitant de l'ENT.",
                "The server does not answer: try again later; if it lasts, report it to the ENT's operator.",
            ),
        ),
        EndpointErrorKind::Http => (
            with("échange HTTP interrompu", "HTTP exchange failed"),
            t(
                "Réessayer ; si cela dure, un proxy ou un filtre perturbe l'échange.",
                "Try again; if it lasts, a proxy or filter disturbs the exchange.",
            ),
        ),
        EndpointErrorKind::RedirectLoop => (
            with("boucle de redirections", "redirect loop"),
            t(
                "Le site redirige en boucle : souvent un filtre ou un proxy d'authentification ; sinon le signaler à l'exploitant.",
                "The site redirects in a loop: often a filter or an authenticating proxy; else report it to the operator.",
            ),
        ),
        EndpointErrorKind::TooManyRedirects => (
            with("trop de redirections", "too many redirects"),
            t(
                "Le site redirige sans fin : le signaler à l'exploitant de l'ENT.",
                "The site redirects endlessly: report it to the ENT's operator.",
            ),
        ),
        EndpointErrorKind::RedirectOffsite => (
            match lang {
                Lang::Fr => format!(
                    "redirigé vers {detail} au lieu de l'ENT : portail captif ou page de blocage d'un filtre"
                ),
                Lang::En => format!(
                    "redirected to {detail} instead of the ENT: a captive portal or a filter's block page"
                ),
            },
            t(
                "Ouvrir un navigateur pour passer le portail captif (Wi-Fi invité ?), ou demander au responsable du filtrage d'autoriser l'ENT.",
                "Open a browser to get past the captive portal (guest Wi-Fi?), or ask the filter's administrator to allow the ENT.",
            ),
        ),
        EndpointErrorKind::ProxyAuth => (
            t(
                "le proxy demande une authentification (HTTP 407)",
                "the proxy asks for authentication (HTTP 407)",
            ),
            t(
                "Faire exempter les adresses de l'ENT de l'authentification du proxy, ou configurer les identifiants du proxy sur le poste.",
                "Have the ENT's addresses exempted from the proxy's authentication, or configure the proxy credentials on the PC.",
            ),
        ),
        EndpointErrorKind::Proxy => (
            with(
                "le proxy est injoignable ou refuse la connexion",
                "the proxy cannot be reached or refuses the connection",
            ),
            t(
                "Vérifier l'adresse du proxy dans les paramètres du poste, ou le retirer s'il n'existe plus.",
                "Check the proxy address in the PC's settings, or remove it if the proxy is gone.",
            ),
        ),
        EndpointErrorKind::ProxyUnsupported => (
            with(
                "type de proxy non testé par l'agent",
                "proxy type not tested by the agent",
            ),
            t(
                "Tester l'ENT dans un navigateur de ce poste.",
                "Test the ENT in a browser on this PC.",
            ),
        ),
        EndpointErrorKind::InvalidUrl => (
            with("adresse invalide", "invalid URL"),
            t(
                "Corriger l'adresse de ce service dans le profil.",
                "Fix this service's URL in the profile.",
            ),
        ),
        EndpointErrorKind::Deadline => (
            with(
                "interrompu par la limite de temps de l'audit",
                "cut by the audit's deadline",
            ),
            t(
                "Relancer l'audit avec une limite plus longue (--deadline).",
                "Run the audit again with a longer deadline (--deadline).",
            ),
        ),
    }
}

/// How a chain is trusted, from the best case down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Through the public web PKI: what every browser accepts.
    Public,
    /// Through a root given with `--ca-file` (a private ENT's CA the operator vouches for).
    Private,
    /// Only through a root of the OS store that is not a public authority: a filtering proxy
    /// re-signing, or a private CA deployed on the PCs.
    OsOnly,
    /// Not valid through any root.
    Invalid,
}

fn trust(tls: &TlsInfo) -> Trust {
    let valid = |v: Option<&Verification>| v.is_some_and(|v| v.valid);
    if tls.public_roots.valid {
        Trust::Public
    } else if valid(tls.extra_roots.as_ref()) {
        Trust::Private
    } else if valid(tls.os_roots.as_ref()) {
        Trust::OsOnly
    } else {
        Trust::Invalid
    }
}

/// The most telling reason a chain is invalid: a date or name problem found by any store
/// beats "unknown issuer".
fn invalid_reason(tls: &TlsInfo) -> (CertErrorKind, Option<String>) {
    let all = [
        tls.extra_roots.as_ref(),
        tls.os_roots.as_ref(),
        Some(&tls.public_roots),
    ];
    let errors = all.into_iter().flatten().filter(|v| !v.valid);
    let mut best = (CertErrorKind::Other, None);
    let mut best_rank = u8::MAX;
    for v in errors {
        let kind = v.error.unwrap_or(CertErrorKind::Other);
        let rank = match kind {
            CertErrorKind::Expired | CertErrorKind::NotYetValid => 0,
            CertErrorKind::NameMismatch => 1,
            CertErrorKind::Revoked => 2,
            CertErrorKind::BadSignature => 3,
            CertErrorKind::UnknownIssuer => 4,
            CertErrorKind::Other => 5,
        };
        if rank < best_rank {
            best_rank = rank;
            best = (kind, v.detail.clone());
        }
    }
    best
}

/// The root (or top) certificate's name: the issuer of the last certificate sent.
fn top_issuer(tls: &TlsInfo) -> String {
    tls.chain
        .last()
        .map(|c| short_name(&c.issuer))
        .unwrap_or_else(|| "?".into())
}

/// `CN=Foo CA, O=Bar` -> `Foo CA`; else the whole name.
fn short_name(dn: &str) -> String {
    dn.split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("CN="))
        .unwrap_or(dn)
        .to_owned()
}

/// Whether the chain is intercepted: valid only through the OS store, or from an issuer the
/// profile does not expect for this endpoint. Returns the reason.
fn interception(lang: Lang, tls: &TlsInfo, configured: Option<&Endpoint>) -> Option<String> {
    let trust = trust(tls);
    if trust == Trust::OsOnly {
        return Some(match lang {
            Lang::Fr => format!(
                "certificat ré-signé par « {} », une autorité installée sur le poste mais non publique (proxy filtrant)",
                top_issuer(tls)
            ),
            Lang::En => format!(
                "certificate re-signed by \"{}\", an authority installed on this PC that is not a public one (filtering proxy)",
                top_issuer(tls)
            ),
        });
    }
    let expected = configured
        .map(|e| e.expected_issuers.as_slice())
        .unwrap_or(&[]);
    if trust != Trust::Invalid && !expected.is_empty() {
        let issuers: Vec<&str> = tls.chain.iter().map(|c| c.issuer.as_str()).collect();
        let ok = expected.iter().any(|want| {
            issuers
                .iter()
                .any(|i| i.to_lowercase().contains(&want.to_lowercase()))
        });
        if !ok {
            return Some(match lang {
                Lang::Fr => format!(
                    "certificat émis par « {} », alors que le profil attend {}",
                    top_issuer(tls),
                    expected.join(" ou ")
                ),
                Lang::En => format!(
                    "certificate issued by \"{}\", while the profile expects {}",
                    top_issuer(tls),
                    expected.join(" or ")
                ),
            });
        }
    }
    None
}

fn phases_text(lang: Lang, attempt: &EndpointAttempt) -> String {
    let Some(first) = attempt.hops.first() else {
        return String::new();
    };
    let mut parts = Vec::new();
    let mut add = |label_fr: &str, label_en: &str, v: Option<f64>| {
        if let Some(v) = v {
            let label = if lang == Lang::Fr { label_fr } else { label_en };
            parts.push(format!("{label} {}", ms(lang, v)));
        }
    };
    add("DNS", "DNS", first.dns_ms);
    add("connexion", "connect", first.connect_ms);
    add("proxy", "proxy", first.proxy_ms);
    add("TLS", "TLS", first.tls_ms);
    add("1er octet", "first byte", first.ttfb_ms);
    if parts.is_empty() {
        String::new()
    } else {
        format!(" [{} ms]", parts.join(", "))
    }
}

fn endpoint_check(
    ctx: &Ctx<'_>,
    name: &str,
    measured: Option<&EndpointMeasurement>,
    configured: Option<&Endpoint>,
) -> CheckResult {
    let cfg = &ctx.profile.checks.endpoint;
    let lang = ctx.lang;
    let check = Check::new(&format!("endpoint.{name}"), cfg.meta);
    let threshold = Some(limit_threshold(lang, cfg.pass_ms, cfg.fail_ms, "ms"));
    let Some(m) = measured else {
        return check.unknown(lang, ctx.missing("endpoints"), threshold);
    };
    let attempt = &m.attempt;
    let via = route_text(lang, m, attempt);
    if let Some(err) = &attempt.error {
        let (what, remediation) = endpoint_error_text(lang, err.kind, &err.detail);
        let mut message = match lang {
            Lang::Fr => format!("{}{via} : {what}", m.url),
            Lang::En => format!("{}{via}: {what}", m.url),
        };
        if err.kind == EndpointErrorKind::Deadline {
            return check.unknown(lang, Some(&message), threshold);
        }
        if let Some(direct) = &m.direct
            && direct.error.is_none()
        {
            message.push_str(&ctx.tr(
                " ; en direct (sans proxy), le service répond",
                "; directly (without the proxy) the service answers",
            ));
        }
        let value = attempt
            .hops
            .last()
            .and_then(|h| h.status)
            .map(|s| CheckValue::Number(f64::from(s)));
        let unit = value.as_ref().map(|_| "http_status");
        return check.result(
            CheckStatus::Fail,
            value,
            unit,
            threshold,
            message,
            Some(remediation),
        );
    }
    let status_code = attempt.hops.last().and_then(|h| h.status).unwrap_or(0);
    let redirects = attempt.hops.len().saturating_sub(1);
    let total = attempt.total_ms;
    let timing = match (lang, redirects) {
        (Lang::Fr, 0) => format!("en {} ms", ms(lang, total)),
        (Lang::En, 0) => format!("in {} ms", ms(lang, total)),
        (Lang::Fr, n) => format!("en {} ms, {n} redirection(s)", ms(lang, total)),
        (Lang::En, n) => format!("in {} ms, {n} redirect(s)", ms(lang, total)),
    };
    let phases = phases_text(lang, attempt);
    let head = match lang {
        Lang::Fr => format!("{}{via} : HTTP {status_code} {timing}{phases}", m.url),
        Lang::En => format!("{}{via}: HTTP {status_code} {timing}{phases}", m.url),
    };
    let value = Some(CheckValue::Number((total * 10.0).round() / 10.0));
    let fail =
        |message: String, remediation: String| (CheckStatus::Fail, message, Some(remediation));
    let (status, message, remediation) = if status_code == 407 {
        let (what, fix) = endpoint_error_text(lang, EndpointErrorKind::ProxyAuth, "");
        fail(format!("{head}{} {what}", colon(lang)), fix)
    } else if status_code >= 500 {
        fail(
            match lang {
                Lang::Fr => format!("{head} : erreur du serveur"),
                Lang::En => format!("{head}: server error"),
            },
            ctx.tr(
                "Le service est en panne ou surchargé : réessayer plus tard ; si cela dure, le signaler à l'exploitant de l'ENT.",
                "The service is down or overloaded: try again later; if it lasts, report it to the ENT's operator.",
            ),
        )
    } else if attempt
        .tls
        .as_ref()
        .is_some_and(|t| trust(t) == Trust::Invalid)
    {
        fail(
            match lang {
                Lang::Fr => format!(
                    "{head} : certificat refusé, les navigateurs bloqueront ce site (voir endpoint.{name}.tls)"
                ),
                Lang::En => format!(
                    "{head}: certificate refused, browsers will block this site (see endpoint.{name}.tls)"
                ),
            },
            ctx.tr(
                "Voir le contrôle .tls de ce service.",
                "See this service's .tls check.",
            ),
        )
    } else if attempt.expected_text_found == Some(false) {
        let expected = configured
            .and_then(|e| e.expect_text.as_deref())
            .unwrap_or("?");
        fail(
            match lang {
                Lang::Fr => format!(
                    "{head} : la page ne contient pas « {expected} » : page de blocage d'un filtre ou portail à la place de l'ENT"
                ),
                Lang::En => format!(
                    "{head}: the page lacks \"{expected}\": a filter's block page or a portal instead of the ENT"
                ),
            },
            ctx.tr(
                "Ouvrir l'adresse dans un navigateur : si une page de blocage s'affiche, demander au responsable du filtrage d'autoriser l'ENT.",
                "Open the address in a browser: if a block page shows, ask the filter's administrator to allow the ENT.",
            ),
        )
    } else if status_code >= 400 {
        (
            CheckStatus::Warn,
            match lang {
                Lang::Fr => format!(
                    "{head} : le service répond mais refuse cette page (filtre, ou adresse à corriger)"
                ),
                Lang::En => format!(
                    "{head}: the service answers but refuses this page (a filter, or a URL to fix)"
                ),
            },
            Some(ctx.tr(
                "Vérifier l'adresse dans le profil ; un code 403 vient souvent d'un filtre.",
                "Check the URL in the profile; a 403 often comes from a filter.",
            )),
        )
    } else {
        let status = grade(total, Better::Lower, cfg.pass_ms, cfg.fail_ms);
        let message = match (status, lang) {
            (CheckStatus::Pass, _) => head,
            (_, Lang::Fr) => format!("{head} : lent"),
            (_, Lang::En) => format!("{head}: slow"),
        };
        (
            status,
            message,
            Some(ctx.tr(
                "Réponse lente : voir les temps par étape (DNS, connexion, TLS, premier octet) et les contrôles latency.* ; un lien saturé ou un proxy lent en sont souvent la cause.",
                "Slow answer: see the time per phase (DNS, connect, TLS, first byte) and the latency.* checks; a saturated link or a slow proxy is often the cause.",
            )),
        )
    };
    check.result(status, value, Some("ms"), threshold, message, remediation)
}

fn tls_check(
    ctx: &Ctx<'_>,
    name: &str,
    measured: Option<&EndpointMeasurement>,
    configured: Option<&Endpoint>,
    today: Date,
) -> CheckResult {
    let cfg = &ctx.profile.checks.endpoint_tls;
    let lang = ctx.lang;
    let check = Check::new(&format!("endpoint.{name}.tls"), cfg.meta);
    let threshold = Some(match lang {
        Lang::Fr => format!(
            "TLS ≥ 1.2, chaîne valide ; alerte si interceptée ou expiration dans moins de {} jours",
            cfg.expiry_warn_days
        ),
        Lang::En => format!(
            "TLS ≥ 1.2, valid chain; warn if intercepted or expiring within {} days",
            cfg.expiry_warn_days
        ),
    });
    let Some(m) = measured else {
        return check.unknown(lang, ctx.missing("endpoints"), threshold);
    };
    let attempt = &m.attempt;
    let Some(tls) = &attempt.tls else {
        if let Some(err) = &attempt.error
            && matches!(
                err.kind,
                EndpointErrorKind::TlsVersion | EndpointErrorKind::TlsHandshake
            )
        {
            let (what, fix) = endpoint_error_text(lang, err.kind, &err.detail);
            let value = (err.kind == EndpointErrorKind::TlsVersion)
                .then(|| CheckValue::Text("< TLSv1.2".into()));
            return check.result(
                CheckStatus::Fail,
                value,
                None,
                threshold,
                match lang {
                    Lang::Fr => format!("{} : {what}", m.url),
                    Lang::En => format!("{}: {what}", m.url),
                },
                Some(fix),
            );
        }
        let reason = match &attempt.error {
            Some(err) => {
                let (what, _) = endpoint_error_text(lang, err.kind, &err.detail);
                match lang {
                    Lang::Fr => format!("serveur non atteint en TLS : {what}"),
                    Lang::En => format!("server not reached over TLS: {what}"),
                }
            }
            None => ctx.tr("pas de session TLS établie", "no TLS session established"),
        };
        return check.unknown(lang, Some(&reason), threshold);
    };
    let value = Some(CheckValue::Text(tls.version.clone()));
    let old = !matches!(tls.version.as_str(), "TLSv1.2" | "TLSv1.3");
    let leaf: Option<&CertInfo> = tls.chain.first();
    let head = format!("{}, {}", tls.version, tls.cipher);
    if old {
        let (what, fix) = endpoint_error_text(lang, EndpointErrorKind::TlsVersion, "");
        return check.result(
            CheckStatus::Fail,
            value,
            None,
            threshold,
            format!("{head}{} {what}", colon(lang)),
            Some(fix),
        );
    }
    let trust = trust(tls);
    if trust == Trust::Invalid {
        let (kind, detail) = invalid_reason(tls);
        let self_signed = leaf.is_some_and(|c| c.subject == c.issuer);
        let what = match (kind, lang) {
            (CertErrorKind::Expired, _) => {
                let date = leaf
                    .map(|c| c.not_after.strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                match lang {
                    Lang::Fr => format!("certificat expiré depuis le {date}"),
                    Lang::En => format!("certificate expired on {date}"),
                }
            }
            (CertErrorKind::NotYetValid, _) => ctx.tr(
                "certificat pas encore valide (horloge du poste en retard ?)",
                "certificate not valid yet (is this PC's clock behind?)",
            ),
            (CertErrorKind::NameMismatch, _) => {
                let names = leaf.map(|c| c.names.join(", ")).unwrap_or_default();
                match lang {
                    Lang::Fr => format!(
                        "certificat établi pour {names}, pas pour {} (serveur ou filtre qui s'interpose ?)",
                        tls.server_name
                    ),
                    Lang::En => format!(
                        "certificate is for {names}, not for {} (wrong server, or a filter in between?)",
                        tls.server_name
                    ),
                }
            }
            (CertErrorKind::UnknownIssuer, _) if self_signed => ctx.tr(
                "certificat auto-signé : aucune autorité ne le garantit",
                "self-signed certificate: no authority vouches for it",
            ),
            (CertErrorKind::UnknownIssuer, _) => match lang {
                Lang::Fr => format!(
                    "certificat émis par « {} », autorité inconnue du poste (proxy filtrant dont le certificat racine n'est pas installé ?)",
                    top_issuer(tls)
                ),
                Lang::En => format!(
                    "certificate issued by \"{}\", an authority this PC does not know (a filtering proxy whose root is not installed?)",
                    top_issuer(tls)
                ),
            },
            (CertErrorKind::BadSignature, _) => ctx.tr(
                "signature du certificat invalide",
                "invalid certificate signature",
            ),
            (CertErrorKind::Revoked, _) => ctx.tr("certificat révoqué", "certificate revoked"),
            (CertErrorKind::Other, _) => match lang {
                Lang::Fr => format!("certificat refusé ({})", detail.as_deref().unwrap_or("?")),
                Lang::En => format!("certificate refused ({})", detail.as_deref().unwrap_or("?")),
            },
        };
        let fix = match kind {
            CertErrorKind::NotYetValid => ctx.tr(
                "Mettre le poste à l'heure (synchronisation NTP), puis relancer l'audit.",
                "Set this PC's clock right (NTP synchronisation), then run the audit again.",
            ),
            CertErrorKind::UnknownIssuer if !self_signed => ctx.tr(
                "Si l'école filtre le HTTPS, installer le certificat racine du proxy sur le poste ; sinon signaler le certificat à l'exploitant du service.",
                "If the school filters HTTPS, install the proxy's root certificate on the PC; otherwise report the certificate to the service's operator.",
            ),
            _ => ctx.tr(
                "Signaler le certificat à l'exploitant du service (ou du filtre qui s'interpose) : les navigateurs refuseront ce site.",
                "Report the certificate to the service's operator (or the filter in between): browsers will refuse this site.",
            ),
        };
        return check.result(
            CheckStatus::Fail,
            value,
            None,
            threshold,
            format!("{head}{} {what}", colon(lang)),
            Some(fix),
        );
    }
    let issuer = leaf.map(|c| short_name(&c.issuer)).unwrap_or_default();
    let (expiry_text, days_left) = match leaf {
        Some(c) => {
            let date = c
                .not_after
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            (date.to_string(), Some((date - today).get_days()))
        }
        None => (String::new(), None),
    };
    let base = match lang {
        Lang::Fr => format!("{head}, certificat de « {issuer} » valide jusqu'au {expiry_text}"),
        Lang::En => format!("{head}, certificate from \"{issuer}\" valid until {expiry_text}"),
    };
    if let Some(why) = interception(lang, tls, configured) {
        return check.result(
            CheckStatus::Warn,
            value,
            None,
            threshold,
            format!("{head}{} {why}", colon(lang)),
            Some(ctx.tr(
                "Le trafic vers l'ENT est déchiffré par un proxy filtrant : demander d'exempter l'ENT et les services d'identité de l'inspection HTTPS.",
                "Traffic to the ENT is decrypted by a filtering proxy: ask for the ENT and identity services to be exempted from HTTPS inspection.",
            )),
        );
    }
    if let Some(days) = days_left
        && i64::from(days) < i64::from(cfg.expiry_warn_days)
    {
        return check.result(
            CheckStatus::Warn,
            value,
            None,
            threshold,
            match lang {
                Lang::Fr => format!("{base} : expire dans {days} jour(s)"),
                Lang::En => format!("{base}: expires in {days} day(s)"),
            },
            Some(ctx.tr(
                "Prévenir l'exploitant du service : son certificat doit être renouvelé avant l'expiration.",
                "Tell the service's operator: its certificate must be renewed before it expires.",
            )),
        );
    }
    let base = if trust == Trust::Private {
        base + &ctx.tr(
            " (autorité privée fournie par --ca-file)",
            " (private authority given with --ca-file)",
        )
    } else {
        base
    };
    check.result(CheckStatus::Pass, value, None, threshold, base, None)
}

fn interception_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.tls_interception;
    let lang = ctx.lang;
    let check = Check::new("network.tls_interception", cfg.meta);
    let threshold = Some(ctx.tr(
        "chaînes émises par des autorités publiques (ou celles du profil)",
        "chains from public authorities (or the profile's)",
    ));
    let Some(net) = ctx.net else {
        return check.unknown(lang, None, threshold);
    };
    if let Some(reason) = ctx.missing("endpoints") {
        return check.unknown(lang, Some(reason), threshold);
    }
    let sessions: Vec<(&EndpointMeasurement, &TlsInfo)> = net
        .endpoints
        .iter()
        .filter_map(|e| e.attempt.tls.as_ref().map(|t| (e, t)))
        .collect();
    let judged: Vec<_> = sessions
        .iter()
        .filter(|(_, t)| trust(t) != Trust::Invalid)
        .collect();
    if judged.is_empty() {
        let reason = if sessions.is_empty() {
            ctx.tr(
                "aucune session TLS établie avec les services",
                "no TLS session established with the services",
            )
        } else {
            ctx.tr(
                "aucune chaîne de certificats valide à examiner",
                "no valid certificate chain to examine",
            )
        };
        return check.unknown(lang, Some(&reason), threshold);
    }
    let found: Vec<String> = judged
        .iter()
        .filter_map(|(e, t)| {
            let configured = ctx
                .profile
                .network
                .endpoints
                .iter()
                .find(|c| c.name == e.name);
            interception(lang, t, configured).map(|why| format!("{} : {why}", e.name))
        })
        .collect();
    if found.is_empty() {
        let names: Vec<&str> = judged.iter().map(|(e, _)| e.name.as_str()).collect();
        return check.result(
            CheckStatus::Pass,
            Some(CheckValue::Text("none".into())),
            None,
            threshold,
            match lang {
                Lang::Fr => format!("Pas d'interception TLS ({})", names.join(", ")),
                Lang::En => format!("No TLS interception ({})", names.join(", ")),
            },
            None,
        );
    }
    let mut message = found.join(" ; ");
    if lang == Lang::En {
        message = message.replace(" : ", ": ").replace(" ; ", "; ");
    }
    check.result(
        CheckStatus::Warn,
        Some(CheckValue::Text("intercepted".into())),
        None,
        threshold,
        message,
        Some(ctx.tr(
            "Un proxy filtrant déchiffre le HTTPS : demander d'exempter l'ENT et les services d'identité (EduConnect, GAR) de l'inspection HTTPS.",
            "A filtering proxy decrypts HTTPS: ask for the ENT and identity services (EduConnect, GAR) to be exempted from HTTPS inspection.",
        )),
    )
}

fn proxy_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.proxy;
    let lang = ctx.lang;
    let check = Check::new("network.proxy", cfg.meta);
    let threshold = Some(ctx.tr(
        "pas de proxy, ou les services fonctionnent à travers lui",
        "no proxy, or the services work through it",
    ));
    let Some(net) = ctx.net else {
        return check.unknown(lang, None, threshold);
    };
    let Some(settings) = &net.proxy else {
        return check.unknown(lang, ctx.missing("proxy"), threshold);
    };
    let configured = settings
        .https_proxy
        .as_deref()
        .or(settings.http_proxy.as_deref());
    let Some(proxy) = configured else {
        if let Some(pac) = &settings.pac_url {
            let reason = match lang {
                Lang::Fr => format!(
                    "un script de configuration (PAC) choisit le proxy ({pac}) ; l'agent n'exécute pas les scripts PAC et a testé les services en direct"
                ),
                Lang::En => format!(
                    "a configuration script (PAC) picks the proxy ({pac}); the agent does not run PAC scripts and tested the services directly"
                ),
            };
            return check.unknown(lang, Some(&reason), threshold);
        }
        return check.result(
            CheckStatus::Pass,
            Some(CheckValue::Text("direct".into())),
            None,
            threshold,
            ctx.tr(
                "Aucun proxy configuré : connexions directes",
                "No proxy configured: direct connections",
            ),
            None,
        );
    };
    let source = match (settings.source, lang) {
        (ProxySource::Environment, Lang::Fr) => "variables d'environnement",
        (ProxySource::Environment, Lang::En) => "environment variables",
        (ProxySource::Windows, Lang::Fr) => "paramètres Windows",
        (ProxySource::Windows, Lang::En) => "Windows settings",
        (ProxySource::Macos, Lang::Fr) => "réglages macOS",
        (ProxySource::Macos, Lang::En) => "macOS settings",
        (ProxySource::None, _) => "-",
    };
    let value = Some(CheckValue::Text(proxy.to_owned()));
    let proxied: Vec<&EndpointMeasurement> = net
        .endpoints
        .iter()
        .filter(|e| e.attempt.route == Route::Proxy)
        .collect();
    if proxied.is_empty() {
        return check.result(
            CheckStatus::Pass,
            value,
            None,
            threshold,
            match lang {
                Lang::Fr => format!(
                    "Proxy {proxy} ({source}) ; les services de l'ENT n'y passent pas (exceptions)"
                ),
                Lang::En => {
                    format!("Proxy {proxy} ({source}); the ENT's services bypass it (exceptions)")
                }
            },
            None,
        );
    }
    let mut problems = Vec::new();
    let mut worst = CheckStatus::Pass;
    let mut remediation = None;
    for e in &proxied {
        let Some(err) = &e.attempt.error else {
            if e.attempt.hops.last().and_then(|h| h.status) == Some(407) {
                worst = CheckStatus::Fail;
                let (what, fix) = endpoint_error_text(lang, EndpointErrorKind::ProxyAuth, "");
                problems.push(format!("{} : {what}", e.name));
                remediation = Some(fix);
            }
            continue;
        };
        let direct_ok = e.direct.as_ref().is_some_and(|d| d.error.is_none());
        let (what, fix) = endpoint_error_text(lang, err.kind, &err.detail);
        let status = match err.kind {
            EndpointErrorKind::ProxyAuth | EndpointErrorKind::Proxy => CheckStatus::Fail,
            EndpointErrorKind::ProxyUnsupported | EndpointErrorKind::Deadline => {
                CheckStatus::Unknown
            }
            _ if direct_ok => CheckStatus::Fail,
            // Fails both ways: the endpoint check tells why; not the proxy's fault.
            _ => continue,
        };
        let mut text = format!("{} : {what}", e.name);
        if direct_ok {
            text.push_str(&ctx.tr(
                " (mais le service répond en direct)",
                " (but the service answers directly)",
            ));
        }
        problems.push(text);
        if status == CheckStatus::Fail {
            worst = CheckStatus::Fail;
            remediation = Some(if direct_ok && err.kind != EndpointErrorKind::ProxyAuth {
                ctx.tr(
                    "Le proxy bloque ou casse l'accès à l'ENT : ajouter les adresses de l'ENT à ses exceptions (ou à celles du poste).",
                    "The proxy blocks or breaks access to the ENT: add the ENT's addresses to its exceptions (or the PC's).",
                )
            } else {
                fix
            });
        } else if worst == CheckStatus::Pass {
            worst = CheckStatus::Unknown;
        }
    }
    if worst == CheckStatus::Unknown {
        let reason = problems.join(" ; ");
        return check.unknown(lang, Some(&reason), threshold);
    }
    if problems.is_empty() {
        let names: Vec<&str> = proxied.iter().map(|e| e.name.as_str()).collect();
        return check.result(
            CheckStatus::Pass,
            value,
            None,
            threshold,
            match lang {
                Lang::Fr => format!(
                    "Proxy {proxy} ({source}) : {} accessible(s) à travers lui",
                    names.join(", ")
                ),
                Lang::En => format!(
                    "Proxy {proxy} ({source}): {} reachable through it",
                    names.join(", ")
                ),
            },
            None,
        );
    }
    let mut message = match lang {
        Lang::Fr => format!("Proxy {proxy} ({source}) : {}", problems.join(" ; ")),
        Lang::En => format!("Proxy {proxy} ({source}): {}", problems.join("; ")),
    };
    if lang == Lang::En {
        message = message.replace(" : ", ": ");
    }
    check.result(worst, value, None, threshold, message, remediation)
}

// ---------------------------------------------------------------------------------------
// Latency, clock, interface

/// Round-trip statistics over the samples received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RttStats {
    pub min: f64,
    pub median: f64,
    /// [`stats::percentile_nearest`]: one of the samples.
    pub p90: f64,
    /// Mean absolute difference between consecutive samples received.
    pub jitter: f64,
    /// Share of probes lost, in percent.
    pub loss_pct: f64,
}

/// Statistics of latency samples (`None` = lost); `None` when nothing came back.
pub fn rtt_stats(samples: &[Option<f64>]) -> Option<RttStats> {
    let got: Vec<f64> = samples.iter().flatten().copied().collect();
    if got.is_empty() {
        return None;
    }
    let sorted = stats::sorted(&got);
    Some(RttStats {
        min: sorted[0],
        median: stats::median(&sorted),
        p90: stats::percentile_nearest(&sorted, 0.9),
        jitter: stats::jitter(&got),
        loss_pct: (samples.len() - got.len()) as f64 * 100.0 / samples.len() as f64,
    })
}

fn method_text(lang: Lang, m: Option<LatencyMethod>) -> &'static str {
    match (m, lang) {
        (Some(LatencyMethod::IcmpRaw), _) => "ICMP",
        (Some(LatencyMethod::IcmpDatagram), _) => "ICMP (datagram)",
        (Some(LatencyMethod::IcmpHelper), _) => "ICMP (Windows)",
        (Some(LatencyMethod::TcpConnect), Lang::Fr) => "connexion TCP",
        (Some(LatencyMethod::TcpConnect), Lang::En) => "TCP connect",
        (None, _) => "?",
    }
}

fn latency_check(ctx: &Ctx<'_>, target: &str) -> CheckResult {
    let cfg = &ctx.profile.checks.latency;
    let lang = ctx.lang;
    let check = Check::new(&format!("latency.{target}"), cfg.meta);
    let threshold = Some(match lang {
        Lang::Fr => format!(
            "réussi ≤ {} ms, échec > {} ms ou perte ≥ {} %",
            num(lang, cfg.pass_ms),
            num(lang, cfg.fail_ms),
            num(lang, cfg.loss_fail_pct)
        ),
        Lang::En => format!(
            "pass ≤ {} ms, fail > {} ms or loss ≥ {} %",
            num(lang, cfg.pass_ms),
            num(lang, cfg.fail_ms),
            num(lang, cfg.loss_fail_pct)
        ),
    });
    let Some(m) = ctx
        .net
        .and_then(|n| n.latency.iter().find(|l| l.target == target))
    else {
        return check.unknown(lang, ctx.missing("latency"), threshold);
    };
    if let Some(err) = &m.error {
        return check.unknown(lang, Some(err), threshold);
    }
    let method = method_text(lang, m.method);
    let n = m.samples_ms.len();
    let Some(stats) = rtt_stats(&m.samples_ms) else {
        if n == 0 {
            return check.unknown(lang, Some(&m.host), threshold);
        }
        return check.result(
            CheckStatus::Fail,
            None,
            None,
            threshold,
            match lang {
                Lang::Fr => format!(
                    "{} : aucune réponse à {n} sondes ({method}) : serveur injoignable",
                    m.host
                ),
                Lang::En => format!(
                    "{}: no answer to {n} probes ({method}): host unreachable",
                    m.host
                ),
            },
            Some(ctx.tr(
                "Le serveur ne répond pas depuis ce poste : vérifier la connexion Internet de l'école et le filtrage (voir endpoint.*).",
                "The server does not answer from this PC: check the school's Internet connection and filtering (see endpoint.*).",
            )),
        );
    };
    let by_time = grade(stats.median, Better::Lower, cfg.pass_ms, cfg.fail_ms);
    // Not `grade`: the loss limit fails at the threshold itself ("fail ≥ 20 %"), as the
    // profile and the threshold text say, where `grade` warns up to its limit inclusive.
    let by_loss = if stats.loss_pct >= cfg.loss_fail_pct {
        CheckStatus::Fail
    } else if stats.loss_pct > cfg.loss_warn_pct {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    let status = by_time.max(by_loss);
    let message = match lang {
        Lang::Fr => format!(
            "{} : médiane {} ms (min {}, p90 {}, gigue {} ms, perte {} %) par {method}",
            m.host,
            ms(lang, stats.median),
            ms(lang, stats.min),
            ms(lang, stats.p90),
            ms(lang, stats.jitter),
            num(lang, stats.loss_pct)
        ),
        Lang::En => format!(
            "{}: median {} ms (min {}, p90 {}, jitter {} ms, loss {} %) by {method}",
            m.host,
            ms(lang, stats.median),
            ms(lang, stats.min),
            ms(lang, stats.p90),
            ms(lang, stats.jitter),
            num(lang, stats.loss_pct)
        ),
    };
    check.result(
        status,
        Some(CheckValue::Number((stats.median * 100.0).round() / 100.0)),
        Some("ms"),
        threshold,
        message,
        Some(ctx.tr(
            "Latence élevée ou pertes : vérifier le Wi-Fi ou le câble, la saturation de la ligne de l'école (téléchargements, vidéos) et la box.",
            "High latency or loss: check the Wi-Fi or cable, the load on the school's line (downloads, videos) and the router.",
        )),
    )
}

/// The workstation's clock skew in seconds (server minus local: positive when the PC is
/// behind), the median over samples.
pub fn clock_skew_s(samples: &[crate::measurements::network::ClockSample]) -> Option<f64> {
    let skews: Vec<f64> = samples
        .iter()
        .map(|s| s.server_time.duration_since(s.local_time).as_secs_f64())
        .collect();
    if skews.is_empty() {
        return None;
    }
    Some(stats::median(&stats::sorted(&skews)))
}

fn clock_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.clock_skew;
    let lang = ctx.lang;
    let check = Check::new("system.clock_skew", cfg.meta);
    let threshold = Some(limit_threshold(lang, cfg.pass_s, cfg.fail_s, "s"));
    let samples = ctx.net.map(|n| n.clock.as_slice()).unwrap_or(&[]);
    let Some(skew) = clock_skew_s(samples) else {
        let reason = ctx.missing("clock").map(str::to_owned).or_else(|| {
            ctx.net.map(|_| {
                ctx.tr(
                    "aucun serveur n'a donné son heure (en-tête HTTP Date)",
                    "no server gave its time (HTTP Date header)",
                )
            })
        });
        return check.unknown(lang, reason.as_deref(), threshold);
    };
    let sources: BTreeSet<&str> = samples.iter().map(|s| s.source.as_str()).collect();
    let sources: Vec<&str> = sources.into_iter().collect();
    let abs = skew.abs();
    let status = grade(abs, Better::Lower, cfg.pass_s, cfg.fail_s);
    let amount = num(lang, (abs * 10.0).round() / 10.0);
    let message = match (lang, skew >= 0.0) {
        (Lang::Fr, true) => format!(
            "Horloge du poste en retard de {amount} s sur celle de l'ENT ({})",
            sources.join(", ")
        ),
        (Lang::Fr, false) => format!(
            "Horloge du poste en avance de {amount} s sur celle de l'ENT ({})",
            sources.join(", ")
        ),
        (Lang::En, true) => format!(
            "This PC's clock is {amount} s behind the ENT's ({})",
            sources.join(", ")
        ),
        (Lang::En, false) => format!(
            "This PC's clock is {amount} s ahead of the ENT's ({})",
            sources.join(", ")
        ),
    };
    check.result(
        status,
        Some(CheckValue::Number((skew * 10.0).round() / 10.0)),
        Some("s"),
        threshold,
        message,
        Some(ctx.tr(
            "Activer la synchronisation de l'heure (Windows : Paramètres > Heure > Synchroniser ; Linux : timedatectl set-ntp true) et vérifier que le port 123 (NTP) est ouvert ; au-delà de 3 minutes, la connexion EduConnect échoue.",
            "Turn on time synchronisation (Windows: Settings > Time > Sync now; Linux: timedatectl set-ntp true) and check that port 123 (NTP) is open; beyond 3 minutes, EduConnect logins fail.",
        )),
    )
}

fn interface_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.interface;
    let lang = ctx.lang;
    let check = Check::new("network.interface", cfg.meta);
    let threshold = Some(match lang {
        Lang::Fr => format!(
            "Wi-Fi ≥ {} dBm (alerte ≥ {}), lien ≥ {} Mbit/s (alerte ≥ {})",
            num(lang, cfg.wifi_signal_pass_dbm),
            num(lang, cfg.wifi_signal_warn_dbm),
            num(lang, cfg.speed_pass_mbps),
            num(lang, cfg.speed_warn_mbps)
        ),
        Lang::En => format!(
            "Wi-Fi ≥ {} dBm (warn ≥ {}), link ≥ {} Mbit/s (warn ≥ {})",
            num(lang, cfg.wifi_signal_pass_dbm),
            num(lang, cfg.wifi_signal_warn_dbm),
            num(lang, cfg.speed_pass_mbps),
            num(lang, cfg.speed_warn_mbps)
        ),
    });
    let Some(i) = ctx.net.and_then(|n| n.interface.as_ref()) else {
        return check.unknown(lang, ctx.missing("interface"), threshold);
    };
    let kind = match (i.kind, lang) {
        (InterfaceKind::Wired, Lang::Fr) => "filaire",
        (InterfaceKind::Wired, Lang::En) => "wired",
        (InterfaceKind::Wifi, _) => "Wi-Fi",
        (InterfaceKind::Virtual, Lang::Fr) => "virtuelle",
        (InterfaceKind::Virtual, Lang::En) => "virtual",
        (InterfaceKind::Tunnel, Lang::Fr) => "tunnel (VPN)",
        (InterfaceKind::Tunnel, Lang::En) => "tunnel (VPN)",
        (InterfaceKind::Other, Lang::Fr) => "autre",
        (InterfaceKind::Other, Lang::En) => "other",
    };
    let mut status = CheckStatus::Pass;
    let mut details = Vec::new();
    if let Some(speed) = i.speed_mbps {
        details.push(format!("{speed} Mbit/s"));
        if i.kind != InterfaceKind::Wifi {
            status = status.max(grade(
                f64::from(speed),
                Better::Higher,
                cfg.speed_pass_mbps,
                cfg.speed_warn_mbps,
            ));
        }
    }
    if let Some(dbm) = i.wifi_signal_dbm {
        details.push(format!("{dbm} dBm"));
        status = status.max(grade(
            f64::from(dbm),
            Better::Higher,
            cfg.wifi_signal_pass_dbm,
            cfg.wifi_signal_warn_dbm,
        ));
    }
    let message = match lang {
        Lang::Fr => format!("Interface {kind} ({}) {}", i.name, details.join(", ")),
        Lang::En => format!("{kind} interface ({}) {}", i.name, details.join(", ")),
    };
    let remediation = if i.kind == InterfaceKind::Wifi {
        ctx.tr(
            "Signal Wi-Fi faible : rapprocher le poste de la borne, ajouter une borne, ou brancher un câble.",
            "Weak Wi-Fi signal: move the PC closer to the access point, add one, or plug in a cable.",
        )
    } else {
        ctx.tr(
            "Lien lent : vérifier le câble (catégorie 5e ou mieux) et le port du switch.",
            "Slow link: check the cable (category 5e or better) and the switch port.",
        )
    };
    check.result(
        status,
        Some(CheckValue::Text(kind.to_owned())),
        None,
        threshold,
        message.trim_end().to_owned(),
        Some(remediation),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_samples() {
        let s = rtt_stats(&[Some(10.0), None, Some(12.0), Some(11.0), Some(30.0)]).unwrap();
        assert_eq!(s.min, 10.0);
        assert_eq!(s.median, 11.5);
        assert_eq!(s.p90, 30.0);
        assert_eq!(s.loss_pct, 20.0);
        // |12-10| + |11-12| + |30-11| = 22, over 3 gaps.
        assert!((s.jitter - 22.0 / 3.0).abs() < 1e-9);
        assert!(rtt_stats(&[None, None]).is_none());
        assert!(rtt_stats(&[]).is_none());
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("CN=Filtre CA, O=École"), "Filtre CA");
        assert_eq!(short_name("O=No CN"), "O=No CN");
    }
}
