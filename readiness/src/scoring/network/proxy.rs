//! `network.proxy`: the configured proxy and whether the ENT's services work through it
//! (compared with a direct attempt when the agent made one).

use super::{Ctx, endpoint_error_text};

use crate::measurements::network::{EndpointErrorKind, EndpointMeasurement, ProxySource, Route};
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang};
use crate::text::{Msg, render, text};

pub(super) fn proxy_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.proxy;
    let lang = ctx.lang;
    let check = ctx
        .check("network.proxy", cfg.meta)
        .threshold_text(Msg::ProxyNoProxyServices, &[]);
    let Some(net) = ctx.net else {
        return check.unknown(None);
    };
    let Some(settings) = &net.proxy else {
        return check.unknown(ctx.missing("proxy"));
    };
    let configured = settings
        .https_proxy
        .as_deref()
        .or(settings.http_proxy.as_deref());
    let Some(proxy) = configured else {
        if let Some(pac) = &settings.pac_url {
            let reason = render(lang, Msg::ProxyConfigurationScriptPac, &[("pac", &pac)]);
            return check.unknown(Some(&reason));
        }
        return check
            .value(CheckValue::Text("direct".into()))
            .pass(ctx.msg(Msg::ProxyNoProxyConfigured));
    };
    let source = match settings.source {
        ProxySource::Environment => text(lang, Msg::ProxySourceEnvironment),
        ProxySource::Windows => text(lang, Msg::ProxySourceWindows),
        ProxySource::Macos => text(lang, Msg::ProxySourceMacos),
        ProxySource::None => "-",
    };

    let check = check.value(CheckValue::Text(proxy.to_owned()));
    let proxied: Vec<&EndpointMeasurement> = net
        .endpoints
        .iter()
        .filter(|e| e.attempt.route == Route::Proxy)
        .collect();
    if proxied.is_empty() {
        return check.pass(render(
            lang,
            Msg::ProxyProxyEntServices,
            &[("proxy", &proxy), ("source", &source)],
        ));
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
            text.push_str(&ctx.msg(Msg::ProxyButServiceAnswers));
        }
        problems.push(text);
        if status == CheckStatus::Fail {
            worst = CheckStatus::Fail;
            remediation = Some(if direct_ok && err.kind != EndpointErrorKind::ProxyAuth {
                ctx.msg(Msg::ProxyProxyBlocksBreaksFix)
            } else {
                fix
            });
        } else if worst == CheckStatus::Pass {
            worst = CheckStatus::Unknown;
        }
    }
    if worst == CheckStatus::Unknown {
        let reason = problems.join(" ; ");
        return check.unknown(Some(&reason));
    }
    if problems.is_empty() {
        let names: Vec<&str> = proxied.iter().map(|e| e.name.as_str()).collect();
        return check.pass(render(
            lang,
            Msg::ProxyProxyReachableThrough,
            &[
                ("proxy", &proxy),
                ("source", &source),
                ("names", &names.join(", ")),
            ],
        ));
    }
    let mut message = render(
        lang,
        Msg::ProxyProblems,
        &[
            ("proxy", &proxy),
            ("source", &source),
            (
                "problems",
                &problems.join(text(lang, Msg::ProxyProblemsSeparator)),
            ),
        ],
    );
    if lang == Lang::En {
        message = message.replace(" : ", ": ");
    }
    check.result(worst, message, remediation)
}
