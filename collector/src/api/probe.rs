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

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
use super::speedtest::{RecordError, SessionRecord};
use super::{AppState, LoadedProfile, route};
use crate::store::{
    Admission, CheckSummary, InsertOutcome, LinkFigures, NewReport, ProbeLink, Submitter,
    content_hash,
};

const PAGE: &str = include_str!("../../assets/sonde/index.html");
const SCRIPT: &str = include_str!("../../assets/sonde/probe.js");
const STYLE: &str = include_str!("../../assets/sonde/probe.css");

/// The page's policy: its own script and style only; fetches to any origin (the ENT
/// endpoints, `no-cors`: their answers stay opaque to the page); no string ever becomes
/// markup or script (Trusted Types, none allowed: the page writes `textContent` only).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self' https: http:; base-uri 'none'; form-action 'none'; \
                   frame-ancestors 'none'; require-trusted-types-for 'script'; \
                   trusted-types 'none'";

/// Longest each direction may run in the browser.
const MAX_DIRECTION_S: f64 = 12.0;

/// A device reports at most once in this.
const DEVICE_EVERY: Duration = Duration::from_secs(60);
/// The window of a link's hourly limits.
const HOUR: Duration = Duration::from_secs(3600);

/// What one link did in the last hour: the times of its reports and sessions, and each
/// device's last report. Bounded: each list keeps at most the hourly limit, the devices
/// those that reported in the last minute; links are only those that exist.
#[derive(Debug, Default)]
struct LinkRates {
    reports: VecDeque<Instant>,
    sessions: VecDeque<Instant>,
    devices: HashMap<String, Instant>,
}

/// Each probe link's recent reports and sessions, on this node (`--probe-reports-per-hour`).
#[derive(Debug, Default)]
pub struct Rates {
    links: Mutex<HashMap<String, LinkRates>>,
}

/// Seconds to wait until one of `times` (within `HOUR`) falls out of the window, if they
/// are `limit` already.
fn hourly(times: &mut VecDeque<Instant>, limit: u32, now: Instant) -> Option<u64> {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= HOUR)
    {
        times.pop_front();
    }
    if times.len() >= limit as usize {
        let oldest = times.front().copied().unwrap_or(now);
        return Some(
            HOUR.saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1),
        );
    }
    None
}

impl Rates {
    /// Take one report of `device` through `link`, or the seconds to wait.
    fn report(&self, link: &str, device: &str, limit: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut links = self.links.lock().map_err(|_| 5u64)?;
        let l = links.entry(link.to_owned()).or_default();
        l.devices
            .retain(|_, at| now.duration_since(*at) < DEVICE_EVERY);
        if let Some(at) = l.devices.get(device) {
            return Err(DEVICE_EVERY
                .saturating_sub(now.duration_since(*at))
                .as_secs()
                .max(1));
        }
        if let Some(wait) = hourly(&mut l.reports, limit, now) {
            return Err(wait);
        }
        l.reports.push_back(now);
        l.devices.insert(device.to_owned(), now);
        Ok(())
    }

    /// Take one speed-test session through `link`, or the seconds to wait.
    pub(crate) fn session(&self, link: &str, limit: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut links = self.links.lock().map_err(|_| 5u64)?;
        let l = links.entry(link.to_owned()).or_default();
        if let Some(wait) = hourly(&mut l.sessions, limit, now) {
            return Err(wait);
        }
        l.sessions.push_back(now);
        Ok(())
    }
}

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

/// The bearer link of an API request, and its code's hash.
async fn bearer_link(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(ProbeLink, String), ApiError> {
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
    Ok((link(state, code).await?, crate::tokens::hash(code)))
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
    let (link, _) = bearer_link(&state, &headers).await?;
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
    let (link, link_hash) = bearer_link(&state, &headers).await?;
    if body.len() > state.config.max_body {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the probe report is too large",
        ));
    }
    let submission: BrowserProbeSubmission = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("invalid_probe_report", e.to_string()))?;
    let device: String = submission.device_id.chars().take(64).collect();
    state
        .probe_rates
        .report(&link.id, &device, state.config.probe_reports_per_hour)
        .map_err(|wait| {
            ApiError::too_many(
                "probe_rate_limited",
                wait,
                format!(
                    "too many reports through this link (a device once a minute, {} an hour \
                     per link); retry in {wait} s",
                    state.config.probe_reports_per_hour
                ),
            )
        })?;
    // The figures come from the collector's own counts of the session the page names: one
    // this link opened, ended a few minutes ago at most, not used by another report.
    let record = if submission.download.is_some() || submission.upload.is_some() {
        let id = submission.session.as_deref().ok_or_else(|| {
            ApiError::bad_request(
                "invalid_probe_report",
                "session: a report with transfers names the speed-test session they ran in",
            )
        })?;
        let record = state.speedtest.record_for_report(id, &link_hash).map_err(|e| {
            ApiError::bad_request(
                "invalid_probe_report",
                match e {
                    RecordError::Unknown => {
                        "session: no such speed-test session (or it ended more than 5 minutes ago)"
                    }
                    RecordError::NotOwner => "session: opened with another secret than this link",
                    RecordError::Reported => "session: its figures were already reported",
                },
            )
        })?;
        Some(record)
    } else {
        None
    };
    let profile = Arc::clone(&state.profile);
    let default_lang = state.config.lang;
    let school = link.school.clone();
    let (new, result) = tokio::task::spawn_blocking(move || {
        build(
            &submission,
            record.as_ref(),
            &link,
            &profile,
            Timestamp::now(),
            default_lang,
        )
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
            "browser_device_limit",
            format!(
                "school {school} already has {max} browser devices (as many as the profile's \
                 [school] max_workstations, counted apart from the workstations)"
            ),
        )),
        InsertOutcome::Conflict | InsertOutcome::CredentialRequired => Err(ApiError::new(
            StatusCode::CONFLICT,
            "report_conflict",
            "this report could not be stored; run the test again",
        )),
    }
}

/// Most browser devices a school may hold: as many as its workstations
/// (`[school] max_workstations`), counted apart (a link never takes an agent's place).
fn max_browser_devices(profile: &LoadedProfile) -> u32 {
    super::reports::max_workstations(profile)
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

/// How far a page's figure may exceed what the collector counted in the same window:
/// 10 % and 0.5 Mbit/s (the two clocks meet over one round trip). Beyond, the report is
/// refused.
const TOLERANCE: f64 = 1.10;
const TOLERANCE_MBPS: f64 = 0.5;
/// Shortest window a figure may rest on.
const MIN_WINDOW_S: f64 = 1.0;

/// Which direction a page's transfer measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Download,
    Upload,
}

/// Bytes of `bins` (each [`BIN_MS`] of the session's clock) in `[from_s, to_s)`: a bin cut
/// by an end counted in proportion, or (`whole`, for a cap) in full.
fn bytes_in(bins: &[u64], from_s: f64, to_s: f64, whole: bool) -> f64 {
    let w = BIN_MS as f64 / 1000.0;
    bins.iter()
        .enumerate()
        .map(|(k, b)| {
            let (a, z) = (k as f64 * w, (k + 1) as f64 * w);
            let overlap = (z.min(to_s) - a.max(from_s)).max(0.0);
            if overlap <= 0.0 {
                0.0
            } else if whole {
                *b as f64
            } else {
                *b as f64 * overlap / w
            }
        })
        .sum()
}

/// One direction as the collector stores it: the page's window checked against what the
/// session counted. The upload's figure and bins are the collector's own over the window;
/// the download (received by the browser, which only it sees) is the page's figure, which
/// may not exceed what the collector sent in that window (bytes / window) beyond
/// [`TOLERANCE`]. A window outside the session's time is cut to it; one shorter than
/// [`MIN_WINDOW_S`] leaves the direction unmeasured (`Ok(None)`); a figure beyond the
/// tolerance refuses the report.
fn transfer(
    t: &readiness::api::BrowserTransfer,
    direction: Direction,
    record: &SessionRecord,
) -> Result<Option<Transfer>, ApiError> {
    let offset = finite(t.session_offset_s, record.end_s);
    let from = (offset + finite(t.window_start_s, 3600.0)).min(record.end_s);
    let to = (from + finite(t.window_s, 3600.0)).min(record.end_s);
    let window_s = to - from;
    if window_s < MIN_WINDOW_S {
        return Ok(None);
    }
    let (bins, total) = match direction {
        Direction::Download => (&record.download_bins, record.downloaded),
        Direction::Upload => (&record.upload_bins, record.uploaded),
    };
    // What the collector sent bounds the download: a bin the window touches counts in
    // full (a burst shorter than a bin is not cut); the upload is its own count.
    let whole = direction == Direction::Download;
    let counted_mbps = bytes_in(bins, from, to, whole) * 8.0 / window_s / 1e6;
    let claimed = finite(t.mbps, 1e6);
    if claimed > counted_mbps * TOLERANCE + TOLERANCE_MBPS {
        let (what, verb) = match direction {
            Direction::Download => ("download", "sent"),
            Direction::Upload => ("upload", "received"),
        };
        return Err(ApiError::bad_request(
            "invalid_probe_report",
            format!(
                "{what}: the page reports {claimed:.1} Mbit/s, the collector {verb} \
                 {counted_mbps:.1} Mbit/s in that window of the session ({window_s:.2} s \
                 from {from:.2} s)"
            ),
        ));
    }
    let bin_s = BIN_MS as f64 / 1000.0;
    let (mbps, mut bins, counted_by, bytes) = match direction {
        Direction::Download => {
            let bins: Vec<f64> = t
                .bins_mbps
                .iter()
                .take(600)
                .map(|b| finite(*b, 1e5))
                .collect();
            (claimed, bins, CountedBy::Agent, t.bytes.min(total))
        }
        Direction::Upload => {
            let first = (from / bin_s).floor() as usize;
            let last = ((to / bin_s).ceil() as usize).min(bins.len());
            let own: Vec<f64> = bins
                .get(first.min(last)..last)
                .unwrap_or_default()
                .iter()
                .map(|b| *b as f64 * 8.0 / bin_s / 1e6)
                .collect();
            (counted_mbps, own, CountedBy::Collector, total)
        }
    };
    bins.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        if bins.is_empty() {
            mbps
        } else {
            readiness::stats::percentile(&bins, q)
        }
    };
    let stable = t.stable && window_s >= 2.0;
    Ok(Some(Transfer {
        mbps,
        p10_mbps: pct(0.1),
        p50_mbps: pct(0.5),
        p90_mbps: pct(0.9),
        streams: t.streams.min(64),
        bytes,
        duration_s: finite(t.duration_s, record.end_s),
        window_start_s: from,
        window_s,
        counted_by,
        stop: if stable {
            StopReason::Stable
        } else {
            StopReason::TimeCap
        },
        confidence: if !stable {
            Confidence::Low
        } else if window_s >= 4.0 {
            Confidence::High
        } else {
            Confidence::Medium
        },
        loaded_latency_ms: None,
    }))
}

/// The collector's text for a part the page says it could not measure; `None` for a key
/// it does not know (dropped).
fn reason(key: &str) -> Option<&'static str> {
    Some(match key {
        "download" => "the browser's download did not complete",
        "upload" => "the browser's upload did not complete",
        "bandwidth" => "the collector stayed busy: no speed test ran",
        "idle_latency" => "the browser's pings got no answer",
        _ => return None,
    })
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
    record: Option<&SessionRecord>,
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
                    hops: vec![Hop::to(e.url.clone())],
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
    let measured = |t: Option<&readiness::api::BrowserTransfer>, d| match (t, record) {
        (Some(t), Some(r)) => transfer(t, d, r),
        _ => Ok(None),
    };
    let download = measured(s.download.as_ref(), Direction::Download)?;
    let upload = measured(s.upload.as_ref(), Direction::Upload)?;
    let idle = latency(&s.idle_latency_ms);
    let loaded = latency(&s.loaded_latency_ms);
    // The page's reasons name a part only: its text is the collector's, never the page's.
    let mut unavailable: std::collections::BTreeMap<String, String> = s
        .unavailable
        .keys()
        .filter_map(|k| reason(k).map(|text| (k.clone(), text.to_owned())))
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
            submitter: Submitter::Browser {
                max_devices: max_browser_devices(profile),
            },
            may_be_latest: true,
            browser: true,
        },
        body,
    };
    Ok((new, result))
}
