//! Submitting a report and fetching the profile, and what each answer means.
//!
//! What an answer to `POST /api/v1/reports` means for a report ([`classify`]):
//!
//! | answer | outcome |
//! |---|---|
//! | `201` with `{"status": "stored", "report_id": <this report's id>}` as JSON, or `200` with `"duplicate"` | acknowledged: remove it from the spool |
//! | any other 2xx or 3xx (an HTML page, `{}`, another report's id, an unknown status, a redirect not followed) | not acknowledged: keep it, say why, stop sending for this run (a captive portal or a proxy is in the way) |
//! | 409 | conflict: the collector holds another report under this id; keep it, say why (the collector's message), go on with the others |
//! | 400, 403, 413, 422 with the collector's own refusal: `application/json`, an [`ErrorBody`] with a `code` | rejected for good: move it to `rejected/` |
//! | 400, 403, 413, 422 with anything else (a web filter's HTML block page, a proxy's default `413` page, a body that cannot be read) | not acknowledged: keep it, say why, stop sending for this run (not the collector's refusal) |
//! | 401, and other 4xx (404, 405...) | blocked: the enrolment (token, URL) is wrong, not the report; keep it, stop sending for this run |
//! | 408, 429, 5xx, connection error, timeout, a body cut short | retry later: backoff, keep it |
//!
//! Redirects are followed only as [`super::redirect_policy`] says (307/308, same origin).

use std::time::Duration;

use readiness::api::{self, Ack, AckStatus, ErrorBody, RemoteProfile};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::retry::{Backoff, Budget, parse_retry_after};
use super::{
    Collector, MAX_ANSWER, MAX_MESSAGE, REQUEST_TIMEOUT, error_chain, printable, read_bounded,
};

/// What became of one attempt (or of all attempts, from [`deliver`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The collector's acknowledgement of this very report.
    Acked(Ack),
    /// The collector will never accept this report.
    Rejected(Rejection),
    /// The enrolment is refused (token, URL): keep the report, stop sending this run.
    Blocked(Rejection),
    /// `409`: the collector holds another report under this id. Keep it (not delivered),
    /// say why, go on with the other reports.
    Conflict(Rejection),
    /// An answer that is not the collector's acknowledgement of this report (a captive
    /// portal's page, a redirect, `{}`, another report's id): keep it, stop sending this run.
    Unacknowledged(String),
    /// Try again later.
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
}

/// A refusal as the agent keeps it: the collector's `{code, message}` (made printable and
/// bounded) and the HTTP status (none when the agent itself found the report unsendable,
/// such as a corrupt spool file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

impl Rejection {
    /// A refusal with `code` and `message` from outside, cleaned: the code keeps only
    /// `[A-Za-z0-9_.-]` (64 at most), the message goes through [`printable`].
    pub fn new(status: Option<u16>, code: &str, message: &str) -> Rejection {
        let code: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            .take(64)
            .collect();
        Rejection {
            status,
            code: if code.is_empty() {
                "error".into()
            } else {
                code
            },
            message: printable(message, MAX_MESSAGE),
        }
    }
}

fn refusal(status: StatusCode, body: &[u8]) -> Rejection {
    let e: Option<ErrorBody> = serde_json::from_slice(body).ok();
    match e {
        Some(e) if !e.code.is_empty() || !e.message.is_empty() => {
            Rejection::new(Some(status.as_u16()), &e.code, &e.message)
        }
        _ => Rejection::new(
            Some(status.as_u16()),
            &status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase()
                .replace(' ', "_"),
            &String::from_utf8_lossy(&body[..body.len().min(200)]),
        ),
    }
}

/// The collector's own refusal of a report: `application/json`, and an [`ErrorBody`] with a
/// non-empty `code` (what every 4xx of the collector is). Anything else is something else
/// (a web filter, a reverse proxy's default page) answering in its name: `Err` says what.
fn collector_refusal(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Rejection, String> {
    let other = |what: &str| {
        format!(
            "{} answered by something other than the collector ({what})",
            status.as_u16()
        )
    };
    json_content_type(headers).map_err(|shown| other(&shown))?;
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) if !e.code.trim().is_empty() => Ok(refusal(status, body)),
        _ => Err(other(
            "application/json, but not a {code, message} error body",
        )),
    }
}

/// `Ok` when the content type is `application/json` (parameters aside); `Err` with the
/// content type as shown to a person otherwise.
fn json_content_type(headers: &HeaderMap) -> Result<(), String> {
    let content_type = header_text(headers, CONTENT_TYPE);
    let is_json = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    match (is_json, content_type.is_empty()) {
        (true, _) => Ok(()),
        (false, true) => Err("no content type".into()),
        (false, false) => Err(content_type),
    }
}

/// A refusal whose body could not be read (too large, cut short).
fn unread_refusal(status: StatusCode, why: &str) -> Rejection {
    refusal(status, b"").with_message(&format!("(its answer could not be read: {why})"))
}

impl Rejection {
    fn with_message(mut self, message: &str) -> Rejection {
        self.message = printable(message, MAX_MESSAGE);
        self
    }
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> String {
    headers
        .get(name)
        .map(|v| printable(&String::from_utf8_lossy(v.as_bytes()), 200))
        .unwrap_or_default()
}

/// Whether `body`, the answer to the submission of report `id` with `status`, is the
/// collector's acknowledgement of it: JSON, the right status for the HTTP status, and that
/// report's id. `Ack`'s fields all have defaults (so that `{}` parses), so each is checked
/// here. `Err` says what is wrong.
fn acknowledgement(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    id: Uuid,
) -> Result<Ack, String> {
    json_content_type(headers).map_err(|shown| {
        format!("the answer ({status}, {shown}) is not the collector's JSON acknowledgement")
    })?;
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| format!("the answer ({status}) is not valid JSON"))?;
    let field = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
    let acked =
        field("report_id").ok_or_else(|| format!("the answer ({status}) has no report_id"))?;
    if Uuid::try_parse(acked).ok() != Some(id) {
        return Err(format!(
            "the answer ({status}) acknowledges another report ({}), not {id}",
            printable(acked, 64)
        ));
    }
    let expected = match status.as_u16() {
        201 => AckStatus::Stored,
        200 => AckStatus::Duplicate,
        _ => {
            return Err(format!(
                "{status} is not an acknowledgement status (201, 200)"
            ));
        }
    };
    let ack: Ack = serde_json::from_value(v.clone()).map_err(|_| {
        format!(
            "the answer ({status}) has an unknown status {:?}",
            printable(field("status").unwrap_or("?"), 32)
        )
    })?;
    if field("status").is_none() || ack.status != expected {
        return Err(format!(
            "the answer ({status}) has the status {:?}, not {:?}",
            printable(field("status").unwrap_or("none"), 32),
            match expected {
                AckStatus::Stored => "stored",
                AckStatus::Duplicate => "duplicate",
            }
        ));
    }
    Ok(Ack {
        message: ack.message.as_deref().map(|m| printable(m, MAX_MESSAGE)),
        ..ack
    })
}

/// What the answer to `POST /api/v1/reports` of report `id` means for it (see the module
/// table).
pub fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8], id: Uuid) -> Delivery {
    let not_acked = |why: String| {
        Delivery::Unacknowledged(format!(
            "not acknowledged: {why} (a captive portal, or a proxy in the way?)"
        ))
    };
    if status.is_redirection() {
        let to = header_text(headers, LOCATION);
        return not_acked(format!(
            "the collector's address answered a redirect ({status} to {}), which is not followed",
            if to.is_empty() { "nowhere" } else { &to }
        ));
    }
    if status.is_success() || status.is_informational() {
        return match acknowledgement(status, headers, body, id) {
            Ok(ack) => Delivery::Acked(ack),
            Err(why) => not_acked(why),
        };
    }
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
    match status.as_u16() {
        _ if is_refusal_status(status) => match collector_refusal(status, headers, body) {
            Ok(r) => Delivery::Rejected(r),
            Err(why) => not_acked(why),
        },
        409 => Delivery::Conflict(refusal(status, body)),
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

/// The statuses the collector refuses a report for good with (when it is the collector).
fn is_refusal_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 400 | 403 | 413 | 422)
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
    /// One `POST /api/v1/reports` of report `id`, bounded by `timeout`.
    pub async fn post_report(&self, id: Uuid, body: Vec<u8>, timeout: Duration) -> Delivery {
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
                match read_bounded(resp, MAX_ANSWER).await {
                    Ok(body) => classify(status, &headers, &body, id),
                    // A 2xx whose body was cut is not an acknowledgement: a resend is
                    // answered `200 duplicate` if it was stored.
                    Err(e) if status.is_success() => Delivery::Retry {
                        reason: format!("answer cut short ({status}): {e}"),
                        retry_after: None,
                    },
                    // A refusal for good must be read to be believed.
                    Err(e) if is_refusal_status(status) => Delivery::Unacknowledged(format!(
                        "not acknowledged: the {} refusal could not be read ({e}), so it \
                             is not taken as the collector's",
                        status.as_u16()
                    )),
                    Err(e) => match classify(status, &headers, b"", id) {
                        Delivery::Blocked(_) => Delivery::Blocked(unread_refusal(status, &e)),
                        Delivery::Conflict(_) => Delivery::Conflict(unread_refusal(status, &e)),
                        other => other,
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
        let body = read_bounded(resp, MAX_ANSWER)
            .await
            .map_err(|e| FetchError::Unreachable(format!("answer cut short ({status}): {e}")))?;
        if status.is_success() {
            serde_json::from_slice(&body)
                .map_err(|e| FetchError::Invalid(printable(&e.to_string(), MAX_MESSAGE)))
        } else if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
            Err(FetchError::Refused(refusal(status, &body)))
        } else {
            Err(FetchError::Unreachable(format!(
                "collector answered {status}"
            )))
        }
    }
}

/// Submit report `id` (its JSON `body`), retrying within `budget`. With `retries == false`,
/// one attempt only (the collector was found unreachable earlier in this run).
pub async fn deliver(
    collector: &Collector,
    id: Uuid,
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
        let outcome = collector.post_report(id, body.to_vec(), left).await;
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
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(v) = retry_after {
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const ID: &str = "01a23172-4e21-74c5-86c2-2250f8e4e538";

    fn id() -> Uuid {
        ID.parse().unwrap()
    }

    fn ack(status: &str, report_id: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "status": status, "report_id": report_id, "verdict": "ready", "score": 87
        }))
        .unwrap()
    }

    fn not_acked(status: u16, h: &HeaderMap, body: &[u8]) -> String {
        match classify(StatusCode::from_u16(status).unwrap(), h, body, id()) {
            Delivery::Unacknowledged(why) => why,
            other => panic!("{status} {}: {other:?}", String::from_utf8_lossy(body)),
        }
    }

    #[test]
    fn answers_are_classified_per_the_contract() {
        assert_eq!(
            classify(
                StatusCode::CREATED,
                &headers(None),
                &ack("stored", ID),
                id()
            ),
            Delivery::Acked(Ack {
                status: api::AckStatus::Stored,
                report_id: ID.into(),
                verdict: Some(readiness::Verdict::Ready),
                score: Some(87),
                message: None,
            })
        );
        let Delivery::Acked(a) = classify(
            StatusCode::OK,
            &headers(None),
            &ack("duplicate", &ID.to_uppercase()),
            id(),
        ) else {
            panic!()
        };
        assert!(a.duplicate());
        for s in [400, 403, 413, 422] {
            let body = br#"{"code":"invalid_report","message":"school is not a UAI"}"#;
            let got = classify(StatusCode::from_u16(s).unwrap(), &headers(None), body, id());
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
        let body = br#"{"code":"report_id_conflict","message":"held by another school"}"#;
        assert!(matches!(
            classify(StatusCode::CONFLICT, &headers(None), body, id()),
            Delivery::Conflict(ref r) if r.message == "held by another school"
        ));
        for s in [401, 404, 405] {
            let got = classify(StatusCode::from_u16(s).unwrap(), &headers(None), b"", id());
            assert!(matches!(got, Delivery::Blocked(_)), "{s}: {got:?}");
        }
        for s in [408, 429, 500, 502, 503] {
            let got = classify(
                StatusCode::from_u16(s).unwrap(),
                &headers(Some("7")),
                b"",
                id(),
            );
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

    #[test]
    fn only_the_collector_s_own_acknowledgement_of_this_report_counts() {
        let json = headers(None);
        let mut html = HeaderMap::new();
        html.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let why = not_acked(200, &html, b"<html>log in</html>");
        assert!(why.contains("text/html"), "{why}");
        let why = not_acked(200, &HeaderMap::new(), &ack("stored", ID));
        assert!(why.contains("no content type"), "{why}");
        let why = not_acked(200, &json, b"{}");
        assert!(why.contains("no report_id"), "{why}");
        let why = not_acked(200, &json, b"<html>");
        assert!(why.contains("not valid JSON"), "{why}");
        let other = "01a23172-4e21-74c5-86c2-225a3e31a7fd";
        let why = not_acked(201, &json, &ack("stored", other));
        assert!(why.contains("another report"), "{why}");
        let why = not_acked(201, &json, &ack("queued", ID));
        assert!(why.contains("unknown status"), "{why}");
        // The status must match the HTTP status, and be there.
        let why = not_acked(201, &json, &ack("duplicate", ID));
        assert!(why.contains("not \"stored\""), "{why}");
        let no_status = serde_json::to_vec(&serde_json::json!({ "report_id": ID })).unwrap();
        assert!(not_acked(201, &json, &no_status).contains("status"));
        for s in [202, 204] {
            assert!(not_acked(s, &json, &ack("stored", ID)).contains("not an acknowledgement"));
        }
        let mut redirect = HeaderMap::new();
        let long = format!("http://portal.example/{}", "x".repeat(5000));
        redirect.insert(LOCATION, HeaderValue::from_str(&long).unwrap());
        for s in [301, 302, 303, 307, 308] {
            let why = not_acked(s, &redirect, b"");
            assert!(
                why.contains("redirect (") && why.contains(" to http://portal.example/x"),
                "{why}"
            );
            assert!(why.len() < 500, "{why}");
        }
    }

    fn got_reason(d: &Delivery) -> String {
        match d {
            Delivery::Retry { reason, .. } => reason.clone(),
            _ => String::new(),
        }
    }

    /// A 400/403/413/422 that is not the collector's own `{code, message}` JSON (a web
    /// filter's block page, a proxy's default 413 page) is not a refusal for good: the
    /// report is kept. (This test used to expect `Rejected` for a non-JSON 413.)
    #[test]
    fn non_json_refusal_keeps_the_report() {
        let mut html = HeaderMap::new();
        html.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        for s in [400, 403, 413, 422] {
            let why = not_acked(s, &html, b"<html><h1>Access denied</h1></html>");
            assert!(
                why.contains(&format!(
                    "{s} answered by something other than the collector (text/html)"
                )),
                "{why}"
            );
        }
        let why = not_acked(413, &HeaderMap::new(), b"too big");
        assert!(why.contains("(no content type)"), "{why}");
        // JSON, but not the collector's error body (or one without a code).
        for body in [
            &b"too big"[..],
            b"{}",
            br#"{"message":"no"}"#,
            br#"{"code":" "}"#,
            b"[1]",
        ] {
            let why = not_acked(403, &headers(None), body);
            assert!(why.contains("not a {code, message} error body"), "{why}");
        }
        // The collector's own refusal, with a charset parameter.
        let mut json = HeaderMap::new();
        json.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let got = classify(
            StatusCode::PAYLOAD_TOO_LARGE,
            &json,
            br#"{"code":"report_too_large","message":"at most 1 MiB"}"#,
            id(),
        );
        assert!(
            matches!(got, Delivery::Rejected(ref r) if r.code == "report_too_large"),
            "{got:?}"
        );
    }

    #[test]
    fn refusals_are_cleaned_and_bounded() {
        let body = serde_json::to_vec(&serde_json::json!({
            "code": "invalid\u{1b}[31m_report",
            "message": format!("\u{1b}[2J\u{7}\r{}", "x".repeat(100_000)),
        }))
        .unwrap();
        let Delivery::Rejected(r) = classify(
            StatusCode::UNPROCESSABLE_ENTITY,
            &headers(None),
            &body,
            id(),
        ) else {
            panic!()
        };
        assert_eq!(r.code, "invalid31m_report");
        assert!(
            !r.message.contains(['\u{1b}', '\u{7}', '\r']),
            "{}",
            r.message
        );
        assert!(r.message.len() < 600, "{}", r.message.len());
    }
}
