//! The browser probe: a page served at `/sonde/{code}` for devices without the agent
//! (tablets, phones, Chromebooks, class TVs), and its two API routes.
//!
//! The code (`entp_` + 128 random bits, `ent-collector probe-link`) is the capability of
//! one school, expiring and revocable, stored hashed. The page reads it from its own URL
//! and sends it as `Authorization: Bearer` to the API: the speed-test routes (as a school
//! token would), `GET /api/v1/probe/config` and `POST /api/v1/probe/reports`. Request logs
//! carry the route template (`/sonde/{code}`), never the code.
//!
//! The page is static (embedded from `collector/assets/sonde/`), under a strict CSP: no
//! inline script or style, nothing from another origin except the `no-cors` fetches of the
//! profile's endpoints (`connect-src *`), whose answers a page cannot read.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use readiness::api::{
    BIN_MS, BrowserCheckLine, BrowserProbeConfig, BrowserProbeResult, BrowserProbeSubmission,
    ProbeEndpoint, path,
};
use readiness::measurements::bandwidth::{
    Confidence, CountedBy, LatencySummary, StopReason, Transfer,
};
use readiness::measurements::network::{
    EndpointAttempt, EndpointError, EndpointErrorKind, EndpointMeasurement, Hop, Route,
};
use readiness::measurements::{
    BandwidthMeasurements, BrowserMeasurements, CpuInfo, NetworkMeasurements, SystemMeasurements,
};
use readiness::report::{BROWSER_PROBE_VERSION, BrowserProbe, Probe, SCHEMA_VERSION, Workstation};
use readiness::{Lang, Measurements, Report};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::{AppState, LoadedProfile, route};
use crate::store::{
    Admission, CheckSummary, InsertOutcome, LinkFigures, NewReport, ProbeLink, Submitter,
    content_hash,
};

const PAGE: &str = include_str!("../../assets/sonde/index.html");
const SCRIPT: &str = include_str!("../../assets/sonde/probe.js");
const STYLE: &str = include_str!("../../assets/sonde/probe.css");

/// The page's policy: its own script and style only; fetches to any origin (the ENT
/// endpoints, `no-cors`: their answers stay opaque to the page).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self' https: http:; base-uri 'none'; form-action 'none'; \
                   frame-ancestors 'none'";

/// Longest each direction may run in the browser.
const MAX_DIRECTION_S: f64 = 12.0;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sonde/{code}", get(page))
        .route("/sonde-assets/probe.js", get(script))
        .route("/sonde-assets/probe.css", get(style))
        .route(&route(path::PROBE_CONFIG), get(config))
        .route(&route(path::PROBE_REPORTS), post(submit))
}

/// Why a probe link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Unknown,
    Expired,
    Revoked,
}

/// The link of a code, if it is known, not revoked and not expired.
async fn lookup(state: &AppState, code: &str) -> Result<Result<ProbeLink, Refusal>, ApiError> {
    if !code.starts_with(crate::tokens::PROBE_PREFIX) || code.len() > 100 {
        return Ok(Err(Refusal::Unknown));
    }
    let hash = crate::tokens::hash(code);
    let store = Arc::clone(&state.store);
    let link = tokio::task::spawn_blocking(move || store.probe_link_by_hash(&hash)).await??;
    Ok(match link {
        None => Err(Refusal::Unknown),
        Some(l) if l.revoked_at.is_some() => Err(Refusal::Revoked),
        Some(l) if l.expires_at <= Timestamp::now() => Err(Refusal::Expired),
        Some(l) => Ok(l),
    })
}

/// The link of a bearer code, for the API (`api::auth`): 401 otherwise.
pub(crate) async fn link(state: &AppState, code: &str) -> Result<ProbeLink, ApiError> {
    lookup(state, code).await?.map_err(|r| {
        let (code, message) = match r {
            Refusal::Unknown => ("invalid_probe_link", "unknown probe link"),
            Refusal::Expired => (
                "expired_probe_link",
                "this probe link has expired; ask for a new one",
            ),
            Refusal::Revoked => (
                "revoked_probe_link",
                "this probe link was revoked; ask for a new one",
            ),
        };
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    })
}

/// The bearer link of an API request.
async fn bearer_link(state: &AppState, headers: &HeaderMap) -> Result<ProbeLink, ApiError> {
    let code = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|c| c.starts_with(crate::tokens::PROBE_PREFIX))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing_token",
                "this route needs `Authorization: Bearer <probe link code>`",
            )
        })?;
    link(state, code).await
}

fn secured(mut resp: Response, content_type: &'static str) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

async fn page(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    Ok(match lookup(&state, &code).await? {
        Ok(_) => secured(PAGE.into_response(), "text/html; charset=utf-8"),
        Err(r) => {
            let (status, fr, en) = match r {
                Refusal::Unknown => (
                    StatusCode::NOT_FOUND,
                    "Ce lien de test n’existe pas. Vérifiez l’adresse, ou demandez un nouveau lien.",
                    "This test link does not exist. Check the address, or ask for a new link.",
                ),
                Refusal::Expired => (
                    StatusCode::GONE,
                    "Ce lien de test a expiré. Demandez un nouveau lien à la personne qui vous l’a donné.",
                    "This test link has expired. Ask whoever gave it to you for a new one.",
                ),
                Refusal::Revoked => (
                    StatusCode::GONE,
                    "Ce lien de test a été révoqué. Demandez un nouveau lien.",
                    "This test link was revoked. Ask for a new one.",
                ),
            };
            let html = format!(
                "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>Lien de test indisponible</title>\
                 <link rel=\"stylesheet\" href=\"/sonde-assets/probe.css\"></head>\
                 <body><main><h1 id=\"refused\">Lien de test indisponible</h1><p>{fr}</p>\
                 <p lang=\"en\"><strong>Test link unavailable.</strong> {en}</p></main></body></html>"
            );
            let mut resp = secured(html.into_response(), "text/html; charset=utf-8");
            *resp.status_mut() = status;
            resp
        }
    })
}

async fn script() -> Response {
    let mut r = secured(SCRIPT.into_response(), "text/javascript; charset=utf-8");
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn style() -> Response {
    let mut r = secured(STYLE.into_response(), "text/css; charset=utf-8");
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn config(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<axum::Json<BrowserProbeConfig>, ApiError> {
    let link = bearer_link(&state, &headers).await?;
    let endpoints = state
        .profile
        .profile
        .network
        .endpoints
        .iter()
        .map(|e| ProbeEndpoint {
            name: e.name.clone(),
            url: e.url.clone(),
        })
        .collect();
    Ok(axum::Json(BrowserProbeConfig {
        school: link.school.to_string(),
        endpoints,
        max_direction_s: MAX_DIRECTION_S,
        bin_ms: BIN_MS,
    }))
}

async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, axum::Json<BrowserProbeResult>), ApiError> {
    let link = bearer_link(&state, &headers).await?;
    if body.len() > state.config.max_body {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the probe report is too large",
        ));
    }
    let submission: BrowserProbeSubmission = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("invalid_probe_report", e.to_string()))?;
    let profile = Arc::clone(&state.profile);
    let default_lang = state.config.lang;
    let school = link.school.clone();
    let (new, result) = tokio::task::spawn_blocking(move || {
        build(&submission, &link, &profile, Timestamp::now(), default_lang)
    })
    .await??;
    let store = Arc::clone(&state.store);
    let outcome = tokio::task::spawn_blocking(move || store.insert_report(new)).await??;
    match outcome {
        InsertOutcome::Stored | InsertOutcome::Duplicate { .. } => {
            state.summaries.mark_dirty(&school);
            state.metrics.reports_stored.inc();
            Ok((StatusCode::CREATED, axum::Json(result)))
        }
        InsertOutcome::WorkstationLimit { max } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "workstation_limit",
            format!(
                "school {school} already has {max} devices (the profile's [school] max_workstations)"
            ),
        )),
        InsertOutcome::Conflict | InsertOutcome::CredentialRequired => Err(ApiError::new(
            StatusCode::CONFLICT,
            "report_conflict",
            "this report could not be stored; run the test again",
        )),
    }
}

/// The workstation id of a device: derived from the link's school and the page's random
/// id, so that a page can name no other workstation (an agent's, another school's).
fn device_uuid(school: &readiness::Uai, device_id: &str) -> uuid::Uuid {
    let digest = Sha256::digest(format!("ent-browser-probe\0{school}\0{device_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn finite(x: f64, max: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, max)
    } else {
        0.0
    }
}

fn transfer(t: &readiness::api::BrowserTransfer, counted_by: CountedBy) -> Transfer {
    let mut bins: Vec<f64> = t
        .bins_mbps
        .iter()
        .take(600)
        .map(|b| finite(*b, 1e5))
        .collect();
    bins.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        if bins.is_empty() {
            finite(t.mbps, 1e5)
        } else {
            readiness::stats::percentile(&bins, q)
        }
    };
    let stable = t.stable && t.window_s >= 2.0;
    Transfer {
        mbps: finite(t.mbps, 1e5),
        p10_mbps: pct(0.1),
        p50_mbps: pct(0.5),
        p90_mbps: pct(0.9),
        streams: t.streams.min(64),
        bytes: t.bytes,
        duration_s: finite(t.duration_s, 3600.0),
        window_start_s: finite(t.window_start_s, 3600.0),
        window_s: finite(t.window_s, 3600.0),
        counted_by,
        stop: if stable {
            StopReason::Stable
        } else {
            StopReason::TimeCap
        },
        confidence: if !stable {
            Confidence::Low
        } else if t.window_s >= 4.0 {
            Confidence::High
        } else {
            Confidence::Medium
        },
        loaded_latency_ms: None,
    }
}

fn latency(samples: &[f64]) -> Option<LatencySummary> {
    let s: Vec<f64> = samples
        .iter()
        .take(1000)
        .filter(|x| x.is_finite() && **x >= 0.0)
        .map(|x| x.min(60_000.0))
        .collect();
    LatencySummary::of(&s)
}

/// Submission -> the browser report, scored, ready for the store, and the page's answer.
fn build(
    s: &BrowserProbeSubmission,
    link: &ProbeLink,
    profile: &LoadedProfile,
    now: Timestamp,
    default_lang: Lang,
) -> Result<(NewReport, BrowserProbeResult), ApiError> {
    let id_ok = (8..=64).contains(&s.device_id.len())
        && s.device_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !id_ok {
        return Err(ApiError::bad_request(
            "invalid_probe_report",
            "device_id: 8 to 64 characters of [A-Za-z0-9-]",
        ));
    }
    let lang = s.lang.unwrap_or(default_lang);
    let user_agent: String = s.user_agent.chars().take(512).collect();
    let device =
        readiness::useragent::parse(&user_agent, s.client_hints.as_ref(), s.max_touch_points);
    let mut system = SystemMeasurements {
        os: Some(device.os.clone()),
        cpu: s
            .hardware_concurrency
            .filter(|n| (1..=1024).contains(n))
            .map(|n| CpuInfo {
                model: None,
                logical_cores: n,
                physical_cores: None,
            }),
        memory_total_bytes: s
            .device_memory_gib
            .filter(|g| g.is_finite() && *g > 0.0 && *g <= 1024.0)
            .map(|g| (g * 1024.0 * 1024.0 * 1024.0) as u64),
        ..SystemMeasurements::default()
    };
    for (k, v) in &device.unknown {
        if let Some(field) = k.strip_prefix("os.").map(|f| format!("os.{f}")) {
            system.unavailable.insert(field, v.clone());
        }
    }
    let browsers = BrowserMeasurements {
        installed: device.browser_info().into_iter().collect(),
        unavailable: Default::default(),
    };
    let endpoints = profile
        .profile
        .network
        .endpoints
        .iter()
        .filter_map(|e| {
            let m = s.endpoints.iter().find(|m| m.name == e.name)?;
            let total_ms = finite(m.elapsed_ms, 600_000.0);
            let error = (!m.answered).then(|| EndpointError {
                kind: if m.timed_out {
                    EndpointErrorKind::HttpTimeout
                } else {
                    EndpointErrorKind::Http
                },
                detail: "the browser's fetch failed (a browser does not tell DNS, connection and TLS failures apart)".into(),
            });
            Some(EndpointMeasurement {
                name: e.name.clone(),
                url: e.url.clone(),
                proxy: None,
                attempt: EndpointAttempt {
                    route: Route::Direct,
                    hops: vec![Hop {
                        url: e.url.clone(),
                        addresses: Vec::new(),
                        connected_to: None,
                        dns_ms: None,
                        connect_ms: None,
                        proxy_ms: None,
                        tls_ms: None,
                        ttfb_ms: None,
                        status: None,
                        location: None,
                    }],
                    total_ms,
                    error,
                    tls: None,
                    expected_text_found: None,
                },
                direct: None,
            })
        })
        .collect();
    let mut network = NetworkMeasurements {
        endpoints,
        ..NetworkMeasurements::default()
    };
    network
        .unavailable
        .insert("tls".into(), "a browser does not show TLS details".into());
    let download = s.download.as_ref().map(|t| transfer(t, CountedBy::Agent));
    let upload = s.upload.as_ref().map(|t| transfer(t, CountedBy::Collector));
    let idle = latency(&s.idle_latency_ms);
    let loaded = latency(&s.loaded_latency_ms);
    let mut unavailable: std::collections::BTreeMap<String, String> = s
        .unavailable
        .iter()
        .take(8)
        .map(|(k, v)| (k.chars().take(32).collect(), v.chars().take(200).collect()))
        .collect();
    if download.is_none() {
        unavailable
            .entry("download".into())
            .or_insert_with(|| "not measured by the browser".into());
    }
    if upload.is_none() {
        unavailable
            .entry("upload".into())
            .or_insert_with(|| "not measured by the browser".into());
    }
    let confidence = [&download, &upload]
        .iter()
        .filter_map(|t| t.as_ref().map(|t| t.confidence))
        .min();
    let bandwidth = BandwidthMeasurements {
        server: None,
        download_mbps: download.as_ref().map(|t| t.mbps),
        upload_mbps: upload.as_ref().map(|t| t.mbps),
        streams: [&download, &upload]
            .iter()
            .filter_map(|t| t.as_ref().map(|t| t.streams))
            .max(),
        rpm: loaded
            .as_ref()
            .filter(|l| l.median > 0.0)
            .map(|l| (60_000.0 / l.median).round()),
        idle_latency_ms: idle,
        loaded_latency_ms: loaded,
        confidence,
        download,
        upload,
        admission_retries: 0,
        notes: vec!["browser probe".into()],
        unavailable,
    };
    let measurements = Measurements {
        system: Some(system),
        browsers: Some(browsers),
        network: Some(network),
        bandwidth: Some(bandwidth),
    };
    let day = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let a = readiness::assess_browser(&measurements, &profile.profile, day, lang);
    let form_factor = match device.form_factor {
        readiness::useragent::FormFactor::Computer => "computer",
        readiness::useragent::FormFactor::Tablet => "tablet",
        readiness::useragent::FormFactor::Phone => "phone",
        readiness::useragent::FormFactor::Unknown => "unknown",
    };
    let workstation_id = device_uuid(&link.school, &s.device_id);
    let label = link
        .label_prefix
        .as_deref()
        .map(|p| format!("{p} {}", &s.device_id[..6]));
    let duration =
        jiff::SignedDuration::from_millis((finite(s.duration_s, 3000.0) * 1000.0) as i64);
    let report = Report {
        schema_version: SCHEMA_VERSION,
        report_id: uuid::Uuid::now_v7(),
        agent_version: format!("browser-probe/{BROWSER_PROBE_VERSION}"),
        profile: profile.profile.name.clone(),
        lang,
        school: Some(link.school.clone()),
        workstation: Workstation {
            id: workstation_id,
            label,
            hostname: None,
        },
        started_at: now - duration,
        finished_at: now,
        verdict: a.verdict,
        score: a.score,
        checks: a.checks.clone(),
        measurements,
        probe: Some(Probe::Browser(BrowserProbe {
            probe_version: BROWSER_PROBE_VERSION,
            form_factor: form_factor.into(),
            max_touch_points: s.max_touch_points,
            screen_width: s.screen_width.filter(|w| *w <= 100_000),
            screen_height: s.screen_height.filter(|h| *h <= 100_000),
            pixel_ratio: s
                .pixel_ratio
                .filter(|r| r.is_finite() && *r > 0.0 && *r < 100.0),
            device_memory_gib: s
                .device_memory_gib
                .filter(|g| g.is_finite() && *g > 0.0 && *g <= 1024.0),
        })),
    };
    if let Err(e) = report.check_bounds() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "report_out_of_bounds",
            e.to_string(),
        ));
    }
    let body = serde_json::to_string(&report)
        .map_err(|e| ApiError::bad_request("invalid_probe_report", e.to_string()))?;
    let browser_text = device
        .browser_info()
        .map(|b| format!("{} {}", b.name, b.version.unwrap_or_default()))
        .unwrap_or_else(|| "?".into());
    let result = BrowserProbeResult {
        report_id: report.report_id.to_string(),
        verdict: a.verdict,
        verdict_label: a.verdict.label(lang).to_owned(),
        score: a.score,
        device: format!("{}, {browser_text}, {form_factor}", device.os.name),
        checks: a
            .checks
            .iter()
            .map(|c| BrowserCheckLine {
                id: c.id.clone(),
                title: readiness::scoring::check_title(&c.id, lang),
                status: c.status,
                status_label: c.status.label(lang).to_owned(),
                message: c.message.clone(),
                remediation: c.remediation.clone(),
            })
            .collect(),
    };
    let new = NewReport {
        report_id: report.report_id,
        school: link.school.clone(),
        workstation_id,
        label: report.workstation.label.clone(),
        hostname: None,
        finished_at: now,
        received_at: now,
        verdict: a.verdict,
        score: a.score,
        agent_verdict: a.verdict,
        agent_score: a.score,
        checks: a
            .checks
            .iter()
            .map(|c| CheckSummary {
                id: c.id.clone(),
                status: c.status,
                blocking: c.blocking,
                message: c.message.clone(),
            })
            .collect(),
        bandwidth: LinkFigures::of(&report),
        admission: Admission {
            content_hash: content_hash(&report),
            submitter: Submitter::SchoolToken {
                max_workstations: super::reports::max_workstations(profile),
            },
            may_be_latest: true,
            browser: true,
        },
        body,
    };
    Ok((new, result))
}
