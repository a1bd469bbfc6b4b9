//! Speed-test endpoints the agent measures bandwidth against.
//!
//! A school token opens a session (at most `max_sessions` at once, so that overlapping
//! tests do not share the collector's link and corrupt each other's figures: beyond, 429
//! with Retry-After and the agent retries after a short random wait). The session id is
//! then the capability for the data routes, which stay free of database work:
//! - `GET  /api/v1/speedtest/download?session=ID&bytes=N`: N bytes of incompressible data
//!   (fresh pseudo-random bytes, identity encoding, never cached);
//! - `POST /api/v1/speedtest/upload?session=ID`: a sink that counts the bytes it receives;
//! - `GET  /api/v1/speedtest/sessions/{id}[?bins_from=K]`: the bytes the collector has
//!   received and sent so far in the session, with its own clock, polled by the agent:
//!   upload is counted at the receiver, never from what the client wrote into its buffers.
//!   With `bins_from`, also the bytes received in each 100 ms of the session's clock from
//!   bin K on (complete bins only), so that the agent's figure does not depend on when its
//!   polls get through a congested uplink;
//! - `GET  /api/v1/speedtest/ping?session=ID`: a tiny object for latency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use rand::Rng;
use rand::rngs::SmallRng;
use readiness::api::{
    BIN, BIN_MS, CountersQuery, SessionCounters, SpeedtestSession, TransferQuery, UploadBins,
    UploadReceipt, path,
};

use super::auth::SchoolAuth;
use super::error::ApiError;
use super::{AppState, route};

/// Longest a session lives: a test takes about 25 s.
pub const SESSION_TTL: Duration = Duration::from_secs(60);
/// Largest single download or upload.
pub const MAX_TRANSFER: u64 = 1 << 30;
const CHUNK: usize = 64 * 1024;
/// Bins of a whole session.
const BINS: usize = (SESSION_TTL.as_millis() / BIN.as_millis()) as usize;

#[derive(Debug)]
pub struct Session {
    started: Instant,
    uploaded: AtomicU64,
    downloaded: AtomicU64,
    /// Bytes received in each [`BIN`] since `started`.
    upload_bins: Box<[AtomicU64]>,
}

impl Session {
    fn new() -> Session {
        Session {
            started: Instant::now(),
            uploaded: AtomicU64::new(0),
            downloaded: AtomicU64::new(0),
            upload_bins: (0..BINS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn received(&self, n: u64) {
        self.uploaded.fetch_add(n, Ordering::Relaxed);
        let i = usize::try_from(self.started.elapsed().as_millis() / BIN.as_millis())
            .unwrap_or(usize::MAX)
            .min(BINS - 1);
        self.upload_bins[i].fetch_add(n, Ordering::Relaxed);
    }

    /// The complete bins from `from` on: those whose 100 ms ended more than 10 ms ago, so
    /// that a count taken just before a bin's end and added just after is not missed.
    fn complete_bins(&self, from: usize) -> Vec<u64> {
        let settled = self
            .started
            .elapsed()
            .saturating_sub(Duration::from_millis(10));
        let done = usize::try_from(settled.as_millis() / BIN.as_millis())
            .unwrap_or(usize::MAX)
            .min(BINS);
        self.upload_bins
            .get(from.min(done)..done)
            .unwrap_or_default()
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect()
    }
}

/// Open sessions, bounded.
#[derive(Debug)]
pub struct Sessions {
    max: usize,
    open: Mutex<HashMap<String, Arc<Session>>>,
}

impl Sessions {
    pub fn new(max: usize) -> Self {
        Sessions {
            max,
            open: Mutex::new(HashMap::new()),
        }
    }

    fn create(&self) -> Result<String, u64> {
        let mut open = self.open.lock().map_err(|_| 5u64)?;
        open.retain(|_, s| s.started.elapsed() < SESSION_TTL);
        if open.len() >= self.max {
            // The oldest session ends within the TTL: suggest a wait before then.
            let wait = open
                .values()
                .map(|s| SESSION_TTL.saturating_sub(s.started.elapsed()).as_secs())
                .min()
                .unwrap_or(5);
            return Err(wait.clamp(2, 30));
        }
        let id = hex::encode(rand::random::<[u8; 16]>());
        open.insert(id.clone(), Arc::new(Session::new()));
        Ok(id)
    }

    fn get(&self, id: &str) -> Result<Arc<Session>, ApiError> {
        let open = self
            .open
            .lock()
            .map_err(|_| ApiError::internal("speedtest", "session lock poisoned"))?;
        open.get(id)
            .filter(|s| s.started.elapsed() < SESSION_TTL)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(
                    "unknown_session",
                    "no such speed-test session (expired after 60 s, or never opened)",
                )
            })
    }

    fn close(&self, id: &str) -> bool {
        self.open
            .lock()
            .map(|mut o| o.remove(id).is_some())
            .unwrap_or(false)
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&route(path::SPEEDTEST_SESSIONS), post(open_session))
        .route(
            &route(&path::speedtest_session("{id}")),
            get(session_status).delete(close_session),
        )
        .route(&route(path::SPEEDTEST_DOWNLOAD), get(download))
        .route(&route(path::SPEEDTEST_UPLOAD), post(upload))
        .route(&route(path::SPEEDTEST_PING), get(ping))
}

fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store, no-transform"),
    );
    resp
}

async fn open_session(
    State(state): State<AppState>,
    _school: SchoolAuth,
) -> Result<Response, ApiError> {
    match state.speedtest.create() {
        Ok(id) => Ok(no_store(
            (
                StatusCode::CREATED,
                Json(SpeedtestSession {
                    session: id,
                    expires_in_s: SESSION_TTL.as_secs(),
                }),
            )
                .into_response(),
        )),
        Err(wait) => Err(ApiError::too_many(
            "speedtest_busy",
            wait,
            format!("another speed test is running on this collector; retry in {wait} s"),
        )),
    }
}

async fn session_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CountersQuery>,
) -> Result<Response, ApiError> {
    let s = state.speedtest.get(&id)?;
    // Read the clock before the counters: the counters may only be ahead of it.
    let elapsed_us = u64::try_from(s.started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let counters = SessionCounters {
        elapsed_us,
        uploaded_bytes: s.uploaded.load(Ordering::Relaxed),
        downloaded_bytes: s.downloaded.load(Ordering::Relaxed),
        bins: q.bins_from.map(|from| UploadBins {
            bin_ms: BIN_MS,
            bins_from: from,
            upload_bins: s.complete_bins(from),
        }),
    };
    Ok(no_store(Json(counters).into_response()))
}

async fn close_session(State(state): State<AppState>, Path(id): Path<String>) -> StatusCode {
    if state.speedtest.close(&id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn ping(
    State(state): State<AppState>,
    Query(q): Query<TransferQuery>,
) -> Result<Response, ApiError> {
    state.speedtest.get(&q.session)?;
    Ok(no_store(
        ([(header::CONTENT_TYPE, "text/plain")], "pong").into_response(),
    ))
}

async fn download(
    State(state): State<AppState>,
    Query(q): Query<TransferQuery>,
) -> Result<Response, ApiError> {
    let session = state.speedtest.get(&q.session)?;
    let total = q.bytes.unwrap_or(25 << 20);
    if total == 0 || total > MAX_TRANSFER {
        return Err(ApiError::bad_request(
            "invalid_size",
            format!("bytes must be between 1 and {MAX_TRANSFER}"),
        ));
    }
    let mut rng: SmallRng = rand::make_rng();
    let stream = futures_util::stream::unfold(total, move |left| {
        let session = Arc::clone(&session);
        let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        let chunk = (n > 0).then(|| {
            let mut buf = vec![0u8; n];
            rng.fill_bytes(&mut buf);
            session.downloaded.fetch_add(n as u64, Ordering::Relaxed);
            buf
        });
        async move {
            chunk.map(|buf| {
                let left = left - buf.len() as u64;
                (Ok::<_, std::convert::Infallible>(Bytes::from(buf)), left)
            })
        }
    });
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, header::HeaderValue::from(total));
    h.insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static("identity"),
    );
    Ok(no_store(resp))
}

async fn upload(
    State(state): State<AppState>,
    Query(q): Query<TransferQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let session = state.speedtest.get(&q.session)?;
    let mut body = body;
    let mut received = 0u64;
    let started = Instant::now();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::bad_request("upload_interrupted", format!("upload interrupted: {e}"))
        })?;
        if let Some(data) = frame.data_ref() {
            received += data.len() as u64;
            session.received(data.len() as u64);
            if received > MAX_TRANSFER {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("an upload is limited to {MAX_TRANSFER} bytes"),
                ));
            }
        }
    }
    Ok(no_store(
        Json(UploadReceipt {
            received_bytes: received,
            duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        })
        .into_response(),
    ))
}
