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
//! - `GET  /api/v1/speedtest/ping?session=ID`: a tiny object for latency;
//! - `DELETE /api/v1/speedtest/sessions/{id}`: the end of the test, with the token that
//!   opened the session (its SHA-256 is kept with the session), not another.
//!
//! What one session may do is bounded, on transfers already streaming too: it moves at most
//! `max_bytes` (both directions together; a download is cut at the cap, an upload beyond it
//! is refused); it ends at its expiry (`ttl`), a download in the middle included; and a
//! session on which nothing has moved for `stall` (a client that stopped reading, or went
//! away without closing) once it has transferred something is over, so that it frees its
//! slot.
//!
//! Slots are shared fairly between schools: a school refused for want of a slot waits in a
//! queue (while it keeps retrying), a slot that frees goes to the schools in the queue in
//! turn, and while others wait a school holds at most one slot. One school's PCs cannot
//! hold every slot back to back.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
use readiness::Uai;
use readiness::api::{
    BIN, BIN_MS, CountersQuery, SessionCounters, SpeedtestSession, TransferQuery, UploadBins,
    UploadReceipt, path,
};

use super::auth::SpeedtestAuth;
use super::error::ApiError;
use super::{AppState, route};

/// Longest a session lives by default: a test takes about 25 s.
pub const SESSION_TTL: Duration = Duration::from_secs(60);
/// Most bytes a session moves by default, both directions together: the agent moves at most
/// its profile's `max_mib` (1 GiB by default) each way.
pub const SESSION_MAX_BYTES: u64 = 3 << 30;
/// Largest single download or upload.
pub const MAX_TRANSFER: u64 = 1 << 30;
const CHUNK: usize = 64 * 1024;
/// How long a school refused for want of a slot keeps its place in the queue without
/// asking again (Retry-After is at most 15 s).
const WAIT_MEMORY: Duration = Duration::from_secs(20);
/// How long an ended session's counters and bins are kept, for the browser probe's report
/// (`api::probe`), and how many at most.
const KEEP_ENDED: Duration = Duration::from_secs(300);
const MAX_ENDED: usize = 256;

/// The limits of every session.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Sessions open at once.
    pub slots: usize,
    pub ttl: Duration,
    pub max_bytes: u64,
    /// A session on which nothing moved for this long is over.
    pub stall: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            slots: 2,
            ttl: SESSION_TTL,
            max_bytes: SESSION_MAX_BYTES,
            stall: Duration::from_secs(20),
        }
    }
}

#[derive(Debug)]
pub struct Session {
    started: Instant,
    limits: SessionLimits,
    school: Uai,
    /// SHA-256 of the bearer secret that opened the session ([`crate::tokens::hash`]).
    owner: String,
    uploaded: AtomicU64,
    downloaded: AtomicU64,
    /// When something last moved, in milliseconds since `started`.
    last_ms: AtomicU64,
    /// Whether a transfer has moved bytes: only then can the session stall (a session
    /// opened and not used yet holds its slot until it expires, as before).
    transferred: AtomicBool,
    closed: AtomicBool,
    /// Bytes received in each [`BIN`] since `started`.
    upload_bins: Box<[AtomicU64]>,
    /// Bytes sent in each [`BIN`] since `started`.
    download_bins: Box<[AtomicU64]>,
    /// When it was closed, in milliseconds since `started` (`u64::MAX`: not closed).
    closed_ms: AtomicU64,
    /// Whether a browser probe report has used its figures (one report per session).
    reported: AtomicBool,
}

/// What the collector itself counted in one session, for the browser probe's report.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// Bytes received (upload) and sent (download) in each [`BIN`] of the session's clock.
    pub upload_bins: Vec<u64>,
    pub download_bins: Vec<u64>,
    pub uploaded: u64,
    pub downloaded: u64,
    /// Seconds of the session's clock in which bytes could move: up to its close, its
    /// expiry, or now.
    pub end_s: f64,
}

/// Why a session's figures cannot back a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordError {
    /// Never opened, or ended too long ago.
    Unknown,
    /// Opened with another secret (another link, a school token).
    NotOwner,
    /// Already used by a report.
    Reported,
}

/// Why a session's transfer stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Over {
    Expired,
    Closed,
    Stalled,
    Exhausted,
}

impl Over {
    fn error(self, limits: &SessionLimits) -> ApiError {
        match self {
            Over::Exhausted => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "session_exhausted",
                format!(
                    "a speed-test session moves at most {} bytes; open another",
                    limits.max_bytes
                ),
            ),
            Over::Expired | Over::Closed | Over::Stalled => ApiError::not_found(
                "unknown_session",
                format!(
                    "no such speed-test session (it ends after {} s, when closed, or after {} s \
                     without a transfer; or it was never opened)",
                    limits.ttl.as_secs(),
                    limits.stall.as_secs()
                ),
            ),
        }
    }
}

impl Session {
    fn new(limits: SessionLimits, school: Uai, owner: String) -> Session {
        let bins = usize::try_from(limits.ttl.as_millis() / BIN.as_millis())
            .unwrap_or(600)
            .clamp(1, 36_000);
        Session {
            started: Instant::now(),
            limits,
            school,
            owner,
            uploaded: AtomicU64::new(0),
            downloaded: AtomicU64::new(0),
            last_ms: AtomicU64::new(0),
            transferred: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            upload_bins: (0..bins).map(|_| AtomicU64::new(0)).collect(),
            download_bins: (0..bins).map(|_| AtomicU64::new(0)).collect(),
            closed_ms: AtomicU64::new(u64::MAX),
            reported: AtomicBool::new(false),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Whether the session is over, and why.
    fn over(&self) -> Option<Over> {
        let elapsed = self.started.elapsed();
        if self.closed.load(Ordering::Relaxed) {
            Some(Over::Closed)
        } else if elapsed >= self.limits.ttl {
            Some(Over::Expired)
        } else if self.transferred.load(Ordering::Relaxed)
            && elapsed.saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
                >= self.limits.stall
        {
            Some(Over::Stalled)
        } else {
            None
        }
    }

    fn moved(&self) -> u64 {
        self.uploaded
            .load(Ordering::Relaxed)
            .saturating_add(self.downloaded.load(Ordering::Relaxed))
    }

    /// Bytes the session may still move.
    fn remaining(&self) -> u64 {
        self.limits.max_bytes.saturating_sub(self.moved())
    }

    /// Count `n` bytes sent, if the session may still send them.
    fn send(&self, n: u64) -> Result<(), Over> {
        if let Some(o) = self.over() {
            return Err(o);
        }
        if self.remaining() < n {
            return Err(Over::Exhausted);
        }
        self.downloaded.fetch_add(n, Ordering::Relaxed);
        self.download_bins[self.bin_now()].fetch_add(n, Ordering::Relaxed);
        self.transferred.store(true, Ordering::Relaxed);
        self.touch();
        Ok(())
    }

    /// Count `n` bytes received; an error once the session is over or past its cap.
    fn received(&self, n: u64) -> Result<(), Over> {
        if let Some(o) = self.over() {
            return Err(o);
        }
        let over_cap = self.remaining() < n;
        let n = n.min(self.remaining());
        self.uploaded.fetch_add(n, Ordering::Relaxed);
        self.upload_bins[self.bin_now()].fetch_add(n, Ordering::Relaxed);
        self.transferred.store(true, Ordering::Relaxed);
        self.touch();
        if over_cap {
            Err(Over::Exhausted)
        } else {
            Ok(())
        }
    }

    /// The bin of this moment (the last one past the expiry).
    fn bin_now(&self) -> usize {
        usize::try_from(self.started.elapsed().as_millis() / BIN.as_millis())
            .unwrap_or(usize::MAX)
            .min(self.upload_bins.len() - 1)
    }

    /// What it counted, as it is now.
    fn record(&self) -> SessionRecord {
        let load = |b: &[AtomicU64]| b.iter().map(|x| x.load(Ordering::Relaxed)).collect();
        let elapsed_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let ttl_ms = u64::try_from(self.limits.ttl.as_millis()).unwrap_or(u64::MAX);
        let end_ms = elapsed_ms
            .min(ttl_ms)
            .min(self.closed_ms.load(Ordering::Relaxed));
        SessionRecord {
            upload_bins: load(&self.upload_bins),
            download_bins: load(&self.download_bins),
            uploaded: self.uploaded.load(Ordering::Relaxed),
            downloaded: self.downloaded.load(Ordering::Relaxed),
            end_s: end_ms as f64 / 1000.0,
        }
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
            .min(self.upload_bins.len());
        self.upload_bins
            .get(from.min(done)..done)
            .unwrap_or_default()
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect()
    }
}

/// A school refused for want of a slot, in the order of its first refusal.
#[derive(Debug)]
struct Waiting {
    school: Uai,
    last_asked: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    open: HashMap<String, Arc<Session>>,
    queue: Vec<Waiting>,
    /// Sessions over (closed, expired, stalled), oldest first, with when they left `open`:
    /// kept [`KEEP_ENDED`], at most [`MAX_ENDED`], for a browser probe's report.
    ended: VecDeque<(String, Instant, Arc<Session>)>,
}

impl Inner {
    /// Move the sessions that are over out of `open`, and forget the old ended ones.
    fn sweep(&mut self, now: Instant) {
        let over: Vec<String> = self
            .open
            .iter()
            .filter(|(_, s)| s.over().is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for id in over {
            if let Some(s) = self.open.remove(&id) {
                self.ended.push_back((id, now, s));
            }
        }
        while self.ended.len() > MAX_ENDED
            || self
                .ended
                .front()
                .is_some_and(|(_, at, _)| now.duration_since(*at) >= KEEP_ENDED)
        {
            self.ended.pop_front();
        }
    }
}

/// Open sessions, bounded, and the schools waiting for one.
#[derive(Debug)]
pub struct Sessions {
    limits: SessionLimits,
    inner: Mutex<Inner>,
}

/// Why a session could not be closed.
#[derive(Debug, PartialEq, Eq)]
enum CloseError {
    Unknown,
    NotOwner,
}

impl Sessions {
    pub fn new(limits: SessionLimits) -> Self {
        Sessions {
            limits,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn limits(&self) -> &SessionLimits {
        &self.limits
    }

    /// A new session for `school`, opened by the token whose hash is `owner`; else the
    /// seconds to wait before asking again.
    fn create(&self, school: &Uai, owner: String) -> Result<String, u64> {
        let mut inner = self.inner.lock().map_err(|_| 5u64)?;
        let now = Instant::now();
        inner.sweep(now);
        inner
            .queue
            .retain(|w| now.duration_since(w.last_asked) < WAIT_MEMORY);
        let holds = |inner: &Inner, u: &Uai| inner.open.values().any(|s| &s.school == u);
        let free = self.limits.slots.saturating_sub(inner.open.len());
        let place = inner.queue.iter().position(|w| &w.school == school);
        // The schools before this one in the queue that hold no slot yet are served first.
        let ahead = inner.queue[..place.unwrap_or(inner.queue.len())]
            .iter()
            .filter(|w| !holds(&inner, &w.school))
            .count();
        let others_wait = inner
            .queue
            .iter()
            .any(|w| &w.school != school && !holds(&inner, &w.school));
        if free > ahead && !(others_wait && holds(&inner, school)) {
            if let Some(p) = place {
                inner.queue.remove(p);
            }
            let id = hex::encode(rand::random::<[u8; 16]>());
            let session = Session::new(self.limits, school.clone(), owner);
            session.touch();
            inner.open.insert(id.clone(), Arc::new(session));
            return Ok(id);
        }
        match place {
            Some(p) => inner.queue[p].last_asked = now,
            None => inner.queue.push(Waiting {
                school: school.clone(),
                last_asked: now,
            }),
        }
        // No slot: the first session to end frees one (the expiry bounds it). A slot kept
        // for a school before this one: ask again soon.
        let wait = if free == 0 {
            inner
                .open
                .values()
                .map(|s| {
                    self.limits
                        .ttl
                        .saturating_sub(s.started.elapsed())
                        .as_secs()
                })
                .min()
                .unwrap_or(5)
        } else {
            2
        };
        Err(wait.clamp(2, 15))
    }

    /// The open session `id`; it counts as activity on it.
    fn get(&self, id: &str) -> Result<Arc<Session>, ApiError> {
        let inner = self
            .inner
            .lock()
            .map_err(|_| ApiError::internal("speedtest", "session lock poisoned"))?;
        let s = inner
            .open
            .get(id)
            .cloned()
            .ok_or_else(|| Over::Closed.error(&self.limits))?;
        if let Some(o) = s.over() {
            return Err(o.error(&self.limits));
        }
        s.touch();
        Ok(s)
    }

    /// Close `id` if `owner` (a token's hash) opened it.
    fn close(&self, id: &str, owner: &str) -> Result<(), CloseError> {
        let mut inner = self.inner.lock().map_err(|_| CloseError::Unknown)?;
        let s = inner
            .open
            .get(id)
            .filter(|s| s.over().is_none())
            .ok_or(CloseError::Unknown)?;
        if s.owner != owner {
            return Err(CloseError::NotOwner);
        }
        let ms = u64::try_from(s.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        s.closed_ms.store(ms, Ordering::Relaxed);
        s.closed.store(true, Ordering::Relaxed);
        inner.sweep(Instant::now());
        Ok(())
    }

    /// What the collector counted in session `id` (open or ended not long ago), for the one
    /// report of the secret whose hash is `owner`, which opened it.
    pub fn record_for_report(&self, id: &str, owner: &str) -> Result<SessionRecord, RecordError> {
        let mut inner = self.inner.lock().map_err(|_| RecordError::Unknown)?;
        inner.sweep(Instant::now());
        let s = inner
            .open
            .get(id)
            .or_else(|| {
                inner
                    .ended
                    .iter()
                    .find(|(i, _, _)| i == id)
                    .map(|(_, _, s)| s)
            })
            .ok_or(RecordError::Unknown)?;
        if s.owner != owner {
            return Err(RecordError::NotOwner);
        }
        if s.reported.swap(true, Ordering::Relaxed) {
            return Err(RecordError::Reported);
        }
        Ok(s.record())
    }
}

/// The hash of the request's bearer secret, as [`crate::tokens::hash`] stores it.
fn bearer_hash(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(crate::tokens::hash)
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
    SpeedtestAuth { school, probe_link }: SpeedtestAuth,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(link) = &probe_link {
        let limit = state.config.probe_reports_per_hour;
        state.probe_rates.session(link, limit).map_err(|wait| {
            ApiError::too_many(
                "probe_rate_limited",
                wait,
                format!(
                    "too many speed tests through this link ({limit} an hour); retry in {wait} s"
                ),
            )
        })?;
    }
    // SpeedtestAuth has checked the token: it is there.
    let owner = bearer_hash(&headers).unwrap_or_default();
    match state.speedtest.create(&school, owner) {
        Ok(id) => Ok(no_store(
            (
                StatusCode::CREATED,
                Json(SpeedtestSession {
                    session: id,
                    expires_in_s: state.speedtest.limits().ttl.as_secs(),
                    node: state.config.public_url.clone(),
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

/// Only the token that opened a session closes it: another school's token (or another
/// token of the same school) is refused, and the session goes on.
async fn close_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let owner = bearer_hash(&headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "closing a speed-test session needs the `Authorization: Bearer <token>` that opened it",
        )
    })?;
    match state.speedtest.close(&id, &owner) {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(CloseError::Unknown) => Err(Over::Closed.error(state.speedtest.limits())),
        Err(CloseError::NotOwner) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_session_owner",
            "this session was opened with another token; only that one closes it",
        )),
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
    let asked = q.bytes.unwrap_or(25 << 20);
    if asked == 0 || asked > MAX_TRANSFER {
        return Err(ApiError::bad_request(
            "invalid_size",
            format!("bytes must be between 1 and {MAX_TRANSFER}"),
        ));
    }
    // What the session may still move; concurrent transfers may take it first, then this
    // one is cut at the cap.
    let total = asked.min(session.remaining());
    if total == 0 {
        return Err(Over::Exhausted.error(&session.limits));
    }
    let mut rng: SmallRng = rand::make_rng();
    // Each chunk is sent only while the session lasts and has bytes left: a download in
    // flight stops at the expiry, the close or the cap (the connection is cut, short of
    // its Content-Length). A client that stops reading is not polled: the session stalls
    // and frees its slot; the connection's idle timeout closes the socket.
    let stream = futures_util::stream::unfold(total, move |left| {
        let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        let chunk = (n > 0).then(|| match session.send(n as u64) {
            Ok(()) => {
                let mut buf = vec![0u8; n];
                rng.fill_bytes(&mut buf);
                Ok(buf)
            }
            Err(o) => Err(std::io::Error::other(format!(
                "speed-test session over: {o:?}"
            ))),
        });
        async move {
            chunk.map(|c| match c {
                Ok(buf) => {
                    let left = left - buf.len() as u64;
                    (Ok(Bytes::from(buf)), left)
                }
                Err(e) => (Err(e), 0),
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
            let timed_out = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<tower_http::timeout::TimeoutError>());
            if timed_out {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    "the upload stalled: no data within the body timeout",
                )
            } else {
                ApiError::bad_request("upload_interrupted", format!("upload interrupted: {e}"))
            }
        })?;
        if let Some(data) = frame.data_ref() {
            received += data.len() as u64;
            // Counted as it arrives; the session's end or cap stops the upload at once.
            session
                .received(data.len() as u64)
                .map_err(|o| o.error(&session.limits))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn uai(code: &str) -> Uai {
        let letter = Uai::check_letter(code).unwrap();
        format!("{code}{letter}").parse().unwrap()
    }

    #[test]
    fn slots_alternate_between_waiting_schools() {
        let sessions = Sessions::new(SessionLimits {
            slots: 2,
            ..SessionLimits::default()
        });
        let (a, b, c) = (uai("0690101"), uai("0690102"), uai("0690103"));
        let a1 = sessions.create(&a, "ta".into()).unwrap();
        let _a2 = sessions.create(&a, "ta".into()).unwrap();
        assert!(sessions.create(&b, "tb".into()).is_err());
        assert!(sessions.create(&c, "tc".into()).is_err());
        sessions.close(&a1, "ta").unwrap();
        // B asked first: C and A wait for their turn.
        assert!(sessions.create(&c, "tc".into()).is_err());
        assert!(sessions.create(&a, "ta".into()).is_err());
        let b1 = sessions.create(&b, "tb".into()).unwrap();
        sessions.close(&b1, "tb").unwrap();
        // B's turn is over; C is next, not B again.
        assert!(sessions.create(&b, "tb".into()).is_err());
        sessions.create(&c, "tc".into()).unwrap();
    }

    #[test]
    fn only_the_opening_token_closes() {
        let sessions = Sessions::new(SessionLimits::default());
        let id = sessions.create(&uai("0690101"), "owner".into()).unwrap();
        assert_eq!(sessions.close(&id, "other"), Err(CloseError::NotOwner));
        assert!(sessions.get(&id).is_ok());
        assert_eq!(sessions.close(&id, "owner"), Ok(()));
        assert_eq!(sessions.close(&id, "owner"), Err(CloseError::Unknown));
    }

    /// An ended session's counts stay for a browser probe's report: to the secret that
    /// opened it, once.
    #[test]
    fn an_ended_session_backs_one_report_of_its_owner() {
        let sessions = Sessions::new(SessionLimits::default());
        let id = sessions.create(&uai("0690101"), "link".into()).unwrap();
        let s = sessions.get(&id).unwrap();
        s.send(1000).unwrap();
        s.received(500).unwrap();
        sessions.close(&id, "link").unwrap();
        assert!(sessions.get(&id).is_err(), "closed");
        assert_eq!(
            sessions.record_for_report(&id, "other"),
            Err(RecordError::NotOwner)
        );
        let r = sessions.record_for_report(&id, "link").unwrap();
        assert_eq!((r.downloaded, r.uploaded), (1000, 500));
        assert_eq!(r.download_bins.iter().sum::<u64>(), 1000);
        assert_eq!(r.upload_bins.iter().sum::<u64>(), 500);
        assert!(r.end_s < 5.0, "{}", r.end_s);
        assert_eq!(
            sessions.record_for_report(&id, "link"),
            Err(RecordError::Reported)
        );
        assert_eq!(
            sessions.record_for_report("nope", "link"),
            Err(RecordError::Unknown)
        );
    }

    #[test]
    fn a_session_stops_at_its_byte_cap() {
        let s = Session::new(
            SessionLimits {
                max_bytes: 100,
                ..SessionLimits::default()
            },
            uai("0690101"),
            String::new(),
        );
        s.touch();
        assert_eq!(s.send(60), Ok(()));
        assert_eq!(s.send(60), Err(Over::Exhausted));
        assert_eq!(s.received(30), Ok(()));
        assert_eq!(s.received(30), Err(Over::Exhausted));
        assert_eq!(s.remaining(), 0);
    }

    /// Before: a session opened and not used yet was ended as stalled after the idle timeout,
    /// although it is documented (and the bandwidth agent relies on it) to hold its slot
    /// until it expires. Now only a session that has moved bytes can stall.
    #[test]
    fn only_a_session_that_moved_bytes_can_stall() {
        let s = Session::new(
            SessionLimits {
                stall: Duration::from_millis(50),
                ttl: Duration::from_secs(30),
                ..SessionLimits::default()
            },
            uai("0690101"),
            String::new(),
        );
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(s.over(), None, "an unused session stalled");
        assert_eq!(s.send(1), Ok(()));
        assert_eq!(s.over(), None);
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(s.over(), Some(Over::Stalled));
    }
}
