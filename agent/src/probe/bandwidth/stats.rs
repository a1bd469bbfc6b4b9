//! The statistics of the bandwidth test that are its own: the coefficient of variation (the
//! stable-window rule) and responsiveness. Percentiles, medians and trimmed means are
//! [`readiness::stats`], the one definition of each.

use readiness::stats;

/// Responsiveness (round trips per minute) from latency samples under load, after the IETF
/// responsiveness draft: 60000 over the mean of the trimmed means (95th percentile) of the
/// foreign-connection probes: TCP handshakes and HTTP requests (our load streams are
/// HTTP/1.1, so there are no self-probes on them, and a plain-HTTP collector has no TLS
/// handshake to time).
pub fn rpm(tcp: &[f64], http: &[f64]) -> Option<f64> {
    let parts: Vec<f64> = [tcp, http]
        .into_iter()
        .filter_map(|s| stats::trimmed_mean(s, 0.95))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let mean = parts.iter().sum::<f64>() / parts.len() as f64;
    (mean > 0.0).then(|| (60_000.0 / mean).round())
}

/// Standard deviation over mean (population); infinite when the mean is zero.
pub(super) fn cv(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return f64::INFINITY;
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    var.sqrt() / mean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responsiveness() {
        // 50 ms TCP, 30 ms HTTP: mean 40 ms, 1500 round trips per minute.
        assert_eq!(rpm(&[50.0; 10], &[30.0; 10]), Some(1500.0));
        // One huge outlier among twenty is trimmed.
        let mut tcp = vec![20.0; 19];
        tcp.push(5000.0);
        assert_eq!(rpm(&tcp, &[]), Some(3000.0));
        assert_eq!(rpm(&[], &[]), None);
    }
}
