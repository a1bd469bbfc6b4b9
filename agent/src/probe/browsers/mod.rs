//! Installed web browsers and their versions.
//!
//! Versions are read from files or registry values wherever the installation keeps one:
//! `application.ini`, `snap.yaml`, Flatpak metainfo, dpkg's status database, `Info.plist`,
//! the updaters' registry keys. Only when nothing else tells (a Chrome-family browser unpacked
//! by hand, say) is the browser run with `--version`, under a timeout, and never from a user's
//! home directory: the agent may run as root. Each scanner takes its root directory (or a
//! [`Registry`](crate::platform::Registry)) as a parameter, so that tests run it on fixture
//! trees on any platform.
//!
//! Locations under the user's home are written `~/...`, so that reports carry no user name.
//!
//! This module holds the probe's entry ([`detect`]), what a scan found ([`Scan`]), the
//! `--version` runs and the places on disk; each OS's scanner is in a module of its own:
//! [`linux`] (directories, dpkg, snap, Flatpak), [`windows`] (the registry, per machine and
//! per user), [`macos`] (application bundles).

mod linux;
mod macos;
mod windows;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use readiness::measurements::{BrowserInfo, BrowserMeasurements};
use tokio::process::Command;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

/// The longest a single `--version` run may take, however far the overall deadline is.
const VERSION_COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// Find installed browsers. Must finish within `deadline` (any subprocess it runs gets killed
/// at the deadline); returns what it found, with unreadable places listed in `unavailable`.
pub async fn detect(deadline: Duration) -> BrowserMeasurements {
    let until = Instant::now() + deadline;
    // The scan reads the filesystem or the registry synchronously: it runs on the blocking
    // pool so that a slow disk cannot hold the deadline hostage.
    match timeout_at(until, tokio::task::spawn_blocking(scan_native)).await {
        Ok(Ok(scan)) => scan.run_version_commands(until).await,
        Ok(Err(e)) => only_unavailable("scan", format!("the browser scan stopped: {e}")),
        Err(_) => only_unavailable(
            "scan",
            format!(
                "the browser scan did not finish within {} ms",
                deadline.as_millis()
            ),
        ),
    }
}

/// Scan the running system.
fn scan_native() -> Scan {
    #[cfg(target_os = "linux")]
    {
        let home = crate::platform::linux::user_home();
        linux::scan_linux(Path::new("/"), home.as_deref())
    }
    #[cfg(windows)]
    {
        Scan::done(windows::scan_windows_registry(
            &crate::platform::windows::WindowsRegistry,
        ))
    }
    #[cfg(target_os = "macos")]
    {
        let home = crate::platform::macos::user_home();
        Scan::done(macos::scan_macos(Path::new("/"), home.as_deref()))
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        Scan::done(only_unavailable(
            "scan",
            format!(
                "browser detection is not implemented on {}",
                std::env::consts::OS
            ),
        ))
    }
}

fn only_unavailable(place: &str, reason: String) -> BrowserMeasurements {
    BrowserMeasurements {
        installed: Vec::new(),
        unavailable: BTreeMap::from([(place.to_owned(), reason)]),
    }
}

/// What a scan found. Some versions may still have to be read by running the browser with
/// `--version` ([`Scan::run_version_commands`]).
#[derive(Debug, Default)]
pub struct Scan {
    found: BrowserMeasurements,
    pending: Vec<VersionCommand>,
}

/// A browser binary to run with `--version`, for the version of `found.installed[index]`.
#[derive(Debug)]
struct VersionCommand {
    index: usize,
    binary: PathBuf,
}

impl Scan {
    #[cfg_attr(
        target_os = "linux",
        allow(dead_code, reason = "used on the other platforms")
    )]
    fn done(found: BrowserMeasurements) -> Self {
        Scan {
            found,
            pending: Vec::new(),
        }
    }

    fn push(&mut self, name: &str, version: Option<String>, source: &str, location: String) {
        self.found.installed.push(BrowserInfo {
            name: name.to_owned(),
            version,
            source: source.to_owned(),
            location: Some(location),
        });
    }

    fn unavailable(&mut self, place: &str, reason: impl Into<String>) {
        self.found
            .unavailable
            .insert(place.to_owned(), reason.into());
    }

    /// Run the pending `--version` commands concurrently, each killed at the earlier of its
    /// own timeout and `until`, and fill in the versions they print.
    pub async fn run_version_commands(self, until: Instant) -> BrowserMeasurements {
        let Scan { mut found, pending } = self;
        let mut runs = JoinSet::new();
        for command in pending {
            runs.spawn(async move {
                let version = run_version_command(&command.binary, until).await;
                (command.index, version)
            });
        }
        while let Some(run) = runs.join_next().await {
            match run {
                Ok((index, result)) => {
                    let Some(browser) = found.installed.get_mut(index) else {
                        continue;
                    };
                    match result {
                        Ok(version) => browser.version = Some(version),
                        Err(reason) => {
                            let place = browser.location.clone().unwrap_or_default();
                            found
                                .unavailable
                                .insert(place, format!("version unknown: {reason}"));
                        }
                    }
                }
                Err(e) => tracing::warn!("a browser --version run failed: {e}"),
            }
        }
        found
    }
}

/// Run `binary --version` and return the version it prints.
async fn run_version_command(binary: &Path, until: Instant) -> Result<String, String> {
    let shown = format!("{} --version", binary.display());
    let stop_at = until.min(Instant::now() + VERSION_COMMAND_TIMEOUT);
    let child = Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("`{shown}` could not be started: {e}"))?;
    // On timeout the future, and with it the child, is dropped: kill_on_drop kills it.
    let output = match timeout_at(stop_at, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => return Err(format!("`{shown}` failed: {e}")),
        Err(_) => return Err(format!("`{shown}` did not answer in time and was stopped")),
    };
    parse_version_output(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| format!("`{shown}` printed no version ({})", output.status))
}

/// The version in a browser's `--version` output: the first word that starts with a digit and
/// contains a dot. "Chromium 120.0.6099.224 built on Debian 12.4" gives "120.0.6099.224",
/// "Mozilla Firefox 128.5.0esr" gives "128.5.0esr".
pub fn parse_version_output(output: &str) -> Option<String> {
    output
        .split_whitespace()
        .map(|word| word.trim_end_matches([',', ';', ')']))
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()) && word.contains('.'))
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Places on disk, for the scanners

/// A place on disk: where it is read (`fs`, under the scan's root) and how it is written in
/// the report (`shown`: absolute as on the live system, or `~/...` under the user's home).
#[derive(Debug, Clone)]
struct Place {
    fs: PathBuf,
    shown: String,
}

impl Place {
    /// `absolute` ("/usr/lib/firefox") on the system rooted at `root`.
    fn system(root: &Path, absolute: &str) -> Place {
        Place {
            fs: root.join(absolute.trim_start_matches('/')),
            shown: absolute.to_owned(),
        }
    }

    /// `relative` ("Applications") under the user's home, shown as "~/Applications".
    fn in_home(home: &Path, relative: &str) -> Place {
        Place {
            fs: home.join(relative),
            shown: format!("~/{relative}"),
        }
    }

    fn join(&self, relative: &str) -> Place {
        Place {
            fs: self.fs.join(relative),
            shown: format!("{}/{relative}", self.shown),
        }
    }
}

/// Whether `path` exists; `Err` with a reason when that cannot be told (permission denied...).
fn exists(path: &Path) -> Result<bool, String> {
    match fs::metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if is_absent(&e) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// The content of `path`, `None` when it does not exist, `Err` when it cannot be read.
fn read_optional(path: &Path) -> Result<Option<String>, String> {
    Ok(read_bytes_optional(path)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}

/// The bytes of `path` (a binary `Info.plist`, say), `None` when it does not exist, `Err`
/// when it cannot be read.
fn read_bytes_optional(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// The browsers' fixture trees and registry exports.
#[cfg(test)]
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/browsers")
}

/// The browser `name` found through `source`, for the scanners' tests.
#[cfg(test)]
fn find<'a>(found: &'a BrowserMeasurements, name: &str, source: &str) -> &'a BrowserInfo {
    found
        .installed
        .iter()
        .find(|b| b.name == name && b.source == source)
        .unwrap_or_else(|| panic!("no {name} from {source} in {found:#?}"))
}

/// The version of the browser `name` found through `source`, for the scanners' tests.
#[cfg(test)]
fn version_of<'a>(found: &'a BrowserMeasurements, name: &str, source: &str) -> Option<&'a str> {
    find(found, name, source).version.as_deref()
}

/// The version and location of the browser `name` found through `source`, for the
/// scanners' tests.
#[cfg(test)]
fn version_and_location<'a>(
    found: &'a BrowserMeasurements,
    name: &str,
    source: &str,
) -> (Option<&'a str>, Option<&'a str>) {
    let browser = find(found, name, source);
    (browser.version.as_deref(), browser.location.as_deref())
}

/// Check a version parser on `(input, expected version)` cases.
#[cfg(test)]
fn assert_parses(parse: fn(&str) -> Option<String>, cases: &[(&str, Option<&str>)]) {
    for (input, expected) in cases {
        assert_eq!(parse(input).as_deref(), *expected, "{input:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_output_parsing() {
        assert_parses(
            parse_version_output,
            &[
                ("Google Chrome 131.0.6778.85 \n", Some("131.0.6778.85")),
                (
                    "Chromium 120.0.6099.224 built on Debian 12.4, running on Debian 12.4",
                    Some("120.0.6099.224"),
                ),
                ("Microsoft Edge 131.0.2903.70", Some("131.0.2903.70")),
                ("Mozilla Firefox 128.5.0esr", Some("128.5.0esr")),
                ("Brave Browser 131.1.73.89", Some("131.1.73.89")),
                ("Vivaldi 7.0.3495.18 stable", Some("7.0.3495.18")),
                ("114.0.5282.102", Some("114.0.5282.102")),
                ("Google Chrome for Testing", None),
                ("", None),
            ],
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn version_commands_are_run_and_stopped_at_the_deadline() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        // Write both scripts before running either: a script still open for writing in a
        // forked child could not be executed ("text file busy").
        let script = |name: &str, body: &str| {
            let path = tmp.path().join(name);
            fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let chrome = script("chrome", "echo 'Google Chrome 131.0.6778.85 '");
        let slow = script("slow", "exec sleep 30");
        let silent = script("silent", "exit 3");
        let browser = |name: &str| BrowserInfo {
            name: name.to_owned(),
            version: None,
            source: "system".to_owned(),
            location: Some(format!("/opt/{name}")),
        };
        let scan = Scan {
            found: BrowserMeasurements {
                installed: vec![browser("chrome"), browser("slow"), browser("silent")],
                unavailable: BTreeMap::new(),
            },
            pending: [chrome, slow, silent]
                .into_iter()
                .enumerate()
                .map(|(index, binary)| VersionCommand { index, binary })
                .collect(),
        };
        let started = std::time::Instant::now();
        let found = scan
            .run_version_commands(Instant::now() + Duration::from_millis(500))
            .await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(found.installed[0].version.as_deref(), Some("131.0.6778.85"));
        assert_eq!(found.installed[1].version, None);
        assert!(found.unavailable["/opt/slow"].contains("did not answer in time"));
        assert!(found.unavailable["/opt/silent"].contains("printed no version"));
        assert!(found.unavailable["/opt/silent"].contains('3'));
    }

    #[tokio::test]
    async fn missing_binary_is_a_reason() {
        let scan = Scan {
            found: BrowserMeasurements {
                installed: vec![BrowserInfo {
                    name: "edge".to_owned(),
                    version: None,
                    source: "system".to_owned(),
                    location: Some("/opt/microsoft/msedge".to_owned()),
                }],
                unavailable: BTreeMap::new(),
            },
            pending: vec![VersionCommand {
                index: 0,
                binary: PathBuf::from("/nonexistent/msedge"),
            }],
        };
        let found = scan
            .run_version_commands(Instant::now() + Duration::from_secs(5))
            .await;
        assert!(found.unavailable["/opt/microsoft/msedge"].contains("could not be started"));
    }

    #[tokio::test]
    async fn detect_with_a_tiny_deadline_returns_promptly() {
        let started = std::time::Instant::now();
        let found = detect(Duration::from_millis(1)).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        if let Some(reason) = found.unavailable.get("scan") {
            assert!(reason.contains("did not finish within 1 ms"), "{reason}");
        }
    }

    #[tokio::test]
    async fn detect_on_this_machine_finishes_within_its_deadline() {
        let started = std::time::Instant::now();
        let found = detect(Duration::from_secs(10)).await;
        assert!(started.elapsed() < Duration::from_secs(11));
        for browser in &found.installed {
            let location = browser.location.as_deref().unwrap_or_default();
            if let Some(home) = std::env::var_os("HOME").filter(|h| h.len() > 1) {
                assert!(!location.starts_with(home.to_str().unwrap()), "{location}");
            }
        }
    }
}
