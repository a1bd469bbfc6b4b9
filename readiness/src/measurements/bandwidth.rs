//! Raw bandwidth and responsiveness measurements, taken against the collector's speed-test
//! endpoints: download and upload throughput over several parallel HTTP streams, idle
//! latency, and latency under load (the IETF responsiveness draft's round trips per minute).
//!
//! Facts only: whether 12 Mbit/s is enough is decided by `crate::scoring` against the
//! profile. How the figures are taken:
//! - each direction ramps from a few streams up to more until throughput is stable (the
//!   standard deviation of the last four one-second moving averages within 5 % of their
//!   mean), capped in time and bytes;
//! - the figure is the mean rate over the stable window only (slow start excluded), with
//!   p10/p50/p90 of its 100 ms bins;
//! - download is counted where it is received (the agent), upload where it is received (the
//!   collector, polled with its own clock), never from bytes a sender wrote into its buffers.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Unavailable;
use crate::stats;

/// The bandwidth test of one audit.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandwidthMeasurements {
    /// The collector measured against (its base URL).
    pub server: Option<String>,
    /// Download throughput over the stable window, in Mbit/s (10^6 bit/s).
    pub download_mbps: Option<f64>,
    /// Upload throughput over the stable window, as the collector received it, in Mbit/s.
    pub upload_mbps: Option<f64>,
    /// Most parallel streams used in either direction.
    pub streams: Option<u32>,
    /// Round trips on an idle link, before any load.
    pub idle_latency_ms: Option<LatencySummary>,
    /// Round trips during the stable windows of both directions.
    pub loaded_latency_ms: Option<LatencySummary>,
    /// Responsiveness under load: round trips per minute (60000 / loaded round trip in ms,
    /// as in the IETF responsiveness draft).
    pub rpm: Option<f64>,
    /// The lower of the two directions' confidence grades.
    pub confidence: Option<Confidence>,
    /// Details of the download.
    pub download: Option<Transfer>,
    /// Details of the upload.
    pub upload: Option<Transfer>,
    /// Times the collector refused the test because another one was running (429), and the
    /// agent waited and tried again.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub admission_retries: u32,
    /// Anything a reader of the figures should know (refused then admitted, caps reached...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Parts that could not be measured, with the reason. Keys: `bandwidth` (all of it:
    /// skipped, no collector, refused), `download`, `upload`, `idle_latency`,
    /// `loaded_latency`.
    #[serde(default, skip_serializing_if = "Unavailable::is_empty")]
    pub unavailable: Unavailable,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// How far the figure can be trusted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// No stable window: the figure is the mean after the ramp, and may be off by more
    /// than a few percent.
    Low,
    /// Stable, but over a short window or with 100 ms bins spread widely.
    Medium,
    /// Stable over at least four seconds.
    High,
}

/// Where the bytes of a transfer were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountedBy {
    /// The agent, as it read the bytes (download).
    Agent,
    /// The collector, as it received them, polled with its own clock (upload).
    Collector,
}

/// Why a direction stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Throughput was stable.
    Stable,
    /// The time cap of the direction was reached first.
    TimeCap,
    /// The byte cap of the direction was reached first.
    ByteCap,
    /// The streams failed (connection reset, collector gone).
    Error,
}

/// One direction of the test.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Mean rate over the stable window, in Mbit/s.
    pub mbps: f64,
    /// 10th, 50th and 90th percentiles of the 100 ms bins of the stable window, in Mbit/s.
    pub p10_mbps: f64,
    pub p50_mbps: f64,
    pub p90_mbps: f64,
    /// Parallel streams at the end.
    pub streams: u32,
    /// Bytes moved in the whole direction (ramp included), as counted by `counted_by`.
    pub bytes: u64,
    /// Length of the whole direction, in seconds.
    pub duration_s: f64,
    /// Start and length of the window the figure is computed over, in seconds from the
    /// start of the direction.
    pub window_start_s: f64,
    pub window_s: f64,
    pub counted_by: CountedBy,
    pub stop: StopReason,
    pub confidence: Confidence,
    /// Round trips measured while this direction ran at full rate.
    pub loaded_latency_ms: Option<LatencySummary>,
}

/// Statistics of round-trip samples, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencySummary {
    pub samples: u32,
    pub min: f64,
    pub median: f64,
    pub p90: f64,
    /// Mean absolute difference between consecutive samples.
    pub jitter: f64,
}

impl LatencySummary {
    /// Statistics of `samples` (ms, in the order taken); `None` when empty.
    pub fn of(samples: &[f64]) -> Option<LatencySummary> {
        if samples.is_empty() {
            return None;
        }
        let sorted = stats::sorted(samples);
        let r = |x: f64| (x * 100.0).round() / 100.0;
        Some(LatencySummary {
            samples: u32::try_from(samples.len()).unwrap_or(u32::MAX),
            min: r(sorted[0]),
            median: r(stats::median(&sorted)),
            p90: r(stats::percentile(&sorted, 0.9)),
            jitter: r(stats::jitter(samples)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_summary() {
        let s = LatencySummary::of(&[10.0, 12.0, 11.0, 30.0, 10.0]).unwrap();
        assert_eq!(s.samples, 5);
        assert_eq!(s.min, 10.0);
        assert_eq!(s.median, 11.0);
        assert!(s.p90 > 12.0 && s.p90 < 30.0, "{s:?}");
        // |2| + |1| + |19| + |20| over 4.
        assert_eq!(s.jitter, 10.5);
        assert!(LatencySummary::of(&[]).is_none());
    }
}
