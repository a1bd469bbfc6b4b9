//! The English catalogue.

use super::Msg;

/// The English template of `id`.
pub(crate) const fn text(id: Msg) -> &'static str {
    match id {
        Msg::NotMeasuredByAgent => "not measured by this agent",
        Msg::CouldNotMeasure => "Could not measure: {reason}",
        Msg::RunAuditAgain => {
            "Run the audit again (as administrator if possible); if it persists, report this message."
        }
        Msg::ThresholdMoreIsBetter => "pass ≥ {pass} {unit}, warn ≥ {warn} {unit}",
        Msg::ThresholdMoreIsBetterNoUnit => "pass ≥ {pass}, warn ≥ {warn}",
        Msg::ThresholdLessIsBetter => "pass ≤ {pass} {unit}, fail > {fail} {unit}",
        Msg::ReasonNoNetwork => "network probes skipped (--no-network)",
        Msg::ReasonNoBandwidth => "bandwidth test skipped (--no-bandwidth)",
        Msg::ReasonNoCollector => {
            "no collector to measure against: enrol this PC (ent-agent enroll) or pass --collector URL and --token TOKEN"
        }
        Msg::ReasonTimedOut => "timed out after {seconds} s",
        Msg::ReasonBandwidthTimedOut => "the bandwidth test did not finish within {seconds} s",
    }
}
