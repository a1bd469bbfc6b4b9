//! The browser: its application, engine and versions from the User-Agent and the client
//! hints, and [`DeviceInfo::browser_info`], the browser as the `browser.*` checks judge it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::scan::{cut, has_product, product_version, version_at};
use super::{ClientHints, DeviceInfo, MAX_BRANDS, MAX_HINT_BYTES};
use crate::measurements::BrowserInfo;

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

/// The app token of a non-Safari iOS browser, if any.
pub(super) fn browser_key_ios(ua: &str) -> Option<BrowserApp> {
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

pub(super) fn ios_browser(
    ua: &str,
    safari_version: Option<String>,
    webkit: Option<String>,
) -> BrowserId {
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
pub(super) fn chromium_version(ua: &str, h: &ClientHints) -> Option<String> {
    brand_version(h, "Chromium")
        .or_else(|| brand_version(h, "Google Chrome"))
        .or_else(|| product_version(ua, "Chrome/"))
}

pub(super) fn other_browser(ua: &str, h: &ClientHints) -> Option<BrowserId> {
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
