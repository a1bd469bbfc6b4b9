//! The statistics of the bandwidth test, in one place: the percentile (from the readiness
//! crate), the trimmed mean, the coefficient of variation, and responsiveness from them.

pub(super) use readiness::measurements::bandwidth::percentile;

/// Responsiveness (round trips per minute) from latency samples under load, after the IETF
/// responsiveness draft: 60000 over the mean of the trimmed means (95th percentile) of the
/// foreign-connection probes: TCP handshakes and HTTP requests (our load streams are
/// HTTP/1.1, so there are no self-probes on them, and a plain-HTTP collector has no TLS
/// handshake to time).
pub fn rpm(tcp: &[f64], http: &[f64]) -> Option<f64> {
    let parts: Vec<f64> = [tcp, http].into_iter().filter_map(trimmed_mean).collect();
    if parts.is_empty() {
        return None;
    }
    let mean = parts.iter().sum::<f64>() / parts.len() as f64;
    (mean > 0.0).then(|| (60_000.0 / mean).round())
}

/// Mean of the samples at or below their 95th percentile.
fn trimmed_mean(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let cut = percentile(&s, 0.95);
    let kept: Vec<f64> = s.into_iter().filter(|v| *v <= cut).collect();
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
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
