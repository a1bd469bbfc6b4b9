//! The API's one error type: 4xx answers carry a JSON `{code, message}` that says what is
//! wrong; 5xx are logged and answered without internals.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use readiness::api::ErrorBody;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine code (`invalid_report`, `wrong_school`...), also the metrics label.
    pub code: &'static str,
    pub message: String,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// An internal failure: logged in full, answered without details.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!("{context}: {err}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the collector's log has the details",
        )
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 429 with `Retry-After: seconds`.
    pub fn too_many(code: &'static str, seconds: u64, message: impl Into<String>) -> Self {
        ApiError {
            retry_after: Some(seconds),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    /// The error for an answer that axum, tower or hyper produced without a JSON body (an
    /// unknown route, a wrong method, an extractor's rejection, a timeout): a stable code for
    /// its status, and `detail` (the rejection's text) as the message when there is one.
    /// Server errors never carry their detail.
    pub fn from_status(status: StatusCode, detail: &str) -> Self {
        let (code, default) = match status.as_u16() {
            400 => ("bad_request", "the request is malformed"),
            401 => ("unauthorized", "a valid token is required"),
            403 => ("forbidden", "this token may not do that"),
            404 => ("not_found", "no such route (see the README for the API)"),
            405 => ("method_not_allowed", "this route does not take that method"),
            408 => ("timeout", "the request took too long; send it again"),
            411 => ("length_required", "the request needs a Content-Length"),
            413 => ("too_large", "the request body is too large"),
            414 => ("uri_too_long", "the request's URI is too long"),
            415 => (
                "unsupported_media_type",
                "the body's content type is not accepted",
            ),
            422 => ("unprocessable", "the request's content is not valid"),
            429 => ("too_many_requests", "too many requests; retry later"),
            431 => ("headers_too_large", "the request's headers are too large"),
            503 => (
                "unavailable",
                "the collector cannot answer now; retry later",
            ),
            504 => ("timeout", "the collector took too long; retry later"),
            s if s >= 500 => (
                "internal",
                "internal error; the collector's log has the details",
            ),
            _ => ("client_error", "the request was refused"),
        };
        let detail: String = detail.trim().chars().take(300).collect();
        let message = if detail.is_empty() || status.is_server_error() {
            default.to_owned()
        } else {
            detail
        };
        Self::new(status, code, message)
    }

    pub fn busy(retry_after: u64) -> Self {
        Self::too_many(
            "busy",
            retry_after,
            format!("the collector is busy; retry in {retry_after} s"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(ErrorBody {
                code: self.code.to_owned(),
                message: self.message,
            }),
        )
            .into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal("storage", e)
    }
}

/// A blocking task that panicked or was cancelled.
impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal("blocking task", e)
    }
}
