//! Helpers of the hostile suite (`tests/tests/hostile/`): a collector whose stdout and stderr
//! go to files (the log is read back), started under a given file-descriptor limit when
//! asked, and raw HTTP/1.1 over a plain socket, for requests no well-behaved client sends.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::collector::{admin, collector_bin};

/// How to start a collector.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Extra `serve` arguments.
    pub args: Vec<String>,
    /// `ENT_COLLECTOR_LOG` (and `RUST_LOG`); `warn` when `None`.
    pub log: Option<String>,
    /// Soft and hard `RLIMIT_NOFILE` of the collector process.
    pub nofile: Option<u64>,
    /// Import the sample school directory first.
    pub sample_directory: bool,
    /// A directory CSV to import first (after the sample one).
    pub directory: Option<PathBuf>,
    /// Run on the database's path before the collector starts (after the imports).
    pub prepare: Option<fn(&Path)>,
}

/// A running collector on a fresh database in its own temporary directory; killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub url: String,
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub dir: tempfile::TempDir,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Server {
    pub fn start(opts: Options) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = dir.path().join("collector.db");
        if opts.sample_directory {
            import(
                &db,
                &crate::workspace_root().join("dist/annuaire-sample.csv"),
            );
        }
        if let Some(csv) = &opts.directory {
            import(&db, csv);
        }
        if let Some(prepare) = opts.prepare {
            prepare(&db);
        }
        let stdout = dir.path().join("stdout.log");
        let stderr = dir.path().join("stderr.log");
        let log = opts.log.clone().unwrap_or_else(|| "warn".into());
        // A shell sets the umask of a usual system (so that file modes are the collector's
        // doing) and the descriptor limit, then becomes the collector (same pid).
        let limit = opts
            .nofile
            .map(|n| format!("ulimit -n {n} && "))
            .unwrap_or_default();
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("umask 022 && {limit}exec \"$0\" \"$@\""))
            .arg(collector_bin())
            .arg("--database")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(&opts.args)
            .env_remove("ENT_COLLECTOR_DATABASE")
            .env("ENT_COLLECTOR_LOG", &log)
            .env("RUST_LOG", &log)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr).expect("stderr file"));
        let mut child = cmd.spawn().expect("start ent-collector");
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            let out = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(line) = out.lines().next().filter(|_| out.contains('\n'))
                && let Some(url) = line.strip_prefix("ent-collector listening on ")
            {
                break url.trim().to_owned();
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the collector exited ({status}): {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "the collector did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        let addr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected URL {url}"));
        Server {
            child,
            url,
            addr,
            db,
            dir,
            stdout,
            stderr,
        }
    }

    /// Everything the collector wrote so far, stdout then stderr.
    pub fn output(&self) -> String {
        format!(
            "{}{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Create a token with the admin CLI and return its secret.
    pub fn token(&self, args: &[&str]) -> String {
        crate::collector::create_token(&self.db, args)
    }

    /// An HTTP client without proxy, with a 30 s timeout.
    pub fn http() -> reqwest::blocking::Client {
        crate::collector::Collector::http()
    }

    /// Open sockets of the collector process (its `/proc/PID/fd` entries that are sockets).
    pub fn open_sockets(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| {
                        std::fs::read_link(e.path())
                            .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    /// SIGTERM, then wait for the exit (at most `within`); returns the exit code.
    pub fn terminate(&mut self, within: Duration) -> Option<i32> {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn import(db: &Path, csv: &Path) {
    crate::stdout_of(
        admin(db).args(["schools", "import"]).arg(csv),
        "schools import",
    );
}

/// An HTTP answer read off a raw socket.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as the API's error: `{code, message}` with both non-empty, served as JSON.
    /// Panics (fails the test) otherwise, naming what was received.
    pub fn error_body(&self) -> readiness::api::ErrorBody {
        let ct = self.header("content-type").unwrap_or("");
        assert!(
            ct.starts_with("application/json"),
            "status {}: content-type {ct:?}, body {:?}",
            self.status,
            self.text()
        );
        let v: serde_json::Value = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("status {}: not JSON ({e}): {:?}", self.status, self.text())
        });
        let code = v["code"].as_str().unwrap_or_default();
        let message = v["message"].as_str().unwrap_or_default();
        assert!(
            !code.is_empty() && !message.is_empty(),
            "status {}: not {{code, message}}: {v}",
            self.status
        );
        readiness::api::ErrorBody {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Send `request` (raw bytes: the request line, the headers and any body) on a fresh
/// connection, then read the answer until the server closes or `within` passes.
pub fn raw(addr: SocketAddr, request: &[u8], within: Duration) -> RawAnswer {
    let mut s = TcpStream::connect(addr).expect("connect to the collector");
    s.set_read_timeout(Some(within)).expect("read timeout");
    s.write_all(request).expect("send the request");
    read_answer(&mut s)
}

/// Read one HTTP/1.1 answer (headers, then a `content-length` body, a chunked body or up to
/// the close) from `s`.
pub fn read_answer(s: &mut TcpStream) -> RawAnswer {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => panic!(
                "the connection ended before a complete answer: {:?}",
                String::from_utf8_lossy(&buf)
            ),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[head_end..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let complete = |body: &[u8]| match length {
        Some(n) => body.len() >= n,
        None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
        None => false,
    };
    while !complete(&body) {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    if let Some(n) = length {
        body.truncate(n);
    } else if chunked {
        body = dechunk(&body);
    }
    RawAnswer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = i + 2;
        let end = (start + size).min(data.len());
        out.extend_from_slice(&data[start..end]);
        data = data.get(end + 2..).unwrap_or_default();
    }
    out
}

/// Raise this process's soft `RLIMIT_NOFILE` to at least `want` (up to the hard limit, via
/// `prlimit` on our own pid); returns the soft limit in force afterwards.
pub fn raise_nofile(want: u64) -> u64 {
    let pid = std::process::id().to_string();
    let _ = Command::new("prlimit")
        .args(["--pid", &pid, &format!("--nofile={want}:")])
        .stderr(Stdio::null())
        .status();
    nofile_soft()
}

/// This process's soft `RLIMIT_NOFILE`, from `/proc/self/limits`.
pub fn nofile_soft() -> u64 {
    std::fs::read_to_string("/proc/self/limits")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3).and_then(|v| v.parse().ok()))
        .unwrap_or(1024)
}
