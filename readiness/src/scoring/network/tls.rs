//! `endpoint.<name>.tls` and `network.tls_interception`: the TLS version and certificate
//! chain of each HTTPS service, how the chain is trusted (public, `--ca-file`, only the OS
//! store), and whether a filtering proxy re-signs it.

use jiff::civil::Date;

use super::{Ctx, endpoint_error_text, headed};
use crate::measurements::network::{
    CertErrorKind, CertInfo, EndpointErrorKind, EndpointMeasurement, TlsInfo, Verification,
};
use crate::profile::Endpoint;
use crate::report::{CheckResult, CheckValue, Lang};
use crate::text::{Msg, render, text};

/// How a chain is trusted, from the best case down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trust {
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

pub(super) fn trust(tls: &TlsInfo) -> Trust {
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
        return Some(render(
            lang,
            Msg::InterceptionCertificateReSigned,
            &[("issuer", &top_issuer(tls))],
        ));
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
            return Some(render(
                lang,
                Msg::InterceptionUnexpectedIssuer,
                &[
                    ("issuer", &top_issuer(tls)),
                    (
                        "expected",
                        &expected.join(text(lang, Msg::InterceptionIssuersOr)),
                    ),
                ],
            ));
        }
    }
    None
}

pub(super) fn tls_check(
    ctx: &Ctx<'_>,
    name: &str,
    measured: Option<&EndpointMeasurement>,
    configured: Option<&Endpoint>,
    today: Date,
) -> CheckResult {
    let cfg = &ctx.profile.checks.endpoint_tls;
    let lang = ctx.lang;
    let check = ctx
        .check(&format!("endpoint.{name}.tls"), cfg.meta)
        .threshold_text(
            Msg::TlsThreshold,
            &[("expiry_warn_days", &cfg.expiry_warn_days)],
        );
    let Some(m) = measured else {
        return check.unknown(ctx.missing("endpoints"));
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
            return check.value(value).fail(
                render(
                    lang,
                    Msg::TlsNotNegotiated,
                    &[("url", &m.url), ("what", &what)],
                ),
                fix,
            );
        }
        let Some(err) = &attempt.error else {
            return check.unknown(Some(&ctx.msg(Msg::TlsNoTlsSession)));
        };
        // The endpoint's own check says why the server was not reached, and what to do.
        let (what, _) = endpoint_error_text(lang, err.kind, &err.detail);
        let reason = render(lang, Msg::TlsServerNotReached, &[("what", &what)]);
        let fix = render(lang, Msg::TlsReachServerFirstFix, &[("name", &name)]);
        return check.unknown_fix(Some(&reason), fix);
    };
    let check = check.value(CheckValue::Text(tls.version.clone()));
    let old = !matches!(tls.version.as_str(), "TLSv1.2" | "TLSv1.3");
    let leaf: Option<&CertInfo> = tls.chain.first();
    let head = format!("{}, {}", tls.version, tls.cipher);
    if old {
        let (what, fix) = endpoint_error_text(lang, EndpointErrorKind::TlsVersion, "");
        return check.fail(headed(lang, &head, &what), fix);
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
                render(lang, Msg::TlsCertificateExpired, &[("date", &date)])
            }
            (CertErrorKind::NotYetValid, _) => ctx.msg(Msg::TlsNotYetValid),
            (CertErrorKind::NameMismatch, _) => {
                let names = leaf.map(|c| c.names.join(", ")).unwrap_or_default();
                render(
                    lang,
                    Msg::TlsNameMismatch,
                    &[("names", &names), ("server_name", &tls.server_name)],
                )
            }
            (CertErrorKind::UnknownIssuer, _) if self_signed => {
                ctx.msg(Msg::TlsSelfSignedCertificate)
            }
            (CertErrorKind::UnknownIssuer, _) => render(
                lang,
                Msg::TlsCertificateIssuedAuthority,
                &[("issuer", &top_issuer(tls))],
            ),
            (CertErrorKind::BadSignature, _) => ctx.msg(Msg::TlsInvalidCertificateSignature),
            (CertErrorKind::Revoked, _) => ctx.msg(Msg::TlsCertificateRevoked),
            (CertErrorKind::Other, _) => render(
                lang,
                Msg::TlsCertificateRefused,
                &[("detail", &detail.as_deref().unwrap_or("?"))],
            ),
        };
        let fix = match kind {
            CertErrorKind::NotYetValid => ctx.msg(Msg::TlsSetPcClockFix),
            CertErrorKind::UnknownIssuer if !self_signed => ctx.msg(Msg::TlsSchoolFiltersHttpsFix),
            _ => ctx.msg(Msg::TlsReportCertificateServiceFix),
        };
        return check.fail(headed(lang, &head, &what), fix);
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
    let base = render(
        lang,
        Msg::TlsCertificateFromValid,
        &[
            ("head", &head),
            ("issuer", &issuer),
            ("expiry_text", &expiry_text),
        ],
    );
    if let Some(why) = interception(lang, tls, configured) {
        return check.warn(
            headed(lang, &head, &why),
            ctx.msg(Msg::TlsTrafficEntDecryptedFix),
        );
    }
    if let Some(days) = days_left
        && i64::from(days) < i64::from(cfg.expiry_warn_days)
    {
        return check.warn(
            render(
                lang,
                Msg::TlsExpiresInDays,
                &[("base", &base), ("days", &days)],
            ),
            ctx.msg(Msg::TlsTellServiceOperatorFix),
        );
    }
    let base = if trust == Trust::Private {
        base + &ctx.msg(Msg::TlsPrivateAuthorityGiven)
    } else {
        base
    };
    check.pass(base)
}

pub(super) fn interception_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.tls_interception;
    let lang = ctx.lang;
    let check = ctx
        .check("network.tls_interception", cfg.meta)
        .threshold_text(Msg::InterceptionChainsFromPublic, &[]);
    let Some(net) = ctx.net else {
        return check.unknown(None);
    };
    if let Some(reason) = ctx.missing("endpoints") {
        return check.unknown(Some(reason));
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
            ctx.msg(Msg::InterceptionNoTlsSession)
        } else {
            ctx.msg(Msg::InterceptionNoValidCertificate)
        };
        return check.unknown(Some(&reason));
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
        return check.value(CheckValue::Text("none".into())).pass(render(
            lang,
            Msg::InterceptionNoTlsInterception,
            &[("names", &names.join(", "))],
        ));
    }
    let mut message = found.join(" ; ");
    if lang == Lang::En {
        message = message.replace(" : ", ": ").replace(" ; ", "; ");
    }
    check
        .value(CheckValue::Text("intercepted".into()))
        .warn(message, ctx.msg(Msg::InterceptionFilteringProxyDecryptsFix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_name("CN=Filtre CA, O=École"), "Filtre CA");
        assert_eq!(short_name("O=No CN"), "O=No CN");
    }
}
