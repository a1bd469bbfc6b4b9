//! `endpoint.<name>`: whether an ENT service answers over HTTP(S), how fast, through the
//! proxy or not, and the technician's words for every way an attempt can stop.

use super::tls::{Trust, trust};
use super::{Ctx, colon, limit_threshold, ms};
use crate::measurements::network::{
    EndpointAttempt, EndpointErrorKind, EndpointMeasurement, Route,
};
use crate::profile::Endpoint;
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang};
use crate::scoring::{Better, Check, grade, tr};

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
pub(super) fn endpoint_error_text(
    lang: Lang,
    kind: EndpointErrorKind,
    detail: &str,
) -> (String, String) {
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

pub(super) fn endpoint_check(
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
