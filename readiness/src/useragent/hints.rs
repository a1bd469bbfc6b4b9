//! The UA client hints: from the JavaScript object or the `Sec-CH-UA-*` request headers,
//! bounded.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::scan::cut;
use super::{MAX_BRANDS, MAX_HINT_BYTES};

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

/// A hint value, bounded, trimmed, `None` when empty.
pub(super) fn hint(s: Option<&String>) -> Option<&str> {
    s.map(|s| cut(s, MAX_HINT_BYTES).trim())
        .filter(|s| !s.is_empty())
}
