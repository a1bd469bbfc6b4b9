//! The collector's HTTP client: submit a report, fetch the profile, and the retry policy
//! (exponential backoff with full jitter, `Retry-After` honoured, all within a time budget).
//!
//! What an answer means for a report ([`classify`]):
//!
//! | answer | outcome |
//! |---|---|
//! | any 2xx (`201 stored`, `200 duplicate`) | acknowledged: remove it from the spool |
//! | 400, 403, 413, 422 | rejected for good: move it to `rejected/` |
//! | 401, and other 4xx (404, 405...) | blocked: the enrolment (token, URL) is wrong, not the report; keep it, stop sending for this run |
//! | 408, 429, 5xx, connection error, timeout | retry later: backoff, keep it |

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use tokio::time::Instant;

use crate::enroll::Enrollment;
use crate::spool::Rejection;

/// Connection timeout of every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest any single request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Backoff: first delay bound and cap.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Largest answer body read (answers are small JSON documents; a profile is a few KiB).
const MAX_ANSWER: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("collector URL {url}: {message}")]
    Url { url: String, message: String },
    #[error("collector CA certificates: {0}")]
    Ca(String),
    #[error("cannot set up the HTTP client: {0}")]
    Build(String),
}

/// The collector's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Ack {
    /// `stored` or `duplicate` (already received earlier).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub verdict: Option<String>,
    #[serde(default)]
    pub score: Option<u8>,
}

impl Ack {
    pub fn duplicate(&self) -> bool {
        self.status == "duplicate"
    }
}

/// What became of one attempt (or of all attempts, from [`deliver`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Acked(Ack),
    /// The collector will never accept this report.
    Rejected(Rejection),
    /// The enrolment is refused (token, URL): keep the report, stop sending this run.
    Blocked(Rejection),
    /// Try again later.
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
}

#[derive(Debug, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

fn refusal(status: StatusCode, body: &[u8]) -> Rejection {
    let e: Option<ApiError> = serde_json::from_slice(body).ok();
    let (code, message) = match e {
        Some(e) if !e.code.is_empty() || !e.message.is_empty() => (e.code, e.message),
        _ => (
            status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase()
                .replace(' ', "_"),
            String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        ),
    };
    Rejection {
        status: Some(status.as_u16()),
        code,
        message,
    }
}

/// Parse `Retry-After`: delay in seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let v = value.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let secs = when.duration_since(now).as_secs_f64();
    Some(Duration::from_secs_f64(secs.max(0.0)))
}

/// What the answer to `POST /api/v1/reports` means for the report (see the module table).
pub fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Delivery {
    if status.is_success() {
        let ack = serde_json::from_slice(body).unwrap_or_else(|e| {
            tracing::warn!("acknowledgement without the expected JSON ({e}); taken as stored");
            Ack::default()
        });
        return Delivery::Acked(ack);
    }
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
    match status.as_u16() {
        400 | 403 | 413 | 422 => Delivery::Rejected(refusal(status, body)),
        408 | 429 => Delivery::Retry {
            reason: format!("collector busy ({status})"),
            retry_after,
        },
        s if status.is_server_error() => Delivery::Retry {
            reason: format!("collector error ({s})"),
            retry_after,
        },
        _ => Delivery::Blocked(refusal(status, body)),
    }
}

/// Exponential backoff with full jitter: the n-th delay is uniform in
/// `[0, min(cap, base * 2^n)]`; a `Retry-After` is honoured and the jitter added to it.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
        }
    }

    /// Upper bound of the next jitter window.
    pub fn window(&self) -> Duration {
        self.base
            .saturating_mul(2u32.saturating_pow(self.attempt.min(31)))
            .min(self.cap)
    }

    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let window = self.window();
        self.attempt = self.attempt.saturating_add(1);
        let jitter = Duration::from_secs_f64(rand::random_range(0.0..=window.as_secs_f64()));
        retry_after.unwrap_or(Duration::ZERO) + jitter
    }
}

/// A deadline for a phase of the run.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    end: Instant,
}

impl Budget {
    pub fn new(d: Duration) -> Budget {
        Budget {
            end: Instant::now() + d,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }
}

/// The profile as the collector serves it (`name` and `schedule` are also sent; the agent
/// reads both from the TOML itself, its single source of truth).
#[derive(Debug, Clone, Deserialize)]
pub struct RemoteProfile {
    pub toml: String,
}

/// Why the profile could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("collector unreachable: {0}")]
    Unreachable(String),
    #[error("collector refused ({}: {}): {}", .0.status.unwrap_or(0), .0.code, .0.message)]
    Refused(Rejection),
    #[error("collector answered something unexpected: {0}")]
    Invalid(String),
}

/// A client for one enrolled collector.
#[derive(Debug, Clone)]
pub struct Collector {
    http: reqwest::Client,
    base: Url,
    auth: String,
}

/// A collector base URL: http or https, a host, no credentials, query or fragment; its path
/// ends with `/` so that API paths join under it.
pub fn parse_base_url(s: &str) -> Result<Url, ClientError> {
    let err = |message: &str| ClientError::Url {
        url: s.to_owned(),
        message: message.to_owned(),
    };
    let mut url = Url::parse(s.trim()).map_err(|e| err(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err("must start with https:// (or http://)"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err(
            "must not contain a user name or password (the token is separate)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("must not contain a query (?) or fragment (#)"));
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

impl Collector {
    /// A client for the enrolled collector; `ca_pem`: extra trusted roots (a private CA).
    pub fn new(enrollment: &Enrollment, ca_pem: Option<&[u8]>) -> Result<Collector, ClientError> {
        let base = parse_base_url(&enrollment.collector)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("ent-agent/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_pem {
            builder = builder.tls_certs_merge(parse_ca(pem)?);
        }
        Ok(Collector {
            http: builder
                .build()
                .map_err(|e| ClientError::Build(error_chain(&e)))?,
            base,
            auth: format!("Bearer {}", enrollment.token.expose()),
        })
    }

    fn endpoint(&self, path: &str) -> Url {
        // `path` is one of our constants and the base ends with '/': join cannot fail.
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    /// One `POST /api/v1/reports`, bounded by `timeout`.
    pub async fn post_report(&self, body: Vec<u8>, timeout: Duration) -> Delivery {
        let req = self
            .http
            .post(self.endpoint("api/v1/reports"))
            .header(AUTHORIZATION, &self.auth)
            .header(CONTENT_TYPE, "application/json")
            .timeout(timeout.min(REQUEST_TIMEOUT))
            .body(body);
        match req.send().await {
            Err(e) => Delivery::Retry {
                reason: format!("collector unreachable: {}", error_chain(&e)),
                retry_after: None,
            },
            Ok(resp) => {
                let status = resp.status();
                let headers = resp.headers().clone();
                match read_capped(resp).await {
                    Ok(body) => classify(status, &headers, &body),
                    // A 2xx whose body was cut: the report was stored; otherwise retry.
                    Err(_) if status.is_success() => Delivery::Acked(Ack::default()),
                    Err(e) => Delivery::Retry {
                        reason: format!("answer cut short ({status}): {e}"),
                        retry_after: None,
                    },
                }
            }
        }
    }

    /// `GET /api/v1/profile`, one attempt bounded by `timeout`.
    pub async fn fetch_profile(&self, timeout: Duration) -> Result<RemoteProfile, FetchError> {
        let resp = self
            .http
            .get(self.endpoint("api/v1/profile"))
            .header(AUTHORIZATION, &self.auth)
            .timeout(timeout.min(REQUEST_TIMEOUT))
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(error_chain(&e)))?;
        let status = resp.status();
        let body = read_capped(resp)
            .await
            .map_err(|e| FetchError::Unreachable(format!("answer cut short: {e}")))?;
        if status.is_success() {
            serde_json::from_slice(&body).map_err(|e| FetchError::Invalid(e.to_string()))
        } else if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
            Err(FetchError::Refused(refusal(status, &body)))
        } else {
            Err(FetchError::Unreachable(format!(
                "collector answered {status}"
            )))
        }
    }
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| error_chain(&e))? {
        if out.len() + chunk.len() > MAX_ANSWER {
            return Err(format!("answer larger than {MAX_ANSWER} bytes"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// PEM certificates of a private collector CA.
pub fn parse_ca(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let certs =
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| ClientError::Ca(error_chain(&e)))?;
    if certs.is_empty() {
        return Err(ClientError::Ca("no PEM certificate found".into()));
    }
    Ok(certs)
}

/// An error with its causes ("error sending request: connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(cause) = src {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        src = cause.source();
    }
    s
}

/// Submit one report, retrying within `budget`. With `retries == false`, one attempt only
/// (the collector was found unreachable earlier in this run).
pub async fn deliver(
    collector: &Collector,
    body: &[u8],
    budget: &Budget,
    backoff: &mut Backoff,
    retries: bool,
) -> Delivery {
    let mut last = None;
    loop {
        let left = budget.remaining();
        if left < Duration::from_millis(200) {
            return last.unwrap_or_else(|| Delivery::Retry {
                reason: "no time left in this run's budget".into(),
                retry_after: None,
            });
        }
        let outcome = collector.post_report(body.to_vec(), left).await;
        let Delivery::Retry {
            reason,
            retry_after,
        } = &outcome
        else {
            return outcome;
        };
        if !retries {
            return outcome;
        }
        let delay = backoff.next_delay(*retry_after);
        if delay >= budget.remaining() {
            tracing::info!(%reason, ?delay, "no time left to retry in this run");
            return outcome;
        }
        tracing::info!(%reason, ?delay, "retrying");
        last = Some(outcome);
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = retry_after {
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn answers_are_classified_per_the_contract() {
        let ok = br#"{"status":"stored","report_id":"x","verdict":"ready","score":87}"#;
        assert_eq!(
            classify(StatusCode::CREATED, &headers(None), ok),
            Delivery::Acked(Ack {
                status: "stored".into(),
                verdict: Some("ready".into()),
                score: Some(87)
            })
        );
        let dup = br#"{"status":"duplicate","report_id":"x","verdict":"ready","score":87}"#;
        let Delivery::Acked(a) = classify(StatusCode::OK, &headers(None), dup) else {
            panic!()
        };
        assert!(a.duplicate());
        assert!(matches!(
            classify(StatusCode::OK, &headers(None), b"<html>"),
            Delivery::Acked(_)
        ));
        for s in [400, 403, 413, 422] {
            let body = br#"{"code":"invalid_report","message":"school is not a UAI"}"#;
            let got = classify(StatusCode::from_u16(s).unwrap(), &headers(None), body);
            assert_eq!(
                got,
                Delivery::Rejected(Rejection {
                    status: Some(s),
                    code: "invalid_report".into(),
                    message: "school is not a UAI".into()
                }),
                "{s}"
            );
        }
        for s in [401, 404, 405] {
            let got = classify(StatusCode::from_u16(s).unwrap(), &headers(None), b"");
            assert!(matches!(got, Delivery::Blocked(_)), "{s}: {got:?}");
        }
        for s in [408, 429, 500, 502, 503] {
            let got = classify(StatusCode::from_u16(s).unwrap(), &headers(Some("7")), b"");
            assert_eq!(
                got,
                Delivery::Retry {
                    reason: got_reason(&got),
                    retry_after: Some(Duration::from_secs(7))
                },
                "{s}"
            );
        }
    }

    fn got_reason(d: &Delivery) -> String {
        match d {
            Delivery::Retry { reason, .. } => reason.clone(),
            _ => String::new(),
        }
    }

    #[test]
    fn non_json_refusal_keeps_the_status_meaning() {
        let Delivery::Rejected(r) =
            classify(StatusCode::PAYLOAD_TOO_LARGE, &headers(None), b"too big")
        else {
            panic!()
        };
        assert_eq!(r.code, "payload_too_large");
        assert_eq!(r.message, "too big");
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now: jiff::Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Mon, 02 Mar 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Mon, 02 Mar 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_is_bounded_and_grows_to_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let windows: Vec<u64> = (0..10)
            .map(|_| {
                let w = b.window();
                let d = b.next_delay(None);
                assert!(d <= w, "{d:?} > {w:?}");
                w.as_secs()
            })
            .collect();
        assert_eq!(windows, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
        // Full jitter: over many draws the delays are spread, not all at the bound.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(1));
        let draws: Vec<Duration> = (0..200).map(|_| b.next_delay(None)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(500)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(500)));
        // Retry-After is a floor; jitter is added on top.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let d = b.next_delay(Some(Duration::from_secs(30)));
        assert!(
            d >= Duration::from_secs(30) && d <= Duration::from_secs(31),
            "{d:?}"
        );
        // Huge attempt counts do not overflow.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        b.attempt = u32::MAX;
        assert!(b.next_delay(None) <= Duration::from_secs(60));
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            parse_base_url("https://c.example.fr").unwrap().as_str(),
            "https://c.example.fr/"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080/ent")
                .unwrap()
                .join("api/v1/reports")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/ent/api/v1/reports"
        );
        for bad in [
            "ftp://c.example.fr",
            "c.example.fr",
            "https://user:pw@c.example.fr",
            "https://c.example.fr/?token=x",
            "",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    use crate::fake_collector::{FakeCollector, Reply};

    fn fast() -> Backoff {
        Backoff::new(Duration::from_millis(10), Duration::from_millis(50))
    }

    fn body(id: &str) -> Vec<u8> {
        format!(r#"{{"report_id":"{id}"}}"#).into_bytes()
    }

    #[tokio::test]
    async fn server_errors_are_retried_until_acknowledged() {
        let fake = FakeCollector::start().await;
        fake.script([Reply::status(503), Reply::status(500), Reply::status(502)]);
        let c = Collector::new(&fake.enrollment(), None).unwrap();
        let budget = Budget::new(Duration::from_secs(10));
        let got = deliver(&c, &body("a"), &budget, &mut fast(), true).await;
        assert!(
            matches!(got, Delivery::Acked(ref a) if a.status == "stored"),
            "{got:?}"
        );
        assert_eq!(fake.received(), ["a"; 4]);
        // A resend is a duplicate, and still an acknowledgement.
        let got = deliver(&c, &body("a"), &budget, &mut fast(), true).await;
        assert!(
            matches!(got, Delivery::Acked(ref a) if a.duplicate()),
            "{got:?}"
        );
        assert_eq!(fake.stored(), ["a"]);
    }

    #[tokio::test]
    async fn retry_after_is_honoured() {
        let fake = FakeCollector::start().await;
        fake.script([Reply::Status {
            status: 429,
            retry_after: Some("1"),
            body: "{}",
        }]);
        let c = Collector::new(&fake.enrollment(), None).unwrap();
        let t0 = Instant::now();
        let got = deliver(
            &c,
            &body("a"),
            &Budget::new(Duration::from_secs(10)),
            &mut fast(),
            true,
        )
        .await;
        assert!(matches!(got, Delivery::Acked(_)), "{got:?}");
        assert!(t0.elapsed() >= Duration::from_secs(1), "{:?}", t0.elapsed());
    }

    #[tokio::test]
    async fn retry_after_beyond_the_budget_gives_up_at_once() {
        let fake = FakeCollector::start().await;
        fake.script([Reply::Status {
            status: 503,
            retry_after: Some("120"),
            body: "{}",
        }]);
        let c = Collector::new(&fake.enrollment(), None).unwrap();
        let t0 = Instant::now();
        let got = deliver(
            &c,
            &body("a"),
            &Budget::new(Duration::from_secs(5)),
            &mut fast(),
            true,
        )
        .await;
        assert!(matches!(got, Delivery::Retry { retry_after: Some(d), .. } if d.as_secs() == 120));
        assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
        assert_eq!(fake.received().len(), 1);
    }

    #[tokio::test]
    async fn a_hanging_collector_is_bounded_by_the_budget() {
        let fake = FakeCollector::start().await;
        fake.script([Reply::Hang, Reply::Hang, Reply::Hang]);
        let c = Collector::new(&fake.enrollment(), None).unwrap();
        let t0 = Instant::now();
        let got = deliver(
            &c,
            &body("a"),
            &Budget::new(Duration::from_millis(1500)),
            &mut fast(),
            true,
        )
        .await;
        assert!(matches!(got, Delivery::Retry { .. }), "{got:?}");
        assert!(
            t0.elapsed() < Duration::from_millis(2500),
            "{:?}",
            t0.elapsed()
        );
    }

    #[tokio::test]
    async fn connection_refused_is_a_retry_and_single_attempt_means_one() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let fake = FakeCollector::start().await;
        let mut e = fake.enrollment();
        e.collector = format!("http://{addr}/");
        let c = Collector::new(&e, None).unwrap();
        let got = deliver(
            &c,
            &body("a"),
            &Budget::new(Duration::from_secs(5)),
            &mut fast(),
            false,
        )
        .await;
        let Delivery::Retry { reason, .. } = got else {
            panic!("{got:?}")
        };
        assert!(reason.contains("unreachable"), "{reason}");
    }

    #[tokio::test]
    async fn refusals_are_not_retried() {
        let fake = FakeCollector::start().await;
        fake.script([Reply::status(422)]);
        let c = Collector::new(&fake.enrollment(), None).unwrap();
        let budget = Budget::new(Duration::from_secs(5));
        let got = deliver(&c, &body("a"), &budget, &mut fast(), true).await;
        assert!(matches!(got, Delivery::Rejected(ref r) if r.status == Some(422)));
        let mut e = fake.enrollment();
        e.token = crate::enroll::Token::parse("wrong").unwrap();
        let bad = Collector::new(&e, None).unwrap();
        let got = deliver(&bad, &body("b"), &budget, &mut fast(), true).await;
        assert!(
            matches!(got, Delivery::Blocked(ref r) if r.code == "invalid_token"),
            "{got:?}"
        );
        assert_eq!(fake.received(), ["a", "b"], "one attempt each");
        assert!(fake.stored().is_empty());
    }

    #[tokio::test]
    async fn profile_fetch_outcomes() {
        let fake = FakeCollector::start().await;
        let c = Collector::new(&fake.enrollment(), None).unwrap();
        let p = c.fetch_profile(Duration::from_secs(5)).await.unwrap();
        assert!(p.toml.contains("fr-primaire"));
        fake.inner.lock().unwrap().profile = Some((200, "not json".into()));
        assert!(matches!(
            c.fetch_profile(Duration::from_secs(5)).await,
            Err(FetchError::Invalid(_))
        ));
        fake.inner.lock().unwrap().profile = Some((503, "{}".into()));
        assert!(matches!(
            c.fetch_profile(Duration::from_secs(5)).await,
            Err(FetchError::Unreachable(_))
        ));
        let mut e = fake.enrollment();
        e.token = crate::enroll::Token::parse("wrong").unwrap();
        let bad = Collector::new(&e, None).unwrap();
        assert!(matches!(
            bad.fetch_profile(Duration::from_secs(5)).await,
            Err(FetchError::Refused(ref r)) if r.status == Some(401)
        ));
    }

    #[test]
    fn ca_file_must_hold_a_certificate() {
        assert!(parse_ca(b"not a pem").is_err());
    }
}
