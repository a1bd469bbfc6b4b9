//! Agents' side of the API: submit a report, fetch the profile.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::{SignedDuration, Timestamp};
use readiness::Report;
use readiness::api::{Ack, AckStatus, RemoteProfile, RemoteSchedule, path};
use readiness::report::SCHEMA_VERSION;

use super::auth::{AnyAuth, SchoolAuth};
use super::error::ApiError;
use super::{AppState, route};
use crate::store::{CheckSummary, InsertOutcome, LinkFigures, NewReport};

/// Most checks a report may carry.
const MAX_CHECKS: usize = 1000;
/// Longest workstation label or host name accepted.
const MAX_TEXT: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&route(path::REPORTS), post(submit))
        .route(&route(path::PROFILE), get(profile))
}

async fn profile(
    State(state): State<AppState>,
    _: AnyAuth,
) -> Result<Json<RemoteProfile>, ApiError> {
    let p = &state.profile;
    Ok(Json(RemoteProfile {
        name: p.profile.name.clone(),
        toml: p.toml.clone(),
        schedule: Some(RemoteSchedule {
            interval_hours: p.profile.schedule.interval_hours,
            jitter_minutes: p.profile.schedule.jitter_minutes,
        }),
    }))
}

/// The token is checked inside [`ingest`], not by an extractor argument: after the ingest
/// permit is taken, and with its rejection counted in the metrics like every other one.
async fn submit(
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, Json<Ack>), ApiError> {
    let (mut parts, body) = request.into_parts();
    let result = ingest(&state, &mut parts, body).await;
    if let Err(e) = &result {
        state.metrics.reject(e.code);
    }
    result
}

async fn ingest(
    state: &AppState,
    parts: &mut Parts,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Ack>), ApiError> {
    // Shed load before doing any work: agents retry after the delay, with their own jitter.
    let _permit = state
        .ingest
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::busy(5 + u64::from(rand::random::<u8>() % 25)))?;
    let SchoolAuth(token_school) = SchoolAuth::from_request_parts(parts, state).await?;
    let bytes = axum::body::to_bytes(body, state.config.max_body)
        .await
        .map_err(|e| {
            let too_big = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_big {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("the report exceeds {} bytes", state.config.max_body),
                )
            } else {
                ApiError::bad_request("unreadable_body", format!("cannot read the body: {e}"))
            }
        })?;
    let report = parse_report(&bytes)?;
    validate(&report, &token_school, Timestamp::now())?;

    // Re-score with the collector's profile: the agent's score is never trusted.
    let profile = &state.profile.profile;
    let day = report
        .finished_at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let assessment = readiness::assess(&report.measurements, profile, day, state.config.lang);
    let new = NewReport {
        report_id: report.report_id,
        school: token_school.clone(),
        workstation_id: report.workstation.id,
        label: report.workstation.label.clone(),
        hostname: report.workstation.hostname.clone(),
        finished_at: report.finished_at,
        received_at: Timestamp::now(),
        verdict: assessment.verdict,
        score: assessment.score,
        agent_verdict: report.verdict,
        agent_score: report.score,
        checks: assessment
            .checks
            .iter()
            .map(|c| CheckSummary {
                id: c.id.clone(),
                status: c.status,
                blocking: c.blocking,
                message: c.message.clone(),
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bandwidth: LinkFigures::of(&report),
    };
    let store = Arc::clone(&state.store);
    let outcome = tokio::task::spawn_blocking(move || store.insert_report(new)).await??;
    // Before the answer, so that a read after the acknowledgement sees the report.
    if outcome == InsertOutcome::Stored {
        state.summaries.mark_dirty(&token_school);
    }
    let report_id = report.report_id.to_string();
    Ok(match outcome {
        InsertOutcome::Stored => {
            state.metrics.reports_stored.inc();
            let ack = Ack {
                status: AckStatus::Stored,
                report_id,
                verdict: Some(assessment.verdict),
                score: Some(assessment.score),
                message: None,
            };
            (StatusCode::CREATED, Json(ack))
        }
        InsertOutcome::Duplicate { verdict, score } => {
            state.metrics.reports_duplicate.inc();
            let ack = Ack {
                status: AckStatus::Duplicate,
                report_id,
                verdict: Some(verdict),
                score: Some(score),
                message: Some("this report was already stored; nothing changed".to_owned()),
            };
            (StatusCode::OK, Json(ack))
        }
    })
}

/// JSON -> report, with the error that says what is wrong. One parse on the happy path; a
/// failure is parsed again to tell bad JSON, an unknown schema version and a bad shape apart.
fn parse_report(bytes: &[u8]) -> Result<Report, ApiError> {
    let unsupported = |v: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_schema_version",
            format!(
                "schema_version {v} is not supported; this collector reads version {SCHEMA_VERSION}"
            ),
        )
    };
    let shape_error = match serde_json::from_slice::<Report>(bytes) {
        Ok(r) if r.schema_version == SCHEMA_VERSION => return Ok(r),
        Ok(r) => return Err(unsupported(&r.schema_version)),
        Err(e) => e,
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not JSON: {e}"))
    })?;
    match value.get("schema_version") {
        None => Err(ApiError::bad_request(
            "invalid_report",
            "the report has no schema_version",
        )),
        Some(v) if v.as_u64() != Some(u64::from(SCHEMA_VERSION)) => Err(unsupported(v)),
        Some(_) => Err(ApiError::bad_request(
            "invalid_report",
            format!("the report does not match schema v1: {shape_error}"),
        )),
    }
}

/// Checks serde cannot express.
fn validate(
    report: &Report,
    token_school: &readiness::Uai,
    now: Timestamp,
) -> Result<(), ApiError> {
    let bad = |code, msg: String| Err(ApiError::bad_request(code, msg));
    match &report.school {
        None => {
            return bad(
                "missing_school",
                "the report has no school (enroll the agent with --school)".into(),
            );
        }
        Some(s) if s != token_school => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "wrong_school",
                format!("this token submits for school {token_school}, not {s}"),
            ));
        }
        Some(_) => {}
    }
    if report.finished_at < report.started_at {
        return bad(
            "invalid_timestamps",
            "finished_at is before started_at".into(),
        );
    }
    if report.finished_at.duration_since(report.started_at) > SignedDuration::from_hours(1) {
        return bad(
            "invalid_timestamps",
            "an audit cannot last more than an hour".into(),
        );
    }
    let earliest: Timestamp = "2024-01-01T00:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    if report.finished_at < earliest {
        return bad(
            "invalid_timestamps",
            format!("finished_at {} is before 2024", report.finished_at),
        );
    }
    // A PC's clock may be wrong (that is one of the checks), so allow a day ahead.
    if report.finished_at > now + SignedDuration::from_hours(24) {
        return bad(
            "invalid_timestamps",
            format!(
                "finished_at {} is more than a day in the future",
                report.finished_at
            ),
        );
    }
    if report.checks.len() > MAX_CHECKS {
        return bad("too_many_checks", format!("at most {MAX_CHECKS} checks"));
    }
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > MAX_TEXT);
    if too_long(&report.workstation.label) || too_long(&report.workstation.hostname) {
        return bad(
            "text_too_long",
            format!("label and hostname: at most {MAX_TEXT} characters"),
        );
    }
    Ok(())
}
