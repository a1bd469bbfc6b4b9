//! Scoring of the bandwidth checks: `bandwidth.download`, `bandwidth.upload` and
//! `bandwidth.loaded_latency`, from `measurements.bandwidth` against the profile.
//!
//! A test that could not run (no collector, `--no-bandwidth`, refused) is `unknown` with the
//! reason; a test that ran and moved next to nothing is a finding (`fail`).

use super::network::limit_threshold;
use super::{Better, Check, grade, grade_numeric, numeric_check};
use crate::measurements::Measurements;
use crate::measurements::bandwidth::{BandwidthMeasurements, Confidence, Transfer};
use crate::profile::{NumericCheck, Profile};
use crate::report::{CheckResult, CheckValue, Lang};
use crate::text::{Msg, msg, num, render, text};

/// The three bandwidth checks, in a stable order.
pub(super) fn evaluate(m: &Measurements, profile: &Profile, lang: Lang) -> Vec<CheckResult> {
    let bw = m.bandwidth.as_ref();
    vec![
        throughput(bw, profile, lang, Direction::Download),
        throughput(bw, profile, lang, Direction::Upload),
        loaded_latency(bw, profile, lang),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Download,
    Upload,
}

/// Why a part is missing: the whole test's reason first, else the part's.
fn missing<'a>(bw: Option<&'a BandwidthMeasurements>, part: &str) -> Option<&'a str> {
    let bw = bw?;
    bw.unavailable
        .get("bandwidth")
        .or_else(|| bw.unavailable.get(part))
        .map(String::as_str)
}

fn confidence_text(lang: Lang, c: Confidence) -> &'static str {
    text(
        lang,
        match c {
            Confidence::High => Msg::BandwidthConfidenceHigh,
            Confidence::Medium => Msg::BandwidthConfidenceMedium,
            Confidence::Low => Msg::BandwidthConfidenceLow,
        },
    )
}

fn throughput(
    bw: Option<&BandwidthMeasurements>,
    profile: &Profile,
    lang: Lang,
    dir: Direction,
) -> CheckResult {
    let (id, cfg, part): (&str, &NumericCheck, &str) = match dir {
        Direction::Download => (
            "bandwidth.download",
            &profile.checks.bandwidth_download,
            "download",
        ),
        Direction::Upload => (
            "bandwidth.upload",
            &profile.checks.bandwidth_upload,
            "upload",
        ),
    };
    let check = numeric_check(lang, id, cfg, "Mbit/s");
    let value = bw.and_then(|b| match dir {
        Direction::Download => b.download_mbps,
        Direction::Upload => b.upload_mbps,
    });
    let Some(mbps) = value else {
        return check.unknown(missing(bw, part));
    };
    let detail: Option<&Transfer> = bw.and_then(|b| match dir {
        Direction::Download => b.download.as_ref(),
        Direction::Upload => b.upload.as_ref(),
    });
    let extra = detail
        .map(|t| {
            render(
                lang,
                Msg::BandwidthTransferDetail,
                &[
                    ("streams", &t.streams),
                    ("p10_mbps", &num(lang, t.p10_mbps)),
                    ("p90_mbps", &num(lang, t.p90_mbps)),
                    ("window_s", &num(lang, t.window_s)),
                    ("confidence", &confidence_text(lang, t.confidence)),
                ],
            )
        })
        .unwrap_or_default();
    let id = match dir {
        Direction::Download => Msg::BandwidthDownload,
        Direction::Upload => Msg::BandwidthUpload,
    };
    let message = render(lang, id, &[("mbps", &num(lang, mbps)), ("extra", &extra)]);

    let remediation = match dir {
        Direction::Download => msg(lang, Msg::BandwidthNotEnoughBandwidthFix),
        Direction::Upload => msg(lang, Msg::BandwidthLowUploadSendingFix),
    };
    check
        .value(CheckValue::Number((mbps * 100.0).round() / 100.0))
        .unit("Mbit/s")
        .result(grade_numeric(cfg, mbps), message, Some(remediation))
}

fn loaded_latency(
    bw: Option<&BandwidthMeasurements>,
    profile: &Profile,
    lang: Lang,
) -> CheckResult {
    let cfg = &profile.checks.bandwidth_loaded_latency;
    let check = Check::new(lang, "bandwidth.loaded_latency", cfg.meta).threshold(
        limit_threshold(lang, cfg.pass_ms, cfg.fail_ms, "ms")
            + &msg(lang, Msg::LoadedLatencyMedianUnderLoad),
    );
    let Some(loaded) = bw.and_then(|b| b.loaded_latency_ms.as_ref()) else {
        return check.unknown(missing(bw, "loaded_latency"));
    };
    let status = grade(loaded.median, Better::Lower, cfg.pass_ms, cfg.fail_ms);
    let idle = bw
        .and_then(|b| b.idle_latency_ms.as_ref())
        .map(|i| {
            render(
                lang,
                Msg::LoadedLatencyIdleMs,
                &[("median", &num(lang, i.median))],
            )
        })
        .unwrap_or_default();
    let rpm = bw
        .and_then(|b| b.rpm)
        .map(|r| format!(", {} RPM", r.round()))
        .unwrap_or_default();
    let message = render(
        lang,
        Msg::LoadedLatencyLatencyUnderLoad,
        &[
            ("median", &num(lang, loaded.median)),
            ("p90", &num(lang, loaded.p90)),
            ("idle", &idle),
            ("rpm", &rpm),
        ],
    );
    check
        .value(CheckValue::Number(loaded.median))
        .unit("ms")
        .result(
            status,
            message,
            Some(msg(lang, Msg::LoadedLatencyLatencySoarsWhenFix)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measurements::bandwidth::{CountedBy, LatencySummary};
    use crate::report::CheckStatus;
    use crate::samples::transfer;

    fn checks(bw: Option<BandwidthMeasurements>) -> Vec<CheckResult> {
        let m = Measurements {
            bandwidth: bw,
            ..Measurements::default()
        };
        evaluate(&m, &Profile::default_profile(), Lang::En)
    }

    #[test]
    fn graded_against_the_profile() {
        let bw = BandwidthMeasurements {
            download_mbps: Some(12.0),
            upload_mbps: Some(0.5),
            download: Some(transfer(12.0, CountedBy::Agent)),
            upload: Some(transfer(0.5, CountedBy::Agent)),
            loaded_latency_ms: LatencySummary::of(&[40.0, 50.0, 60.0]),
            rpm: Some(1200.0),
            ..BandwidthMeasurements::default()
        };
        let c = checks(Some(bw));
        let ids: Vec<_> = c.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "bandwidth.download",
                "bandwidth.upload",
                "bandwidth.loaded_latency"
            ]
        );
        assert_eq!(c[0].status, CheckStatus::Warn, "{}", c[0].message);
        assert!(c[0].message.contains("8 streams"), "{}", c[0].message);
        assert_eq!(c[1].status, CheckStatus::Fail);
        assert_eq!(c[2].status, CheckStatus::Pass);
        assert!(c[2].message.contains("1200 RPM"), "{}", c[2].message);
    }

    #[test]
    fn not_measured_is_unknown_with_the_reason() {
        let mut bw = BandwidthMeasurements::default();
        bw.unavailable
            .insert("bandwidth".into(), "no collector configured".into());
        for c in checks(Some(bw)) {
            assert_eq!(c.status, CheckStatus::Unknown);
            assert!(
                c.message.contains("no collector configured"),
                "{}",
                c.message
            );
        }
        assert!(
            checks(None)
                .iter()
                .all(|c| c.status == CheckStatus::Unknown)
        );
    }

    #[test]
    fn bufferbloat_fails() {
        let bw = BandwidthMeasurements {
            loaded_latency_ms: LatencySummary::of(&[450.0, 500.0]),
            ..BandwidthMeasurements::default()
        };
        assert_eq!(checks(Some(bw))[2].status, CheckStatus::Fail);
    }
}
