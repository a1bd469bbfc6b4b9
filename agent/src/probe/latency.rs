//! Latency probe: round trips to each endpoint's host. ICMP echo where the OS allows it (a
//! raw socket as administrator, else an unprivileged datagram socket where Linux's
//! `ping_group_range` or macOS allow it), else — or when ICMP is not answered — the time to
//! open a TCP connection to the endpoint's port. The method is recorded with the samples.
//!
//! Probes are sent a little apart and awaited together, so a black-holed host costs one
//! timeout, not one per probe. Each round trip is also timed by the agent: datagram ICMP
//! sockets on Linux can report 0 ns for sub-millisecond replies (the reply is stamped before
//! the send time is taken), and such readings are replaced by the agent's own.

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

/// An ICMP client, raw first, then datagram.
fn icmp_client(addr: IpAddr) -> Result<(Client, LatencyMethod), String> {
    let kind = if addr.is_ipv4() { ICMP::V4 } else { ICMP::V6 };
    let raw = Config::builder()
        .kind(kind)
        .sock_type_hint(socket2::Type::RAW)
        .build();
    match Client::new(&raw) {
        Ok(c) => Ok((c, LatencyMethod::IcmpRaw)),
        Err(raw_err) => {
            let dgram = Config::builder()
                .kind(kind)
                .sock_type_hint(socket2::Type::DGRAM)
                .build();
            match Client::new(&dgram) {
                Ok(c) => Ok((c, LatencyMethod::IcmpDatagram)),
                Err(e) => Err(format!(
                    "ICMP not allowed (raw socket: {raw_err}; datagram socket: {e})"
                )),
            }
        }
    }
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
