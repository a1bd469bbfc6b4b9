//! The stream ramp and the stable-window rule: the receiver's cumulative bytes as a
//! [`Series`], the [`Controller`] that adds streams while each second beats the best one and
//! says when throughput is stable, the standing-queue test that stops the ramp on a full
//! link, and the figures of the window the result is computed over.

use readiness::measurements::bandwidth::Confidence;

use super::TICK;
use readiness::stats::{self, percentile};

use super::stats::cv;

/// Stable: the last four one-second averages within this share of their mean.
const STABLE_CV: f64 = 0.05;
/// More streams are added while each second beats the best one before by more than this.
const RAMP_GROWTH: f64 = 0.05;
/// Streams added per ramp step.
const RAMP_STEP: u32 = 4;

/// Cumulative bytes over time (seconds from the start of the direction), as counted by the
/// receiver; rates come from differences, interpolated between samples.
#[derive(Debug, Clone, Default)]
pub struct Series {
    points: Vec<(f64, f64)>,
}

impl Series {
    pub fn push(&mut self, t: f64, bytes: f64) {
        if self.points.last().is_none_or(|&(lt, _)| t > lt) {
            self.points.push((t, bytes));
        }
    }

    pub fn last_t(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.0)
    }

    /// Cumulative bytes at `t`, linear between samples.
    pub fn at(&self, t: f64) -> f64 {
        let p = &self.points;
        match p.iter().position(|&(pt, _)| pt >= t) {
            None => p.last().map_or(0.0, |x| x.1),
            Some(0) => p[0].1,
            Some(i) => {
                let (t0, b0) = p[i - 1];
                let (t1, b1) = p[i];
                b0 + (b1 - b0) * (t - t0) / (t1 - t0)
            }
        }
    }

    /// The series of consecutive bins of `width` seconds, the first starting at time 0.
    pub fn from_bins(width: f64, bins: &[u64]) -> Series {
        let mut s = Series::default();
        s.push(0.0, 0.0);
        let mut sum = 0u64;
        for (k, b) in bins.iter().enumerate() {
            sum += b;
            s.push((k + 1) as f64 * width, sum as f64);
        }
        s
    }

    /// Mean rate between `t0` and `t1`, in bytes per second.
    pub fn rate(&self, t0: f64, t1: f64) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        (self.at(t1) - self.at(t0)) / (t1 - t0)
    }
}

/// One-second intervals averaged into a moving average, and moving averages compared for
/// stability (the IETF responsiveness draft's "moving average distance" of 4).
const MAD: usize = 4;

/// The ramp and the stability rule, fed with the series at each whole second.
///
/// Each second gives the mean rate of the second that just ended (an interval). Intervals
/// that began after the last ramp step are "settled"; the moving average at a settled
/// interval is the mean of the last four settled intervals; throughput is stable when the
/// standard deviation of the last four moving averages is within 5 % of their mean. The
/// figure is then the mean over the seven settled seconds those averages cover. Loss
/// recovery holds received data back for a few hundred milliseconds at a time, so a single
/// second is too noisy to judge by.
#[derive(Debug, Clone)]
pub struct Controller {
    /// (second, mean rate of the second ending then), in bytes/s.
    intervals: Vec<(f64, f64)>,
    /// Where settled intervals begin (series time): the second after streams were last
    /// added (they connect and slow-start in between), or 1 (the first second is slow start).
    pub last_ramp: f64,
    pub streams: u32,
    max_streams: u32,
}

/// What the controller decides at a whole second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Continue,
    /// Add this many streams.
    Ramp(u32),
    /// Stable: the figure is the mean over [`Controller::window`].
    Stable,
}

impl Controller {
    pub fn new(min_streams: u32, max_streams: u32) -> Controller {
        Controller {
            intervals: Vec::new(),
            // The first second is connection setup and slow start: never settled.
            last_ramp: 1.0,
            streams: min_streams,
            max_streams,
        }
    }

    fn settled(&self) -> Vec<f64> {
        self.intervals
            .iter()
            .filter(|(t, _)| t - 1.0 >= self.last_ramp - 1e-9)
            .map(|i| i.1)
            .collect()
    }

    fn moving_averages(&self) -> Vec<f64> {
        self.settled()
            .windows(MAD)
            .map(|w| w.iter().sum::<f64>() / MAD as f64)
            .collect()
    }

    /// Feed the interval ending at second `k`. `queued`: the latency probes of the last
    /// second saw a standing queue at the bottleneck (see [`standing_queue`]): the link is
    /// full, and more streams would only add losses, never throughput.
    pub fn second(&mut self, k: f64, series: &Series, queued: bool) -> Decision {
        let avg = series.rate(k - 1.0, k);
        // A new high: single seconds are noisy (loss recovery), and streams added on noise
        // only add losses on a slow line.
        // The first second is slow start: it says nothing of what the streams can do, and
        // any second after it would beat it.
        let best = self
            .intervals
            .iter()
            .filter(|a| a.0 > 1.0 + 1e-9)
            .map(|a| a.1)
            .reduce(f64::max);
        self.intervals.push((k, avg));
        let mas = self.moving_averages();
        if mas.len() >= MAD && cv(&mas[mas.len() - MAD..]) <= STABLE_CV {
            return Decision::Stable;
        }
        let growing = best.is_some_and(|b| avg > b * (1.0 + RAMP_GROWTH));
        if growing && !queued && self.streams < self.max_streams {
            let add = RAMP_STEP.min(self.max_streams - self.streams);
            self.streams += add;
            // The new streams start after this decision and connect and slow-start during
            // the next second: it is not settled either.
            self.last_ramp = k + 1.0;
            return Decision::Ramp(add);
        }
        Decision::Continue
    }

    /// The window the figure is computed over, ending at `end`: the settled seconds, at
    /// most the `2 * MAD - 1` the stability rule looks at, at least the last one.
    pub fn window(&self, end: f64) -> (f64, f64) {
        let longest = (2 * MAD - 1) as f64;
        let start = (end - longest).max(self.last_ramp).min(end - 1.0).max(0.0);
        (start, end)
    }

    /// Confidence of a direction that never became stable: medium when its moving averages
    /// (or, with fewer settled seconds, its intervals) stay within 10 %.
    pub(super) fn unstable_confidence(&self) -> Confidence {
        let mas = self.moving_averages();
        let settled = self.settled();
        let spread = if mas.len() >= 2 {
            cv(&mas[mas.len().saturating_sub(MAD)..])
        } else if settled.len() >= MAD {
            cv(&settled)
        } else {
            f64::INFINITY
        };
        if spread <= 0.10 {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    }
}

/// Whether latency probes under load show a standing queue at the bottleneck: the median
/// of `recent` (ms) is well beyond the idle minimum (`idle_min`). A queue that stays only
/// builds when the link already carries all it can; streams limited by their own window (a
/// long, fast path) leave none. No answer at all within the last second is a queue too.
/// Without an idle figure, nothing can be said.
pub fn standing_queue(idle_min: Option<f64>, recent: &[f64]) -> bool {
    let Some(idle) = idle_min else {
        return false;
    };
    if recent.is_empty() {
        return true;
    }
    stats::median(&stats::sorted(recent)) > idle + (idle * 0.5).max(QUEUE_MS)
}

/// Queueing delay that counts as a standing queue (beyond half the idle round trip).
const QUEUE_MS: f64 = 5.0;

/// The figure of a direction: mean over the window, and the percentiles of its 100 ms bins.
pub fn window_figures(series: &Series, start: f64, end: f64) -> (f64, f64, f64, f64) {
    let mbps = |bytes_per_s: f64| bytes_per_s * 8.0 / 1e6;
    let mean = mbps(series.rate(start, end));
    let step = TICK.as_secs_f64();
    let mut bins = Vec::new();
    let mut t = start;
    while t + step <= end + 1e-9 {
        bins.push(mbps(series.rate(t, t + step)));
        t += step;
    }
    bins.sort_by(f64::total_cmp);
    if bins.is_empty() {
        return (mean, mean, mean, mean);
    }
    (
        mean,
        percentile(&bins, 0.1),
        percentile(&bins, 0.5),
        percentile(&bins, 0.9),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link at `rate` bytes/s after a slow start of `ramp` seconds, sampled every 100 ms.
    fn link(rate: f64, ramp: f64, until: f64) -> Series {
        let mut s = Series::default();
        let mut bytes = 0.0;
        let mut t = 0.0;
        s.push(0.0, 0.0);
        while t < until {
            t += 0.1;
            let r = if t < ramp { rate * t / ramp } else { rate };
            bytes += r * 0.1;
            s.push(t, bytes);
        }
        s
    }

    #[test]
    fn series_interpolates() {
        let s = link(1000.0, 0.0, 2.0);
        assert!((s.rate(0.5, 1.5) - 1000.0).abs() < 1e-6);
        assert!((s.at(0.05) - 50.0).abs() < 1e-6);
        assert_eq!(s.rate(1.0, 1.0), 0.0);
    }

    #[test]
    fn ramps_while_growing_then_stabilises_after_the_ramp() {
        let s = link(1e6, 2.5, 16.0);
        let mut c = Controller::new(4, 16);
        let mut decisions = Vec::new();
        for k in 1..=16 {
            let d = c.second(f64::from(k), &s, false);
            decisions.push(d);
            if d == Decision::Stable {
                break;
            }
        }
        // No decision on the first two seconds (slow start, then nothing to compare with
        // but slow start); streams added while the rate grows, then seven settled seconds,
        // none of them the second after a ramp.
        assert_eq!(decisions[..2], [Decision::Continue, Decision::Continue]);
        let last_ramp = decisions
            .iter()
            .rposition(|d| matches!(d, Decision::Ramp(4)))
            .expect("a ramp")
            + 1;
        assert_eq!(*decisions.last().unwrap(), Decision::Stable);
        let stable_at = decisions.len() as f64;
        let (start, end) = c.window(stable_at);
        assert_eq!(end - start, 7.0, "{decisions:?}");
        assert_eq!(start, last_ramp as f64 + 1.0, "{decisions:?}");
        let (mbps, p10, _, p90) = window_figures(&s, start, end);
        assert!((mbps - 8.0).abs() < 0.01, "{mbps}");
        assert!(p10 <= mbps + 1e-9 && p90 >= mbps - 1e-9);
    }

    #[test]
    fn unstable_throughput_never_stabilises() {
        // 1 MB/s for four seconds, 2 MB/s for four, and so on: the moving averages wander.
        let mut s = Series::default();
        let mut bytes = 0.0;
        s.push(0.0, 0.0);
        for k in 1..=10 {
            bytes += if (k - 1) / 4 % 2 == 1 { 2e6 } else { 1e6 };
            s.push(f64::from(k), bytes);
        }
        let mut c = Controller::new(4, 4);
        for k in 1..=10 {
            assert_ne!(
                c.second(f64::from(k), &s, false),
                Decision::Stable,
                "second {k}"
            );
        }
        assert_eq!(c.unstable_confidence(), Confidence::Low);
    }

    #[test]
    fn streams_stop_at_the_maximum() {
        // Forever growing: the ramp stops at max_streams.
        let s = link(1e6, 100.0, 10.0);
        let mut c = Controller::new(4, 10);
        for k in 1..=10 {
            c.second(f64::from(k), &s, false);
        }
        assert_eq!(c.streams, 10);
    }

    #[test]
    fn series_from_bins() {
        let s = Series::from_bins(0.1, &[100, 200, 300]);
        assert!((s.last_t() - 0.3).abs() < 1e-9);
        assert!((s.at(0.2) - 300.0).abs() < 1e-9);
        // 500 bytes in the last 200 ms.
        assert!((s.rate(0.1, 0.3) - 2500.0).abs() < 1e-6);
        assert_eq!(Series::from_bins(0.1, &[]).last_t(), 0.0);
    }

    #[test]
    fn a_standing_queue_stops_the_ramp() {
        // Idle 0.2 ms on a LAN: 40 ms under load is a full queue; 2 ms is not.
        assert!(standing_queue(Some(0.2), &[40.0, 38.0, 45.0]));
        assert!(!standing_queue(Some(0.2), &[2.0, 1.5, 3.0]));
        // Idle 30 ms over the internet: 40 ms is jitter, 80 ms a queue.
        assert!(!standing_queue(Some(30.0), &[40.0, 42.0]));
        assert!(standing_queue(Some(30.0), &[80.0, 90.0]));
        // No answer within the second: the probes wait in a queue.
        assert!(standing_queue(Some(1.0), &[]));
        // No idle figure: nothing to compare with.
        assert!(!standing_queue(None, &[500.0]));
        // A growing rate on a full link adds no stream.
        let s = link(1e6, 2.5, 4.0);
        let mut c = Controller::new(4, 16);
        for k in 1..=4 {
            assert!(!matches!(
                c.second(f64::from(k), &s, true),
                Decision::Ramp(_)
            ));
        }
        assert_eq!(c.streams, 4);
    }
}
