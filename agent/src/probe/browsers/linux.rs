//! The browsers of a Linux system: installations in a directory of their own (version from
//! Firefox's `application.ini` or dpkg's status database), snaps (`snap.yaml`) and Flatpaks
//! (`application.ini` or their AppStream metainfo), system-wide and in the user's home.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::{Place, Scan, VersionCommand, exists, is_absent, read_optional};
use crate::probe::non_blank;

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
            return non_blank(Some(value));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::browsers::{fixtures, version_and_location, version_of};

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

        assert_eq!(
            version_and_location(found, "firefox", "system"),
            (Some("128.5.0esr"), Some("/usr/lib/firefox-esr"))
        );

        assert_eq!(
            version_and_location(found, "firefox", "snap"),
            (Some("133.0-1"), Some("/snap/firefox"))
        );

        assert_eq!(
            version_and_location(found, "chromium", "flatpak"),
            (
                Some("131.0.6778.85"),
                Some("/var/lib/flatpak/app/org.chromium.Chromium")
            )
        );

        // Chrome keeps no version file: dpkg's database tells.
        assert_eq!(
            version_and_location(found, "chrome", "system"),
            (Some("131.0.6778.85"), Some("/opt/google/chrome"))
        );

        // Edge is neither in dpkg nor readable otherwise: its binary is left to run.
        assert_eq!(version_of(found, "edge", "system"), None);
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
        assert_eq!(
            version_and_location(found, "firefox", "user"),
            (Some("133.0.3"), Some("~/firefox"))
        );

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
}
