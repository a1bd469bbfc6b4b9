//! `POST /api/v1/enrolments`: the school's token buys this workstation's credential (and the
//! deployment's secret host-name salt). The client must be built with the school token.

use std::time::Duration;

use readiness::api::{self, Enrolment, EnrolmentRequest, ErrorBody};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};

use super::reports::Rejection;
use super::{
    Collector, MAX_ANSWER, MAX_ERROR_BODY, MAX_MESSAGE, REQUEST_TIMEOUT, error_chain,
    parse_retry_after, printable, read_bounded,
};

/// Why an enrolment did not return a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolError {
    #[error("collector unreachable: {0}")]
    Unreachable(String),
    /// Too many enrolments of the school lately (429): retry after the delay.
    #[error("the collector asks to retry later: {}", .message)]
    Busy {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("collector refused ({}: {}): {}", .0.status.unwrap_or(0), .0.code, .0.message)]
    Refused(Rejection),
    #[error("collector answered something unexpected: {0}")]
    Invalid(String),
}

impl Collector {
    /// One enrolment of `workstation_id`, bounded by `timeout`.
    pub async fn enrol(
        &self,
        workstation_id: uuid::Uuid,
        label: Option<&str>,
        timeout: Duration,
    ) -> Result<Enrolment, EnrolError> {
        let request = EnrolmentRequest {
            workstation_id,
            label: label.map(str::to_owned),
        };
        let resp = self
            .http
            .post(self.endpoint(api::path::ENROLMENTS))
            .header(AUTHORIZATION, &self.auth)
            .json(&request)
            .timeout(timeout.min(REQUEST_TIMEOUT))
            .send()
            .await
            .map_err(|e| EnrolError::Unreachable(error_chain(&e)))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
        let limit = if status == StatusCode::CREATED {
            MAX_ANSWER
        } else {
            MAX_ERROR_BODY
        };
        let body = read_bounded(resp, limit)
            .await
            .map_err(|e| EnrolError::Unreachable(format!("answer cut short: {e}")))?;
        if status == StatusCode::CREATED {
            let e: Enrolment =
                serde_json::from_slice(&body).map_err(|e| EnrolError::Invalid(e.to_string()))?;
            if e.credential.is_empty() {
                return Err(EnrolError::Invalid("no credential in the answer".into()));
            }
            return Ok(e);
        }
        let error: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(EnrolError::Busy {
                message: format!("{status} {}", printable(&error.message, MAX_MESSAGE)),
                retry_after,
            });
        }
        if status.is_client_error() {
            return Err(EnrolError::Refused(Rejection::new(
                Some(status.as_u16()),
                &error.code,
                &error.message,
            )));
        }
        Err(EnrolError::Invalid(format!("collector answered {status}")))
    }
}
