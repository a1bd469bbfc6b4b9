//! `system.clock_skew`: the workstation's clock against the servers' HTTP `Date` headers
//! (EduConnect refuses logins beyond a few minutes).

use std::collections::BTreeSet;

use super::{Ctx, limit_threshold};
use crate::report::{CheckResult, CheckValue};
use crate::scoring::{Better, grade};
use crate::stats;
use crate::text::{Msg, num, render};

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

pub(super) fn clock_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.clock_skew;
    let lang = ctx.lang;
    let check = ctx
        .check("system.clock_skew", cfg.meta)
        .threshold(limit_threshold(lang, cfg.pass_s, cfg.fail_s, "s"));
    let samples = ctx.net.map(|n| n.clock.as_slice()).unwrap_or(&[]);
    let Some(skew) = clock_skew_s(samples) else {
        let reason = ctx
            .missing("clock")
            .map(str::to_owned)
            .or_else(|| ctx.net.map(|_| ctx.msg(Msg::ClockNoDateHeader)));
        return check.unknown(reason.as_deref());
    };
    let sources: BTreeSet<&str> = samples.iter().map(|s| s.source.as_str()).collect();
    let sources: Vec<&str> = sources.into_iter().collect();
    let abs = skew.abs();
    let status = grade(abs, Better::Lower, cfg.pass_s, cfg.fail_s);
    let amount = num(lang, (abs * 10.0).round() / 10.0);
    let ahead_or_behind = if skew >= 0.0 {
        Msg::ClockBehind
    } else {
        Msg::ClockAhead
    };
    let message = render(
        lang,
        ahead_or_behind,
        &[("amount", &amount), ("sources", &sources.join(", "))],
    );

    check
        .value(CheckValue::Number((skew * 10.0).round() / 10.0))
        .unit("s")
        .result(
            status,
            message,
            Some(ctx.msg(Msg::ClockTurnTimeSynchronisationFix)),
        )
}
