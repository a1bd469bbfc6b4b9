//! `endpoint.<name>`: whether an ENT service answers over HTTP(S), how fast, through the
//! proxy or not, and the technician's words for every way an attempt can stop.

use super::tls::{Trust, trust};
use super::{Ctx, endpoint_error_text, headed, limit_threshold};
use crate::measurements::network::{
    EndpointAttempt, EndpointErrorKind, EndpointMeasurement, Route,
};
use crate::profile::Endpoint;
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang};
use crate::scoring::{Better, grade};
use crate::text::{Msg, ms, render, text};

fn route_text(lang: Lang, m: &EndpointMeasurement, attempt: &EndpointAttempt) -> String {
    match (attempt.route, &m.proxy) {
        (Route::Proxy, Some(p)) => render(lang, Msg::EndpointThroughProxy, &[("proxy", &p)]),
        _ => String::new(),
    }
}

fn phases_text(lang: Lang, attempt: &EndpointAttempt) -> String {
    let Some(first) = attempt.hops.first() else {
        return String::new();
    };
    let mut parts = Vec::new();
    let mut add = |label: &str, v: Option<f64>| {
        if let Some(v) = v {
            parts.push(format!("{label} {}", ms(lang, v)));
        }
    };
    add("DNS", first.dns_ms);
    add(text(lang, Msg::EndpointPhaseConnect), first.connect_ms);
    add("proxy", first.proxy_ms);
    add("TLS", first.tls_ms);
    add(text(lang, Msg::EndpointPhaseFirstByte), first.ttfb_ms);
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
    let check = ctx
        .check(&format!("endpoint.{name}"), cfg.meta)
        .threshold(limit_threshold(lang, cfg.pass_ms, cfg.fail_ms, "ms"));
    let Some(m) = measured else {
        return check.unknown(ctx.missing("endpoints"));
    };
    let attempt = &m.attempt;
    let via = route_text(lang, m, attempt);
    if let Some(err) = &attempt.error {
        let (what, remediation) = endpoint_error_text(lang, err.kind, &err.detail);
        let mut message = render(
            lang,
            Msg::EndpointStopped,
            &[("url", &m.url), ("via", &via), ("what", &what)],
        );
        if err.kind == EndpointErrorKind::Deadline {
            return check.unknown_fix(Some(&message), remediation);
        }
        if let Some(direct) = &m.direct
            && direct.error.is_none()
        {
            message.push_str(&ctx.msg(Msg::EndpointDirectlyWithoutProxy));
        }
        // The HTTP status of the last answer, when there was one.
        let check = match attempt.hops.last().and_then(|h| h.status) {
            Some(s) => check
                .value(CheckValue::Number(f64::from(s)))
                .unit("http_status"),
            None => check,
        };
        return check.fail(message, remediation);
    }
    let status_code = attempt.hops.last().and_then(|h| h.status).unwrap_or(0);
    let redirects = attempt.hops.len().saturating_sub(1);
    let total = attempt.total_ms;
    let total_text = ms(lang, total);
    let timing = match redirects {
        0 => render(lang, Msg::EndpointTiming, &[("total", &total_text)]),
        n => render(
            lang,
            Msg::EndpointTimingRedirects,
            &[("total", &total_text), ("redirects", &n)],
        ),
    };

    let phases = phases_text(lang, attempt);
    // No status on an answer: the browser probe's opaque `no-cors` fetch.
    let answered = attempt.hops.last().and_then(|h| h.status).is_none();
    let head = render(
        lang,
        if answered {
            Msg::EndpointAnsweredNoStatus
        } else {
            Msg::EndpointHttpStatus
        },
        &[
            ("url", &m.url),
            ("via", &via),
            ("status_code", &status_code),
            ("timing", &timing),
            ("phases", &phases),
        ],
    );
    // A failure: the text `id` filled with `args`, and the fix `fix`.
    let fail = |id: Msg, args: &[(&str, &dyn std::fmt::Display)], fix: Msg| {
        (
            CheckStatus::Fail,
            render(lang, id, args),
            Some(ctx.msg(fix)),
        )
    };
    let (status, message, remediation) = if status_code == 407 {
        let (what, fix) = endpoint_error_text(lang, EndpointErrorKind::ProxyAuth, "");
        (CheckStatus::Fail, headed(lang, &head, &what), Some(fix))
    } else if status_code >= 500 {
        fail(
            Msg::EndpointServerError,
            &[("head", &head)],
            Msg::EndpointServiceDownOverloadedFix,
        )
    } else if attempt
        .tls
        .as_ref()
        .is_some_and(|t| trust(t) == Trust::Invalid)
    {
        fail(
            Msg::EndpointCertificateRefusedBrowsers,
            &[("head", &head), ("name", &name)],
            Msg::EndpointSeeServiceTlsFix,
        )
    } else if attempt.expected_text_found == Some(false) {
        let expected = configured
            .and_then(|e| e.expect_text.as_deref())
            .unwrap_or("?");
        fail(
            Msg::EndpointPageLacksFilter,
            &[("head", &head), ("expected", &expected)],
            Msg::EndpointOpenAddressBrowserFix,
        )
    } else if status_code >= 400 {
        (
            CheckStatus::Warn,
            render(lang, Msg::EndpointClientError, &[("head", &head)]),
            Some(ctx.msg(Msg::EndpointCheckUrlProfileFix)),
        )
    } else {
        let status = grade(total, Better::Lower, cfg.pass_ms, cfg.fail_ms);
        let message = match status {
            CheckStatus::Pass => head,
            _ => render(lang, Msg::EndpointSlow, &[("head", &head)]),
        };
        (
            status,
            message,
            Some(ctx.msg(Msg::EndpointSlowAnswerSeeFix)),
        )
    };
    check
        .value(CheckValue::Number((total * 10.0).round() / 10.0))
        .unit("ms")
        .result(status, message, remediation)
}
