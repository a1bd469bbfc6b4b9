//! Submitting a report and fetching the profile, and what each answer means.
//!
//! What an answer to `POST /api/v1/reports` means for a report ([`classify`]):
//!
//! | answer | outcome |
//! |---|---|
//! | any 2xx (`201 stored`, `200 duplicate`) | acknowledged: remove it from the spool |
//! | 400, 403, 413, 422 | rejected for good: move it to `rejected/` |
//! | 401, and other 4xx (404, 405...) | blocked: the enrolment (token, URL) is wrong, not the report; keep it, stop sending for this run |
//! | 408, 429, 5xx, connection error, timeout | retry later: backoff, keep it |

use std::time::Duration;

use readiness::api::{self, Ack, ErrorBody, RemoteProfile};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::{Deserialize, Serialize};

use super::retry::{Backoff, Budget, parse_retry_after};
use super::{Collector, REQUEST_TIMEOUT, error_chain, read_capped};

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

/// A refusal as the agent keeps it: the collector's `{code, message}` and the HTTP status
/// (none when the agent itself found the report unsendable, such as a corrupt spool file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

fn refusal(status: StatusCode, body: &[u8]) -> Rejection {
    let e: Option<ErrorBody> = serde_json::from_slice(body).ok();
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

impl Collector {
    /// One `POST /api/v1/reports`, bounded by `timeout`.
    pub async fn post_report(&self, body: Vec<u8>, timeout: Duration) -> Delivery {
        let req = self
            .http
            .post(self.endpoint(api::path::REPORTS))
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
            .get(self.endpoint(api::path::PROFILE))
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
                status: api::AckStatus::Stored,
                report_id: "x".into(),
                verdict: Some(readiness::Verdict::Ready),
                score: Some(87),
                message: None,
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
}
