//! Authentication as extractors: a handler names the secret it needs among its arguments
//! ([`SchoolAuth`], [`SpeedtestAuth`], [`SchoolTokenAuth`], [`AgentAuth`], [`ReadAuth`],
//! [`AnyAuth`]) and runs only for a request that carries one. Otherwise the answer is 401
//! (no secret, an unknown or a revoked one) or 403 (a valid secret of another scope), with
//! the API's error body.
//!
//! Three kinds of secrets: school tokens (`ents_`), read tokens (`entr_`) and workstation
//! credentials (`entw_`, issued by `POST /api/v1/enrolments`, bound to one workstation of
//! one school). A credential stands for its school wherever an agent used the school token
//! (profile, speed tests); only [`SchoolTokenAuth`] (enrolment itself) wants the token.
//! A browser probe link (`entp_`) is admitted by [`SpeedtestAuth`] only (and by the probe's
//! own routes, `api::probe`): every other extractor answers it 403.
//!
//! Secrets are looked up by their SHA-256 hash on the blocking pool, like every store call.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use readiness::Uai;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::store::{ReadScope, TokenScope};

/// A school token or a workstation credential; yields its school, the only one it may act
/// for. A probe link is refused (403): it opens speed tests ([`SpeedtestAuth`]) and sends
/// the browser probe's report, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolAuth(pub Uai);

/// What may open a speed-test session: a school token, a workstation credential, or a
/// browser probe link (`entp_`); yields its school, and the link's id for a link (its
/// sessions are rate-limited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeedtestAuth {
    pub school: Uai,
    pub probe_link: Option<String>,
}

/// The school's token itself (not a workstation credential): enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolTokenAuth(pub Uai);

/// What may submit a report: the school's token (`workstation: None`), or a workstation's
/// credential, which submits for that workstation only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAuth {
    pub school: Uai,
    pub workstation: Option<Uuid>,
}

/// A read token: the aggregated API, of the schools its scope covers. Every read route
/// answers for those only: a school outside is unknown (the same 404 as a UAI nobody
/// knows), lists and roll-ups are made of the visible schools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAuth(pub ReadScope);

impl ReadAuth {
    /// Whether the token may see this school.
    pub fn sees(&self, school: &crate::aggregate::SchoolSummary) -> bool {
        self.0.covers(
            &school.uai,
            &school.departement,
            &school.circonscription.code,
        )
    }

    /// Whether the token sees every school (then a route may answer from what is cached
    /// of them all).
    pub fn sees_all(&self) -> bool {
        self.0.is_all()
    }

    /// For a route about every school at once (`/metrics`): `403 wrong_scope` unless the
    /// token sees them all.
    pub fn require_all(&self) -> Result<(), ApiError> {
        if self.sees_all() {
            Ok(())
        } else {
            Err(wrong_scope(
                "this route counts every school: it needs a read token of scope all",
            ))
        }
    }
}

/// Any valid secret, of any scope (the profile is served to agents and readers alike); a
/// workstation credential counts as its school's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyAuth(pub TokenScope);

/// Who a valid bearer secret belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Principal {
    School(Uai),
    Read(ReadScope),
    Workstation {
        school: Uai,
        workstation_id: Uuid,
    },
    /// A browser probe link (`entp_`): speed tests ([`SpeedtestAuth`]) and the browser
    /// probe's own routes (`api::probe`), nothing else.
    Probe {
        school: Uai,
        link: String,
    },
}

impl FromRequestParts<AppState> for SchoolAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(&parts.headers, state).await? {
            Principal::School(school) | Principal::Workstation { school, .. } => {
                Ok(SchoolAuth(school))
            }
            Principal::Probe { .. } => Err(probe_scope()),
            Principal::Read(_) => Err(wrong_scope(
                "this route needs a school enrollment token or a workstation credential",
            )),
        }
    }
}

impl FromRequestParts<AppState> for SpeedtestAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(&parts.headers, state).await? {
            Principal::School(school) | Principal::Workstation { school, .. } => {
                Ok(SpeedtestAuth {
                    school,
                    probe_link: None,
                })
            }
            Principal::Probe { school, link } => Ok(SpeedtestAuth {
                school,
                probe_link: Some(link),
            }),
            Principal::Read(_) => Err(wrong_scope(
                "this route needs a school enrollment token or a workstation credential",
            )),
        }
    }
}

impl FromRequestParts<AppState> for SchoolTokenAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(&parts.headers, state).await? {
            Principal::School(uai) => Ok(SchoolTokenAuth(uai)),
            Principal::Workstation { .. } => Err(wrong_scope(
                "enrolment needs the school's enrollment token, not a workstation credential",
            )),
            Principal::Probe { .. } => Err(probe_scope()),
            Principal::Read(_) => Err(wrong_scope("this route needs a school enrollment token")),
        }
    }
}

impl FromRequestParts<AppState> for AgentAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(&parts.headers, state).await? {
            Principal::School(school) => Ok(AgentAuth {
                school,
                workstation: None,
            }),
            Principal::Workstation {
                school,
                workstation_id,
            } => Ok(AgentAuth {
                school,
                workstation: Some(workstation_id),
            }),
            Principal::Read(_) | Principal::Probe { .. } => Err(wrong_scope(
                "this route needs a school enrollment token or a workstation credential",
            )),
        }
    }
}

impl FromRequestParts<AppState> for ReadAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(&parts.headers, state).await? {
            Principal::Read(scope) => Ok(ReadAuth(scope)),
            _ => Err(wrong_scope("this route needs a read token")),
        }
    }
}

impl FromRequestParts<AppState> for AnyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(AnyAuth(match principal(&parts.headers, state).await? {
            Principal::Read(scope) => TokenScope::Read(scope),
            Principal::School(uai) | Principal::Workstation { school: uai, .. } => {
                TokenScope::School(uai)
            }
            Principal::Probe { .. } => return Err(probe_scope()),
        }))
    }
}

/// Whose the request's bearer secret is, if it is known and not revoked.
async fn principal(headers: &HeaderMap, state: &AppState) -> Result<Principal, ApiError> {
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
    if secret.starts_with(crate::tokens::PROBE_PREFIX) {
        let link = super::probe::link(state, secret).await?;
        return Ok(Principal::Probe {
            school: link.school,
            link: link.id,
        });
    }
    let is_credential = secret.starts_with(crate::tokens::CREDENTIAL_PREFIX);
    let hash = crate::tokens::hash(secret);
    let store = Arc::clone(&state.store);
    if is_credential {
        let info = tokio::task::spawn_blocking(move || store.credential_by_hash(&hash))
            .await??
            .ok_or_else(|| {
                unauthorized(
                    "invalid_credential",
                    "unknown workstation credential (replaced by a later enrolment?); enrol the workstation again with `ent-agent enroll`",
                )
            })?;
        if info.revoked {
            return Err(unauthorized(
                "revoked_credential",
                "this workstation's credential was revoked; enrol the workstation again with `ent-agent enroll`",
            ));
        }
        return Ok(Principal::Workstation {
            school: info.school,
            workstation_id: info.workstation_id,
        });
    }
    let info = tokio::task::spawn_blocking(move || store.token_by_hash(&hash))
        .await??
        .ok_or_else(|| unauthorized("invalid_token", "unknown token"))?;
    if info.revoked_at.is_some() {
        return Err(unauthorized("revoked_token", "this token was revoked"));
    }
    Ok(match info.scope {
        TokenScope::School(uai) => Principal::School(uai),
        TokenScope::Read(scope) => Principal::Read(scope),
    })
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

/// A probe link on a route that is not the speed test's nor the probe's own.
fn probe_scope() -> ApiError {
    wrong_scope(
        "a probe link opens speed tests and sends the browser probe's report (its page has \
         what it needs in /api/v1/probe/config), nothing else",
    )
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
                ("r", "read-secret", &TokenScope::Read(ReadScope::All)),
                ("x", "revoked-secret", &TokenScope::Read(ReadScope::All)),
            ] {
                let hash = crate::tokens::hash(secret);
                store.create_token(id, &hash, scope).unwrap();
            }
            store.revoke_token("x").unwrap();
            for (ws, secret) in [(1, "entw_good"), (2, "entw_revoked")] {
                let e = crate::store::NewEnrolment {
                    school: "0751234J".parse().unwrap(),
                    workstation_id: Uuid::from_u128(ws),
                    label: None,
                    credential_hash: crate::tokens::hash(secret),
                    at: jiff::Timestamp::now(),
                    max_workstations: 10,
                    rate: (10, 60),
                };
                store.enrol(e).unwrap();
            }
            store.revoke_enrolment(&Uuid::from_u128(2)).unwrap();
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
            ("GET", "/api/v1/profile", "Bearer entw_good"),
            ("GET", "/api/v1/profile", "Bearer entw_revoked"),
            ("GET", "/api/v1/profile", "Bearer entw_unknown"),
            ("GET", "/api/v1/schools", "Bearer entw_good"),
            ("POST", "/api/v1/enrolments", "Bearer entw_good"),
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
                    "wrong_scope: this route needs a school enrollment token or a workstation credential".to_owned()
                ),
                (201, String::new()),
                (200, String::new()),
                (401, "revoked_credential: this workstation's credential was revoked; enrol the workstation again with `ent-agent enroll`".to_owned()),
                (401, "invalid_credential: unknown workstation credential (replaced by a later enrolment?); enrol the workstation again with `ent-agent enroll`".to_owned()),
                (403, "wrong_scope: this route needs a read token".to_owned()),
                (403, "wrong_scope: enrolment needs the school's enrollment token, not a workstation credential".to_owned()),
            ]
        );
    }
}
