//! Installed web browsers and their versions.
//!
//! Versions are read from files or registry values wherever the installation keeps one:
//! `application.ini`, `snap.yaml`, Flatpak metainfo, dpkg's status database, `Info.plist`,
//! the updaters' registry keys. Only when nothing else tells (a Chrome-family browser unpacked
//! by hand, say) is the browser run with `--version`, under a timeout, and never from a user's
//! home directory: the agent may run as root. Each scanner takes its root directory (or a
//! [`Registry`]) as a parameter, so that tests run it on fixture trees on any platform.
//!
//! Locations under the user's home are written `~/...`, so that reports carry no user name.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use readiness::measurements::{BrowserInfo, BrowserMeasurements};
use tokio::process::Command;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

use super::os::plist_strings;
use crate::platform::{Hive, Registry};

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
        scan_linux(Path::new("/"), home.as_deref())
    }
    #[cfg(windows)]
    {
        Scan::done(scan_windows_registry(
            &crate::platform::windows::WindowsRegistry,
        ))
    }
    #[cfg(target_os = "macos")]
    {
        let home = crate::platform::macos::user_home();
        Scan::done(scan_macos(Path::new("/"), home.as_deref()))
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
// Places on disk

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
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
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

// ---------------------------------------------------------------------------------------------
// Linux

/// A browser installed in a directory of its own, with its binary and maybe a version file.
#[derive(Debug)]
struct DirInstall {
    name: &'static str,
    dir: &'static str,
    binary: &'static str,
    /// Debian packages that install this directory, for their version in dpkg's database.
    /// Empty for Brave, whose package version (1.73.89) is not the browser's (131.1.73.89).
    dpkg: &'static [&'static str],
}

const fn install(
    name: &'static str,
    dir: &'static str,
    binary: &'static str,
    dpkg: &'static [&'static str],
) -> DirInstall {
    DirInstall {
        name,
        dir,
        binary,
        dpkg,
    }
}

/// System-wide installations in a directory of their own. Firefox keeps its version in
/// `application.ini`; the Chrome family keeps none, hence dpkg or `--version`.
const SYSTEM_INSTALLS: &[DirInstall] = &[
    install("firefox", "/usr/lib/firefox", "firefox", &[]),
    install("firefox", "/usr/lib/firefox-esr", "firefox-esr", &[]),
    install("firefox", "/usr/lib64/firefox", "firefox", &[]),
    install("firefox", "/usr/lib64/firefox-esr", "firefox-esr", &[]),
    install("firefox", "/opt/firefox", "firefox", &[]),
    install("firefox", "/opt/firefox-esr", "firefox", &[]),
    install(
        "chrome",
        "/opt/google/chrome",
        "chrome",
        &["google-chrome-stable"],
    ),
    install(
        "edge",
        "/opt/microsoft/msedge",
        "msedge",
        &["microsoft-edge-stable"],
    ),
    install("chromium", "/usr/lib/chromium", "chromium", &["chromium"]),
    install(
        "chromium",
        "/usr/lib/chromium-browser",
        "chromium-browser",
        &["chromium-browser"],
    ),
    install(
        "chromium",
        "/usr/lib64/chromium-browser",
        "chromium-browser",
        &[],
    ),
    install("brave", "/opt/brave.com/brave", "brave", &[]),
    install("vivaldi", "/opt/vivaldi", "vivaldi", &["vivaldi-stable"]),
    install(
        "opera",
        "/usr/lib/x86_64-linux-gnu/opera",
        "opera",
        &["opera-stable"],
    ),
];

/// Firefox unpacked by a user in their home (from Mozilla's tarball).
const USER_FIREFOX_DIRS: &[&str] = &["firefox", ".local/firefox", ".local/opt/firefox"];

/// Snap name -> browser.
const SNAPS: &[(&str, &str)] = &[
    ("firefox", "firefox"),
    ("chromium", "chromium"),
    ("brave", "brave"),
    ("opera", "opera"),
    ("vivaldi", "vivaldi"),
];

/// Flatpak application id -> browser.
const FLATPAKS: &[(&str, &str)] = &[
    ("org.mozilla.firefox", "firefox"),
    ("com.google.Chrome", "chrome"),
    ("org.chromium.Chromium", "chromium"),
    ("com.microsoft.Edge", "edge"),
    ("com.brave.Browser", "brave"),
    ("com.opera.Opera", "opera"),
    ("com.vivaldi.Vivaldi", "vivaldi"),
];

/// Scan a Linux system rooted at `root` (`/` on the live system, a fixture tree in tests) and
/// the per-user installations under `home`. Binaries to run for their version are left
/// pending in the returned [`Scan`].
#[cfg_attr(
    not(target_os = "linux"),
    allow(dead_code, reason = "used on Linux; compiled everywhere for its tests")
)]
pub fn scan_linux(root: &Path, home: Option<&Path>) -> Scan {
    let mut scanner = LinuxScanner {
        root,
        scan: Scan::default(),
        seen: HashSet::new(),
        dpkg: None,
    };
    for install in SYSTEM_INSTALLS {
        scanner.dir_install(install, Place::system(root, install.dir), "system");
    }
    if let Some(home) = home {
        for dir in USER_FIREFOX_DIRS {
            let firefox = install("firefox", dir, "firefox", &[]);
            scanner.dir_install(&firefox, Place::in_home(home, dir), "user");
        }
    }
    for (snap, name) in SNAPS {
        scanner.snap(snap, name);
    }
    scanner.flatpaks(Place::system(root, "/var/lib/flatpak/app"));
    if let Some(home) = home {
        scanner.flatpaks(Place::in_home(home, ".local/share/flatpak/app"));
    }
    scanner.scan
}

#[derive(Debug)]
struct LinuxScanner<'a> {
    root: &'a Path,
    scan: Scan,
    /// Install directories already reported, canonicalised: `/usr/lib64` may be a link to
    /// `/usr/lib`.
    seen: HashSet<PathBuf>,
    /// dpkg's installed packages -> upstream version, read on first need.
    dpkg: Option<BTreeMap<String, String>>,
}

impl LinuxScanner<'_> {
    /// A browser in a directory of its own: installed when its binary or, for Firefox, its
    /// `application.ini` is there (a directory alone may be a leftover, e.g. of policies).
    fn dir_install(&mut self, install: &DirInstall, dir: Place, source: &str) {
        match exists(&dir.fs) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                self.scan.unavailable(&dir.shown, e);
                return;
            }
        }
        let canonical = fs::canonicalize(&dir.fs).unwrap_or_else(|_| dir.fs.clone());
        if self.seen.contains(&canonical) {
            return;
        }
        let binary = dir.join(install.binary);
        let has_binary = fs::metadata(&binary.fs).is_ok_and(|m| m.is_file());
        let ini = dir.join("application.ini");
        let ini_text = if install.name == "firefox" {
            match read_optional(&ini.fs) {
                Ok(text) => text,
                Err(e) => {
                    self.scan.unavailable(&ini.shown, e);
                    None
                }
            }
        } else {
            None
        };
        if !has_binary && ini_text.is_none() {
            return;
        }
        self.seen.insert(canonical);
        let version = ini_text
            .as_deref()
            .and_then(application_ini_version)
            .or_else(|| self.dpkg_version(install.dpkg));
        let index = self.scan.found.installed.len();
        self.scan
            .push(install.name, version.clone(), source, dir.shown);
        // Never run a binary from a user's home: the agent may be running as root.
        if version.is_none() && has_binary && source == "system" {
            self.scan.pending.push(VersionCommand {
                index,
                binary: binary.fs,
            });
        }
    }

    fn dpkg_version(&mut self, packages: &[&str]) -> Option<String> {
        if packages.is_empty() {
            return None;
        }
        let root = self.root;
        let installed = self.dpkg.get_or_insert_with(|| {
            let status = fs::read(root.join("var/lib/dpkg/status")).unwrap_or_default();
            dpkg_installed_versions(&String::from_utf8_lossy(&status))
        });
        packages.iter().find_map(|p| installed.get(*p).cloned())
    }

    fn snap(&mut self, snap: &str, name: &str) {
        let dir = Place::system(self.root, &format!("/snap/{snap}"));
        let yaml = dir.join("current/meta/snap.yaml");
        match read_optional(&yaml.fs) {
            Ok(Some(text)) => {
                let version = snap_yaml_version(&text);
                self.scan.push(name, version, "snap", dir.shown);
            }
            Ok(None) => {}
            Err(e) => self.scan.unavailable(&yaml.shown, e),
        }
    }

    /// The browsers of a Flatpak installation's `app` directory: those whose
    /// `current/active/metadata` is deployed.
    fn flatpaks(&mut self, apps: Place) {
        let entries = match fs::read_dir(&apps.fs) {
            Ok(entries) => entries,
            Err(e) if is_absent(&e) => return,
            Err(e) => {
                self.scan.unavailable(&apps.shown, e.to_string());
                return;
            }
        };
        let app_ids: HashSet<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        for (app_id, name) in FLATPAKS {
            if !app_ids.contains(*app_id) {
                continue;
            }
            let app = apps.join(app_id);
            let active = app.join("current/active");
            match exists(&active.join("metadata").fs) {
                Ok(true) => {
                    let version = flatpak_version(&active, app_id);
                    self.scan.push(name, version, "flatpak", app.shown);
                }
                Ok(false) => {}
                Err(e) => self.scan.unavailable(&app.shown, e),
            }
        }
    }
}

/// The version of a Flatpak application from its deployed files: Firefox's `application.ini`,
/// else the newest release of its AppStream metainfo (Flathub requires one).
fn flatpak_version(active: &Place, app_id: &str) -> Option<String> {
    let read = |relative: &str| read_optional(&active.join(relative).fs).ok().flatten();
    read("files/lib/firefox/application.ini")
        .as_deref()
        .and_then(application_ini_version)
        .or_else(|| {
            [
                format!("files/share/metainfo/{app_id}.metainfo.xml"),
                format!("files/share/metainfo/{app_id}.appdata.xml"),
                format!("files/share/appdata/{app_id}.appdata.xml"),
            ]
            .iter()
            .find_map(|file| read(file).as_deref().and_then(metainfo_latest_release))
        })
}

/// `Version=` of the `[App]` section of a Mozilla `application.ini`.
pub fn application_ini_version(text: &str) -> Option<String> {
    let mut in_app = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_app = line == "[App]";
        } else if in_app
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "Version"
        {
            return Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        }
    }
    None
}

/// The top-level `version:` of a snap's `meta/snap.yaml`.
pub fn snap_yaml_version(text: &str) -> Option<String> {
    text.lines()
        .find_map(|line| line.strip_prefix("version:"))
        .map(|value| value.trim().trim_matches(['\'', '"']).to_owned())
        .filter(|v| !v.is_empty())
}

/// The newest `<release version="...">` of an AppStream metainfo file.
pub fn metainfo_latest_release(xml: &str) -> Option<String> {
    let mut newest: Option<String> = None;
    let mut rest = xml;
    while let Some(start) = rest.find("<release") {
        rest = &rest[start + "<release".len()..];
        // Skip <releases> and other elements that merely start with the same letters.
        if !rest.starts_with(|c: char| c.is_whitespace()) {
            continue;
        }
        let tag = rest.split_once('>').map_or(rest, |(tag, _)| tag);
        if let Some(version) = xml_attribute(tag, "version")
            && newest
                .as_deref()
                .is_none_or(|n| version_key(&version) > version_key(n))
        {
            newest = Some(version);
        }
    }
    newest
}

/// The value of attribute `name` in the inside of an XML start tag.
fn xml_attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let preceded_by_space = rest[..at].ends_with(|c: char| c.is_whitespace()) || at == 0;
        rest = &rest[at + name.len()..];
        let after_eq = rest.trim_start().strip_prefix('=').map(str::trim_start);
        if let (true, Some(value)) = (preceded_by_space, after_eq) {
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let value = &value[1..];
            let end = value.find(quote)?;
            return Some(xml_unescape(&value[..end]));
        }
    }
    None
}

/// Decode `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and `&#NN;` / `&#xNN;`.
fn xml_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let code = if let Some(hex) = entity.strip_prefix("#x") {
                        u32::from_str_radix(hex, 16).ok()?
                    } else {
                        entity.strip_prefix('#')?.parse().ok()?
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A version's numeric components, for ordering ("131.0.2" < "131.0.10").
fn version_key(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap_or(u64::MAX))
        .collect()
}

/// Installed packages of dpkg's `status` database -> their upstream version (without epoch
/// nor Debian revision: "1:120.0.6099.224-1~deb12u1" gives "120.0.6099.224").
pub fn dpkg_installed_versions(status: &str) -> BTreeMap<String, String> {
    let mut versions = BTreeMap::new();
    for paragraph in status.split("\n\n") {
        let (mut package, mut installed, mut version) = (None, false, None);
        for line in paragraph.lines() {
            if let Some(value) = line.strip_prefix("Package:") {
                package = Some(value.trim());
            } else if let Some(value) = line.strip_prefix("Status:") {
                installed = value.split_whitespace().last() == Some("installed");
            } else if let Some(value) = line.strip_prefix("Version:") {
                version = Some(value.trim());
            }
        }
        if let (Some(package), true, Some(version)) = (package, installed, version) {
            let upstream = version.split_once(':').map_or(version, |(_, v)| v);
            let upstream = upstream.rsplit_once('-').map_or(upstream, |(v, _)| v);
            versions.insert(package.to_owned(), upstream.to_owned());
        }
    }
    versions
}

// ---------------------------------------------------------------------------------------------
// Windows

/// A registry value that gives a browser's version.
#[derive(Debug)]
struct RegistryInstall {
    name: &'static str,
    /// Key under `SOFTWARE` (and `SOFTWARE\WOW6432Node` in `HKLM`).
    key: &'static str,
    /// Values to try in order.
    values: &'static [&'static str],
    parse: fn(&str) -> Option<String>,
}

fn plain_version(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

const REGISTRY_INSTALLS: &[RegistryInstall] = &[
    RegistryInstall {
        name: "edge",
        key: r"Microsoft\EdgeUpdate\Clients\{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}",
        values: &["pv"],
        parse: plain_version,
    },
    RegistryInstall {
        name: "chrome",
        key: r"Google\Update\Clients\{8A69D345-D564-463c-AFF1-A69D9E530F96}",
        values: &["pv"],
        parse: plain_version,
    },
    RegistryInstall {
        name: "brave",
        key: r"BraveSoftware\Update\Clients\{AFE6A462-C574-4B8A-AF43-4CC60DF4563B}",
        values: &["pv"],
        parse: plain_version,
    },
    RegistryInstall {
        name: "firefox",
        key: r"Mozilla\Mozilla Firefox",
        values: &["CurrentVersion"],
        parse: firefox_registry_version,
    },
    RegistryInstall {
        name: "firefox",
        key: r"Mozilla\Mozilla Firefox ESR",
        values: &["CurrentVersion"],
        parse: firefox_registry_version,
    },
    RegistryInstall {
        name: "vivaldi",
        key: r"Microsoft\Windows\CurrentVersion\Uninstall\Vivaldi",
        values: &["DisplayVersion"],
        parse: plain_version,
    },
    // `Version` of IE 10 and 11 reads "9.11..."; the real one is in `svcVersion`.
    RegistryInstall {
        name: "internet_explorer",
        key: r"Microsoft\Internet Explorer",
        values: &["svcVersion", "Version"],
        parse: plain_version,
    },
];

/// The browsers recorded in the registry, machine-wide (`HKLM`, both registry views), for
/// the current user (`HKCU`) and for the other users logged on (`HKEY_USERS`: the scheduled
/// audit runs as SYSTEM, whose `HKCU` holds no pupil's installation). A user's browser is
/// reported once even when seen in both `HKCU` and `HKEY_USERS`; its location is written
/// `HKU\*\...`, never with the user's SID. Keys that exist but cannot be read are listed in
/// `unavailable`.
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn scan_windows_registry(registry: &dyn Registry) -> BrowserMeasurements {
    let mut found = BrowserMeasurements::default();
    // (hive, key prefix, source, how the location is shown)
    let mut hives = vec![
        (Hive::LocalMachine, String::new(), "registry_hklm", "HKLM"),
        (Hive::CurrentUser, String::new(), "registry_hkcu", "HKCU"),
    ];
    for sid in crate::platform::logged_on_users(registry) {
        hives.push((Hive::Users, format!(r"{sid}\"), "registry_hku", r"HKU\*"));
    }
    for (hive, prefix, source, shown) in hives {
        for install in REGISTRY_INSTALLS {
            if install.name == "internet_explorer" && hive != Hive::LocalMachine {
                continue;
            }
            let views: &[&str] = match hive {
                Hive::LocalMachine => &["SOFTWARE", r"SOFTWARE\WOW6432Node"],
                // A user's SOFTWARE is shared by both views.
                Hive::CurrentUser | Hive::Users => &["SOFTWARE"],
            };
            for view in views {
                let key = format!(r"{view}\{}", install.key);
                let location = format!(r"{shown}\{key}");
                let raw = install.values.iter().find_map(|value| {
                    match registry.value(hive, &format!("{prefix}{key}"), value) {
                        Ok(None) => None,
                        other => Some(other),
                    }
                });
                let version = match raw {
                    None => continue,
                    Some(Err(e)) => {
                        found.unavailable.insert(location, e);
                        continue;
                    }
                    Some(Ok(raw)) => raw.as_deref().and_then(install.parse),
                };
                // The same installation seen through both views, or a user's seen through
                // HKCU and HKEY_USERS, is reported once.
                let duplicate = found.installed.iter().any(|b| {
                    b.name == install.name
                        && b.version == version
                        && (b.source == source
                            || (source == "registry_hku" && b.source == "registry_hkcu"))
                });
                if !duplicate {
                    found.installed.push(BrowserInfo {
                        name: install.name.to_owned(),
                        version,
                        source: source.to_owned(),
                        location: Some(location),
                    });
                }
            }
        }
    }
    found
}

/// The version in Firefox's `CurrentVersion` registry value: "128.0 (x64 fr)" gives "128.0",
/// "115.6.0 ESR (x64 en-US)" gives "115.6.0esr", as Firefox itself writes ESR versions.
pub fn firefox_registry_version(current_version: &str) -> Option<String> {
    let mut words = current_version.split_whitespace();
    let version = words
        .next()
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))?;
    Some(if words.next() == Some("ESR") {
        format!("{version}esr")
    } else {
        version.to_owned()
    })
}

// ---------------------------------------------------------------------------------------------
// macOS

/// Application bundle -> browser.
const MAC_APPS: &[(&str, &str)] = &[
    ("Safari.app", "safari"),
    ("Firefox.app", "firefox"),
    ("Google Chrome.app", "chrome"),
    ("Microsoft Edge.app", "edge"),
    ("Chromium.app", "chromium"),
    ("Brave Browser.app", "brave"),
    ("Opera.app", "opera"),
    ("Vivaldi.app", "vivaldi"),
];

/// The browsers in `/Applications` under `root` and in `~/Applications`, versions from their
/// `Contents/Info.plist` (`CFBundleShortVersionString`).
#[cfg_attr(
    not(target_os = "macos"),
    allow(dead_code, reason = "used on macOS; compiled everywhere for its tests")
)]
pub fn scan_macos(root: &Path, home: Option<&Path>) -> BrowserMeasurements {
    let mut found = BrowserMeasurements::default();
    let folders = [
        Some(Place::system(root, "/Applications")),
        home.map(|h| Place::in_home(h, "Applications")),
    ];
    for folder in folders.into_iter().flatten() {
        for (bundle, name) in MAC_APPS {
            let app = folder.join(bundle);
            let plist = app.join("Contents/Info.plist");
            let bytes = match fs::read(&plist.fs) {
                Ok(bytes) => bytes,
                Err(e) if is_absent(&e) => continue,
                Err(e) => {
                    found.unavailable.insert(plist.shown, e.to_string());
                    continue;
                }
            };
            let version = match plist_strings(&bytes) {
                Ok(strings) => strings.get("CFBundleShortVersionString").cloned(),
                Err(e) => {
                    found.unavailable.insert(plist.shown, e);
                    None
                }
            };
            found.installed.push(BrowserInfo {
                name: (*name).to_owned(),
                version,
                source: "app_bundle".to_owned(),
                location: Some(app.shown),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::FakeRegistry;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/browsers")
    }

    fn find<'a>(found: &'a BrowserMeasurements, name: &str, source: &str) -> &'a BrowserInfo {
        found
            .installed
            .iter()
            .find(|b| b.name == name && b.source == source)
            .unwrap_or_else(|| panic!("no {name} from {source} in {found:#?}"))
    }

    #[test]
    fn version_output_parsing() {
        let parse = parse_version_output;
        assert_eq!(
            parse("Google Chrome 131.0.6778.85 \n").as_deref(),
            Some("131.0.6778.85")
        );
        assert_eq!(
            parse("Chromium 120.0.6099.224 built on Debian 12.4, running on Debian 12.4")
                .as_deref(),
            Some("120.0.6099.224")
        );
        assert_eq!(
            parse("Microsoft Edge 131.0.2903.70").as_deref(),
            Some("131.0.2903.70")
        );
        assert_eq!(
            parse("Mozilla Firefox 128.5.0esr").as_deref(),
            Some("128.5.0esr")
        );
        assert_eq!(
            parse("Brave Browser 131.1.73.89").as_deref(),
            Some("131.1.73.89")
        );
        assert_eq!(
            parse("Vivaldi 7.0.3495.18 stable").as_deref(),
            Some("7.0.3495.18")
        );
        assert_eq!(parse("114.0.5282.102").as_deref(), Some("114.0.5282.102"));
        assert_eq!(parse("Google Chrome for Testing"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn version_file_parsing() {
        let ini = "[App]\nVendor=Mozilla\nName=Firefox\nVersion=128.5.0esr\nBuildID=20241118\n\
                   [Gecko]\nVersion=128.5.0\n";
        assert_eq!(application_ini_version(ini).as_deref(), Some("128.5.0esr"));
        assert_eq!(application_ini_version("[Gecko]\nVersion=1\n"), None);
        assert_eq!(
            snap_yaml_version("name: firefox\nversion: '133.0-1'\nsummary: x\n").as_deref(),
            Some("133.0-1")
        );
        assert_eq!(snap_yaml_version("name: x\n  version: 1\n"), None);
        let metainfo = r#"<component><releases>
            <release version="131.0.6778.69" date="2024-10-08"/>
            <release date="2024-11-12" version="131.0.6778.85"><description/></release>
            <release version='130.0.6723.116'/>
            </releases></component>"#;
        assert_eq!(
            metainfo_latest_release(metainfo).as_deref(),
            Some("131.0.6778.85")
        );
        assert_eq!(metainfo_latest_release("<releases></releases>"), None);
        assert!(version_key("131.0.10") > version_key("131.0.9"));
    }

    #[test]
    fn xml_unescape_leaves_unknown_entities() {
        assert_eq!(
            xml_unescape("a &foo; &amp b &lt;c&gt;"),
            "a &foo; &amp b <c>"
        );
    }

    #[test]
    fn dpkg_status_parsing() {
        let status = "Package: chromium\nStatus: install ok installed\nVersion: 120.0.6099.224-1~deb12u1\n\n\
                      Package: google-chrome-stable\nStatus: install ok installed\nArchitecture: amd64\n\
                      Version: 131.0.6778.85-1\n\n\
                      Package: opera-stable\nStatus: deinstall ok config-files\nVersion: 114.0.5282.102\n\n\
                      Package: epoch\nStatus: install ok installed\nVersion: 1:2.0\n";
        let versions = dpkg_installed_versions(status);
        assert_eq!(versions["chromium"], "120.0.6099.224");
        assert_eq!(versions["google-chrome-stable"], "131.0.6778.85");
        assert_eq!(versions["epoch"], "2.0");
        assert!(!versions.contains_key("opera-stable"));
    }

    #[test]
    fn linux_fixture_tree() {
        let home = fixtures().join("linux-home");
        let scan = scan_linux(&fixtures().join("linux-root"), Some(&home));
        let found = &scan.found;

        let esr = find(found, "firefox", "system");
        assert_eq!(esr.version.as_deref(), Some("128.5.0esr"));
        assert_eq!(esr.location.as_deref(), Some("/usr/lib/firefox-esr"));

        let snap = find(found, "firefox", "snap");
        assert_eq!(snap.version.as_deref(), Some("133.0-1"));
        assert_eq!(snap.location.as_deref(), Some("/snap/firefox"));

        let chromium = find(found, "chromium", "flatpak");
        assert_eq!(chromium.version.as_deref(), Some("131.0.6778.85"));
        assert_eq!(
            chromium.location.as_deref(),
            Some("/var/lib/flatpak/app/org.chromium.Chromium")
        );

        // Chrome keeps no version file: dpkg's database tells.
        let chrome = find(found, "chrome", "system");
        assert_eq!(chrome.version.as_deref(), Some("131.0.6778.85"));
        assert_eq!(chrome.location.as_deref(), Some("/opt/google/chrome"));

        // Edge is neither in dpkg nor readable otherwise: its binary is left to run.
        let edge = find(found, "edge", "system");
        assert_eq!(edge.version, None);
        assert_eq!(scan.pending.len(), 1);
        assert!(
            scan.pending[0]
                .binary
                .ends_with("opt/microsoft/msedge/msedge")
        );

        // A per-user Flatpak, and a per-user tarball Firefox, are shown under `~`.
        let user_flatpak = found
            .installed
            .iter()
            .find(|b| b.source == "flatpak" && b.name == "firefox")
            .unwrap();
        assert_eq!(user_flatpak.version.as_deref(), Some("132.0.2"));
        assert_eq!(
            user_flatpak.location.as_deref(),
            Some("~/.local/share/flatpak/app/org.mozilla.firefox")
        );
        let tarball = find(found, "firefox", "user");
        assert_eq!(tarball.location.as_deref(), Some("~/firefox"));
        assert_eq!(tarball.version.as_deref(), Some("133.0.3"));

        // /usr/lib/chromium holds only a leftover file: not an installation.
        assert!(
            !found
                .installed
                .iter()
                .any(|b| b.location.as_deref() == Some("/usr/lib/chromium"))
        );
        assert_eq!(found.installed.len(), 7, "{found:#?}");
        assert!(found.unavailable.is_empty(), "{:?}", found.unavailable);
        let json = serde_json::to_string(found).unwrap();
        assert!(!json.contains(home.to_str().unwrap()), "{json}");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_places_are_reported() {
        use std::os::unix::fs::PermissionsExt;
        // Root ignores permissions: then this only checks that nothing is made up.
        let tmp = tempfile::tempdir().unwrap();
        let apps = tmp.path().join(".local/share/flatpak/app");
        fs::create_dir_all(apps.join("org.mozilla.firefox")).unwrap();
        fs::set_permissions(&apps, fs::Permissions::from_mode(0o000)).unwrap();
        let readable = fs::read_dir(&apps).is_ok();
        let scan = scan_linux(Path::new("/nonexistent-root"), Some(tmp.path()));
        fs::set_permissions(&apps, fs::Permissions::from_mode(0o755)).unwrap();
        if !readable {
            assert_eq!(
                scan.found.unavailable.keys().collect::<Vec<_>>(),
                ["~/.local/share/flatpak/app"]
            );
        }
        assert!(scan.found.installed.is_empty());
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

    #[test]
    fn firefox_registry_values() {
        assert_eq!(
            firefox_registry_version("128.0 (x64 fr)").as_deref(),
            Some("128.0")
        );
        assert_eq!(
            firefox_registry_version("115.6.0 ESR (x64 en-US)").as_deref(),
            Some("115.6.0esr")
        );
        assert_eq!(
            firefox_registry_version("132.0.2").as_deref(),
            Some("132.0.2")
        );
        assert_eq!(firefox_registry_version(" "), None);
        assert_eq!(firefox_registry_version("(x64)"), None);
    }

    #[test]
    fn windows_registry_export() {
        let text = fs::read_to_string(fixtures().join("windows.reg")).unwrap();
        let found = scan_windows_registry(&FakeRegistry::from_reg_export(&text));

        let edge = find(&found, "edge", "registry_hklm");
        assert_eq!(edge.version.as_deref(), Some("131.0.2903.70"));
        assert_eq!(
            edge.location.as_deref(),
            Some(
                r"HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}"
            )
        );
        let chrome = find(&found, "chrome", "registry_hklm");
        assert_eq!(chrome.version.as_deref(), Some("131.0.6778.86"));
        let user_chrome = find(&found, "chrome", "registry_hkcu");
        assert_eq!(user_chrome.version.as_deref(), Some("130.0.6723.117"));
        assert_eq!(
            user_chrome.location.as_deref(),
            Some(r"HKCU\SOFTWARE\Google\Update\Clients\{8A69D345-D564-463c-AFF1-A69D9E530F96}")
        );
        let firefox = find(&found, "firefox", "registry_hklm");
        assert_eq!(firefox.version.as_deref(), Some("128.0"));
        assert_eq!(
            firefox.location.as_deref(),
            Some(r"HKLM\SOFTWARE\Mozilla\Mozilla Firefox")
        );
        let ie = find(&found, "internet_explorer", "registry_hklm");
        assert_eq!(ie.version.as_deref(), Some("11.1882.19041.0"));
        // Chrome is registered in both views with the same version: reported once.
        assert_eq!(found.installed.len(), 5, "{found:#?}");
        assert!(found.unavailable.is_empty());
    }

    #[test]
    fn logged_on_users_browsers_from_hkey_users() {
        // As SYSTEM (the scheduled task): HKCU is SYSTEM's; a pupil logged on has Chrome
        // installed for them, the teacher has the same Chrome as HKCU shows (run by hand).
        let reg = FakeRegistry::from_reg_export(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_USERS\\S-1-5-18\\SOFTWARE\\Google\\Update\\Clients\\{8A69D345-D564-463c-AFF1-A69D9E530F96}]\r\n\
             \"pv\"=\"99.0.1\"\r\n\
             [HKEY_USERS\\S-1-5-21-111-222-333-1001\\SOFTWARE\\Google\\Update\\Clients\\{8A69D345-D564-463c-AFF1-A69D9E530F96}]\r\n\
             \"pv\"=\"131.0.6778.86\"\r\n\
             [HKEY_USERS\\S-1-5-21-111-222-333-1001_Classes\\SOFTWARE\\Google\\Update\\Clients\\{8A69D345-D564-463c-AFF1-A69D9E530F96}]\r\n\
             \"pv\"=\"1.0\"\r\n\
             [HKEY_USERS\\S-1-5-21-111-222-333-1002\\SOFTWARE\\Mozilla\\Mozilla Firefox]\r\n\
             \"CurrentVersion\"=\"128.0 (x64 fr)\"\r\n\
             [HKEY_CURRENT_USER\\SOFTWARE\\Mozilla\\Mozilla Firefox]\r\n\
             \"CurrentVersion\"=\"128.0 (x64 fr)\"\r\n",
        );
        let found = scan_windows_registry(&reg);
        let chrome = find(&found, "chrome", "registry_hku");
        assert_eq!(chrome.version.as_deref(), Some("131.0.6778.86"));
        assert_eq!(
            chrome.location.as_deref(),
            Some(r"HKU\*\SOFTWARE\Google\Update\Clients\{8A69D345-D564-463c-AFF1-A69D9E530F96}")
        );
        // Firefox is the current user's, seen twice: once. Service accounts and _Classes
        // hives are not users.
        assert_eq!(
            find(&found, "firefox", "registry_hkcu").version.as_deref(),
            Some("128.0")
        );
        assert_eq!(found.installed.len(), 2, "{found:#?}");
        let json = serde_json::to_string(&found).unwrap();
        assert!(!json.contains("S-1-5-21"), "{json}");
    }

    #[test]
    fn unreadable_registry_keys_are_reported() {
        let key = r"SOFTWARE\Mozilla\Mozilla Firefox";
        let registry = FakeRegistry::default().deny(Hive::CurrentUser, key);
        let found = scan_windows_registry(&registry);
        assert!(found.installed.is_empty());
        assert!(found.unavailable[&format!(r"HKCU\{key}")].contains("denied"));
    }

    #[test]
    fn macos_fixture_tree() {
        let home = fixtures().join("macos-home");
        let found = scan_macos(&fixtures().join("macos-root"), Some(&home));
        let safari = find(&found, "safari", "app_bundle");
        assert_eq!(safari.version.as_deref(), Some("18.1"));
        assert_eq!(safari.location.as_deref(), Some("/Applications/Safari.app"));
        let firefox = find(&found, "firefox", "app_bundle");
        assert_eq!(firefox.version.as_deref(), Some("133.0.3"));
        let chrome = find(&found, "chrome", "app_bundle");
        assert_eq!(chrome.version.as_deref(), Some("131.0.6778.86"));
        assert_eq!(
            chrome.location.as_deref(),
            Some("~/Applications/Google Chrome.app")
        );
        // Edge's Info.plist is a binary one, only readable on macOS; elsewhere the browser is
        // still reported, with the reason its version is missing.
        let edge = find(&found, "edge", "app_bundle");
        if cfg!(target_os = "macos") {
            assert_eq!(edge.version.as_deref(), Some("131.0.2903.70"));
        } else {
            assert_eq!(edge.version, None);
            let reason = &found.unavailable["/Applications/Microsoft Edge.app/Contents/Info.plist"];
            assert!(reason.contains("binary"), "{reason}");
        }
        assert_eq!(found.installed.len(), 4);
    }
}
