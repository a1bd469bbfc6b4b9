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
//!
//! The modules: this one holds the entry ([`measure`]), the parameters and the assembly of
//! the result; [`session`] the collector's control calls (session and admission, latency
//! probes, polls of the upload bins) over the speed-test API of `readiness::api`; [`direction`]
//! one direction's run; [`streams`] the data streams and the agent's own bins; [`ramp`] the
//! stream ramp, the stable-window rule and the figures; [`stats`] the statistics helpers;
//! [`progress`] the progress bar.

mod direction;
mod progress;
mod ramp;
mod session;
mod stats;
mod streams;

use std::time::Duration;

use readiness::measurements::bandwidth::{BandwidthMeasurements, LatencySummary, Transfer};
use reqwest::Url;

// The helpers the submodules share with the report submission.
use crate::client::{error_chain, parse_ca, parse_retry_after};

use self::direction::direction;
use self::progress::Bar;
use self::session::{Clients, Probe, open_session, probe_rounds, resolve};
use self::stats::rpm;

const MIB: u64 = 1024 * 1024;
/// Sampling period of the controller and width of the percentile bins: the collector's bin
/// width, so that both directions are binned alike.
const TICK: Duration = readiness::api::BIN;
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

async fn run(
    target: &Target,
    settings: Settings,
    bar: &Bar,
    m: &mut BandwidthMeasurements,
) -> Result<(), String> {
    let mut clients = Clients::new(target)?;
    bar.phase("session");
    let opened = open_session(&clients, m).await?;
    if let Some(node) = opened.node {
        // Behind a load balancer: the session, its transfers and its counters are on the
        // node that opened it.
        if node != clients.base {
            m.notes.push(format!(
                "the speed test ran against the collector node {node}"
            ));
        }
        clients.base = node;
    }
    let session = opened.id;
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
    session::close(&clients, &clients.base, &session).await;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
