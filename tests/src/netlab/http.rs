//! The lab's HTTP(S) servers: scripted replies, silence, resets.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How long a silent server keeps a connection open (longer than any probe's limit).
const SILENCE: Duration = Duration::from_secs(120);

/// One scripted HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Seconds added to the `Date` header (a server whose clock is ahead).
    pub clock_offset_s: i64,
}

impl Reply {
    pub fn ok(body: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.to_owned(),
            delay: Duration::ZERO,
            clock_offset_s: 0,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::ok("status page")
        }
    }

    pub fn redirect(location: &str) -> Reply {
        let mut r = Reply::status(302);
        r.headers.push(("location".into(), location.to_owned()));
        r
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn clock_ahead(mut self, seconds: i64) -> Reply {
        self.clock_offset_s = seconds;
        self
    }
}

/// What a server does with each connection.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answer every request with this.
    Reply(Reply),
    /// Answer by path; other paths get 404.
    Routes(Vec<(String, Reply)>),
    /// Accept the TCP connection and say nothing at all.
    Silent,
    /// Accept, then reset the connection (TCP RST).
    Reset,
}

/// An HTTP `Date` header value: now, shifted by `offset_s` seconds.
fn http_date(offset_s: i64) -> String {
    let now = SystemTime::now();
    let t = if offset_s >= 0 {
        now + Duration::from_secs(offset_s.unsigned_abs())
    } else {
        now - Duration::from_secs(offset_s.unsigned_abs())
    };
    httpdate::fmt_http_date(t)
}

/// The scripted answer to `req`, after its delay.
async fn respond(
    req: hyper::Request<hyper::body::Incoming>,
    behaviour: Arc<Behaviour>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let reply = match &*behaviour {
        Behaviour::Reply(r) => r.clone(),
        Behaviour::Routes(routes) => routes
            .iter()
            .find(|(p, _)| p == req.uri().path())
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| Reply::status(404)),
        Behaviour::Silent | Behaviour::Reset => Reply::status(500),
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut builder = hyper::Response::builder()
        .status(reply.status)
        .header("date", http_date(reply.clock_offset_s));
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    Ok(builder
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()))))
}

/// Serve HTTP/1.1 on `io` following `behaviour` until the client closes.
pub(super) async fn serve_http<S>(io: S, behaviour: Arc<Behaviour>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| respond(req, behaviour.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// Do with one accepted connection what `behaviour` says: say nothing, reset it, or
/// serve HTTP (over TLS with `tls`).
pub(super) async fn handle(
    tcp: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    behaviour: Arc<Behaviour>,
) {
    match &*behaviour {
        Behaviour::Silent => {
            tokio::time::sleep(SILENCE).await;
            drop(tcp);
        }
        Behaviour::Reset => {
            let _ = tcp.set_zero_linger();
            drop(tcp);
        }
        _ => match tls {
            Some(acceptor) => {
                if let Ok(stream) = acceptor.accept(tcp).await {
                    serve_http(stream, behaviour).await;
                }
            }
            None => serve_http(tcp, behaviour).await,
        },
    }
}
