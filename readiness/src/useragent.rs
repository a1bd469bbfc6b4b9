//! What a browser tells of itself, for the browser probe: the User-Agent string, the UA client
//! hints where the browser has them (Chromium: `navigator.userAgentData.getHighEntropyValues`
//! or the `Sec-CH-UA-*` request headers) and `navigator.maxTouchPoints`, turned into the
//! operating system ([`OsInfo`], judged by [`crate::lifecycle`]) and the browser (a
//! [`BrowserInfo`] in the shape the `browser.*` checks judge, so that the profile's minimum
//! versions apply as for an installed browser).
//!
//! What browsers hide, and what is made of it:
//! - Safari on iPadOS announces itself as a Mac ("Macintosh; Intel Mac OS X 10_15_7"): a
//!   "Macintosh" with more than one touch point is an iPad. Safari's `Version/` is the
//!   iOS/iPadOS version (Safari ships with the system).
//! - iOS 26 freezes the system version of the User-Agent at 18.6 / 18.7 ("iPhone OS 18_6"):
//!   Safari's `Version/26.x` still tells; other iOS browsers (Chrome `CriOS`, Firefox `FxiOS`,
//!   Edge `EdgiOS`, all WebKit as Apple requires) do not, so their iOS version is "18.6 or
//!   later": unknown for the OS, and 18.6 as the lower bound of their WebKit.
//! - Chrome's reduced User-Agent says "Android 10; K" whatever the Android version, and
//!   "Windows NT 10.0" for Windows 10 and 11; only the client hint `platformVersion` tells
//!   (Android "14.0.0"; Windows 13 or more is Windows 11, 1 to 10 is Windows 10). Without it
//!   the version is unknown, with the reason in [`DeviceInfo::unknown`].
//! - macOS browsers freeze the system at 10.15.7: the macOS version is known only from
//!   Chromium's client hints.
//! - ChromeOS: the Chrome version is the system's milestone; the platform token
//!   ("CrOS x86_64 14541.0.0") is frozen. The Auto Update Expiration date is never visible.
//!
//! Hostile input: the User-Agent is cut at [`MAX_USER_AGENT_BYTES`], each hint at
//! [`MAX_HINT_BYTES`], the brand list at [`MAX_BRANDS`]; parsing is plain scanning of that
//! bounded text (no regular expression, no allocation beyond the bounded output), and never
//! panics. Crates considered: `woothee` and `uaparser` (ua-parser's regexes, a large YAML
//! database to keep up to date and regex matching on every request); neither knows UA client
//! hints, the iPadOS touch rule or the frozen iOS 26 and Android tokens, which are what this
//! probe needs, so the few rules are written here.
//!
//! The raw User-Agent is not kept in the report: parsing happens where it is received, and
//! the report carries what scoring needs (the OS and the browser, below). A User-Agent alone
//! is not personal data, but beside a device id and a school it adds fingerprinting surface
//! and nothing the checks use. The device model (client hint `model`, Android only) is kept
//! when given, bounded and printable: it names a product ("SM-X200"), never a person.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::lifecycle::WINDOWS10_FROM_BROWSER;
use crate::measurements::{BrowserInfo, OsFamily, OsInfo};

/// The longest User-Agent read, in bytes; the rest is ignored (real ones are under 300; apps'
/// web views add tokens, rarely past 500).
pub const MAX_USER_AGENT_BYTES: usize = 1024;
/// The longest client hint value read, in bytes.
pub const MAX_HINT_BYTES: usize = 128;
/// The most brands of `fullVersionList` read.
pub const MAX_BRANDS: usize = 8;
/// The longest version kept ("131.0.6778.86"), in characters.
const MAX_VERSION_CHARS: usize = 24;
/// The most `;`-separated tokens of the User-Agent's platform part read.
const MAX_PLATFORM_TOKENS: usize = 16;

/// The UA client hints, as `navigator.userAgentData.getHighEntropyValues(["platform",
/// "platformVersion", "fullVersionList", "mobile", "model"])` returns them (JSON, camelCase;
/// other fields are ignored), or from the `Sec-CH-UA-*` headers ([`ClientHints::from_headers`]).
/// Chromium browsers only: Safari and Firefox have none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientHints {
    /// `Sec-CH-UA-Platform`: "Windows", "macOS", "Android", "Chrome OS", "Linux".
    #[serde(default)]
    pub platform: Option<String>,
    /// `Sec-CH-UA-Platform-Version`: "15.0.0" (Windows 11), "14.0.0" (Android 14).
    #[serde(default)]
    pub platform_version: Option<String>,
    /// `Sec-CH-UA-Full-Version-List`: the brands and their full versions.
    #[serde(default)]
    pub full_version_list: Vec<Brand>,
    /// `Sec-CH-UA-Mobile`: a phone (true) rather than a tablet or a computer.
    #[serde(default)]
    pub mobile: Option<bool>,
    /// `Sec-CH-UA-Model`: the device model on Android ("SM-X200"), empty elsewhere.
    #[serde(default)]
    pub model: Option<String>,
}

/// One brand of the full version list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Brand {
    pub brand: String,
    pub version: String,
}

impl ClientHints {
    /// From the request headers' values (structured fields, as sent): `"Windows"`,
    /// `"15.0.0"`, `"Chromium";v="131.0.6778.86", "Google Chrome";v="131.0.6778.86"`, `?0`,
    /// `"SM-X200"`. A value that does not parse is left out.
    pub fn from_headers(
        platform: Option<&str>,
        platform_version: Option<&str>,
        full_version_list: Option<&str>,
        mobile: Option<&str>,
        model: Option<&str>,
    ) -> ClientHints {
        let brands = full_version_list
            .map(|list| {
                cut(list, MAX_HINT_BYTES * MAX_BRANDS)
                    .split(',')
                    .take(MAX_BRANDS)
                    .filter_map(|item| {
                        let (brand, params) = item.split_once(';').unwrap_or((item, ""));
                        let version = params
                            .split(';')
                            .find_map(|p| p.trim().strip_prefix("v="))
                            .and_then(unquote)?;
                        Some(Brand {
                            brand: unquote(brand)?.to_owned(),
                            version: version.to_owned(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mobile = match mobile.map(str::trim) {
            Some("?1") => Some(true),
            Some("?0") => Some(false),
            _ => None,
        };
        ClientHints {
            platform: platform.and_then(unquote).map(str::to_owned),
            platform_version: platform_version.and_then(unquote).map(str::to_owned),
            full_version_list: brands,
            mobile,
            model: model.and_then(unquote).map(str::to_owned),
        }
    }
}

/// The value of a structured-field string (`"Windows"` -> `Windows`), bounded.
fn unquote(s: &str) -> Option<&str> {
    let s = cut(s.trim(), MAX_HINT_BYTES);
    s.strip_prefix('"')?.strip_suffix('"')
}

/// What kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormFactor {
    /// A desktop or laptop (Windows, macOS, Linux, a Chromebook).
    Computer,
    Tablet,
    Phone,
    Unknown,
}

/// The browser application, as it announces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BrowserApp {
    Chrome,
    Edge,
    Firefox,
    Safari,
    SamsungInternet,
    Opera,
    Brave,
    Chromium,
    InternetExplorer,
    /// Chrome on iOS/iPadOS (`CriOS`): WebKit.
    ChromeIos,
    /// Firefox on iOS/iPadOS (`FxiOS`): WebKit.
    FirefoxIos,
    /// Edge on iOS/iPadOS (`EdgiOS`): WebKit.
    EdgeIos,
    /// Another iOS/iPadOS browser or an app's web view: WebKit.
    OtherIos,
}

/// The rendering engine, what decides whether the ENT's pages run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Blink,
    Gecko,
    WebKit,
    /// Internet Explorer's Trident, EdgeHTML.
    Legacy,
}

/// The browser running the probe.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BrowserId {
    pub app: BrowserApp,
    /// The application's version as announced ("131.0.6778.86" from the client hints,
    /// "131.0.0.0" from a reduced User-Agent); `None` when it says none.
    pub version: Option<String>,
    pub engine: Engine,
    /// The engine's version where it differs from the application's: the Chromium version of
    /// Samsung Internet, Opera, Brave; the iOS version of an iOS browser's WebKit ("18.6" as
    /// a lower bound when iOS 26 froze it).
    pub engine_version: Option<String>,
    /// The version came from the client hints (else from the User-Agent).
    pub from_client_hints: bool,
}

/// What the browser tells of the device.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeviceInfo {
    /// The operating system; fields the browser hides are `None`.
    pub os: OsInfo,
    pub form_factor: FormFactor,
    /// `None` when the browser is not recognised (reason under `browser` in `unknown`).
    pub browser: Option<BrowserId>,
    /// The device model from the client hints (Android), bounded and printable.
    pub model: Option<String>,
    /// What could not be told, by field (`os.version`, `os.build`, `browser`), with the
    /// reason in English: for the measurements' `unavailable` maps (`os.*` in the system's:
    /// `system.os_support` is then unknown with that reason rather than "not recognised").
    pub unknown: BTreeMap<String, String>,
}

impl DeviceInfo {
    /// The browser as the `browser.*` checks judge it: named by the minimum that applies to
    /// its engine, with that engine's version. Chrome, Edge, Firefox and Safari as
    /// themselves; Samsung Internet, Opera, Brave and other Chromium browsers as `chromium`
    /// with their Chromium version; every iOS/iPadOS browser as `safari` with the WebKit
    /// (iOS) version; Internet Explorer as `internet_explorer`. `source` is `browser` (the
    /// browser running the probe), `location` what it announced ("Chrome for iOS 131.0...").
    pub fn browser_info(&self) -> Option<BrowserInfo> {
        let b = self.browser.as_ref()?;
        let own = || b.version.clone();
        let engine = || b.engine_version.clone();
        let (name, version) = match b.app {
            BrowserApp::Chrome => ("chrome", own()),
            BrowserApp::Edge => ("edge", own()),
            BrowserApp::Firefox => ("firefox", own()),
            BrowserApp::Safari => ("safari", own()),
            BrowserApp::InternetExplorer => ("internet_explorer", own()),
            BrowserApp::Chromium => ("chromium", own()),
            BrowserApp::SamsungInternet | BrowserApp::Opera | BrowserApp::Brave => {
                ("chromium", engine())
            }
            BrowserApp::ChromeIos
            | BrowserApp::FirefoxIos
            | BrowserApp::EdgeIos
            | BrowserApp::OtherIos => ("safari", engine()),
        };
        let mut location = app_label(b.app).to_owned();
        if let Some(v) = &b.version {
            location = format!("{location} {v}");
        }
        if let (Some(v), true) = (&b.engine_version, b.engine_version != b.version) {
            let engine = match b.engine {
                Engine::WebKit => "WebKit of iOS",
                _ => "Chromium",
            };
            location = format!("{location} ({engine} {v})");
        }
        Some(BrowserInfo {
            name: name.to_owned(),
            version,
            source: "browser".to_owned(),
            location: Some(location),
        })
    }
}

fn app_label(app: BrowserApp) -> &'static str {
    match app {
        BrowserApp::Chrome => "Google Chrome",
        BrowserApp::Edge => "Microsoft Edge",
        BrowserApp::Firefox => "Firefox",
        BrowserApp::Safari => "Safari",
        BrowserApp::SamsungInternet => "Samsung Internet",
        BrowserApp::Opera => "Opera",
        BrowserApp::Brave => "Brave",
        BrowserApp::Chromium => "Chromium",
        BrowserApp::InternetExplorer => "Internet Explorer",
        BrowserApp::ChromeIos => "Chrome for iOS",
        BrowserApp::FirefoxIos => "Firefox for iOS",
        BrowserApp::EdgeIos => "Edge for iOS",
        BrowserApp::OtherIos => "iOS browser",
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// A version at the start of `s`: digits, then digits, dots or underscores (read as dots),
/// at most [`MAX_VERSION_CHARS`]; `None` unless it starts with a digit.
fn version_at(s: &str) -> Option<String> {
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let v: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .take(MAX_VERSION_CHARS)
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    Some(v.trim_end_matches('.').to_owned())
}

/// The version after the product token `key` ("Chrome/"), where `key` starts a word.
fn product_version(ua: &str, key: &str) -> Option<String> {
    ua.match_indices(key).find_map(|(at, _)| {
        let before = ua[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        version_at(&ua[at + key.len()..])
    })
}

fn has_product(ua: &str, key: &str) -> bool {
    ua.match_indices(key)
        .any(|(at, _)| !ua[..at].ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// The major number of a version ("131.0.6778.86" -> 131).
fn major(v: &str) -> Option<u32> {
    let digits = v.split('.').next()?;
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    digits.parse().ok()
}

/// A hint value, bounded, trimmed, `None` when empty.
fn hint(s: Option<&String>) -> Option<&str> {
    s.map(|s| cut(s, MAX_HINT_BYTES).trim())
        .filter(|s| !s.is_empty())
}

/// Printable ASCII only (a model name), else `None`.
fn printable(s: &str) -> Option<String> {
    (s.chars().all(|c| c.is_ascii_graphic() || c == ' ')).then(|| s.to_owned())
}

/// The tokens of the User-Agent's first parenthesis ("Linux; Android 10; K").
fn platform_tokens(ua: &str) -> Vec<&str> {
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
enum Platform {
    Iphone,
    Ipad,
    Mac,
    Android,
    ChromeOs,
    Windows,
    Linux,
    Unknown,
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

/// Reads the device and the browser from the User-Agent, the client hints (if the browser
/// gave any) and `navigator.maxTouchPoints` (if read). Never fails: what cannot be told is
/// `None`, with the reason in [`DeviceInfo::unknown`].
#[must_use]
pub fn parse(
    user_agent: &str,
    hints: Option<&ClientHints>,
    max_touch_points: Option<u32>,
) -> DeviceInfo {
    let ua = cut(user_agent, MAX_USER_AGENT_BYTES);
    let tokens = platform_tokens(ua);
    let touch = max_touch_points.unwrap_or(0);
    let empty = ClientHints::default();
    let h = hints.unwrap_or(&empty);
    let hinted = hint(h.platform.as_ref()).map(platform_from_hint);
    let ua_platform = platform_from_ua(&tokens, touch);
    // Trust the hints where they name a system, except the User-Agent's iPad (no Chromium
    // browser on iPadOS sends hints; a touch Mac does not exist).
    let platform = match hinted {
        Some(p) if p != Platform::Unknown && ua_platform != Platform::Ipad => p,
        _ => ua_platform,
    };
    let platform_version = hint(h.platform_version.as_ref())
        .and_then(version_at)
        .filter(|v| !v.is_empty());
    let mut unknown = BTreeMap::new();
    let mut note = |field: &str, reason: &str| {
        unknown.insert(field.to_owned(), reason.to_owned());
    };

    let safari_version = product_version(ua, "Version/");
    let apple_mobile = matches!(platform, Platform::Iphone | Platform::Ipad);
    let mut ios_lower_bound = None;
    let (family, id, name, version, build) = match platform {
        Platform::Iphone | Platform::Ipad => {
            let (family, id, name) = if platform == Platform::Ipad {
                (OsFamily::Ipados, "ipados", "iPadOS")
            } else {
                (OsFamily::Ios, "ios", "iOS")
            };
            let is_safari = has_product(ua, "Safari/") && browser_key_ios(ua).is_none();
            let token = ios_token_version(&tokens);
            // Safari's version is the system's; the token is more precise where not frozen
            // (iOS 12.5.7 ships Safari 12.1.2), the higher major wins (iOS 26: 18.6 vs 26.0).
            let version = match (is_safari.then_some(safari_version.clone()).flatten(), token) {
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
                platform_version.clone(),
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
            let version = match (&platform_version, token) {
                (Some(v), _) => Some(v.clone()),
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
                platform_version.clone(),
            )
        }
        Platform::Windows => {
            let (name, build) = windows(&tokens, platform_version.as_deref());
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
        os.kernel = platform_version.clone();
    }

    let form_factor = match platform {
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
    };

    let browser = if apple_mobile {
        Some(ios_browser(
            ua,
            safari_version,
            os.version.clone().or(ios_lower_bound),
        ))
    } else {
        other_browser(ua, h)
    };
    if browser.is_none() {
        note("browser", "the User-Agent names no known browser");
    }
    let model = hint(h.model.as_ref())
        .filter(|_| platform == Platform::Android)
        .and_then(printable);
    DeviceInfo {
        os,
        form_factor,
        browser,
        model,
        unknown,
    }
}

/// "14.0.0" -> "14", "12.1.0" -> "12.1".
fn trim_zeros(v: &str) -> String {
    let mut parts: Vec<&str> = v.split('.').collect();
    while parts.len() > 1 && parts.last() == Some(&"0") {
        parts.pop();
    }
    parts.join(".")
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

/// The app token of a non-Safari iOS browser, if any.
fn browser_key_ios(ua: &str) -> Option<BrowserApp> {
    [
        ("CriOS/", BrowserApp::ChromeIos),
        ("FxiOS/", BrowserApp::FirefoxIos),
        ("EdgiOS/", BrowserApp::EdgeIos),
        ("OPiOS/", BrowserApp::OtherIos),
        ("OPT/", BrowserApp::OtherIos),
    ]
    .into_iter()
    .find(|(key, _)| has_product(ua, key))
    .map(|(_, app)| app)
}

/// On iOS and iPadOS every browser is WebKit, of the system's version.
fn ios_browser(ua: &str, safari_version: Option<String>, webkit: Option<String>) -> BrowserId {
    let (app, version) = match browser_key_ios(ua) {
        Some(app) => {
            let key = match app {
                BrowserApp::ChromeIos => "CriOS/",
                BrowserApp::FirefoxIos => "FxiOS/",
                BrowserApp::EdgeIos => "EdgiOS/",
                _ => "OPiOS/",
            };
            (app, product_version(ua, key))
        }
        None if safari_version.is_some() && has_product(ua, "Safari/") => {
            (BrowserApp::Safari, safari_version)
        }
        None => (BrowserApp::OtherIos, None),
    };
    let engine_version = if app == BrowserApp::Safari {
        version.clone()
    } else {
        webkit
    };
    BrowserId {
        app,
        version,
        engine: Engine::WebKit,
        engine_version,
        from_client_hints: false,
    }
}

/// A brand of the full version list whose name contains `name`.
fn brand_version(h: &ClientHints, name: &str) -> Option<String> {
    h.full_version_list
        .iter()
        .take(MAX_BRANDS)
        .find(|b| cut(&b.brand, MAX_HINT_BYTES).contains(name))
        .and_then(|b| version_at(cut(b.version.trim(), MAX_HINT_BYTES)))
}

/// The Chromium version: the hints' "Chromium" brand, else the User-Agent's `Chrome/`.
fn chromium_version(ua: &str, h: &ClientHints) -> Option<String> {
    brand_version(h, "Chromium")
        .or_else(|| brand_version(h, "Google Chrome"))
        .or_else(|| product_version(ua, "Chrome/"))
}

fn other_browser(ua: &str, h: &ClientHints) -> Option<BrowserId> {
    let chromium = || chromium_version(ua, h);
    let id = |app, version: Option<String>, engine, engine_version, hinted| BrowserId {
        app,
        version,
        engine,
        engine_version,
        from_client_hints: hinted,
    };
    // An app's own brand in the hints, else its token in the User-Agent.
    let named = |brand: &str, key: &str| match brand_version(h, brand) {
        Some(v) => Some((Some(v), true)),
        None => has_product(ua, key).then(|| (product_version(ua, key), false)),
    };
    if let Some((v, hinted)) =
        named("Microsoft Edge", "Edg/").or_else(|| named("Microsoft Edge", "EdgA/"))
    {
        return Some(id(BrowserApp::Edge, v, Engine::Blink, chromium(), hinted));
    }
    if has_product(ua, "Edge/") {
        let v = product_version(ua, "Edge/");
        return Some(id(BrowserApp::Edge, v, Engine::Legacy, None, false));
    }
    if let Some((v, hinted)) = named("Samsung Internet", "SamsungBrowser/") {
        return Some(id(
            BrowserApp::SamsungInternet,
            v,
            Engine::Blink,
            chromium(),
            hinted,
        ));
    }
    if let Some((v, hinted)) = named("Opera", "OPR/") {
        return Some(id(BrowserApp::Opera, v, Engine::Blink, chromium(), hinted));
    }
    if let Some(v) = brand_version(h, "Brave") {
        return Some(id(
            BrowserApp::Brave,
            Some(v),
            Engine::Blink,
            chromium(),
            true,
        ));
    }
    if has_product(ua, "Firefox/") {
        let v = product_version(ua, "Firefox/");
        return Some(id(BrowserApp::Firefox, v, Engine::Gecko, None, false));
    }
    if has_product(ua, "Chrome/") || has_product(ua, "Chromium/") || !h.full_version_list.is_empty()
    {
        if let Some(v) = brand_version(h, "Google Chrome") {
            return Some(id(BrowserApp::Chrome, Some(v), Engine::Blink, None, true));
        }
        if let Some(v) = brand_version(h, "Chromium") {
            return Some(id(BrowserApp::Chromium, Some(v), Engine::Blink, None, true));
        }
        if let Some(v) = product_version(ua, "Chrome/") {
            return Some(id(BrowserApp::Chrome, Some(v), Engine::Blink, None, false));
        }
        let v = product_version(ua, "Chromium/");
        return v.map(|v| id(BrowserApp::Chromium, Some(v), Engine::Blink, None, false));
    }
    if has_product(ua, "Safari/") && has_product(ua, "AppleWebKit/") {
        let v = product_version(ua, "Version/");
        return Some(id(BrowserApp::Safari, v, Engine::WebKit, None, false));
    }
    if has_product(ua, "Trident/") || ua.contains("MSIE ") {
        let v = product_version(ua, "rv:").or_else(|| {
            ua.find("MSIE ")
                .and_then(|at| version_at(&ua[at + "MSIE ".len()..]))
        });
        return Some(id(
            BrowserApp::InternetExplorer,
            v,
            Engine::Legacy,
            None,
            false,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_char_boundaries() {
        assert_eq!(cut("ééé", 3), "é");
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("é", 1), "");
    }

    #[test]
    fn versions() {
        assert_eq!(version_at("18_6 like"), Some("18.6".to_owned()));
        assert_eq!(
            version_at("131.0.6778.86;"),
            Some("131.0.6778.86".to_owned())
        );
        assert_eq!(version_at("x1"), None);
        assert_eq!(product_version("HeadlessChrome/120.0 x", "Chrome/"), None);
        assert_eq!(trim_zeros("14.0.0"), "14");
        assert_eq!(trim_zeros("12.1.0"), "12.1");
        assert_eq!(major("999999999999.1"), None);
    }

    #[test]
    fn headers_parse_like_the_js_object() {
        let h = ClientHints::from_headers(
            Some("\"Windows\""),
            Some("\"15.0.0\""),
            Some(
                "\"Google Chrome\";v=\"131.0.6778.86\", \"Chromium\";v=\"131.0.6778.86\", \
                 \"Not_A Brand\";v=\"24.0.0.0\"",
            ),
            Some("?0"),
            Some("\"\""),
        );
        assert_eq!(h.platform.as_deref(), Some("Windows"));
        assert_eq!(h.platform_version.as_deref(), Some("15.0.0"));
        assert_eq!(h.full_version_list.len(), 3);
        assert_eq!(h.full_version_list[0].brand, "Google Chrome");
        assert_eq!(h.full_version_list[0].version, "131.0.6778.86");
        assert_eq!(h.mobile, Some(false));
        let js: ClientHints = serde_json::from_str(
            r#"{"architecture":"x86","platform":"Windows","platformVersion":"15.0.0",
                "fullVersionList":[{"brand":"Google Chrome","version":"131.0.6778.86"},
                {"brand":"Chromium","version":"131.0.6778.86"},
                {"brand":"Not_A Brand","version":"24.0.0.0"}],"mobile":false,"model":""}"#,
        )
        .unwrap_or_default();
        assert_eq!(js, h);
        // Unquoted or broken values are left out.
        let h = ClientHints::from_headers(Some("Windows"), None, Some("garbage"), Some("1"), None);
        assert_eq!(h, ClientHints::default());
    }
}
