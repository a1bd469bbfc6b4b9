//! `POST /api/v1/enrolments`: the school's token buys one workstation's credential.
//!
//! The credential is random (`entw_` + 256 bits), shown once, stored as its SHA-256 hash,
//! and bound to one workstation of one school. Re-enrolling a workstation replaces its
//! credential (the old one stops working) and takes no new place. A school holds at most
//! `max_workstations` (409 `workstation_limit` beyond), and enrols at most
//! [`RATE`]`.0` workstations per [`RATE`]`.1` seconds (429 `enrolment_rate` with
//! Retry-After beyond), both checked in the store's transaction.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use readiness::api::{Enrolment, EnrolmentRequest};

use super::super::AppState;
use super::super::auth::SchoolTokenAuth;
use super::super::error::ApiError;
use super::max_workstations;
use crate::store::{EnrolOutcome, NewEnrolment};

/// Enrolments of one school: at most 60 within a minute.
pub const RATE: (u32, u32) = (60, 60);
/// Largest enrolment request body.
const MAX_REQUEST: usize = 4096;

pub(super) async fn enrol(
    State(state): State<AppState>,
    SchoolTokenAuth(school): SchoolTokenAuth,
    body: Bytes,
) -> Result<(StatusCode, Json<Enrolment>), ApiError> {
    if body.len() > MAX_REQUEST {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("an enrolment request is at most {MAX_REQUEST} bytes"),
        ));
    }
    let request: EnrolmentRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "invalid_enrolment",
            format!("expected {{\"workstation_id\": \"<uuid>\", \"label\": \"...\"}}: {e}"),
        )
    })?;
    if let Some(why) = request
        .label
        .as_deref()
        .and_then(readiness::limits::label_problem)
    {
        return Err(invalid_label(&why));
    }
    let credential = crate::tokens::generate_credential();
    let new = NewEnrolment {
        school: school.clone(),
        workstation_id: request.workstation_id,
        label: request.label.filter(|l| !l.trim().is_empty()),
        credential_hash: crate::tokens::hash(&credential),
        at: Timestamp::now(),
        max_workstations: max_workstations(&state.profile),
        rate: RATE,
    };
    let store = Arc::clone(&state.store);
    let (outcome, hostname_salt) = tokio::task::spawn_blocking(move || {
        Ok::<_, crate::store::StoreError>((store.enrol(new)?, store.hostname_salt()?))
    })
    .await??;
    match outcome {
        EnrolOutcome::Enrolled { replaced } => {
            tracing::info!(%school, replaced, "workstation enrolled");
            Ok((
                StatusCode::CREATED,
                Json(Enrolment {
                    credential,
                    hostname_salt,
                    school: school.to_string(),
                }),
            ))
        }
        EnrolOutcome::Full { max } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "workstation_limit",
            format!(
                "school {school} already has {max} workstations (the profile's [school] max_workstations); ask the collector's administrator to revoke old ones (`ent-collector workstations revoke`) or raise the cap"
            ),
        )),
        EnrolOutcome::RateLimited { retry_after } => Err(ApiError::too_many(
            "enrolment_rate",
            retry_after,
            format!(
                "school {school} enrolled {} workstations in the last {} s; retry in {retry_after} s",
                RATE.0, RATE.1
            ),
        )),
    }
}

fn invalid_label(why: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_label",
        format!("label: {why}"),
    )
}
