//! Latency probe: round trips to each endpoint's host. ICMP echo where the OS allows it, else
//! — or when ICMP is not answered — the time to open a TCP connection to the endpoint's port.
//! The method is recorded with the samples.
//!
//! - Linux, macOS: a raw socket as administrator, else an unprivileged datagram socket
//!   (Linux's `ping_group_range`, macOS).
//! - Windows: the ICMP helper API (`IcmpSendEcho2`, `Icmp6SendEcho2`, as `ping.exe` uses),
//!   which needs no administrator rights; when it is unavailable, a raw socket, tried only
//!   when the process is elevated (it needs an explicit bind there).
//!
//! Probes are sent a little apart and awaited together, so a black-holed host costs one
//! timeout, not one per probe. Each round trip is also timed by the agent: datagram ICMP
//! sockets on Linux can report 0 ns for sub-millisecond replies (the reply is stamped before
//! the send time is taken), and such readings are replaced by the agent's own; the Windows
//! helper API reports whole milliseconds, which the agent's timing refines.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use readiness::measurements::network::{LatencyMeasurement, LatencyMethod};
use surge_ping::{Client, Config, ICMP, PingIdentifier, PingSequence};
use tokio::net::TcpStream;

/// Gap between two probes to the same host.
const SPACING: Duration = Duration::from_millis(40);

/// What to measure.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub host: String,
    pub port: u16,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// A round trip from the socket's reading and the agent's own timing: the socket's when it
/// is plausible, the agent's when the socket says zero.
pub fn rtt_sample(reported: Duration, observed: Duration) -> (Duration, bool) {
    if reported.is_zero() {
        (observed, true)
    } else {
        (reported.min(observed), false)
    }
}

/// A round trip from the Windows ICMP helper API's whole milliseconds and the agent's own
/// timing of the call: the true round trip lies in `[reported, reported + 1 ms)`, so the
/// agent's (finer) timing is kept within that interval; beyond it, the excess is the
/// thread's scheduling, not the network.
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn helper_rtt(reported_ms: u32, observed: Duration) -> Duration {
    let low = Duration::from_millis(u64::from(reported_ms));
    observed.clamp(low, low + Duration::from_millis(1))
}

/// What an `IP_*` status of the Windows ICMP helper API (`ipexport.h`) means, for the
/// report's notes. Other codes are Windows error codes.
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn icmp_status_text(status: u32) -> String {
    let text = match status {
        11001 => "reply buffer too small",
        11002 => "destination network unreachable",
        11003 => "destination host unreachable",
        11004 => "destination protocol unreachable",
        11005 => "destination port unreachable",
        11006 => "no resources",
        11007 => "bad option",
        11008 => "hardware error",
        11009 => "packet too big",
        11010 => "request timed out",
        11011 => "bad request",
        11012 => "bad route",
        11013 => "TTL expired in transit",
        11014 => "TTL expired during reassembly",
        11015 => "parameter problem",
        11016 => "source quench",
        11018 => "bad destination",
        11050 => "general failure",
        5 => "access denied",
        50 => "not supported",
        87 => "invalid parameter",
        1231 => "the network location cannot be reached",
        _ => return format!("error {status}"),
    };
    format!("{text} ({status})")
}

/// The notes for a series of helper API echoes that got no reply: each distinct status
/// with its count, e.g. "request timed out (11010) x3".
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn icmp_failures_text(statuses: &[u32]) -> String {
    let mut counted: Vec<(u32, usize)> = Vec::new();
    for &s in statuses {
        match counted.iter_mut().find(|(c, _)| *c == s) {
            Some((_, n)) => *n += 1,
            None => counted.push((s, 1)),
        }
    }
    counted
        .iter()
        .map(|&(s, n)| format!("{} x{n}", icmp_status_text(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Echoes through the Windows ICMP helper API, spaced like the other probes, each on a
/// blocking thread (the calls are synchronous). `Err` when the API is not available; else
/// the samples and the statuses of the echoes that failed.
#[cfg(windows)]
async fn helper_samples(
    addr: IpAddr,
    n: u32,
    timeout: Duration,
) -> Result<(Vec<Option<f64>>, Vec<u32>), String> {
    use crate::platform::win32::IcmpHandle;
    let handle = std::sync::Arc::new(IcmpHandle::open(addr).map_err(|e| {
        format!(
            "the ICMP helper API is unavailable ({})",
            icmp_status_text(e)
        )
    })?);
    let probes = (0..n).map(|seq| {
        let handle = handle.clone();
        async move {
            tokio::time::sleep(SPACING * seq).await;
            tokio::task::spawn_blocking(move || {
                let start = Instant::now();
                let result = handle.echo(addr, timeout);
                (result, start.elapsed())
            })
            .await
        }
    });
    let mut samples = Vec::new();
    let mut failures = Vec::new();
    for outcome in join_all(probes).await {
        match outcome {
            Ok((Ok(reported), observed)) => samples.push(Some(ms(helper_rtt(reported, observed)))),
            Ok((Err(status), _)) => {
                failures.push(status);
                samples.push(None);
            }
            Err(e) => return Err(format!("an ICMP probe thread failed: {e}")),
        }
    }
    Ok((samples, failures))
}

/// An ICMP client, raw first, then datagram (Linux, macOS).
#[cfg(not(windows))]
fn icmp_client(addr: IpAddr) -> Result<(Client, LatencyMethod), String> {
    let kind = if addr.is_ipv4() { ICMP::V4 } else { ICMP::V6 };
    let client = |sock_type| {
        Client::new(
            &Config::builder()
                .kind(kind)
                .sock_type_hint(sock_type)
                .build(),
        )
    };
    match client(socket2::Type::RAW) {
        Ok(c) => Ok((c, LatencyMethod::IcmpRaw)),
        Err(raw_err) => match client(socket2::Type::DGRAM) {
            Ok(c) => Ok((c, LatencyMethod::IcmpDatagram)),
            Err(e) => Err(format!(
                "ICMP not allowed (raw socket: {raw_err}; datagram socket: {e})"
            )),
        },
    }
}

/// A raw ICMP client on Windows, only for an elevated process: it needs an explicit bind.
#[cfg(windows)]
fn icmp_client(addr: IpAddr) -> Result<(Client, LatencyMethod), String> {
    if !crate::platform::win32::is_elevated() {
        return Err("no raw ICMP socket without administrator rights".to_owned());
    }
    let (kind, any) = match addr {
        IpAddr::V4(_) => (ICMP::V4, IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        IpAddr::V6(_) => (ICMP::V6, IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)),
    };
    let raw = Config::builder()
        .kind(kind)
        .sock_type_hint(socket2::Type::RAW)
        .bind(SocketAddr::new(any, 0))
        .build();
    Client::new(&raw)
        .map(|c| (c, LatencyMethod::IcmpRaw))
        .map_err(|e| format!("ICMP not allowed (raw socket: {e})"))
}

async fn icmp_samples(
    client: &Client,
    addr: IpAddr,
    ident: u16,
    n: u32,
    timeout: Duration,
) -> (Vec<Option<f64>>, u32) {
    let probes = (0..n).map(|seq| async move {
        tokio::time::sleep(SPACING * seq).await;
        let mut pinger = client.pinger(addr, PingIdentifier(ident)).await;
        pinger.timeout(timeout);
        let start = Instant::now();
        let seq16 = u16::try_from(seq).unwrap_or(u16::MAX);
        match pinger.ping(PingSequence(seq16), &[0u8; 16]).await {
            Ok((_, reported)) => Some(rtt_sample(reported, start.elapsed())),
            Err(_) => None,
        }
    });
    let results = join_all(probes).await;
    let zeros = results.iter().flatten().filter(|(_, z)| *z).count();
    (
        results.into_iter().map(|r| r.map(|(d, _)| ms(d))).collect(),
        u32::try_from(zeros).unwrap_or(u32::MAX),
    )
}

async fn tcp_samples(addr: SocketAddr, n: u32, timeout: Duration) -> Vec<Option<f64>> {
    let probes = (0..n).map(|seq| async move {
        tokio::time::sleep(SPACING * seq).await;
        let start = Instant::now();
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(_)) => Some(ms(start.elapsed())),
            // A refusal (RST) is an answer from the host: its round trip counts.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Some(ms(start.elapsed()))
            }
            _ => None,
        }
    });
    join_all(probes).await
}

/// Measure round trips to `target` at `addr`.
pub async fn measure(
    target: &Target,
    addr: IpAddr,
    samples: u32,
    timeout: Duration,
    ident: u16,
) -> LatencyMeasurement {
    let mut notes = Vec::new();
    let mut result = LatencyMeasurement {
        target: target.name.clone(),
        host: target.host.clone(),
        address: Some(addr),
        method: None,
        samples_ms: Vec::new(),
        notes: Vec::new(),
        error: None,
    };
    #[cfg(windows)]
    match helper_samples(addr, samples, timeout).await {
        Ok((got, _)) if got.iter().any(Option::is_some) => {
            result.method = Some(LatencyMethod::IcmpHelper);
            result.samples_ms = got;
            return result;
        }
        Ok((_, failures)) => {
            // The API works but nothing came back: ICMP is filtered or the host is down. A
            // raw socket would see the same network, so go straight to TCP.
            notes.push(format!(
                "no answer to {samples} ICMP echo requests ({}): TCP connection time to port {} used",
                icmp_failures_text(&failures),
                target.port
            ));
            result.method = Some(LatencyMethod::TcpConnect);
            result.samples_ms =
                tcp_samples(SocketAddr::new(addr, target.port), samples, timeout).await;
            result.notes = notes;
            return result;
        }
        Err(e) => notes.push(e),
    }
    match icmp_client(addr) {
        Ok((client, method)) => {
            let (got, zeros) = icmp_samples(&client, addr, ident, samples, timeout).await;
            if zeros > 0 {
                notes.push(format!(
                    "{zeros} zero reading(s) from the ICMP socket replaced by the agent's own timing"
                ));
            }
            if got.iter().any(Option::is_some) {
                result.method = Some(method);
                result.samples_ms = got;
                result.notes = notes;
                return result;
            }
            notes.push(format!(
                "no answer to {samples} ICMP echo requests (ICMP filtered?): TCP connection time to port {} used",
                target.port
            ));
        }
        Err(e) => notes.push(format!(
            "{e}: TCP connection time to port {} used",
            target.port
        )),
    }
    result.method = Some(LatencyMethod::TcpConnect);
    result.samples_ms = tcp_samples(SocketAddr::new(addr, target.port), samples, timeout).await;
    result.notes = notes;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_milliseconds_are_refined_by_the_agents_timing() {
        let (us, ms) = (Duration::from_micros, Duration::from_millis);
        // (reported by the API in whole ms, timed by the agent, the round trip kept)
        let cases = [
            // Sub-millisecond LAN: the API says 0 ms, the agent timed 0.31 ms.
            (0, us(310), us(310)),
            // 12 ms reported, 12.4 ms timed: the finer figure.
            (12, us(12_400), us(12_400)),
            // The thread was scheduled late (30 ms): the network's share is at most 13 ms.
            (12, ms(30), ms(13)),
            // Timed shorter than reported (clock granularity): never below the API's figure.
            (5, ms(4), ms(5)),
        ];
        for (reported, timed, kept) in cases {
            assert_eq!(
                helper_rtt(reported, timed),
                kept,
                "{reported} ms, {timed:?}"
            );
        }
    }

    #[test]
    fn helper_statuses_are_explained() {
        assert_eq!(icmp_status_text(11010), "request timed out (11010)");
        assert_eq!(
            icmp_status_text(11003),
            "destination host unreachable (11003)"
        );
        assert_eq!(icmp_status_text(4242), "error 4242");
        assert_eq!(
            icmp_failures_text(&[11010, 11003, 11010]),
            "request timed out (11010) x2, destination host unreachable (11003) x1"
        );
        assert_eq!(icmp_failures_text(&[]), "");
    }

    #[test]
    fn zero_readings_are_replaced() {
        let observed = Duration::from_micros(80);
        assert_eq!(rtt_sample(Duration::ZERO, observed), (observed, true));
        assert_eq!(
            rtt_sample(Duration::from_micros(50), observed),
            (Duration::from_micros(50), false)
        );
    }

    #[tokio::test]
    async fn tcp_timing_to_a_loopback_listener_and_a_closed_port() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap();
        let got = tcp_samples(open, 3, Duration::from_secs(1)).await;
        assert_eq!(got.len(), 3);
        assert!(
            got.iter().all(|s| s.is_some_and(|ms| ms < 500.0)),
            "{got:?}"
        );
        // A closed port answers with a reset: still a round trip.
        drop(listener);
        let got = tcp_samples(open, 2, Duration::from_secs(1)).await;
        assert!(got.iter().all(Option::is_some), "{got:?}");
    }
}
