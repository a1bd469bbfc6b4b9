//! The HTTP API: one router per module, merged around one state; body limits, timeouts and
//! request metrics as layers.

pub mod auth;
pub mod error;
pub mod metrics;
pub mod read;
pub mod reports;
pub mod speedtest;
pub mod summaries;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use readiness::{Lang, Profile};
use tokio::sync::Semaphore;
use tower_http::timeout::TimeoutLayer;

use crate::store::Store;
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
    pub request_timeout: Duration,
    /// Speed tests running at once; beyond, 429 with Retry-After.
    pub max_speedtests: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body: 1024 * 1024,
            max_concurrent_ingest: 256,
            lang: Lang::Fr,
            request_timeout: Duration::from_secs(30),
            max_speedtests: 2,
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
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, profile: LoadedProfile, config: ApiConfig) -> AppState {
        AppState {
            store,
            profile: Arc::new(profile),
            ingest: Arc::new(Semaphore::new(config.max_concurrent_ingest)),
            speedtest: Arc::new(speedtest::Sessions::new(config.max_speedtests)),
            config,
            metrics: Arc::new(Metrics::default()),
            summaries: Arc::new(summaries::SummaryCache::default()),
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
    Router::new()
        .merge(reports::router())
        .merge(read::router())
        .merge(speedtest::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}
