//! The harness of the network fault matrix (`tests/tests/network_faults.rs`): the real
//! `ent-agent` audited against the lab ([`crate::netlab`]) with the local profile
//! (`tests/tests/fixtures/local-network.toml`), and rows of expectations checked all at
//! once: a check's status, words of its message, the time its probe took.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::netlab::{Behaviour, BlackHole, DnsAnswer, Lab, Leaf, TestCa};
use crate::{agent, audit_report, find_in, workspace_root};

/// The profile's limits (tests/tests/fixtures/local-network.toml), in ms.
pub const DNS_TIMEOUT: f64 = 800.0;
pub const CONNECT_TIMEOUT: f64 = 1000.0;
pub const RESPONSE_TIMEOUT: f64 = 1500.0;
/// What a probe may take beyond its limit (scheduling, a loaded 2-core CI machine).
pub const MARGIN: f64 = 700.0;

/// The local profile: no system resolver, the limits above.
pub fn fixture() -> PathBuf {
    workspace_root().join("tests/tests/fixtures/local-network.toml")
}

/// One agent run: the report, and the wall time.
#[derive(Debug)]
pub struct AuditRun {
    pub report: Value,
    pub wall: Duration,
    pub stderr: String,
}

impl AuditRun {
    /// The check `id` of the report.
    pub fn check(&self, id: &str) -> &Value {
        crate::check(&self.report, id)
    }

    /// The measurement of endpoint `name`.
    pub fn endpoint(&self, name: &str) -> &Value {
        find_in(
            &self.report["measurements"]["network"]["endpoints"],
            "name",
            name,
        )
    }

    /// The DNS lookup of `host`.
    pub fn dns(&self, host: &str) -> &Value {
        find_in(&self.report["measurements"]["network"]["dns"], "host", host)
    }
}

/// Run `ent-agent audit --json` with the local profile (or `profile`), the endpoints and
/// the extra arguments, in `env`, inside the black hole's client namespace with `wrap`;
/// returns the report (checked by [`audit_report`]), the wall time and stderr.
pub fn audit(
    dir: &Path,
    profile: Option<&Path>,
    args: &[String],
    env: &[(&str, &str)],
    wrap: Option<&BlackHole>,
) -> AuditRun {
    let mut cmd = agent(dir);
    cmd.args(["audit", "--json", "--lang", "en", "--profile"])
        .arg(profile.map(Path::to_path_buf).unwrap_or_else(fixture))
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut cmd = match wrap {
        Some(hole) => hole.exec(&cmd),
        None => cmd,
    };
    let start = Instant::now();
    let out = cmd.output().expect("run ent-agent");
    let wall = start.elapsed();
    let report = audit_report(&out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    AuditRun {
        report,
        wall,
        stderr,
    }
}

/// One row of the matrix: a check's expected status, words of its message, and bounds on
/// the time the measured endpoint (or DNS lookup) took.
#[derive(Debug)]
pub struct Expect {
    check: String,
    status: &'static str,
    words: Vec<&'static str>,
    elapsed: Option<Elapsed>,
}

#[derive(Debug)]
enum Elapsed {
    /// `endpoint`'s attempt total, between these ms.
    Endpoint(&'static str, f64, f64),
    /// The slower A/AAAA query of `host`, between these ms.
    Dns(&'static str, f64, f64),
}

/// The row of `check`: this status, these words in its message, no bound on time.
pub fn expect(check: &str, status: &'static str, words: &[&'static str]) -> Expect {
    Expect {
        check: check.to_owned(),
        status,
        words: words.to_vec(),
        elapsed: None,
    }
}

/// The row of `endpoint.{name}`, whose probe ended (answered or failed) within [`MARGIN`].
pub fn quick_endpoint(name: &'static str, status: &'static str, words: &[&'static str]) -> Expect {
    expect(&format!("endpoint.{name}"), status, words).endpoint_ms(name, 0.0, MARGIN)
}

impl Expect {
    /// This row, with endpoint `name`'s attempt taking `min` to `max` ms.
    pub fn endpoint_ms(mut self, name: &'static str, min: f64, max: f64) -> Expect {
        self.elapsed = Some(Elapsed::Endpoint(name, min, max));
        self
    }

    /// This row, with endpoint `name`'s attempt cut at `limit` ms: from 50 ms before it to
    /// [`MARGIN`] after.
    pub fn endpoint_timed_out(self, name: &'static str, limit: f64) -> Expect {
        self.endpoint_ms(name, limit - 50.0, limit + MARGIN)
    }

    /// This row, with the slower query of `host` taking `min` to `max` ms.
    pub fn dns_ms(mut self, host: &'static str, min: f64, max: f64) -> Expect {
        self.elapsed = Some(Elapsed::Dns(host, min, max));
        self
    }
}

/// Check every row; fail once with every mismatch, and print the matrix as measured.
pub fn assert_matrix(run: &AuditRun, rows: &[Expect]) {
    let mut problems = Vec::new();
    for row in rows {
        let c = run.check(&row.check);
        let status = c["status"].as_str().unwrap_or("?");
        let message = c["message"].as_str().unwrap_or("");
        let elapsed = row.elapsed.as_ref().map(|elapsed| {
            let (ms, min, max) = match elapsed {
                Elapsed::Endpoint(name, min, max) => {
                    let ms = run.endpoint(name)["attempt"]["total_ms"].as_f64();
                    (ms.expect("the attempt's total_ms"), min, max)
                }
                Elapsed::Dns(host, min, max) => {
                    let l = run.dns(host);
                    let ms = |query: &str| l[query]["elapsed_ms"].as_f64().expect("elapsed_ms");
                    (ms("a").max(ms("aaaa")), min, max)
                }
            };
            if ms < *min || ms > *max {
                problems.push(format!(
                    "{}: took {ms:.0} ms, expected {min:.0}-{max:.0} ms",
                    row.check
                ));
            }
            ms
        });
        eprintln!(
            "{:<34} {:<7} {:>7} | {message}",
            row.check,
            status,
            elapsed.map(|e| format!("{e:.0} ms")).unwrap_or_default()
        );
        if status != row.status {
            problems.push(format!(
                "{}: status {status}, expected {} ({message})",
                row.check, row.status
            ));
        }
        for w in &row.words {
            if !message.contains(w) {
                problems.push(format!("{}: message lacks {w:?}: {message}", row.check));
            }
        }
        if status != "pass" && c["remediation"].as_str().is_none_or(|r| r.len() < 10) {
            problems.push(format!("{}: no remediation", row.check));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatch(es):\n  {}\nagent stderr:\n{}",
        problems.len(),
        problems.join("\n  "),
        run.stderr
    );
}

/// The agent's arguments for endpoint `name` at `url`.
pub fn ep(name: &str, url: String) -> [String; 2] {
    ["--endpoint".to_owned(), format!("{name}={url}")]
}

/// The HTTPS URL of the root of `addr`.
pub fn url(addr: SocketAddr) -> String {
    format!("https://{addr}/")
}

/// The lab of most runs: a test CA, a DNS server knowing `*.lab.test`.
#[derive(Debug)]
pub struct World {
    pub lab: Lab,
    pub ca: TestCa,
    pub dir: tempfile::TempDir,
    pub ca_file: PathBuf,
    pub dns: SocketAddr,
}

/// 127.0.0.1.
fn loopback() -> IpAddr {
    IpAddr::from([127, 0, 0, 1])
}

impl World {
    /// A new lab, its CA written to `ca.pem` in a temporary directory, and a DNS server:
    /// `ok` and `ent.lab.test` on loopback, `nx` (NXDOMAIN), `servfail`, `refused`,
    /// `silent`, `slow` (300 ms) and `blocked` (a filter's 0.0.0.0).
    pub fn new() -> World {
        let lab = Lab::new();
        let ca = TestCa::new("ENT Lab Root CA");
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca_file = ca.write_pem(&dir.path().join("ca.pem"));
        let zone: BTreeMap<String, DnsAnswer> = [
            ("ok.lab.test", DnsAnswer::Addr(vec![loopback()])),
            ("ent.lab.test", DnsAnswer::Addr(vec![loopback()])),
            ("nx.lab.test", DnsAnswer::Nxdomain),
            ("servfail.lab.test", DnsAnswer::Servfail),
            ("refused.lab.test", DnsAnswer::Refused),
            ("silent.lab.test", DnsAnswer::Silent),
            (
                "slow.lab.test",
                DnsAnswer::Slow(Duration::from_millis(300), vec![loopback()]),
            ),
            (
                "blocked.lab.test",
                DnsAnswer::Addr(vec![IpAddr::from([0, 0, 0, 0])]),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let dns = lab.dns(zone);
        World {
            lab,
            ca,
            dir,
            ca_file,
            dns,
        }
    }

    /// A certificate of the CA for 127.0.0.1, `ok.lab.test` and `ent.lab.test`.
    pub fn good_leaf(&self) -> Leaf {
        self.ca.leaf(&["127.0.0.1", "ok.lab.test", "ent.lab.test"])
    }

    /// The arguments every run of this world passes.
    pub fn base_args(&self) -> Vec<String> {
        vec![
            "--ca-file".into(),
            self.ca_file.display().to_string(),
            "--dns-server".into(),
            self.dns.to_string(),
        ]
    }

    /// The arguments of a run probing one endpoint, `ent`: an HTTPS server of this world
    /// (the good certificate) doing `behaviour`.
    pub fn ent_args(&self, behaviour: Behaviour) -> Vec<String> {
        let server = self.lab.https(&self.good_leaf(), behaviour);
        let mut args = self.base_args();
        args.extend(ep("ent", url(server)));
        args
    }

    /// A state directory of its own per run.
    pub fn state(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(&p).expect("create the state directory");
        p
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}
