//! The browsers of a macOS system: application bundles in `/Applications` and
//! `~/Applications`, versions from their `Info.plist`.

use std::path::Path;

use readiness::measurements::{BrowserInfo, BrowserMeasurements};

use super::{Place, read_bytes_optional};
use crate::probe::os::plist_strings;

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
            let bytes = match read_bytes_optional(&plist.fs) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(e) => {
                    found.unavailable.insert(plist.shown, e);
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
    use crate::probe::browsers::{find, fixtures, version_and_location, version_of};

    #[test]
    fn macos_fixture_tree() {
        let home = fixtures().join("macos-home");
        let found = scan_macos(&fixtures().join("macos-root"), Some(&home));
        assert_eq!(
            version_and_location(&found, "safari", "app_bundle"),
            (Some("18.1"), Some("/Applications/Safari.app"))
        );
        assert_eq!(version_of(&found, "firefox", "app_bundle"), Some("133.0.3"));
        assert_eq!(
            version_and_location(&found, "chrome", "app_bundle"),
            (
                Some("131.0.6778.86"),
                Some("~/Applications/Google Chrome.app")
            )
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
