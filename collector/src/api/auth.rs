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
