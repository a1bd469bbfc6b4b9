//! The browser probe's testbed: headless Chromium opening a probe link (`/sonde/{code}`,
//! `?autostart=1`) inside the client namespace of a shaped link, the real collector on the
//! server side, and the figures it stored, read back through the read API. Shared by
//! `tests/tests/browser_probe.rs` and the benchmark (`bench/browser_probe.sh`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::collector::{admin, collector_bin, listening_url};
use crate::shaped::{Daemon, Link, SERVER};

/// The lenient test profile with the bandwidth caps for `mbit`, and one ENT endpoint: the
/// collector's own `/healthz` (the only server the client namespace can reach).
pub fn profile(mbit: Option<f64>, endpoint: &str) -> String {
    format!(
        "{}\n[[network.endpoints]]\nname = \"ent\"\nurl = \"{endpoint}\"\n",
        crate::shaped::profile(mbit)
    )
}

/// The collector in the server namespace with `profile`, on `SERVER:8080`.
pub fn collector(link: &Link, db: &Path, profile: &Path) -> (Daemon, String) {
    let mut child = link
        .server(collector_bin())
        .arg("--database")
        .arg(db)
        .args(["serve", "--listen", &format!("{SERVER}:8080"), "--profile"])
        .arg(profile)
        .env("ENT_COLLECTOR_LOG", "warn")
        .env_remove("ENT_COLLECTOR_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start ent-collector in the server namespace");
    let url = listening_url(&mut child);
    (Daemon { child }, url)
}

/// `ent-collector probe-link --school UAI --base-url URL ARGS`: the URL it printed.
pub fn probe_link(db: &Path, school: &str, base_url: &str, args: &[&str]) -> String {
    let out = crate::stdout_of(
        admin(db)
            .args(["probe-link", "--school", school, "--base-url", base_url])
            .args(args),
        "ent-collector probe-link",
    );
    out.lines().next().unwrap_or_default().trim().to_owned()
}

/// Headless Chromium on `url`, run by `wrap` (e.g. inside a namespace), its own process
/// group, a fresh profile and HOME; killed (the whole group) on drop.
#[derive(Debug)]
pub struct Browser {
    child: std::process::Child,
    _home: tempfile::TempDir,
}

impl Browser {
    pub fn open(chromium: &Path, url: &str, wrap: impl FnOnce(&Command) -> Command) -> Browser {
        use std::os::unix::process::CommandExt;
        let home = tempfile::tempdir().expect("a temporary HOME");
        let mut cmd = crate::chromium::command(chromium, &home.path().join("profile"));
        cmd.env("HOME", home.path()).arg(url);
        let mut cmd = wrap(&cmd);
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let child = cmd.spawn().expect("start chromium");
        Browser { child, _home: home }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The group this test started (chromium and its renderers), by its id.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET url` with `token`, JSON; `None` on any failure.
pub fn get_json(url: &str, token: &str) -> Option<(u16, serde_json::Value)> {
    let r = crate::collector::Collector::http()
        .get(url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(5))
        .send()
        .ok()?;
    let status = r.status().as_u16();
    Some((status, r.json().ok()?))
}

/// The school's workstations (read API) once one has a bandwidth figure, polled until
/// `deadline`.
pub fn await_device(
    base: &str,
    read_token: &str,
    school: &str,
    deadline: Duration,
) -> Option<serde_json::Value> {
    let start = Instant::now();
    while start.elapsed() < deadline {
        if let Some((200, v)) = get_json(&format!("{base}api/v1/schools/{school}"), read_token)
            && v["workstations"].as_array().is_some_and(|w| !w.is_empty())
        {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    None
}
