//! One direction of the test (download or upload): the streams, the latency probes under
//! load and, for upload, the polls of the collector's bins run together while the
//! controller ramps the streams up, until the figure is stable or a cap is reached.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use readiness::api::{BIN_MS, CountersQuery, TransferQuery, path};
use readiness::measurements::bandwidth::{
    Confidence, CountedBy, LatencySummary, StopReason, Transfer,
};
use tokio::task::JoinSet;

use super::progress::Bar;
use super::ramp::{Controller, Decision, Series, standing_queue, window_figures};
use super::session::{Clients, Probe, ServerBins, poll, probe_once, pull_bins};
use super::streams::{Flow, stream_loop};
use super::{Dir, DirectionOutcome, MIB, Settings, TICK};

/// Period of the polls of the collector's upload bins: they hold the figure, the polls
/// only bring it; each poll is a request on the uplink under test.
const POLL: Duration = Duration::from_millis(250);

pub(super) async fn direction(
    c: &Clients,
    session: &str,
    settings: Settings,
    dir: Dir,
    bar: &Bar,
    idle_min: Option<f64>,
) -> Result<DirectionOutcome, String> {
    let flow = Arc::new(Flow::new(settings.max_time + Duration::from_secs(5)));
    let per_request = (settings.max_bytes / u64::from(settings.max_streams)).clamp(MIB, 256 * MIB);
    let url = match dir {
        Dir::Download => c.url(
            path::SPEEDTEST_DOWNLOAD,
            &TransferQuery {
                session: session.to_owned(),
                bytes: Some(per_request),
            },
        ),
        Dir::Upload => c.url(
            path::SPEEDTEST_UPLOAD,
            &TransferQuery {
                session: session.to_owned(),
                bytes: None,
            },
        ),
    };
    let mut streams: JoinSet<()> = JoinSet::new();
    let spawn = |set: &mut JoinSet<()>, n: u32| {
        for _ in 0..n {
            let flow = Arc::clone(&flow);
            let client = c.data.clone();
            set.spawn(stream_loop(client, url.clone(), dir, per_request, flow));
        }
    };

    // Upload is counted by the collector: poll its bins, from the one where this direction
    // begins (nothing was uploaded in the session before).
    let server: Arc<Mutex<ServerBins>> = Arc::default();
    let mut poller = JoinSet::new();
    if dir == Dir::Upload {
        let first = poll(c, session, CountersQuery { bins_from: Some(0) })
            .await
            .map_err(|e| format!("the collector's session counter did not answer: {e}"))?;
        // The bin width is the API's, but a collector of another version may answer without
        // bins or with others: its figures would be misread, so refuse.
        let width = first.bins.as_ref().map(|b| b.bin_ms).ok_or_else(|| {
            format!(
                "the collector does not count uploads in {BIN_MS} ms bins (an older version): update it"
            )
        })?;
        if width != BIN_MS {
            return Err(format!(
                "the collector counts uploads in {width} ms bins, this agent expects {BIN_MS} ms: update the agent or the collector"
            ));
        }
        if let Ok(mut s) = server.lock() {
            s.first = usize::try_from(first.elapsed_us / (BIN_MS * 1000)).unwrap_or(usize::MAX);
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
