//! Authentication as extractors: a handler names the token it needs among its arguments
//! ([`SchoolAuth`], [`ReadAuth`], [`AnyAuth`]) and runs only for a request that carries one.
//! Otherwise the answer is 401 (no token, an unknown or a revoked one) or 403 (a valid token
//! of the other scope), with the API's error body.
//!
//! Tokens are looked up by their SHA-256 hash on the blocking pool, like every store call.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use readiness::Uai;

use super::AppState;
use super::error::ApiError;
use crate::store::TokenScope;

/// A school enrollment token; yields its school, the only one it may submit for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolAuth(pub Uai);

/// A read token: the aggregated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAuth;

/// Any valid token, of either scope (the profile is served to agents and readers alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyAuth(pub TokenScope);

impl FromRequestParts<AppState> for SchoolAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match valid_token(&parts.headers, state).await? {
            TokenScope::School(uai) => Ok(SchoolAuth(uai)),
            TokenScope::Read => Err(wrong_scope("this route needs a school enrollment token")),
        }
    }
}

impl FromRequestParts<AppState> for ReadAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match valid_token(&parts.headers, state).await? {
            TokenScope::Read => Ok(ReadAuth),
            TokenScope::School(_) => Err(wrong_scope("this route needs a read token")),
        }
    }
}

impl FromRequestParts<AppState> for AnyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        valid_token(&parts.headers, state).await.map(AnyAuth)
    }
}

/// The scope of the request's bearer token, if it is known and not revoked.
async fn valid_token(headers: &HeaderMap, state: &AppState) -> Result<TokenScope, ApiError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            unauthorized(
                "missing_token",
                "an `Authorization: Bearer <token>` header is required",
            )
        })?;
    let hash = crate::tokens::hash(secret);
    let store = Arc::clone(&state.store);
    let info = tokio::task::spawn_blocking(move || store.token_by_hash(&hash))
        .await??
        .ok_or_else(|| unauthorized("invalid_token", "unknown token"))?;
    if info.revoked_at.is_some() {
        return Err(unauthorized("revoked_token", "this token was revoked"));
    }
    Ok(info.scope)
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

fn wrong_scope(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "wrong_scope", message)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    /// Status and error of each `(method, uri, authorization)`, against a collector with a
    /// school token, a read token and a revoked one.
    async fn answers(requests: &[(&str, &str, &str)]) -> Vec<(u16, String)> {
        let dir = tempfile::tempdir().unwrap();
        let app = crate::api::tests::app(&dir, |store| {
            let school = TokenScope::School("0751234J".parse().unwrap());
            for (id, secret, scope) in [
                ("s", "school-secret", &school),
                ("r", "read-secret", &TokenScope::Read),
                ("x", "revoked-secret", &TokenScope::Read),
            ] {
                let hash = crate::tokens::hash(secret);
                store.create_token(id, &hash, scope).unwrap();
            }
            store.revoke_token("x").unwrap();
        });
        let mut out = Vec::new();
        for (method, uri, auth) in requests {
            let mut req = Request::builder().method(*method).uri(*uri);
            if !auth.is_empty() {
                req = req.header(header::AUTHORIZATION, *auth);
            }
            let resp = app
                .clone()
                .oneshot(req.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
            let error = if status >= 400 {
                let e: readiness::api::ErrorBody = serde_json::from_slice(&body).unwrap();
                format!("{}: {}", e.code, e.message)
            } else {
                String::new()
            };
            out.push((status, error));
        }
        out
    }

    #[tokio::test]
    async fn each_extractor_admits_its_scope_and_answers_the_others() {
        let got = answers(&[
            ("GET", "/api/v1/profile", ""),
            ("GET", "/api/v1/profile", "Basic abc"),
            ("GET", "/api/v1/profile", "Bearer nope"),
            ("GET", "/api/v1/profile", "Bearer revoked-secret"),
            ("GET", "/api/v1/profile", "Bearer school-secret"),
            ("GET", "/api/v1/profile", "Bearer read-secret"),
            ("GET", "/api/v1/schools", "Bearer school-secret"),
            ("GET", "/api/v1/schools", "Bearer read-secret"),
            ("POST", "/api/v1/speedtest/sessions", "Bearer read-secret"),
            ("POST", "/api/v1/speedtest/sessions", "Bearer school-secret"),
        ])
        .await;
        let missing = "missing_token: an `Authorization: Bearer <token>` header is required";
        assert_eq!(
            got,
            [
                (401, missing.to_owned()),
                (401, missing.to_owned()),
                (401, "invalid_token: unknown token".to_owned()),
                (401, "revoked_token: this token was revoked".to_owned()),
                (200, String::new()),
                (200, String::new()),
                (403, "wrong_scope: this route needs a read token".to_owned()),
                (200, String::new()),
                (
                    403,
                    "wrong_scope: this route needs a school enrollment token".to_owned()
                ),
                (201, String::new()),
            ]
        );
    }
}
