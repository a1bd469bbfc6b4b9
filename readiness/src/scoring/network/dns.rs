//! `dns.<host>`: how long the system resolver (and any other resolver listed) takes to
//! answer A and AAAA for a host, and what a failure means for the technician (a missing
//! name, a DNS filter's block, a resolver down).

use super::{Ctx, limit_threshold};
use crate::measurements::network::{DnsLookup, DnsOutcome, DnsQuery};
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang};
use crate::scoring::{Better, grade};
use crate::text::{Msg, ms, msg, render};

fn outcome_text(lang: Lang, q: &DnsQuery) -> String {
    match q.outcome {
        DnsOutcome::Answered => msg(lang, Msg::DnsOutcomeAnswered),
        DnsOutcome::Nxdomain => msg(lang, Msg::DnsOutcomeNxdomain),
        DnsOutcome::NoAnswer => msg(lang, Msg::DnsOutcomeNoAddressName),
        DnsOutcome::Servfail => msg(lang, Msg::DnsOutcomeResolverFailedServfail),
        DnsOutcome::Refused => msg(lang, Msg::DnsOutcomeResolverRefusedAnswer),
        DnsOutcome::Timeout => render(
            lang,
            Msg::DnsOutcomeTimeout,
            &[("elapsed_ms", &ms(lang, q.elapsed_ms))],
        ),
        DnsOutcome::Error => render(
            lang,
            Msg::DnsOutcomeResolutionError,
            &[("detail", &q.detail.as_deref().unwrap_or("?"))],
        ),
    }
}

fn resolver_label(lang: Lang, resolver: &str) -> String {
    if resolver == "system" {
        msg(lang, Msg::DnsSystemResolver)
    } else {
        render(lang, Msg::DnsResolver, &[("resolver", &resolver)])
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
            text: msg(lang, Msg::DnsNameBlockedDns),
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
    let mut text = render(
        lang,
        Msg::DnsTimeAndAddresses,
        &[("time", &ms(lang, time)), ("addresses", &shown.join(", "))],
    );
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
        text.push_str(&render(
            lang,
            Msg::DnsOtherQueryStuck,
            &[("which", &which), ("outcome", &outcome_text(lang, stuck))],
        ));
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

pub(super) fn dns_check(ctx: &Ctx<'_>, host: &str) -> CheckResult {
    let cfg = &ctx.profile.checks.dns;
    let lang = ctx.lang;
    let check = ctx
        .check(&format!("dns.{host}"), cfg.meta)
        .threshold(limit_threshold(lang, cfg.pass_ms, cfg.fail_ms, "ms"));
    let lookups: Vec<&DnsLookup> = ctx
        .net
        .into_iter()
        .flat_map(|n| n.dns.iter())
        .filter(|l| l.host == host)
        .collect();
    let Some(primary) = lookups.first() else {
        return check.unknown(ctx.missing("dns"));
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
        DnsProblem::Slow => Some(ctx.msg(Msg::DnsSlowDnsResolverFix)),
        DnsProblem::Missing => Some(ctx.msg(Msg::DnsCheckNameProfileFix)),
        DnsProblem::Blocked => Some(ctx.msg(Msg::DnsDnsFilterBlocksFix)),
        DnsProblem::ResolverDown => Some(ctx.msg(Msg::DnsCheckPcDnsFix)),
    };
    let unit = matches!(j.value, Some(CheckValue::Number(_))).then_some("ms");
    check
        .value(j.value)
        .unit(unit)
        .result(j.status, message, remediation)
}
