//! The HTTP API: one router per module, merged around one state; body limits, timeouts,
//! request metrics and request logs as layers.

pub mod auth;
pub mod csv_cell;
pub mod error;
pub mod list;
pub mod metrics;
pub mod overview;
pub mod probe;
pub mod read;
pub mod reports;
pub mod speedtest;
pub mod summaries;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use readiness::{Lang, Profile};
use tokio::sync::Semaphore;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::store::Store;
use error::ApiError;
use metrics::Metrics;

/// The profile the collector scores with and serves to agents, with its source text.
#[derive(Debug)]
pub struct LoadedProfile {
    pub profile: Profile,
    pub toml: String,
}

/// Limits and settings of the API.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Largest accepted request body, in bytes.
    pub max_body: usize,
    /// Reports being ingested at once; beyond, 429 with Retry-After.
    pub max_concurrent_ingest: usize,
    /// Language of the collector's check messages.
    pub lang: Lang,
    /// A whole request, body included, is answered within this (else 408).
    pub request_timeout: Duration,
    /// Longest wait for the next piece of a request body (else 408).
    pub body_timeout: Duration,
    /// Connections: how many, and how long they may sit.
    pub connections: crate::connections::ConnectionLimits,
    /// Speed tests running at once; beyond, 429 with Retry-After.
    pub max_speedtests: usize,
    /// How long a speed-test session lives, and how many bytes it may move.
    pub speedtest_ttl: Duration,
    pub speedtest_max_bytes: u64,
    /// This node's own base URL (`--public-url`), named in each speed-test session answer
    /// so that a session stays on the node that counts it.
    pub public_url: Option<String>,
    /// How often the school summaries are recomputed from the whole database (by one node
    /// of those on one database).
    pub summary_refresh: Duration,
    /// Browser probe reports, and speed-test sessions, one probe link may make in an hour.
    pub probe_reports_per_hour: u32,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body: 1024 * 1024,
            max_concurrent_ingest: 256,
            lang: Lang::Fr,
            request_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            connections: crate::connections::ConnectionLimits::default(),
            max_speedtests: 2,
            speedtest_ttl: speedtest::SESSION_TTL,
            speedtest_max_bytes: speedtest::SESSION_MAX_BYTES,
            public_url: None,
            summary_refresh: summaries::FULL_REFRESH,
            probe_reports_per_hour: 120,
        }
    }
}

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub profile: Arc<LoadedProfile>,
    pub config: ApiConfig,
    pub metrics: Arc<Metrics>,
    pub ingest: Arc<Semaphore>,
    /// Open speed-test sessions.
    pub speedtest: Arc<speedtest::Sessions>,
    /// School summaries, kept up to date incrementally.
    pub summaries: Arc<summaries::SummaryCache>,
    /// Each school's last two audit rounds, for the overview's changes.
    pub rounds: Arc<overview::RoundsCache>,
    /// Stored reports scored again, for the school page.
    pub details: Arc<read::DetailCache>,
    /// What each probe link did lately: its rate limits.
    pub probe_rates: Arc<probe::Rates>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, profile: LoadedProfile, config: ApiConfig) -> AppState {
        AppState {
            store,
            profile: Arc::new(profile),
            ingest: Arc::new(Semaphore::new(config.max_concurrent_ingest)),
            speedtest: Arc::new(speedtest::Sessions::new(speedtest::SessionLimits {
                slots: config.max_speedtests.max(1),
                ttl: config.speedtest_ttl,
                max_bytes: config.speedtest_max_bytes,
                // A transfer that moved nothing for as long as a connection may idle is over.
                stall: config.connections.idle_timeout,
            })),
            config,
            metrics: Arc::new(Metrics::default()),
            summaries: Arc::new(summaries::SummaryCache::default()),
            rounds: Arc::new(overview::RoundsCache::default()),
            details: Arc::new(read::DetailCache::default()),
            probe_rates: Arc::new(probe::Rates::default()),
        }
    }
}

/// The axum route of an API path: the paths of [`readiness::api::path`] are relative to the
/// collector's base URL (the agent joins them to it), routes start with `/`. Building the
/// routes from the constants keeps the two ends on one spelling.
fn route(path: &str) -> String {
    format!("/{path}")
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    let body_timeout = state.config.body_timeout;
    Router::new()
        .merge(reports::router())
        .merge(read::router())
        .merge(overview::router())
        .merge(web::router())
        .merge(speedtest::router())
        .merge(probe::router())
        .fallback(not_found)
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // Outside the timeout, so that its 408 gets a body too.
        .layer(middleware::from_fn(json_errors))
        // Outermost, so that timeouts are logged too.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                // Every request at debug: a speed test alone polls its counters every few
                // hundred milliseconds. Server errors (5xx) at error.
                .on_response(DefaultOnResponse::new().level(Level::DEBUG))
                .on_failure(DefaultOnFailure::new().level(Level::ERROR)),
        )
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::from_status(StatusCode::NOT_FOUND, "")
}

/// Middleware: every error answer is the API's JSON `{code, message}`. The handlers' own
/// errors already are ([`ApiError`]); this turns the rest into one: axum's empty 404 and 405,
/// its extractors' plain-text rejections (a bad query string...), the timeout's empty 408.
/// `Allow` and `Retry-After` are kept.
async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // A page's own error page (the browser probe's refused link) stays a page.
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // A rejection's text is short; beyond 4 KiB it is not one, and is dropped.
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut err = ApiError::from_status(status, &detail);
    if let Some(allow) = parts
        .headers
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
    {
        err.message = format!("this route takes only {allow}");
    }
    let mut out = err.into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// The span of a request's log lines: its method and route template, nothing else. Not
/// tower-http's default span, which records the URI: paths carry UAIs and query strings
/// carry speed-test session ids. Headers (the bearer token) and the client's address (a
/// school's IP) are never recorded either.
fn request_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!("request", method = %req.method(), route)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API over a store in `dir`, set up by `setup`, with the built-in profile.
    pub(super) fn app(dir: &tempfile::TempDir, setup: impl FnOnce(&dyn Store)) -> Router {
        let store = crate::store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
        setup(&*store);
        let profile = crate::load_profile(None).unwrap();
        router(AppState::new(
            Arc::from(store),
            profile,
            ApiConfig::default(),
        ))
    }
}
