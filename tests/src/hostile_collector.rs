//! A hostile "collector" on loopback for the agent's hardening tests: it answers whatever
//! the test's handler says (captive-portal pages, redirects, acknowledgements of another
//! report, endless bodies, refusals full of terminal control sequences) and records every
//! request it received.
//!
//! Plain HTTP/1.1 over `std` threads, one request per connection (`Connection: close`), so
//! that a test controls every byte of the answer, including a body that never ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The `report_id` of a JSON body, when there is one.
    pub fn report_id(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        v["report_id"].as_str().map(str::to_owned)
    }
}

/// The body of an answer.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Vec<u8>),
    /// `prefix`, then `fill` repeated until `limit` bytes were written in all or the client
    /// went away (no `Content-Length`: the body ends when the connection closes).
    Endless {
        prefix: Vec<u8>,
        fill: u8,
        limit: u64,
    },
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Answer {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Body::Bytes(body.into()),
        }
    }

    pub fn json(status: u16, v: &serde_json::Value) -> Answer {
        Answer::new(status, "application/json", v.to_string())
    }

    pub fn html(status: u16, page: &str) -> Answer {
        Answer::new(status, "text/html; charset=utf-8", page)
    }

    pub fn redirect(status: u16, location: &str) -> Answer {
        let mut a = Answer::html(status, "<html><body>moved</body></html>");
        a.headers.push(("location".into(), location.into()));
        a
    }

    /// A JSON answer that starts like `prefix` and goes on for `limit` bytes.
    pub fn endless(status: u16, prefix: &str, limit: u64) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Body::Endless {
                prefix: prefix.as_bytes().to_vec(),
                fill: b'a',
                limit,
            },
        }
    }

    /// The collector's own acknowledgement of `report_id` (`201 stored`).
    pub fn ack(report_id: &str) -> Answer {
        Answer::json(
            201,
            &serde_json::json!({
                "status": "stored", "report_id": report_id, "verdict": "ready", "score": 90
            }),
        )
    }
}

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

/// A running hostile server; stops when dropped.
pub struct HostileCollector {
    /// Base URL, ending with `/`.
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl HostileCollector {
    /// Serve every request with `handler`, on 127.0.0.1 port 0.
    pub fn start(handler: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let handler = Arc::clone(&handler);
                    let requests = Arc::clone(&requests);
                    std::thread::spawn(move || serve(conn, &*handler, &requests));
                }
            });
        }
        HostileCollector {
            url: format!("http://{addr}/"),
            requests,
            stop,
            addr,
        }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// How many `method` requests reached `path`.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path() == path)
            .count()
    }
}

impl std::fmt::Debug for HostileCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostileCollector")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for HostileCollector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// What an honest collector answers to the enrolment's requests (the profile, a workstation
/// credential), so that `ent-agent enroll` succeeds against a hostile server; `None` for
/// anything else.
pub fn enrolment_answer(req: &Request, profile_toml: &str) -> Option<Answer> {
    match (req.method.as_str(), req.path()) {
        ("GET", "/api/v1/profile") => Some(Answer::json(
            200,
            &serde_json::json!({
                "name": "lenient-test",
                "toml": profile_toml,
                "schedule": {"interval_hours": 24, "jitter_minutes": 10}
            }),
        )),
        ("POST", "/api/v1/enrolments") => Some(Answer::json(
            201,
            &serde_json::json!({"credential": "hostile-test-workstation-credential"}),
        )),
        _ => None,
    }
}

fn serve(conn: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let Some(req) = read_request(&mut reader) else {
        return;
    };
    if let Ok(mut l) = log.lock() {
        l.push(req.clone());
    }
    let answer = handler(&req);
    let _ = write_answer(conn, &answer);
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    if !matches!(parsed.parse(&head), Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(64 * 1024 * 1024)];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method: parsed.method.unwrap_or("").to_owned(),
        target: parsed.path.unwrap_or("").to_owned(),
        headers,
        body,
    })
}

fn write_answer(mut conn: TcpStream, a: &Answer) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} Hostile\r\nconnection: close\r\n", a.status);
    for (k, v) in &a.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match &a.body {
        Body::Bytes(b) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", b.len()));
            conn.write_all(head.as_bytes())?;
            conn.write_all(b)?;
        }
        Body::Endless {
            prefix,
            fill,
            limit,
        } => {
            head.push_str("\r\n");
            conn.write_all(head.as_bytes())?;
            conn.write_all(prefix)?;
            let block = vec![*fill; 64 * 1024];
            let mut sent = prefix.len() as u64;
            while sent < *limit {
                let n = block.len().min((*limit - sent) as usize);
                conn.write_all(&block[..n])?;
                sent += n as u64;
            }
        }
    }
    conn.flush()?;
    let _ = conn.shutdown(std::net::Shutdown::Write);
    Ok(())
}
