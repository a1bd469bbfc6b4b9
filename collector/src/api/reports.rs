//! Agents' side of the API: submit a report, fetch the profile, enrol a workstation
//! ([`enrolments`]).
//!
//! A report is admitted in this order: the secret (a workstation credential, or the school
//! token for a workstation not enrolled), the body (read in full before anything else is
//! held), the ingest permit, then, on the blocking pool, parsing, the bounds of one report
//! and re-scoring; the store decides the rest in the transaction that keeps it (same id:
//! duplicate or conflict; school token: not for an enrolled workstation, and only within the
//! school's cap).

mod enrolments;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::{SignedDuration, Timestamp};
use readiness::api::{Ack, AckStatus, RemoteProfile, RemoteSchedule, path};
use readiness::report::SCHEMA_VERSION;
use readiness::{Report, Verdict};

use super::auth::{AgentAuth, AnyAuth};
use super::error::ApiError;
use super::{AppState, LoadedProfile, route};
use crate::store::{
    Admission, CheckSummary, InsertOutcome, LinkFigures, NewReport, Submitter, content_hash,
};

/// A report dated up to this far ahead of the collector's clock may become its workstation's
/// latest state; later ones are kept in the history only (a day ahead is refused).
pub const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_mins(10);

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&route(path::REPORTS), post(submit))
        .route(&route(path::PROFILE), get(profile))
        .route(&route(path::ENROLMENTS), post(enrolments::enrol))
}

/// Most workstations a school may hold (enrolled, or known from school-token reports).
pub(crate) fn max_workstations(profile: &LoadedProfile) -> u32 {
    profile.profile.school.max_workstations
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

/// The secret is checked inside [`ingest`], not by an extractor argument, so that its
/// rejection is counted in the metrics like every other one.
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
    let auth = AgentAuth::from_request_parts(parts, state).await?;
    // The body first: a slow upload holds only its own connection, never an ingest permit
    // that every other school needs.
    let bytes = read_body(body, state.config.max_body).await?;
    // Shed load before the work: agents retry after the delay, with their own jitter.
    let _permit = state
        .ingest
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::busy(5 + u64::from(rand::random::<u8>() % 25)))?;
    let profile = Arc::clone(&state.profile);
    let lang = state.config.lang;
    let school = auth.school.clone();
    // Parsing, bounds and re-scoring are CPU work: off the async workers.
    let (new, verdict, score) = tokio::task::spawn_blocking(move || {
        prepare(&bytes, &auth, Timestamp::now(), &profile, lang)
    })
    .await??;
    let report_id = new.report_id;
    let workstation_id = new.workstation_id;
    let store = Arc::clone(&state.store);
    let outcome = tokio::task::spawn_blocking(move || store.insert_report(new)).await??;
    // Before the answer, so that a read after the acknowledgement sees the report.
    if outcome == InsertOutcome::Stored {
        state.summaries.mark_dirty(&school);
    }
    let (http_status, status, verdict, score, message) = match outcome {
        InsertOutcome::Stored => {
            state.metrics.reports_stored.inc();
            (StatusCode::CREATED, AckStatus::Stored, verdict, score, None)
        }
        InsertOutcome::Duplicate { verdict, score } => {
            state.metrics.reports_duplicate.inc();
            let message = Some("this report was already stored; nothing changed".to_owned());
            (
                StatusCode::OK,
                AckStatus::Duplicate,
                verdict,
                score,
                message,
            )
        }
        InsertOutcome::Conflict => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "report_conflict",
                format!(
                    "school {school} already holds a different report with id {report_id}; a report id names one report (a new audit gets a new id)"
                ),
            ));
        }
        InsertOutcome::CredentialRequired => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "credential_required",
                format!(
                    "workstation {workstation_id} is enrolled: its reports must carry its own workstation credential, not the school token (run `ent-agent enroll` on it again if the credential was lost)"
                ),
            ));
        }
        InsertOutcome::WorkstationLimit { max } => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "workstation_limit",
                format!(
                    "school {school} already has {max} workstations (the profile's [school] max_workstations); ask the collector's administrator to revoke old ones (`ent-collector workstations revoke`) or raise the cap"
                ),
            ));
        }
    };
    let ack = Ack {
        status,
        report_id: report_id.to_string(),
        verdict: Some(verdict),
        score: Some(score),
        message,
    };
    Ok((http_status, Json(ack)))
}

/// The whole body, at most `max` bytes.
async fn read_body(body: axum::body::Body, max: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, max).await.map_err(|e| {
        let too_big = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_big {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the report exceeds {max} bytes"),
            )
        } else {
            ApiError::bad_request("unreadable_body", format!("cannot read the body: {e}"))
        }
    })
}

/// Body -> a validated, re-scored report ready for the store, with the collector's verdict
/// and score. Synchronous: run on the blocking pool.
fn prepare(
    bytes: &[u8],
    auth: &AgentAuth,
    now: Timestamp,
    profile: &LoadedProfile,
    lang: readiness::Lang,
) -> Result<(NewReport, Verdict, u8), ApiError> {
    let report = parse_report(bytes)?;
    validate(&report, &auth.school, now)?;
    if let Some(ws) = auth.workstation
        && ws != report.workstation.id
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_workstation",
            format!(
                "this credential submits for workstation {ws} only, not {}",
                report.workstation.id
            ),
        ));
    }
    // Re-score with the collector's profile: the agent's score is never trusted.
    let day = report
        .finished_at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let assessment = readiness::assess(&report.measurements, &profile.profile, day, lang);
    let submitter = match auth.workstation {
        Some(_) => Submitter::Credential,
        None => Submitter::SchoolToken {
            max_workstations: max_workstations(profile),
        },
    };
    let new = NewReport {
        report_id: report.report_id,
        school: auth.school.clone(),
        workstation_id: report.workstation.id,
        label: report.workstation.label.clone(),
        hostname: report.workstation.hostname.clone(),
        finished_at: report.finished_at,
        received_at: now,
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
        body: String::from_utf8_lossy(bytes).into_owned(),
        bandwidth: LinkFigures::of(&report),
        admission: Admission {
            content_hash: content_hash(&report),
            submitter,
            may_be_latest: report.finished_at <= now + FUTURE_TOLERANCE,
            browser: false,
        },
    };
    Ok((new, assessment.verdict, assessment.score))
}

/// JSON -> report, with the error that says what is wrong. One parse on the happy path; a
/// failure is read again to tell bad JSON, an unknown schema version and a bad shape apart,
/// without building a tree of the body (a 1 MiB body of tiny array elements is 16-32 MB as
/// a `serde_json::Value`): it is skipped ([`Skip`]), then only `schema_version` is kept.
fn parse_report(bytes: &[u8]) -> Result<Report, ApiError> {
    /// The one field that tells the errors apart; serde skips the others.
    #[derive(serde::Deserialize)]
    struct Head {
        // `null` is a version too (an unsupported one), not a missing field.
        #[serde(default, deserialize_with = "present")]
        schema_version: Option<serde_json::Value>,
    }
    fn present<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<serde_json::Value>, D::Error> {
        serde::Deserialize::deserialize(d).map(Some)
    }
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
    serde_json::from_slice::<Skip>(bytes).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not JSON: {e}"))
    })?;
    // JSON, but not an object (or one naming schema_version twice): no schema_version.
    let version = serde_json::from_slice::<Head>(bytes)
        .ok()
        .and_then(|h| h.schema_version);
    match version {
        None => Err(ApiError::bad_request(
            "invalid_report",
            "the report has no schema_version",
        )),
        Some(v) if v.as_u64() != Some(u64::from(SCHEMA_VERSION)) => Err(unsupported(&v)),
        Some(_) => Err(ApiError::bad_request(
            "invalid_report",
            format!("the report does not match schema v1: {shape_error}"),
        )),
    }
}

/// Any JSON value, skipped without keeping it, within serde_json's nesting limit (which
/// `serde::de::IgnoredAny` does not apply: 100,000 nested arrays would pass as JSON).
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> serde::de::Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
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
    // Every count and text of the report within the readiness bounds (linear, before
    // scoring): a report naming 15,000 latency targets is refused here.
    if let Err(e) = report.check_bounds() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "report_out_of_bounds",
            e.to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (status, code, message) of a body that does not parse.
    fn refusal(body: &str) -> (u16, &'static str, String) {
        let e = parse_report(body.as_bytes()).expect_err(body);
        (e.status.as_u16(), e.code, e.message)
    }

    /// The answers to bodies that are not reports: bad JSON, no or another schema version,
    /// a bad shape, told apart without parsing the body into a tree again.
    #[test]
    fn a_body_that_is_not_a_report_gets_the_error_that_says_why() {
        let (s, code, msg) = refusal("{\"schema_version\": 1,");
        assert_eq!((s, code), (400, "malformed_json"), "{msg}");
        assert!(msg.starts_with("the body is not JSON: EOF"), "{msg}");
        assert_eq!(
            refusal("{} trailing").1,
            "malformed_json",
            "trailing characters"
        );
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        let (s, code, msg) = refusal(&deep);
        assert_eq!((s, code), (400, "malformed_json"), "{msg}");
        assert!(msg.contains("recursion limit exceeded"), "{msg}");
        for no_version in ["{}", "[1, 2]", "3", "{\"report_id\": [[[]]]}"] {
            assert_eq!(
                refusal(no_version),
                (
                    400,
                    "invalid_report",
                    "the report has no schema_version".into()
                ),
                "{no_version}"
            );
        }
        for (other, shown) in [
            ("{\"schema_version\": 2}", "2"),
            ("{\"schema_version\": null}", "null"),
            ("{\"schema_version\": \"1\", \"x\": [1]}", "\"1\""),
            (
                "{\"a\": {\"schema_version\": 1}, \"schema_version\": [1]}",
                "[1]",
            ),
        ] {
            let (s, code, msg) = refusal(other);
            assert_eq!((s, code), (422, "unsupported_schema_version"), "{other}");
            assert_eq!(
                msg,
                format!(
                    "schema_version {shown} is not supported; this collector reads version {SCHEMA_VERSION}"
                )
            );
        }
        let (s, code, msg) = refusal("{\"schema_version\": 1, \"report_id\": 5}");
        assert_eq!((s, code), (400, "invalid_report"), "{msg}");
        assert!(
            msg.starts_with("the report does not match schema v1: invalid type"),
            "{msg}"
        );
    }
}
