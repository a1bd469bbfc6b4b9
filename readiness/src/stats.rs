//! Descriptive statistics of samples: the one place where percentile, median, jitter and
//! trimmed mean are defined. The agent (bandwidth and latency figures), the scoring (latency
//! and clock checks) and the collector (a school's link) all call these, so that a figure
//! means the same thing wherever it is computed.
//!
//! Definitions (`sorted` is ascending, as [`sorted`] returns; `q` is in [0, 1] and is
//! clamped to it; `n` is the number of samples):
//! - [`percentile`]: linear interpolation between the closest ranks: at position
//!   `p = q·(n−1)` (0-based), `x[⌊p⌋] + (x[⌈p⌉] − x[⌊p⌋])·(p − ⌊p⌋)`. The default.
//! - [`median`]: the middle sample, or the mean of the two middle samples when `n` is even
//!   (the same value as `percentile(sorted, 0.5)`).
//! - [`percentile_nearest`]: the sample at the same position `p` rounded to the nearest
//!   rank (halves away from zero): `x[round(p)]`, always a measured value. The latency
//!   checks' p90 uses it; kept apart from [`percentile`] because it reads differently on
//!   few samples (p90 of 10, 11, 12, 30 is 30 here, 24.6 interpolated) and the latency
//!   messages show it.
//! - [`nearest_rank`]: the classic nearest-rank percentile, the smallest sample with at
//!   least a share `q` of the samples at or below it: `x[⌈q·n⌉ − 1]` (1-based rank
//!   `⌈q·n⌉`, at least 1). A school's link estimate uses it (at 0.9: the maximum below ten
//!   figures, one outlier ignored from ten on). It differs from [`percentile_nearest`] on
//!   some sizes (n = 7, q = 0.9: the 7th sample here, the 6th there).
//! - [`jitter`]: the mean absolute difference between consecutive samples, in the order
//!   taken (not sorted); 0 with fewer than two samples.
//! - [`trimmed_mean`]: the mean of the samples at or below their `q` [`percentile`].
//!
//! The percentiles and the median of no samples are NaN: callers check for samples first.

/// The samples in ascending order (NaN last), as the other functions expect them.
pub fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn debug_assert_sorted(sorted: &[f64]) {
    debug_assert!(
        sorted.is_sorted_by(|a, b| a.total_cmp(b).is_le()),
        "samples must be sorted"
    );
}

/// The position `q·(n−1)` of the `q` percentile among `n` sorted samples (0-based).
fn position(n: usize, q: f64) -> f64 {
    q.clamp(0.0, 1.0) * (n - 1) as f64
}

/// Percentile of sorted samples, linear interpolation between the closest ranks (see the
/// module header). NaN when empty.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    debug_assert_sorted(sorted);
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = position(n, q);
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
        }
    }
}

/// Median of sorted samples: the middle one, or the mean of the two middle ones. NaN when
/// empty.
pub fn median(sorted: &[f64]) -> f64 {
    debug_assert_sorted(sorted);
    let n = sorted.len();
    if n == 0 {
        f64::NAN
    } else if n.is_multiple_of(2) {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    } else {
        sorted[n / 2]
    }
}

/// Percentile of sorted samples at the interpolation position rounded to the nearest rank:
/// always one of the samples (see the module header). NaN when empty.
pub fn percentile_nearest(sorted: &[f64], q: f64) -> f64 {
    debug_assert_sorted(sorted);
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[(position(n, q).round() as usize).min(n - 1)],
    }
}

/// Nearest-rank percentile of sorted samples: the `⌈q·n⌉`-th smallest (at least the
/// first). NaN when empty.
pub fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    debug_assert_sorted(sorted);
    match sorted.len() {
        0 => f64::NAN,
        n => {
            let rank = (q.clamp(0.0, 1.0) * n as f64).ceil() as usize;
            sorted[rank.clamp(1, n) - 1]
        }
    }
}

/// Mean absolute difference between consecutive samples, in the order taken; 0 with fewer
/// than two.
pub fn jitter(samples: &[f64]) -> f64 {
    if samples.len() < 2 {
        return 0.0;
    }
    samples.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (samples.len() - 1) as f64
}

/// Mean of the samples (any order) at or below their `q` percentile; `None` when empty.
pub fn trimmed_mean(samples: &[f64], q: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let s = sorted(samples);
    let cut = percentile(&s, q);
    let kept: Vec<f64> = s.into_iter().filter(|v| *v <= cut).collect();
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 4.0);
        assert_eq!(percentile(&v, 0.5), 2.5);
        assert_eq!(percentile(&[7.0], 0.9), 7.0);
        assert!(percentile(&[], 0.5).is_nan());
        // Out of range is clamped.
        assert_eq!(percentile(&v, 1.5), 4.0);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[10.0, 11.0, 12.0]), 11.0);
        assert_eq!(median(&[10.0, 11.0, 12.0, 30.0]), 11.5);
        assert_eq!(
            median(&[10.0, 11.0, 12.0, 30.0]),
            percentile(&[10.0, 11.0, 12.0, 30.0], 0.5)
        );
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_rank_percentiles_pick_a_sample() {
        let v = [10.0, 11.0, 12.0, 30.0];
        assert_eq!(percentile_nearest(&v, 0.9), 30.0);
        assert_eq!(nearest_rank(&v, 0.9), 30.0);
        let mut ten: Vec<f64> = (1..=9).map(f64::from).collect();
        ten.push(1000.0);
        assert_eq!(nearest_rank(&ten, 0.9), 9.0);
        assert_eq!(nearest_rank(&[3.0, 5.0, 7.0], 0.9), 7.0);
        // Where the two rank definitions part (see the module header).
        let seven: Vec<f64> = (1..=7).map(f64::from).collect();
        assert_eq!(percentile_nearest(&seven, 0.9), 6.0);
        assert_eq!(nearest_rank(&seven, 0.9), 7.0);
    }

    #[test]
    fn jitter_is_the_mean_gap_in_order() {
        // |2| + |1| + |19| + |20| over 4.
        assert_eq!(jitter(&[10.0, 12.0, 11.0, 30.0, 10.0]), 10.5);
        assert_eq!(jitter(&[10.0]), 0.0);
        assert_eq!(jitter(&[]), 0.0);
    }

    #[test]
    fn trimmed_mean_drops_the_top() {
        let mut v: Vec<f64> = (1..=19).map(f64::from).collect();
        v.push(1000.0);
        // The 95th percentile is 19 + 0.05 * 981; 1000 is above it.
        assert_eq!(trimmed_mean(&v, 0.95), Some(10.0));
        assert_eq!(trimmed_mean(&[5.0], 0.95), Some(5.0));
        assert_eq!(trimmed_mean(&[], 0.95), None);
    }
}
