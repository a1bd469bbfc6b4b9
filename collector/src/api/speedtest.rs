//! Speed-test endpoints the agent measures bandwidth against.
//!
//! A school token opens a session (at most `max_sessions` at once, so that overlapping
//! tests do not share the collector's link and corrupt each other's figures: beyond, 429
//! with Retry-After and the agent retries after a short random wait). The session id is
//! then the capability for the data routes, which stay free of database work:
//! - `GET  /api/v1/speedtest/download?session=ID&bytes=N`: N bytes of incompressible data
//!   (fresh pseudo-random bytes, identity encoding, never cached);
//! - `POST /api/v1/speedtest/upload?session=ID`: a sink that counts the bytes it receives;
//! - `GET  /api/v1/speedtest/sessions/{id}`: the bytes the collector has received and sent
//!   so far in the session, with its own clock, polled by the agent: upload is counted at
//!   the receiver, never from what the client wrote into its buffers;
//! - `GET  /api/v1/speedtest/ping?session=ID`: a tiny object for latency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use rand::Rng;
use rand::rngs::SmallRng;
use serde::Deserialize;
use serde_json::json;

use super::error::ApiError;
use super::{AppState, Need};

/// Longest a session lives: a test takes about 25 s.
pub const SESSION_TTL: Duration = Duration::from_secs(60);
/// Largest single download or upload.
pub const MAX_TRANSFER: u64 = 1 << 30;
const CHUNK: usize = 64 * 1024;

#[derive(Debug)]
pub struct Session {
    started: Instant,
    uploaded: AtomicU64,
    downloaded: AtomicU64,
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
        open.insert(
            id.clone(),
            Arc::new(Session {
                started: Instant::now(),
                uploaded: AtomicU64::new(0),
                downloaded: AtomicU64::new(0),
            }),
        );
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
                ApiError::new(
                    StatusCode::NOT_FOUND,
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
        .route("/api/v1/speedtest/sessions", post(open_session))
        .route(
            "/api/v1/speedtest/sessions/{id}",
            get(session_status).delete(close_session),
        )
        .route("/api/v1/speedtest/download", get(download))
        .route("/api/v1/speedtest/upload", post(upload))
        .route("/api/v1/speedtest/ping", get(ping))
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
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state.authenticate(&headers, Need::School).await?;
    match state.speedtest.create() {
        Ok(id) => Ok(no_store(
            (
                StatusCode::CREATED,
                Json(json!({ "session": id, "expires_in_s": SESSION_TTL.as_secs() })),
            )
                .into_response(),
        )),
        Err(wait) => Err(ApiError {
            retry_after: Some(wait),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "speedtest_busy",
                format!("another speed test is running on this collector; retry in {wait} s"),
            )
        }),
    }
}

async fn session_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = state.speedtest.get(&id)?;
    Ok(no_store(
        Json(json!({
            "elapsed_us": u64::try_from(s.started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "uploaded_bytes": s.uploaded.load(Ordering::Relaxed),
            "downloaded_bytes": s.downloaded.load(Ordering::Relaxed),
        }))
        .into_response(),
    ))
}

async fn close_session(State(state): State<AppState>, Path(id): Path<String>) -> StatusCode {
    if state.speedtest.close(&id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[derive(Debug, Deserialize)]
struct SessionQuery {
    session: String,
    #[serde(default)]
    bytes: Option<u64>,
}

async fn ping(
    State(state): State<AppState>,
    Query(q): Query<SessionQuery>,
) -> Result<Response, ApiError> {
    state.speedtest.get(&q.session)?;
    Ok(no_store(
        ([(header::CONTENT_TYPE, "text/plain")], "pong").into_response(),
    ))
}

async fn download(
    State(state): State<AppState>,
    Query(q): Query<SessionQuery>,
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
    Query(q): Query<SessionQuery>,
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
            session
                .uploaded
                .fetch_add(data.len() as u64, Ordering::Relaxed);
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
        Json(json!({
            "received_bytes": received,
            "duration_us": u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        }))
        .into_response(),
    ))
}
