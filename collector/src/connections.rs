//! The accept loop: HTTP/1.1 connections (keep-alive) served by hyper, each bounded in time,
//! and bounded in number, so that clients that open sockets and send nothing, or half a
//! request, cannot hold the collector's file descriptors.
//!
//! - At most `max_connections` at once: beyond, new connections wait in the kernel's backlog
//!   until one ends (the limit is also kept under the process's descriptor limit).
//! - A request's head must arrive within `header_timeout` of the connection being ready for
//!   it: after the accept, and after each answer on a kept-alive connection (hyper starts
//!   that clock when it waits for a head, so it is also the keep-alive idle timeout).
//! - A connection on which no byte moves either way for `idle_timeout` is closed: a body
//!   that stops coming, a download that nobody reads any more. That clock is paused while
//!   the application prepares an answer (from the request's head to the answer's): a slow
//!   handler gets its JSON `408` from the request timeout, not a cut connection.
//! - On shutdown, no new connection is accepted; idle ones are closed, requests in flight
//!   get up to `shutdown_grace` to finish.
//!
//! Nothing here logs the peer's address.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Connection limits of [`serve`].
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(20),
            shutdown_grace: Duration::from_secs(25),
        }
    }
}

/// Descriptors kept for the database, the log and the runtime, beyond the connections.
const RESERVED_FDS: u64 = 64;

/// Raise the soft `RLIMIT_NOFILE` to the hard limit (as most servers do: the soft default of
/// 1024 is a relic of `select`), and return the connection cap that fits under it.
pub fn fit_descriptor_limit(max_connections: usize) -> usize {
    let soft = raise_nofile();
    let fits = usize::try_from(soft.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX);
    if fits < max_connections {
        tracing::warn!(
            "at most {fits} connections at once (the descriptor limit is {soft}; \
             raise LimitNOFILE to allow {max_connections})"
        );
    }
    max_connections.min(fits).max(1)
}

#[cfg(unix)]
fn raise_nofile() -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!("cannot raise the descriptor limit: {e}");
        }
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

#[cfg(not(unix))]
fn raise_nofile() -> u64 {
    u64::MAX
}

/// Serve `app` on `listener` until `shutdown` completes, within `limits`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let service = TowerToHyperService::new(
        app.map_request(|req: hyper::Request<Incoming>| req.map(Body::new)),
    );
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of descriptors, a connection reset before the accept...: not
                    // fatal; a short pause so that a full table is not a busy loop.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            inner: stream,
            activity: Arc::clone(&activity),
        });
        let busy = Arc::clone(&activity);
        let service = service.clone();
        let service = hyper::service::service_fn(move |req| {
            let pause = Busy::new(Arc::clone(&busy));
            let answer = hyper::service::Service::call(&service, req);
            async move {
                let _pause = pause;
                answer.await
            }
        });
        let conn = graceful.watch(http.serve_connection(io, service));
        let idle = limits.idle_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            tokio::select! {
                r = conn => if let Err(e) = r {
                    tracing::debug!("connection ended: {e}");
                },
                () = activity.stalled(idle) => {
                    tracing::debug!("connection closed: nothing moved for {} s", idle.as_secs());
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still in flight after {} s: stopping anyway",
            limits.shutdown_grace.as_secs()
        );
    }
    Ok(())
}

/// When a connection last moved a byte, in milliseconds since it was accepted, and how many
/// answers are being prepared on it (the idle clock does not run meanwhile).
#[derive(Debug)]
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    busy: AtomicU64,
}

/// An answer being prepared: the idle clock is paused until it is dropped, then restarts.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: Arc<Activity>) -> Busy {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            busy: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Completes once nothing has moved for `idle`, no answer being prepared.
    async fn stalled(&self, idle: Duration) {
        loop {
            if self.busy.load(Ordering::Relaxed) > 0 {
                tokio::time::sleep(idle).await;
                continue;
            }
            let last = self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let deadline = last + idle;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

/// A socket that records when bytes move on it.
#[derive(Debug)]
struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Before: a handler slower than the idle timeout had its connection cut (no answer);
    /// now the idle clock waits for the answer.
    #[test]
    fn a_slow_answer_is_not_cut_by_the_idle_timeout() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route(
            "/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                "done"
            }),
        );
        let limits = ConnectionLimits {
            idle_timeout: Duration::from_millis(400),
            ..ConnectionLimits::default()
        };
        rt.spawn(serve(listener, app, limits, std::future::pending()));
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET /slow HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
        assert!(answer.ends_with("done"), "{answer:?}");
    }
}
