//! Bandwidth and responsiveness against the collector's speed-test endpoints
//! (`collector/src/api/speedtest.rs`).
//!
//! The method (the best of ndt7, LibreSpeed, Cloudflare's test, iperf3 and the IETF
//! responsiveness draft):
//! 1. Open a session with the school token. A 429 (another test is running on the collector)
//!    is retried after the `Retry-After` delay plus a random wait, and the report says so.
//! 2. Idle latency: small HTTP requests on a warm connection, interleaved with fresh TCP
//!    connections (each one round trip): min, median, p90, jitter.
//! 3. Download, then upload, each over parallel HTTP/1.1 streams (one TCP connection each:
//!    never HTTP/2, which would multiplex them onto one). Start with `min_streams`; at each
//!    second, while the last second beat the best one before by more than 5 % and the latency
//!    probes show no standing queue (a full link: more streams would only add losses), add
//!    more, up to `max_streams`. Stop when stable (one-second intervals averaged four by
//!    four, and the standard deviation of the last four of those moving averages within 5 %
//!    of their mean, all after the last ramp step and never counting the first second), or
//!    at the time or byte cap. The figure is the mean rate over the seven seconds those
//!    averages cover (slow start and ramp excluded), with p10/p50/p90 of its 100 ms bins.
//! 4. Both directions are counted by the receiver, in 100 ms bins of the receiver's clock:
//!    download as the agent reads it, upload by the collector, whose bins the agent polls
//!    (bytes the agent wrote into socket buffers, or a proxy swallowed, never count). The
//!    figures come from the bins, never from when a sample was taken: on a congested uplink
//!    the polls themselves wait in the queue, and a late poll must not move bytes from one
//!    second into the next.
//! 5. Latency under load: the same probes as idle, while each direction runs at full rate
//!    after its ramp; responsiveness in round trips per minute from their trimmed means.
//!
//! Every request has a timeout, every phase a deadline; a failure is recorded with its
//! reason (and the checks are then `unknown`), never a hang.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use readiness::measurements::bandwidth::{
    BandwidthMeasurements, Confidence, CountedBy, LatencySummary, StopReason, Transfer,
};
use readiness::stats::{self, percentile};
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use tokio::task::JoinSet;

use crate::submit::{error_chain, parse_ca, parse_retry_after};

const MIB: u64 = 1024 * 1024;
/// Sampling period of the controller and width of the percentile bins.
const TICK: Duration = Duration::from_millis(100);
/// Period of the polls of the collector's upload bins: they hold the figure, the polls
/// only bring it; each poll is a request on the uplink under test.
const POLL: Duration = Duration::from_millis(250);
/// Stable: the last four one-second averages within this share of their mean.
const STABLE_CV: f64 = 0.05;
/// More streams are added while each second beats the best one before by more than this.
const RAMP_GROWTH: f64 = 0.05;
/// Streams added per ramp step.
const RAMP_STEP: u32 = 4;
/// Idle latency probes (each an HTTP request and a fresh TCP connection).
const IDLE_ROUNDS: usize = 8;
/// Time allowed for one control request (session, ping, poll) or connection.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(3);
/// Most attempts to open a session when the collector answers 429, and the longest wait
/// for admission in all.
const ADMISSION_ATTEMPTS: u32 = 3;
const ADMISSION_WAIT: Duration = Duration::from_secs(12);
/// Time allowed for the idle latency probes.
const IDLE_BUDGET: Duration = Duration::from_secs(3);
/// Upload body chunk.
const CHUNK: usize = 64 * 1024;

/// The collector to measure against.
#[derive(Clone)]
pub struct Target {
    /// Base URL (ends with `/`).
    pub base: Url,
    pub token: String,
    /// Extra roots for a collector with a private CA.
    pub ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base", &self.base.as_str())
            .field("token", &"<redacted>")
            .finish()
    }
}

/// The test's parameters, from the profile's `[bandwidth]`.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub max_time: Duration,
    pub max_bytes: u64,
    pub min_streams: u32,
    pub max_streams: u32,
}

impl Settings {
    pub fn from_profile(b: &readiness::profile::Bandwidth) -> Settings {
        Settings {
            max_time: Duration::from_secs_f64(b.max_seconds),
            max_bytes: (b.max_mib * MIB as f64) as u64,
            min_streams: b.min_streams,
            max_streams: b.max_streams,
        }
    }

    /// Deadline of the whole test: both directions, the latency probes, and a wait for the
    /// collector's admission.
    pub fn deadline(&self) -> Duration {
        // Per direction a last poll and the streams' teardown (a control timeout at most).
        self.max_time * 2 + ADMISSION_WAIT + IDLE_BUDGET + CONTROL_TIMEOUT * 3
    }
}

/// Measurements that say why nothing was measured.
pub fn skipped(reason: &str) -> BandwidthMeasurements {
    let mut m = BandwidthMeasurements::default();
    m.unavailable.insert("bandwidth".into(), reason.to_owned());
    m
}

/// Run the whole test. `progress`: draw a progress bar on stderr (a terminal, not `--json`).
pub async fn measure(target: &Target, settings: Settings, progress: bool) -> BandwidthMeasurements {
    let bar = Bar::new(progress, settings);
    let mut m = BandwidthMeasurements {
        server: Some(target.base.to_string()),
        ..BandwidthMeasurements::default()
    };
    let result = run(target, settings, &bar, &mut m).await;
    bar.finish();
    if let Err(reason) = result {
        m.unavailable.insert("bandwidth".into(), reason);
    }
    m
}

/// Stop the whole test early when the audit's deadline cuts it: what was measured so far is
/// lost, so say so.
pub fn timed_out(deadline: Duration, server: &Url) -> BandwidthMeasurements {
    let mut m = skipped(&readiness::measurements::reasons::bandwidth_timed_out(
        deadline.as_secs_f64(),
    ));
    m.server = Some(server.to_string());
    m
}

#[derive(Clone)]
struct Clients {
    /// Data streams: HTTP/1.1 only, one connection per stream.
    data: reqwest::Client,
    /// Session, polls and pings: its own connections, never queued behind data.
    control: reqwest::Client,
    ping: reqwest::Client,
    auth: String,
    base: Url,
    /// Where fresh TCP connections go for the latency probes.
    addr: Option<std::net::SocketAddr>,
}

impl Clients {
    fn new(target: &Target) -> Result<Clients, String> {
        let certs = target
            .ca_pem
            .as_deref()
            .map(parse_ca)
            .transpose()
            .map_err(|e| e.to_string())?;
        let build = |pool: usize| {
            let mut b = reqwest::Client::builder()
                .http1_only()
                .connect_timeout(CONTROL_TIMEOUT)
                .pool_max_idle_per_host(pool)
                .tcp_nodelay(true)
                .user_agent(concat!("ent-agent/", env!("CARGO_PKG_VERSION")));
            if let Some(c) = &certs {
                b = b.tls_certs_merge(c.clone());
            }
            b.build()
                .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(&e)))
        };
        Ok(Clients {
            data: build(64)?,
            control: build(2)?,
            ping: build(1)?,
            auth: format!("Bearer {}", target.token),
            base: target.base.clone(),
            addr: None,
        })
    }

    fn url(&self, path: &str, session: &str, bytes: Option<u64>) -> Url {
        let mut u = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("session", session);
            if let Some(b) = bytes {
                q.append_pair("bytes", &b.to_string());
            }
        }
        u
    }
}

async fn run(
    target: &Target,
    settings: Settings,
    bar: &Bar,
    m: &mut BandwidthMeasurements,
) -> Result<(), String> {
    let mut clients = Clients::new(target)?;
    bar.phase("session");
    let session = open_session(&clients, m).await?;
    clients.addr = resolve(&clients.base).await;

    bar.phase("idle latency");
    let idle = probe_rounds(&clients, &session, IDLE_ROUNDS).await;
    match LatencySummary::of(&idle) {
        Some(s) => m.idle_latency_ms = Some(s),
        None => {
            m.unavailable.insert(
                "idle_latency".into(),
                "no answer to the latency probes".into(),
            );
        }
    }

    let mut loaded = Vec::new();
    let mut loaded_tcp = Vec::new();
    let mut loaded_http = Vec::new();
    for dir in [Dir::Download, Dir::Upload] {
        let idle_min = m.idle_latency_ms.as_ref().map(|l| l.min);
        match direction(&clients, &session, settings, dir, bar, idle_min).await {
            Ok(out) => {
                loaded.extend(out.latency.iter().map(|(_, v)| *v));
                for (kind, v) in &out.latency {
                    match kind {
                        Probe::Tcp => loaded_tcp.push(*v),
                        Probe::Http => loaded_http.push(*v),
                    }
                }
                let mbps = out.transfer.mbps;
                m.streams = Some(m.streams.unwrap_or(0).max(out.transfer.streams));
                m.confidence = Some(
                    m.confidence
                        .map_or(out.transfer.confidence, |c| c.min(out.transfer.confidence)),
                );
                m.notes.extend(out.notes);
                match dir {
                    Dir::Download => {
                        m.download_mbps = Some(mbps);
                        m.download = Some(out.transfer);
                    }
                    Dir::Upload => {
                        m.upload_mbps = Some(mbps);
                        m.upload = Some(out.transfer);
                    }
                }
            }
            Err(reason) => {
                m.unavailable.insert(dir.name().into(), reason);
            }
        }
    }
    match LatencySummary::of(&loaded) {
        Some(s) => {
            m.loaded_latency_ms = Some(s);
            m.rpm = rpm(&loaded_tcp, &loaded_http);
        }
        None => {
            m.unavailable.insert(
                "loaded_latency".into(),
                "no answer to the latency probes under load".into(),
            );
        }
    }
    // Best effort: the session also expires by itself.
    let _ = clients
        .control
        .delete(
            clients
                .base
                .join(&format!("api/v1/speedtest/sessions/{session}"))
                .unwrap_or_else(|_| clients.base.clone()),
        )
        .timeout(Duration::from_secs(1))
        .send()
        .await;
    Ok(())
}

async fn resolve(base: &Url) -> Option<std::net::SocketAddr> {
    let host = base
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = base.port_or_known_default()?;
    tokio::time::timeout(CONTROL_TIMEOUT, tokio::net::lookup_host((host, port)))
        .await
        .ok()?
        .ok()?
        .next()
}

/// `POST /api/v1/speedtest/sessions`; on 429, wait `Retry-After` plus a random delay and try
/// again (at most [`ADMISSION_ATTEMPTS`] times).
async fn open_session(c: &Clients, m: &mut BandwidthMeasurements) -> Result<String, String> {
    let url = c
        .base
        .join("api/v1/speedtest/sessions")
        .map_err(|e| format!("collector URL: {e}"))?;
    let mut waited = Duration::ZERO;
    for attempt in 1..=ADMISSION_ATTEMPTS {
        let resp = c
            .control
            .post(url.clone())
            .header(AUTHORIZATION, &c.auth)
            .timeout(CONTROL_TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("collector unreachable: {}", error_chain(&e)))?;
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()))
                .unwrap_or(Duration::from_secs(2))
                .min(Duration::from_secs(8));
            let wait = retry_after + Duration::from_millis(rand::random_range(0..=2000));
            if attempt == ADMISSION_ATTEMPTS || waited + wait > ADMISSION_WAIT {
                m.admission_retries += 1;
                break;
            }
            m.admission_retries += 1;
            waited += wait;
            tracing::info!(
                wait_s = wait.as_secs_f64(),
                "collector busy with another speed test"
            );
            tokio::time::sleep(wait).await;
            continue;
        }
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(format!(
                "the collector refused the speed test ({status}): {}",
                body.chars().take(200).collect::<String>()
            ));
        }
        let v: serde_json::Value = resp
            .json()
            .await
            .map_err(|e| format!("unexpected answer to the session request: {e}"))?;
        if m.admission_retries > 0 {
            m.notes.push(format!(
                "the collector was busy with another speed test: waited {:.1} s and tried again ({} time(s))",
                waited.as_secs_f64(),
                m.admission_retries
            ));
        }
        return v["session"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "the collector's session answer has no id".into());
    }
    Err(format!(
        "the collector was busy with other speed tests: refused {} times (429), after {:.1} s of waiting",
        m.admission_retries,
        waited.as_secs_f64()
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// A fresh TCP connection (handshake time).
    Tcp,
    /// A small HTTP request on a warm connection.
    Http,
}

/// One latency probe of each kind; `None` when it got no answer in time.
async fn probe_once(c: &Clients, session: &str, kind: Probe) -> Option<f64> {
    let start = Instant::now();
    match kind {
        Probe::Tcp => {
            let addr = c.addr?;
            tokio::time::timeout(CONTROL_TIMEOUT, tokio::net::TcpStream::connect(addr))
                .await
                .ok()?
                .ok()?;
        }
        Probe::Http => {
            let resp = c
                .ping
                .get(c.url("api/v1/speedtest/ping", session, None))
                .timeout(CONTROL_TIMEOUT)
                .send()
                .await
                .ok()?;
            if !resp.status().is_success() {
                return None;
            }
            resp.bytes().await.ok()?;
        }
    }
    Some(start.elapsed().as_secs_f64() * 1000.0)
}

/// `rounds` pairs of probes, in sequence. The first HTTP request opens the warm
/// connection: it is not a sample.
async fn probe_rounds(c: &Clients, session: &str, rounds: usize) -> Vec<f64> {
    let start = Instant::now();
    let _ = probe_once(c, session, Probe::Http).await;
    let mut out = Vec::new();
    for _ in 0..rounds {
        if start.elapsed() > IDLE_BUDGET {
            break;
        }
        for kind in [Probe::Http, Probe::Tcp] {
            if let Some(v) = probe_once(c, session, kind).await {
                out.push(v);
            }
        }
    }
    out
}

/// Responsiveness (round trips per minute) from latency samples under load, after the IETF
/// responsiveness draft: 60000 over the mean of the trimmed means (95th percentile) of the
/// foreign-connection probes: TCP handshakes and HTTP requests (our load streams are
/// HTTP/1.1, so there are no self-probes on them, and a plain-HTTP collector has no TLS
/// handshake to time).
pub fn rpm(tcp: &[f64], http: &[f64]) -> Option<f64> {
    let parts: Vec<f64> = [tcp, http]
        .into_iter()
        .filter_map(|s| stats::trimmed_mean(s, 0.95))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let mean = parts.iter().sum::<f64>() / parts.len() as f64;
    (mean > 0.0).then(|| (60_000.0 / mean).round())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Download,
    Upload,
}

impl Dir {
    fn name(self) -> &'static str {
        match self {
            Dir::Download => "download",
            Dir::Upload => "upload",
        }
    }
}

struct DirectionOutcome {
    transfer: Transfer,
    latency: Vec<(Probe, f64)>,
    notes: Vec<String>,
}

/// Cumulative bytes over time (seconds from the start of the direction), as counted by the
/// receiver; rates come from differences, interpolated between samples.
#[derive(Debug, Clone, Default)]
pub struct Series {
    points: Vec<(f64, f64)>,
}

impl Series {
    pub fn push(&mut self, t: f64, bytes: f64) {
        if self.points.last().is_none_or(|&(lt, _)| t > lt) {
            self.points.push((t, bytes));
        }
    }

    pub fn last_t(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.0)
    }

    /// Cumulative bytes at `t`, linear between samples.
    pub fn at(&self, t: f64) -> f64 {
        let p = &self.points;
        match p.iter().position(|&(pt, _)| pt >= t) {
            None => p.last().map_or(0.0, |x| x.1),
            Some(0) => p[0].1,
            Some(i) => {
                let (t0, b0) = p[i - 1];
                let (t1, b1) = p[i];
                b0 + (b1 - b0) * (t - t0) / (t1 - t0)
            }
        }
    }

    /// The series of consecutive bins of `width` seconds, the first starting at time 0.
    pub fn from_bins(width: f64, bins: &[u64]) -> Series {
        let mut s = Series::default();
        s.push(0.0, 0.0);
        let mut sum = 0u64;
        for (k, b) in bins.iter().enumerate() {
            sum += b;
            s.push((k + 1) as f64 * width, sum as f64);
        }
        s
    }

    /// Mean rate between `t0` and `t1`, in bytes per second.
    pub fn rate(&self, t0: f64, t1: f64) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        (self.at(t1) - self.at(t0)) / (t1 - t0)
    }
}

/// One-second intervals averaged into a moving average, and moving averages compared for
/// stability (the IETF responsiveness draft's "moving average distance" of 4).
const MAD: usize = 4;

/// The ramp and the stability rule, fed with the series at each whole second.
///
/// Each second gives the mean rate of the second that just ended (an interval). Intervals
/// that began after the last ramp step are "settled"; the moving average at a settled
/// interval is the mean of the last four settled intervals; throughput is stable when the
/// standard deviation of the last four moving averages is within 5 % of their mean. The
/// figure is then the mean over the seven settled seconds those averages cover. Loss
/// recovery holds received data back for a few hundred milliseconds at a time, so a single
/// second is too noisy to judge by.
#[derive(Debug, Clone)]
pub struct Controller {
    /// (second, mean rate of the second ending then), in bytes/s.
    intervals: Vec<(f64, f64)>,
    /// Where settled intervals begin (series time): the second after streams were last
    /// added (they connect and slow-start in between), or 1 (the first second is slow start).
    pub last_ramp: f64,
    pub streams: u32,
    max_streams: u32,
}

/// What the controller decides at a whole second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Continue,
    /// Add this many streams.
    Ramp(u32),
    /// Stable: the figure is the mean over [`Controller::window`].
    Stable,
}

impl Controller {
    pub fn new(min_streams: u32, max_streams: u32) -> Controller {
        Controller {
            intervals: Vec::new(),
            // The first second is connection setup and slow start: never settled.
            last_ramp: 1.0,
            streams: min_streams,
            max_streams,
        }
    }

    fn settled(&self) -> Vec<f64> {
        self.intervals
            .iter()
            .filter(|(t, _)| t - 1.0 >= self.last_ramp - 1e-9)
            .map(|i| i.1)
            .collect()
    }

    fn moving_averages(&self) -> Vec<f64> {
        self.settled()
            .windows(MAD)
            .map(|w| w.iter().sum::<f64>() / MAD as f64)
            .collect()
    }

    /// Feed the interval ending at second `k`. `queued`: the latency probes of the last
    /// second saw a standing queue at the bottleneck (see [`standing_queue`]): the link is
    /// full, and more streams would only add losses, never throughput.
    pub fn second(&mut self, k: f64, series: &Series, queued: bool) -> Decision {
        let avg = series.rate(k - 1.0, k);
        // A new high: single seconds are noisy (loss recovery), and streams added on noise
        // only add losses on a slow line.
        // The first second is slow start: it says nothing of what the streams can do, and
        // any second after it would beat it.
        let best = self
            .intervals
            .iter()
            .filter(|a| a.0 > 1.0 + 1e-9)
            .map(|a| a.1)
            .reduce(f64::max);
        self.intervals.push((k, avg));
        let mas = self.moving_averages();
        if mas.len() >= MAD && cv(&mas[mas.len() - MAD..]) <= STABLE_CV {
            return Decision::Stable;
        }
        let growing = best.is_some_and(|b| avg > b * (1.0 + RAMP_GROWTH));
        if growing && !queued && self.streams < self.max_streams {
            let add = RAMP_STEP.min(self.max_streams - self.streams);
            self.streams += add;
            // The new streams start after this decision and connect and slow-start during
            // the next second: it is not settled either.
            self.last_ramp = k + 1.0;
            return Decision::Ramp(add);
        }
        Decision::Continue
    }

    /// The window the figure is computed over, ending at `end`: the settled seconds, at
    /// most the `2 * MAD - 1` the stability rule looks at, at least the last one.
    pub fn window(&self, end: f64) -> (f64, f64) {
        let longest = (2 * MAD - 1) as f64;
        let start = (end - longest).max(self.last_ramp).min(end - 1.0).max(0.0);
        (start, end)
    }

    /// Confidence of a direction that never became stable: medium when its moving averages
    /// (or, with fewer settled seconds, its intervals) stay within 10 %.
    fn unstable_confidence(&self) -> Confidence {
        let mas = self.moving_averages();
        let settled = self.settled();
        let spread = if mas.len() >= 2 {
            cv(&mas[mas.len().saturating_sub(MAD)..])
        } else if settled.len() >= MAD {
            cv(&settled)
        } else {
            f64::INFINITY
        };
        if spread <= 0.10 {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    }
}

/// Whether latency probes under load show a standing queue at the bottleneck: the median
/// of `recent` (ms) is well beyond the idle minimum (`idle_min`). A queue that stays only
/// builds when the link already carries all it can; streams limited by their own window (a
/// long, fast path) leave none. No answer at all within the last second is a queue too.
/// Without an idle figure, nothing can be said.
pub fn standing_queue(idle_min: Option<f64>, recent: &[f64]) -> bool {
    let Some(idle) = idle_min else {
        return false;
    };
    if recent.is_empty() {
        return true;
    }
    stats::median(&stats::sorted(recent)) > idle + (idle * 0.5).max(QUEUE_MS)
}

/// Queueing delay that counts as a standing queue (beyond half the idle round trip).
const QUEUE_MS: f64 = 5.0;

/// Standard deviation over mean (population); infinite when the mean is zero.
fn cv(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return f64::INFINITY;
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    var.sqrt() / mean
}

/// The figure of a direction: mean over the window, and the percentiles of its 100 ms bins.
pub fn window_figures(series: &Series, start: f64, end: f64) -> (f64, f64, f64, f64) {
    let mbps = |bytes_per_s: f64| bytes_per_s * 8.0 / 1e6;
    let mean = mbps(series.rate(start, end));
    let step = TICK.as_secs_f64();
    let mut bins = Vec::new();
    let mut t = start;
    while t + step <= end + 1e-9 {
        bins.push(mbps(series.rate(t, t + step)));
        t += step;
    }
    bins.sort_by(f64::total_cmp);
    if bins.is_empty() {
        return (mean, mean, mean, mean);
    }
    (
        mean,
        percentile(&bins, 0.1),
        percentile(&bins, 0.5),
        percentile(&bins, 0.9),
    )
}

/// Bytes received in each [`TICK`] since `start`, counted as they arrive.
#[derive(Debug)]
struct Bins {
    start: Instant,
    counts: Box<[AtomicU64]>,
}

impl Bins {
    fn new(start: Instant, span: Duration) -> Bins {
        let n = (span.as_millis() / TICK.as_millis()) as usize + 1;
        Bins {
            start,
            counts: (0..n).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn index(&self, at: Duration) -> usize {
        usize::try_from(at.as_millis() / TICK.as_millis()).unwrap_or(usize::MAX)
    }

    fn add(&self, n: u64) {
        self.add_at(self.start.elapsed(), n);
    }

    fn add_at(&self, at: Duration, n: u64) {
        let i = self.index(at).min(self.counts.len() - 1);
        self.counts[i].fetch_add(n, Ordering::Relaxed);
    }

    /// The bins whose time ended more than 10 ms ago (a count taken just before a bin's
    /// end and added just after is not missed).
    fn complete(&self) -> Vec<u64> {
        self.complete_at(self.start.elapsed())
    }

    fn complete_at(&self, now: Duration) -> Vec<u64> {
        let settled = now.saturating_sub(Duration::from_millis(10));
        let done = self.index(settled).min(self.counts.len());
        self.counts[..done]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect()
    }
}

/// Shared state of the streams of one direction.
#[derive(Debug)]
struct Flow {
    /// Bytes read (download) or handed to the connection (upload, for the byte cap only).
    bytes: AtomicU64,
    /// Download: bytes read, by when they were read.
    bins: Bins,
    stop: AtomicBool,
    errors: Mutex<Vec<String>>,
}

impl Flow {
    fn new(span: Duration) -> Flow {
        Flow {
            bytes: AtomicU64::new(0),
            bins: Bins::new(Instant::now(), span),
            stop: AtomicBool::new(false),
            errors: Mutex::new(Vec::new()),
        }
    }
}

/// The collector's upload bins of this direction, as polled so far.
#[derive(Debug, Default)]
struct ServerBins {
    /// The collector's bin where the direction began.
    first: usize,
    bins: Vec<u64>,
}

async fn direction(
    c: &Clients,
    session: &str,
    settings: Settings,
    dir: Dir,
    bar: &Bar,
    idle_min: Option<f64>,
) -> Result<DirectionOutcome, String> {
    let flow = Arc::new(Flow::new(settings.max_time + Duration::from_secs(5)));
    let per_request = (settings.max_bytes / u64::from(settings.max_streams)).clamp(MIB, 256 * MIB);
    let mut streams: JoinSet<()> = JoinSet::new();
    let spawn = |set: &mut JoinSet<()>, n: u32| {
        for _ in 0..n {
            let flow = Arc::clone(&flow);
            let client = c.data.clone();
            let url = match dir {
                Dir::Download => c.url("api/v1/speedtest/download", session, Some(per_request)),
                Dir::Upload => c.url("api/v1/speedtest/upload", session, None),
            };
            set.spawn(stream_loop(client, url, dir, per_request, flow));
        }
    };

    // Upload is counted by the collector: poll its bins, from the one where this direction
    // begins (nothing was uploaded in the session before).
    let server: Arc<Mutex<ServerBins>> = Arc::default();
    let mut poller = JoinSet::new();
    if dir == Dir::Upload {
        let first = poll(c, session, None)
            .await
            .ok_or("the collector's session counter did not answer")?;
        let width = first.bin_s.ok_or(
            "the collector does not count uploads in 100 ms bins (an older version): update it",
        )?;
        if (width - TICK.as_secs_f64()).abs() > 1e-9 {
            return Err(format!(
                "the collector counts uploads in {:.0} ms bins, this agent expects {} ms: update the agent or the collector",
                width * 1000.0,
                TICK.as_millis()
            ));
        }
        if let Ok(mut s) = server.lock() {
            s.first = (first.elapsed_s / width) as usize;
        }
        let server2 = Arc::clone(&server);
        let flow2 = Arc::clone(&flow);
        let c2 = c.clone();
        let session = session.to_owned();
        poller.spawn(async move {
            while !flow2.stop.load(Ordering::Relaxed) {
                let asked = Instant::now();
                pull_bins(&c2, &session, &server2).await;
                tokio::time::sleep(POLL.saturating_sub(asked.elapsed())).await;
            }
        });
    }
    let server_series = |server: &Mutex<ServerBins>| {
        server
            .lock()
            .map(|s| Series::from_bins(TICK.as_secs_f64(), &s.bins))
            .unwrap_or_default()
    };

    // Latency under load, all along; only samples after the ramp are kept.
    let samples: Arc<Mutex<Vec<(Instant, Probe, f64)>>> = Arc::default();
    let mut prober = JoinSet::new();
    {
        let samples = Arc::clone(&samples);
        let flow = Arc::clone(&flow);
        let c2 = c.clone();
        let session = session.to_owned();
        prober.spawn(async move {
            let mut kind = Probe::Http;
            while !flow.stop.load(Ordering::Relaxed) {
                let asked = Instant::now();
                if let Some(v) = probe_once(&c2, &session, kind).await
                    && let Ok(mut s) = samples.lock()
                {
                    s.push((Instant::now(), kind, v));
                }
                kind = if kind == Probe::Http {
                    Probe::Tcp
                } else {
                    Probe::Http
                };
                tokio::time::sleep(TICK.saturating_sub(asked.elapsed())).await;
            }
        });
    }

    let start = Instant::now();
    let mut ctl = Controller::new(settings.min_streams, settings.max_streams);
    spawn(&mut streams, settings.min_streams);
    let mut next_second = 1.0;
    let mut ramp_done_at = start;
    let mut stop = StopReason::TimeCap;
    let mut stable_at = None;
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let elapsed = start.elapsed();
        let moved = flow.bytes.load(Ordering::Relaxed);
        let series = match dir {
            Dir::Download => Series::from_bins(TICK.as_secs_f64(), &flow.bins.complete()),
            Dir::Upload => server_series(&server),
        };
        let now_t = series.last_t();
        while now_t >= next_second {
            let queued = {
                let recent: Vec<f64> = samples
                    .lock()
                    .map(|s| {
                        s.iter()
                            .filter(|(at, _, _)| at.elapsed() <= Duration::from_secs(1))
                            .map(|x| x.2)
                            .collect()
                    })
                    .unwrap_or_default();
                standing_queue(idle_min, &recent)
            };
            let decision = ctl.second(next_second, &series, queued);
            tracing::debug!(
                direction = dir.name(),
                second = next_second,
                mbps = series.rate(next_second - 1.0, next_second) * 8.0 / 1e6,
                streams = ctl.streams,
                queued,
                ?decision,
                "bandwidth"
            );
            match decision {
                Decision::Stable => {
                    stable_at = Some(next_second);
                    break;
                }
                Decision::Ramp(n) => {
                    spawn(&mut streams, n);
                    ramp_done_at = Instant::now();
                    // Later seconds already in the series (a late poll) were measured
                    // before these streams, and the latency probes are those of now: judge
                    // them at the next tick, not on this batch.
                    next_second += 1.0;
                    break;
                }
                Decision::Continue => {}
            }
            next_second += 1.0;
        }
        let rate = series.rate((now_t - 1.0).max(0.0), now_t) * 8.0 / 1e6;
        bar.progress(dir, elapsed, settings, rate, ctl.streams);
        if stable_at.is_some() {
            stop = StopReason::Stable;
            break;
        }
        if elapsed >= settings.max_time {
            break;
        }
        // Upload: what the collector received, not what waits in our socket buffers.
        let counted = match dir {
            Dir::Download => moved,
            Dir::Upload => series.at(now_t) as u64,
        };
        if counted >= settings.max_bytes {
            stop = StopReason::ByteCap;
            break;
        }
        if streams.is_empty()
            || (elapsed > Duration::from_secs(2) && moved == 0 && has_errors(&flow))
        {
            stop = StopReason::Error;
            break;
        }
        // Streams that ended (an error, or a request done) are restarted by their loop;
        // reap the finished tasks.
        while streams.try_join_next().is_some() {}
    }
    flow.stop.store(true, Ordering::Relaxed);
    let duration = start.elapsed().as_secs_f64();
    streams.abort_all();
    prober.abort_all();
    // One last reading of the collector's bins, once the poller has stopped (an answer it
    // was waiting for must not land after this reading).
    poller.abort_all();
    while poller.join_next().await.is_some() {}
    let series = match dir {
        Dir::Download => Series::from_bins(TICK.as_secs_f64(), &flow.bins.complete()),
        Dir::Upload => {
            pull_bins(c, session, &server).await;
            server_series(&server)
        }
    };

    let errors = flow.errors.lock().map(|e| e.clone()).unwrap_or_default();
    let total = series.at(series.last_t());
    if total <= 0.0 {
        let why = errors
            .first()
            .cloned()
            .unwrap_or_else(|| "no data moved".into());
        return Err(format!("{}: {why}", dir.name()));
    }
    let (window_start, window_end) = ctl.window(stable_at.unwrap_or(series.last_t()));
    let (mbps, p10, p50, p90) = window_figures(&series, window_start, window_end);
    let window = window_end - window_start;
    let confidence = match stable_at {
        Some(_) => Confidence::High,
        None => ctl.unstable_confidence(),
    };
    let mut notes = Vec::new();
    if stop == StopReason::ByteCap {
        notes.push(format!(
            "{}: stopped at the byte cap ({} MiB) before throughput was stable",
            dir.name(),
            settings.max_bytes / MIB
        ));
    }
    if !errors.is_empty() {
        notes.push(format!(
            "{}: {} stream error(s), first: {}",
            dir.name(),
            errors.len(),
            errors[0]
        ));
    }
    let latency: Vec<(Probe, f64)> = samples
        .lock()
        .map(|s| {
            s.iter()
                .filter(|(at, _, _)| *at >= ramp_done_at)
                .map(|&(_, k, v)| (k, v))
                .collect()
        })
        .unwrap_or_default();
    let values: Vec<f64> = latency.iter().map(|l| l.1).collect();
    let r2 = |x: f64| (x * 100.0).round() / 100.0;
    Ok(DirectionOutcome {
        transfer: Transfer {
            mbps: r2(mbps),
            p10_mbps: r2(p10),
            p50_mbps: r2(p50),
            p90_mbps: r2(p90),
            streams: ctl.streams,
            bytes: total as u64,
            duration_s: r2(duration),
            window_start_s: r2(window_start),
            window_s: r2(window),
            counted_by: match dir {
                Dir::Download => CountedBy::Agent,
                Dir::Upload => CountedBy::Collector,
            },
            stop,
            confidence,
            loaded_latency_ms: LatencySummary::of(&values),
        },
        latency,
        notes,
    })
}

fn has_errors(flow: &Flow) -> bool {
    flow.errors.lock().map(|e| !e.is_empty()).unwrap_or(true)
}

/// One reading of the collector's session counters.
#[derive(Debug)]
struct Poll {
    /// The collector's clock, seconds since the session opened.
    elapsed_s: f64,
    /// Width of its bins, when asked for them.
    bin_s: Option<f64>,
    /// Complete upload bins from the one asked for.
    bins: Vec<u64>,
}

/// `GET /api/v1/speedtest/sessions/{id}`, with the upload bins from `bins_from` when given
/// (always asks for bins, so the answer says their width).
async fn poll(c: &Clients, session: &str, bins_from: Option<usize>) -> Option<Poll> {
    let mut url = c
        .base
        .join(&format!("api/v1/speedtest/sessions/{session}"))
        .ok()?;
    url.query_pairs_mut()
        .append_pair("bins_from", &bins_from.unwrap_or(0).to_string());
    let v: serde_json::Value = c
        .control
        .get(url)
        .timeout(CONTROL_TIMEOUT)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let bins = v["upload_bins"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
        .unwrap_or_default();
    Some(Poll {
        elapsed_s: v["elapsed_us"].as_u64()? as f64 / 1e6,
        bin_s: v["bin_ms"].as_u64().map(|ms| ms as f64 / 1000.0),
        bins,
    })
}

/// Fetch the collector's bins after those already held.
async fn pull_bins(c: &Clients, session: &str, server: &Mutex<ServerBins>) {
    let from = match server.lock() {
        Ok(s) => s.first + s.bins.len(),
        Err(_) => return,
    };
    if let Some(p) = poll(c, session, Some(from)).await
        && let Ok(mut s) = server.lock()
        && s.first + s.bins.len() == from
    {
        s.bins.extend(p.bins);
    }
}

/// One stream: requests back to back until the direction stops.
async fn stream_loop(
    client: reqwest::Client,
    url: Url,
    dir: Dir,
    per_request: u64,
    flow: Arc<Flow>,
) {
    while !flow.stop.load(Ordering::Relaxed) {
        let result = match dir {
            Dir::Download => download_once(&client, &url, &flow).await,
            Dir::Upload => upload_once(&client, &url, per_request, &flow).await,
        };
        if let Err(e) = result {
            if let Ok(mut errs) = flow.errors.lock() {
                errs.push(e);
            }
            // Do not spin on a collector that refuses.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn download_once(client: &reqwest::Client, url: &Url, flow: &Flow) -> Result<(), String> {
    let mut resp = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    if !resp.status().is_success() {
        return Err(format!("download answered {}", resp.status()));
    }
    while let Some(chunk) = resp.chunk().await.map_err(|e| error_chain(&e))? {
        flow.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        flow.bins.add(chunk.len() as u64);
        if flow.stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(())
}

async fn upload_once(
    client: &reqwest::Client,
    url: &Url,
    size: u64,
    flow: &Arc<Flow>,
) -> Result<(), String> {
    // Incompressible data; the collector counts what it receives, so what sits in our
    // buffers never inflates the figure.
    let block: bytes_pool::Block = bytes_pool::random_block();
    let chunks = size.div_ceil(CHUNK as u64);
    let flow2 = Arc::clone(flow);
    let body = futures_util::stream::iter(0..chunks).map(move |i| {
        let chunk = block.chunk(i as usize);
        flow2.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(chunk)
    });
    let resp = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .header(reqwest::header::CONTENT_LENGTH, chunks * CHUNK as u64)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    if !resp.status().is_success() {
        return Err(format!("upload answered {}", resp.status()));
    }
    Ok(())
}

/// Random upload data, made once per process.
mod bytes_pool {
    use std::sync::OnceLock;

    use bytes::Bytes;

    /// 1 MiB of random bytes, handed out in 64 KiB slices (no copy).
    #[derive(Debug, Clone)]
    pub struct Block(Bytes);

    pub fn random_block() -> Block {
        static BLOCK: OnceLock<Bytes> = OnceLock::new();
        Block(
            BLOCK
                .get_or_init(|| {
                    let mut v = vec![0u8; 16 * super::CHUNK];
                    rand::fill(&mut v[..]);
                    Bytes::from(v)
                })
                .clone(),
        )
    }

    impl Block {
        pub fn chunk(&self, i: usize) -> Bytes {
            let n = self.0.len() / super::CHUNK;
            let start = (i % n) * super::CHUNK;
            self.0.slice(start..start + super::CHUNK)
        }
    }
}

/// The progress bar: on a terminal only, on stderr, never with `--json`.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(enabled: bool, settings: Settings) -> Bar {
        if !enabled {
            return Bar(None);
        }
        let total = (settings.max_time.as_millis() * 2) as u64;
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} bandwidth [{bar:30}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(Some(bar))
    }

    fn phase(&self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(what.to_owned());
        }
    }

    fn progress(&self, dir: Dir, elapsed: Duration, s: Settings, mbps: f64, streams: u32) {
        if let Some(b) = &self.0 {
            let base = match dir {
                Dir::Download => 0,
                Dir::Upload => s.max_time.as_millis() as u64,
            };
            b.set_position(base + (elapsed.as_millis() as u64).min(s.max_time.as_millis() as u64));
            b.set_message(format!(
                "{} {mbps:.1} Mbit/s, {streams} streams",
                dir.name()
            ));
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link at `rate` bytes/s after a slow start of `ramp` seconds, sampled every 100 ms.
    fn link(rate: f64, ramp: f64, until: f64) -> Series {
        let mut s = Series::default();
        let mut bytes = 0.0;
        let mut t = 0.0;
        s.push(0.0, 0.0);
        while t < until {
            t += 0.1;
            let r = if t < ramp { rate * t / ramp } else { rate };
            bytes += r * 0.1;
            s.push(t, bytes);
        }
        s
    }

    #[test]
    fn series_interpolates() {
        let s = link(1000.0, 0.0, 2.0);
        assert!((s.rate(0.5, 1.5) - 1000.0).abs() < 1e-6);
        assert!((s.at(0.05) - 50.0).abs() < 1e-6);
        assert_eq!(s.rate(1.0, 1.0), 0.0);
    }

    #[test]
    fn ramps_while_growing_then_stabilises_after_the_ramp() {
        let s = link(1e6, 2.5, 16.0);
        let mut c = Controller::new(4, 16);
        let mut decisions = Vec::new();
        for k in 1..=16 {
            let d = c.second(f64::from(k), &s, false);
            decisions.push(d);
            if d == Decision::Stable {
                break;
            }
        }
        // No decision on the first two seconds (slow start, then nothing to compare with
        // but slow start); streams added while the rate grows, then seven settled seconds,
        // none of them the second after a ramp.
        assert_eq!(decisions[..2], [Decision::Continue, Decision::Continue]);
        let last_ramp = decisions
            .iter()
            .rposition(|d| matches!(d, Decision::Ramp(4)))
            .expect("a ramp")
            + 1;
        assert_eq!(*decisions.last().unwrap(), Decision::Stable);
        let stable_at = decisions.len() as f64;
        let (start, end) = c.window(stable_at);
        assert_eq!(end - start, 7.0, "{decisions:?}");
        assert_eq!(start, last_ramp as f64 + 1.0, "{decisions:?}");
        let (mbps, p10, _, p90) = window_figures(&s, start, end);
        assert!((mbps - 8.0).abs() < 0.01, "{mbps}");
        assert!(p10 <= mbps + 1e-9 && p90 >= mbps - 1e-9);
    }

    #[test]
    fn unstable_throughput_never_stabilises() {
        // 1 MB/s for four seconds, 2 MB/s for four, and so on: the moving averages wander.
        let mut s = Series::default();
        let mut bytes = 0.0;
        s.push(0.0, 0.0);
        for k in 1..=10 {
            bytes += if (k - 1) / 4 % 2 == 1 { 2e6 } else { 1e6 };
            s.push(f64::from(k), bytes);
        }
        let mut c = Controller::new(4, 4);
        for k in 1..=10 {
            assert_ne!(
                c.second(f64::from(k), &s, false),
                Decision::Stable,
                "second {k}"
            );
        }
        assert_eq!(c.unstable_confidence(), Confidence::Low);
    }

    #[test]
    fn streams_stop_at_the_maximum() {
        // Forever growing: the ramp stops at max_streams.
        let s = link(1e6, 100.0, 10.0);
        let mut c = Controller::new(4, 10);
        for k in 1..=10 {
            c.second(f64::from(k), &s, false);
        }
        assert_eq!(c.streams, 10);
    }

    #[test]
    fn series_from_bins() {
        let s = Series::from_bins(0.1, &[100, 200, 300]);
        assert!((s.last_t() - 0.3).abs() < 1e-9);
        assert!((s.at(0.2) - 300.0).abs() < 1e-9);
        // 500 bytes in the last 200 ms.
        assert!((s.rate(0.1, 0.3) - 2500.0).abs() < 1e-6);
        assert_eq!(Series::from_bins(0.1, &[]).last_t(), 0.0);
    }

    #[test]
    fn bins_count_by_arrival_and_hold_back_the_current_one() {
        let ms = Duration::from_millis;
        let b = Bins::new(Instant::now(), Duration::from_secs(1));
        b.add_at(ms(5), 10);
        b.add_at(ms(150), 5);
        b.add_at(ms(199), 1);
        // Bin 0 is complete 10 ms after its end, not before.
        assert!(b.complete_at(ms(105)).is_empty());
        assert_eq!(b.complete_at(ms(111)), vec![10]);
        assert_eq!(b.complete_at(ms(250)), vec![10, 6]);
        // Past the span, counts go to the last bin; never more bins than the span.
        b.add_at(ms(5000), 7);
        let all = b.complete_at(ms(5000));
        assert_eq!(all.len(), 11);
        assert_eq!(all.iter().sum::<u64>(), 23);
    }

    #[test]
    fn a_standing_queue_stops_the_ramp() {
        // Idle 0.2 ms on a LAN: 40 ms under load is a full queue; 2 ms is not.
        assert!(standing_queue(Some(0.2), &[40.0, 38.0, 45.0]));
        assert!(!standing_queue(Some(0.2), &[2.0, 1.5, 3.0]));
        // Idle 30 ms over the internet: 40 ms is jitter, 80 ms a queue.
        assert!(!standing_queue(Some(30.0), &[40.0, 42.0]));
        assert!(standing_queue(Some(30.0), &[80.0, 90.0]));
        // No answer within the second: the probes wait in a queue.
        assert!(standing_queue(Some(1.0), &[]));
        // No idle figure: nothing to compare with.
        assert!(!standing_queue(None, &[500.0]));
        // A growing rate on a full link adds no stream.
        let s = link(1e6, 2.5, 4.0);
        let mut c = Controller::new(4, 16);
        for k in 1..=4 {
            assert!(!matches!(
                c.second(f64::from(k), &s, true),
                Decision::Ramp(_)
            ));
        }
        assert_eq!(c.streams, 4);
    }

    #[test]
    fn responsiveness() {
        // 50 ms TCP, 30 ms HTTP: mean 40 ms, 1500 round trips per minute.
        assert_eq!(rpm(&[50.0; 10], &[30.0; 10]), Some(1500.0));
        // One huge outlier among twenty is trimmed.
        let mut tcp = vec![20.0; 19];
        tcp.push(5000.0);
        assert_eq!(rpm(&tcp, &[]), Some(3000.0));
        assert_eq!(rpm(&[], &[]), None);
    }

    #[test]
    fn target_debug_hides_the_token() {
        let t = Target {
            base: Url::parse("http://198.18.0.2:8080/").unwrap(),
            token: "s3cret".into(),
            ca_pem: None,
        };
        assert!(!format!("{t:?}").contains("s3cret"));
    }
}
