//! The collector's control calls of a speed test (`readiness::api`): the HTTP clients, the
//! session and its admission (429 and `Retry-After`), the latency probes (a fresh TCP
//! connection, a small HTTP request on a warm one), and the polls of the session counters
//! that bring the collector's upload bins.
//!
//! Every answer is read through the client's one bounded reader (`client::read_bounded`):
//! a "collector" streaming an endless session answer, refusal, ping or counters costs the
//! agent [`MAX_CONTROL_ANSWER`] bytes at most, and the test ends with the reason.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use readiness::api::{
    CountersQuery, SessionCounters, SpeedtestSession, TransferQuery, check_node_url, path,
};
use readiness::measurements::bandwidth::BandwidthMeasurements;
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::{StatusCode, Url};

use super::{
    ADMISSION_ATTEMPTS, ADMISSION_WAIT, CONTROL_TIMEOUT, IDLE_BUDGET, Target, error_chain,
    parse_ca, parse_retry_after,
};
use crate::client::{MAX_ERROR_BODY, MAX_MESSAGE, printable, read_bounded, redirect_policy};

/// Largest answer read from a control call (a session, the counters with their bins, a
/// ping): the counters of a 20 s direction are a few KiB.
pub(super) const MAX_CONTROL_ANSWER: usize = 256 * 1024;

#[derive(Clone)]
pub(super) struct Clients {
    /// Data streams: HTTP/1.1 only, one connection per stream.
    pub(super) data: reqwest::Client,
    /// Session, polls and pings: its own connections, never queued behind data.
    pub(super) control: reqwest::Client,
    pub(super) ping: reqwest::Client,
    pub(super) auth: String,
    pub(super) base: Url,
    /// Where fresh TCP connections go for the latency probes.
    pub(super) addr: Option<std::net::SocketAddr>,
}

impl Clients {
    pub(super) fn new(target: &Target) -> Result<Clients, String> {
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
                .redirect(redirect_policy())
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

    /// The URL of a data route (download, upload, ping) with its query.
    pub(super) fn url(&self, path: &str, query: &TransferQuery) -> Url {
        let mut u = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("session", &query.session);
            if let Some(b) = query.bytes {
                q.append_pair("bytes", &b.to_string());
            }
        }
        u
    }
}

pub(super) async fn resolve(base: &Url) -> Option<std::net::SocketAddr> {
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

/// An open speed-test session: its id, and the node that holds it when the collector named
/// one (every later request of the session goes there).
#[derive(Debug)]
pub(super) struct Opened {
    pub(super) id: String,
    pub(super) node: Option<Url>,
}

/// The node a session answer names, checked: the rule of `readiness::api`, and never
/// `http://` when the collector was reached over `https://`.
fn node_url(base: &Url, node: &str) -> Result<Url, String> {
    let bad = |why: &str| {
        format!(
            "the collector's session names a node URL that is not acceptable ({why}): {:?}",
            printable(node, 80)
        )
    };
    check_node_url(node).map_err(bad)?;
    let url = Url::parse(node).map_err(|e| bad(&e.to_string()))?;
    if base.scheme() == "https" && url.scheme() != "https" {
        return Err(bad("plain http after https"));
    }
    Ok(url)
}

/// `POST /api/v1/speedtest/sessions`; on 429, wait `Retry-After` plus a random delay and try
/// again (at most [`ADMISSION_ATTEMPTS`] times).
pub(super) async fn open_session(
    c: &Clients,
    m: &mut BandwidthMeasurements,
) -> Result<Opened, String> {
    let url = c
        .base
        .join(path::SPEEDTEST_SESSIONS)
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
            let body = match read_bounded(resp, MAX_ERROR_BODY).await {
                Ok(body) => printable(&String::from_utf8_lossy(&body), 200),
                Err(e) => format!("(its answer could not be read: {e})"),
            };
            return Err(format!(
                "the collector refused the speed test ({status}): {body}"
            ));
        }
        // Read as JSON first, then as the session: a body that is not JSON and an answer
        // without an id are told apart.
        let body = read_bounded(resp, MAX_CONTROL_ANSWER)
            .await
            .map_err(|e| format!("unexpected answer to the session request: {e}"))?;
        let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            format!(
                "unexpected answer to the session request: {}",
                printable(&e.to_string(), MAX_MESSAGE)
            )
        })?;
        if m.admission_retries > 0 {
            m.notes.push(format!(
                "the collector was busy with another speed test: waited {:.1} s and tried again ({} time(s))",
                waited.as_secs_f64(),
                m.admission_retries
            ));
        }
        let session = serde_json::from_value::<SpeedtestSession>(answer)
            .map_err(|_| "the collector's session answer has no id".to_owned())?;
        // The id goes into URLs: a token of a few safe characters, nothing else.
        if !valid_session_id(&session.session) {
            return Err(format!(
                "the collector's session id is not a token of 1 to 128 letters, digits, '-' or '_': {:?}",
                printable(&session.session, 64)
            ));
        }
        let node = match session.node.as_deref().map(|n| node_url(&c.base, n)) {
            Some(Err(why)) => {
                // No test against that node: free the session's slot now (best effort; it
                // expires by itself too) rather than hold it until its end.
                close(c, &c.base, &session.session).await;
                return Err(why);
            }
            other => other.transpose()?,
        };
        return Ok(Opened {
            id: session.session,
            node,
        });
    }
    Err(format!(
        "the collector was busy with other speed tests: refused {} times (429), after {:.1} s of waiting",
        m.admission_retries,
        waited.as_secs_f64()
    ))
}

/// `DELETE /api/v1/speedtest/sessions/{id}` at `base`, best effort: only the token that
/// opened a session may close it, and a session also expires by itself.
pub(super) async fn close(c: &Clients, base: &Url, session: &str) {
    let Ok(url) = base.join(&path::speedtest_session(session)) else {
        return;
    };
    let _ = c
        .control
        .delete(url)
        .header(AUTHORIZATION, &c.auth)
        .timeout(Duration::from_secs(1))
        .send()
        .await;
}

/// A session id the agent puts into its URLs: 1 to 128 of `[A-Za-z0-9_-]`.
fn valid_session_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Probe {
    /// A fresh TCP connection (handshake time).
    Tcp,
    /// A small HTTP request on a warm connection.
    Http,
}

/// One latency probe of each kind; `None` when it got no answer in time.
pub(super) async fn probe_once(c: &Clients, session: &str, kind: Probe) -> Option<f64> {
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
                .get(c.url(
                    path::SPEEDTEST_PING,
                    &TransferQuery {
                        session: session.to_owned(),
                        bytes: None,
                    },
                ))
                .timeout(CONTROL_TIMEOUT)
                .send()
                .await
                .ok()?;
            if !resp.status().is_success() {
                return None;
            }
            read_bounded(resp, MAX_CONTROL_ANSWER).await.ok()?;
        }
    }
    Some(start.elapsed().as_secs_f64() * 1000.0)
}

/// `rounds` pairs of probes, in sequence. The first HTTP request opens the warm
/// connection: it is not a sample.
pub(super) async fn probe_rounds(c: &Clients, session: &str, rounds: usize) -> Vec<f64> {
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

/// The collector's upload bins of this direction, as polled so far.
#[derive(Debug, Default)]
pub(super) struct ServerBins {
    /// The collector's bin where the direction began.
    pub(super) first: usize,
    pub(super) bins: Vec<u64>,
}

/// `GET /api/v1/speedtest/sessions/{id}?bins_from=K`: the session's counters, with the
/// upload bins from bin K when asked for (the direction always asks, so that the answer
/// says their width).
pub(super) async fn poll(
    c: &Clients,
    session: &str,
    query: CountersQuery,
) -> Result<SessionCounters, String> {
    let mut url = c
        .base
        .join(&path::speedtest_session(session))
        .map_err(|e| format!("collector URL: {e}"))?;
    if let Some(from) = query.bins_from {
        url.query_pairs_mut()
            .append_pair("bins_from", &from.to_string());
    }
    let resp = c
        .control
        .get(url)
        .timeout(CONTROL_TIMEOUT)
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    if !resp.status().is_success() {
        return Err(format!("answered {}", resp.status()));
    }
    let body = read_bounded(resp, MAX_CONTROL_ANSWER).await?;
    serde_json::from_slice(&body).map_err(|e| printable(&e.to_string(), MAX_MESSAGE))
}

/// Fetch the collector's bins after those already held.
pub(super) async fn pull_bins(c: &Clients, session: &str, server: &Mutex<ServerBins>) {
    let from = match server.lock() {
        Ok(s) => s.first + s.bins.len(),
        Err(_) => return,
    };
    let query = CountersQuery {
        bins_from: Some(from),
    };
    if let Ok(p) = poll(c, session, query).await
        && let Ok(mut s) = server.lock()
        && s.first + s.bins.len() == from
    {
        s.bins
            .extend(p.bins.map(|b| b.upload_bins).unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_node_is_checked() {
        let https = Url::parse("https://collecteur.example/").unwrap();
        let http = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            node_url(&https, "https://collecteur.example/noeud/b/")
                .unwrap()
                .as_str(),
            "https://collecteur.example/noeud/b/"
        );
        assert!(node_url(&http, "http://127.0.0.1:9/n/").is_ok());
        // No downgrade, no credentials, nothing outside the rule.
        for bad in [
            "http://collecteur.example/",
            "https://u:p@x/",
            "https://x/a",
            "javascript:x",
        ] {
            assert!(node_url(&https, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_ids_are_safe_tokens() {
        assert!(valid_session_id("0123456789abcdef0123456789abcdef"));
        for bad in [
            "",
            "../../admin",
            "a/b",
            "a?b",
            "a b",
            "\u{1b}[2J",
            &"a".repeat(129),
        ] {
            assert!(!valid_session_id(bad), "{bad:?}");
        }
    }
}
