//! Probes: each measures one area of the workstation or its network, under its own
//! deadline, and returns raw measurements. A probe never aborts the audit: what it cannot
//! measure is recorded with the reason, and scoring makes it an `unknown` check.

pub mod bandwidth;
pub mod bounds;
pub mod browsers;
pub mod clock;
pub mod dns;
pub mod endpoint;
pub mod interface;
pub mod latency;
pub mod network;
pub mod os;
pub mod proxy;
pub mod system;
pub mod tls;

use std::future::Future;
use std::time::Duration;

use url::Url;

/// Run `fut`; if it has not finished within `deadline`, return `on_timeout(deadline)`.
pub async fn with_deadline<T>(
    deadline: Duration,
    fut: impl Future<Output = T>,
    on_timeout: impl FnOnce(Duration) -> T,
) -> T {
    match tokio::time::timeout(deadline, fut).await {
        Ok(v) => v,
        Err(_) => on_timeout(deadline),
    }
}

/// "timed out after 2.5 s", for `unavailable` maps.
pub fn timed_out(deadline: Duration) -> String {
    readiness::measurements::reasons::timed_out(deadline.as_secs_f64())
}

/// `Some(trimmed)` unless `value` is missing or blank: a field, registry value or setting
/// that says nothing is absent, not an empty string in the report.
pub fn non_blank(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The host of `url` as rules and host lists name it: lower-cased, an IPv6 address without
/// its brackets; empty when the URL has none.
pub fn url_host(url: &Url) -> String {
    url.host_str()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deadline_cuts_a_hung_probe() {
        let start = std::time::Instant::now();
        let out = with_deadline(
            Duration::from_millis(50),
            async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "finished".to_owned()
            },
            timed_out,
        )
        .await;
        assert_eq!(out, "timed out after 0.1 s");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn url_hosts_are_bare_and_lower_case() {
        let host = |u: &str| url_host(&Url::parse(u).unwrap());
        assert_eq!(host("https://ENT.Example.fr:8443/x"), "ent.example.fr");
        assert_eq!(host("http://[2001:DB8::1]:8080/"), "2001:db8::1");
        assert_eq!(host("data:text/plain,x"), "");
    }
}
