//! What a browser tells of itself, for the browser probe: the User-Agent string, the UA client
//! hints where the browser has them (Chromium: `navigator.userAgentData.getHighEntropyValues`
//! or the `Sec-CH-UA-*` request headers) and `navigator.maxTouchPoints`, turned into the
//! operating system ([`OsInfo`], judged by [`crate::lifecycle`]) and the browser (a
//! [`BrowserInfo`](crate::measurements::BrowserInfo) in the shape the `browser.*` checks
//! judge, so that the profile's minimum versions apply as for an installed browser).
//!
//! The parts: `hints` (the client hints, [`ClientHints`]), `os` (the system and the form
//! factor), `browser` (the browser, [`DeviceInfo::browser_info`]) and `scan` (the bounded
//! scanning they share); [`parse`] puts them together.
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

use crate::measurements::OsInfo;

mod browser;
mod hints;
mod os;
mod scan;
#[cfg(test)]
mod tests;

pub use browser::{BrowserApp, BrowserId, Engine};
pub use hints::{Brand, ClientHints};

use browser::{ios_browser, other_browser};
use hints::hint;
use os::Platform;
use scan::{cut, printable, product_version, version_at};

/// The longest User-Agent read, in bytes; the rest is ignored (real ones are under 300; apps'
/// web views add tokens, rarely past 500).
pub const MAX_USER_AGENT_BYTES: usize = 1024;
/// The longest client hint value read, in bytes.
pub const MAX_HINT_BYTES: usize = 128;
/// The most brands of `fullVersionList` read.
pub const MAX_BRANDS: usize = 8;

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
    let tokens = os::platform_tokens(ua);
    let empty = ClientHints::default();
    let h = hints.unwrap_or(&empty);
    let platform = os::platform(&tokens, max_touch_points.unwrap_or(0), h);
    let platform_version = hint(h.platform_version.as_ref())
        .and_then(version_at)
        .filter(|v| !v.is_empty());
    let form_factor = os::form_factor(platform, ua, &tokens, h);
    let mut unknown = BTreeMap::new();
    let safari_version = product_version(ua, "Version/");
    let (os, ios_lower_bound) = os::system(
        platform,
        ua,
        &tokens,
        h,
        platform_version.as_deref(),
        safari_version.as_deref(),
        &mut unknown,
    );

    let browser = if platform.is_apple_mobile() {
        Some(ios_browser(
            ua,
            safari_version,
            os.version.clone().or(ios_lower_bound),
        ))
    } else {
        other_browser(ua, h)
    };
    if browser.is_none() {
        unknown.insert(
            "browser".to_owned(),
            "the User-Agent names no known browser".to_owned(),
        );
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
