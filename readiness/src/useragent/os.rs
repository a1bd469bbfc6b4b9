//! The operating system and the form factor: which system the User-Agent's platform part or
//! the client hints name, its version where the browser shows it (with the reason where it
//! hides it), and the Windows names.

use std::collections::BTreeMap;

use super::browser::{browser_key_ios, chromium_version};
use super::hints::hint;
use super::scan::{has_product, major, trim_zeros, version_at};
use super::{ClientHints, FormFactor};
use crate::lifecycle::WINDOWS10_FROM_BROWSER;
use crate::measurements::{OsFamily, OsInfo};

/// The most `;`-separated tokens of the User-Agent's platform part read.
const MAX_PLATFORM_TOKENS: usize = 16;

/// The tokens of the User-Agent's first parenthesis ("Linux; Android 10; K").
pub(super) fn platform_tokens(ua: &str) -> Vec<&str> {
    let Some(open) = ua.find('(') else {
        return Vec::new();
    };
    let rest = &ua[open + 1..];
    let inside = rest.find(')').map_or(rest, |close| &rest[..close]);
    inside
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(MAX_PLATFORM_TOKENS)
        .collect()
}

/// The iOS version of a platform token "CPU iPhone OS 18_6 like Mac OS X" / "CPU OS 17_0 ...".
fn ios_token_version(tokens: &[&str]) -> Option<String> {
    tokens.iter().find_map(|t| {
        let cpu = t.strip_prefix("CPU ")?;
        cpu.match_indices("OS ")
            .find_map(|(at, _)| version_at(&cpu[at + 3..]))
    })
}

/// The iOS versions Safari's User-Agent freezes the system at from iOS 26 on.
const IOS_FROZEN: &[&str] = &["18.6", "18.6.0", "18.7", "18.7.0"];

/// Which system the User-Agent's platform part or the client hints name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Platform {
    Iphone,
    Ipad,
    Mac,
    Android,
    ChromeOs,
    Windows,
    Linux,
    Unknown,
}

impl Platform {
    /// iOS or iPadOS: every browser is WebKit, of the system's version.
    pub(super) fn is_apple_mobile(self) -> bool {
        matches!(self, Platform::Iphone | Platform::Ipad)
    }
}

/// The system the client hints name, else the User-Agent's platform part.
pub(super) fn platform(tokens: &[&str], touch_points: u32, h: &ClientHints) -> Platform {
    let hinted = hint(h.platform.as_ref()).map(platform_from_hint);
    let ua_platform = platform_from_ua(tokens, touch_points);
    // Trust the hints where they name a system, except the User-Agent's iPad (no Chromium
    // browser on iPadOS sends hints; a touch Mac does not exist).
    match hinted {
        Some(p) if p != Platform::Unknown && ua_platform != Platform::Ipad => p,
        _ => ua_platform,
    }
}

fn platform_from_hint(h: &str) -> Platform {
    match h.to_ascii_lowercase().as_str() {
        "windows" => Platform::Windows,
        "macos" => Platform::Mac,
        "android" => Platform::Android,
        "chrome os" | "chromeos" | "chromium os" => Platform::ChromeOs,
        "linux" => Platform::Linux,
        "ios" => Platform::Iphone,
        _ => Platform::Unknown,
    }
}

fn platform_from_ua(tokens: &[&str], touch_points: u32) -> Platform {
    let has = |p: &str| tokens.iter().any(|t| t.starts_with(p));
    if has("iPhone") || has("iPod") {
        Platform::Iphone
    } else if has("iPad") {
        Platform::Ipad
    } else if has("Macintosh") {
        // iPadOS Safari (and its other browsers) ask for the desktop site as a Mac.
        if touch_points > 1 {
            Platform::Ipad
        } else {
            Platform::Mac
        }
    } else if has("Android") || tokens.iter().any(|t| t.contains("Android")) {
        Platform::Android
    } else if has("CrOS") || tokens.iter().any(|t| t.contains("CrOS")) {
        Platform::ChromeOs
    } else if has("Windows NT") {
        Platform::Windows
    } else if has("X11") || has("Linux") || has("Ubuntu") || has("Fedora") {
        Platform::Linux
    } else {
        Platform::Unknown
    }
}

/// The operating system of `platform`, with what could not be told noted in `unknown`; and,
/// on iOS when the User-Agent froze the version, the lower bound of the system's WebKit.
pub(super) fn system(
    platform: Platform,
    ua: &str,
    tokens: &[&str],
    h: &ClientHints,
    platform_version: Option<&str>,
    safari_version: Option<&str>,
    unknown: &mut BTreeMap<String, String>,
) -> (OsInfo, Option<String>) {
    let mut note = |field: &str, reason: &str| {
        unknown.insert(field.to_owned(), reason.to_owned());
    };
    let mut ios_lower_bound = None;
    let (family, id, name, version, build) = match platform {
        Platform::Iphone | Platform::Ipad => {
            let (family, id, name) = if platform == Platform::Ipad {
                (OsFamily::Ipados, "ipados", "iPadOS")
            } else {
                (OsFamily::Ios, "ios", "iOS")
            };
            let is_safari = has_product(ua, "Safari/") && browser_key_ios(ua).is_none();
            let token = ios_token_version(tokens);
            // Safari's version is the system's; the token is more precise where not frozen
            // (iOS 12.5.7 ships Safari 12.1.2), the higher major wins (iOS 26: 18.6 vs 26.0).
            let version = match (
                is_safari
                    .then_some(safari_version)
                    .flatten()
                    .map(str::to_owned),
                token,
            ) {
                (Some(v), Some(t)) if major(&t) >= major(&v) => Some(t),
                (Some(v), _) => Some(v),
                (None, Some(t)) if IOS_FROZEN.contains(&t.as_str()) => {
                    ios_lower_bound = Some("18.6".to_owned());
                    note(
                        "os.version",
                        "iOS 26 and later show 18.6 or 18.7 in the User-Agent of browsers \
                         other than Safari: the version is 18.6 or later",
                    );
                    None
                }
                (None, Some(t)) => Some(t),
                (None, None) => {
                    note("os.version", "no system version in the User-Agent");
                    None
                }
            };
            (family, id, name.to_owned(), version, None)
        }
        Platform::Mac => {
            if platform_version.is_none() {
                note(
                    "os.version",
                    "browsers on macOS show 10.15.7 whatever the version; only Chromium \
                     browsers tell it (client hints)",
                );
            }
            (
                OsFamily::Macos,
                "macos",
                "macOS".to_owned(),
                platform_version.map(str::to_owned),
                None,
            )
        }
        Platform::Android => {
            let at = tokens.iter().position(|t| t.starts_with("Android"));
            let token = at.and_then(|i| {
                let v = tokens[i].trim_start_matches("Android").trim();
                version_at(v)
            });
            let reduced = at
                .and_then(|i| tokens.get(i + 1))
                .is_some_and(|next| *next == "K");
            let version = match (platform_version, token) {
                (Some(v), _) => Some(v.to_owned()),
                (None, Some(_)) if reduced => {
                    note(
                        "os.version",
                        "the reduced User-Agent says Android 10 whatever the version, and the \
                         browser sent no client hints",
                    );
                    None
                }
                (None, Some(t)) => Some(t),
                (None, None) => {
                    note("os.version", "no Android version in the User-Agent");
                    None
                }
            };
            let version = version.map(|v| trim_zeros(&v));
            (
                OsFamily::Android,
                "android",
                "Android".to_owned(),
                version,
                None,
            )
        }
        Platform::ChromeOs => {
            let milestone = chromium_version(ua, h).and_then(|v| major(&v));
            if milestone.is_none() {
                note("os.version", "no Chrome milestone in the User-Agent");
            }
            (
                OsFamily::Chromeos,
                "chromeos",
                "ChromeOS".to_owned(),
                milestone.map(|m| m.to_string()),
                platform_version.map(str::to_owned),
            )
        }
        Platform::Windows => {
            let (name, build) = windows(tokens, platform_version);
            if build.is_none() {
                note(
                    "os.build",
                    "a browser does not show the Windows build (release), only whether it is \
                     Windows 10 or 11, and that only through Chromium's client hints",
                );
            }
            (OsFamily::Windows, "windows", name, None, build)
        }
        Platform::Linux => {
            note(
                "os.version",
                "a browser does not show the Linux distribution nor its release",
            );
            (
                OsFamily::Linux,
                "linux",
                "Linux (distribution not visible from a browser)".to_owned(),
                None,
                None,
            )
        }
        Platform::Unknown => {
            note("os.version", "the User-Agent names no known system");
            (OsFamily::Other, "unknown", "unknown".to_owned(), None, None)
        }
    };
    let mut os = OsInfo::new(family, id, name);
    os.version = version;
    os.build = build;
    if platform == Platform::Linux {
        os.kernel = platform_version.map(str::to_owned);
    }
    (os, ios_lower_bound)
}

/// What kind of device `platform` is, with the client hints' `mobile` and the User-Agent's
/// tokens on Android.
pub(super) fn form_factor(
    platform: Platform,
    ua: &str,
    tokens: &[&str],
    h: &ClientHints,
) -> FormFactor {
    match platform {
        Platform::Iphone => FormFactor::Phone,
        Platform::Ipad => FormFactor::Tablet,
        Platform::Android => match h.mobile {
            Some(true) => FormFactor::Phone,
            Some(false) => FormFactor::Tablet,
            // Chrome: "Mobile Safari/" on phones only; Firefox: "Mobile;" or "Tablet;".
            None if tokens.contains(&"Tablet") => FormFactor::Tablet,
            None if tokens.contains(&"Mobile") || has_product(ua, "Mobile") => FormFactor::Phone,
            None => FormFactor::Tablet,
        },
        Platform::Mac | Platform::ChromeOs | Platform::Windows | Platform::Linux => {
            FormFactor::Computer
        }
        Platform::Unknown => FormFactor::Unknown,
    }
}

/// Windows' name and build from "Windows NT x.y" and the client hint `platformVersion`.
/// Builds are given only where a name has one (7, 8, 8.1, Vista, XP).
fn windows(tokens: &[&str], platform_version: Option<&str>) -> (String, Option<String>) {
    let nt = tokens
        .iter()
        .find_map(|t| t.strip_prefix("Windows NT "))
        .and_then(version_at);
    let fixed = |name: &str, build: &str| (name.to_owned(), Some(build.to_owned()));
    match nt.as_deref() {
        Some("5.1" | "5.2") => return fixed("Windows XP", "2600"),
        Some("6.0") => return fixed("Windows Vista", "6002"),
        Some("6.1") => return fixed("Windows 7", "7601"),
        Some("6.2") => return fixed("Windows 8", "9200"),
        Some("6.3") => return fixed("Windows 8.1", "9600"),
        _ => {}
    }
    // Chromium's platformVersion: 13 or more is Windows 11, 1 to 10 Windows 10, 0.x older.
    let mut parts = platform_version.unwrap_or("").split('.');
    let (hint_major, hint_minor) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next().and_then(|p| p.parse::<u32>().ok()),
    );
    match (hint_major, hint_minor) {
        (Some(m), _) if m >= 13 => ("Windows 11".to_owned(), None),
        (Some(1..=10), _) => (WINDOWS10_FROM_BROWSER.to_owned(), None),
        (Some(0), Some(1)) => fixed("Windows 7", "7601"),
        (Some(0), Some(2)) => fixed("Windows 8", "9200"),
        (Some(0), Some(3)) => fixed("Windows 8.1", "9600"),
        _ => ("Windows 10 or 11".to_owned(), None),
    }
}
