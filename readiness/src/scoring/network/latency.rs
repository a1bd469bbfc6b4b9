//! `latency.<target>`: round trips to each target (ICMP or TCP connect), graded on the
//! median and the loss, with the statistics shown to the technician.

use super::Ctx;
use crate::measurements::network::LatencyMethod;
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang};
use crate::scoring::{Better, grade};
use crate::stats;
use crate::text::{Msg, ms, num, render, text};

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
        (Some(LatencyMethod::TcpConnect), _) => text(lang, Msg::LatencyMethodTcpConnect),
        (None, _) => "?",
    }
}

pub(super) fn latency_check(ctx: &Ctx<'_>, target: &str) -> CheckResult {
    let cfg = &ctx.profile.checks.latency;
    let lang = ctx.lang;
    let check = ctx
        .check(&format!("latency.{target}"), cfg.meta)
        .threshold_text(
            Msg::LatencyThreshold,
            &[
                ("pass_ms", &num(lang, cfg.pass_ms)),
                ("fail_ms", &num(lang, cfg.fail_ms)),
                ("loss_fail_pct", &num(lang, cfg.loss_fail_pct)),
            ],
        );
    let Some(m) = ctx
        .net
        .and_then(|n| n.latency.iter().find(|l| l.target == target))
    else {
        return check.unknown(ctx.missing("latency"));
    };
    if let Some(err) = &m.error {
        return check.unknown(Some(err));
    }
    let method = method_text(lang, m.method);
    let n = m.samples_ms.len();
    let Some(stats) = rtt_stats(&m.samples_ms) else {
        if n == 0 {
            return check.unknown(Some(&m.host));
        }
        return check.fail(
            render(
                lang,
                Msg::LatencyNoAnswerProbes,
                &[("host", &m.host), ("probes", &n), ("method", &method)],
            ),
            ctx.msg(Msg::LatencyUnreachableFix),
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
    let message = render(
        lang,
        Msg::LatencyMedianMsMin,
        &[
            ("host", &m.host),
            ("median", &ms(lang, stats.median)),
            ("min", &ms(lang, stats.min)),
            ("p90", &ms(lang, stats.p90)),
            ("jitter", &ms(lang, stats.jitter)),
            ("loss_pct", &num(lang, stats.loss_pct)),
            ("method", &method),
        ],
    );
    check
        .value(CheckValue::Number((stats.median * 100.0).round() / 100.0))
        .unit("ms")
        .result(
            status,
            message,
            Some(ctx.msg(Msg::LatencyHighLatencyLossFix)),
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
}
