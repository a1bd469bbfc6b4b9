//! The proxy configuration of the workstation: environment variables (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, either case), else the Windows settings
//! ([`windows`]), else macOS's ([`macos`]: `scutil --proxy`); and which proxy applies to a
//! URL. The `CONNECT` tunnel through an HTTP proxy is in [`tunnel`].
//!
//! This module owns the probe's entry ([`detect`]), the configuration ([`ProxyConfig`]) and
//! what every source shares: parsing a proxy URL, the exemption rules.
//!
//! Credentials in a proxy URL are used (`Proxy-Authorization: Basic`) but never recorded.

mod macos;
mod tunnel;
mod windows;

use readiness::measurements::network::{ProxySettings, ProxySource};
use url::Url;

pub use macos::from_scutil;
pub use tunnel::{TunnelError, authorization, connect_tunnel};
pub use windows::{
    ConnectionSettings, WINDOWS_CONNECTIONS, WINDOWS_INTERNET_SETTINGS, WINDOWS_PROXY_POLICY,
    from_windows_values, parse_connection_settings, windows_proxy,
};

/// The proxy configuration, with the URLs to use (credentials included) next to what the
/// report shows. The credentials live only here, in memory, for `Proxy-Authorization`:
/// never serialised, and hidden from `Debug` (which logs may print).
#[derive(Clone)]
pub struct ProxyConfig {
    pub settings: ProxySettings,
    https: Option<Url>,
    http: Option<Url>,
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("settings", &self.settings)
            .field("https", &self.https.as_ref().map(shown))
            .field("http", &self.http.as_ref().map(shown))
            .finish()
    }
}

impl ProxyConfig {
    pub fn none() -> ProxyConfig {
        ProxyConfig {
            settings: ProxySettings::direct(ProxySource::None),
            https: None,
            http: None,
        }
    }

    /// The proxy for `url`, unless `NO_PROXY` (or the Windows exceptions) exempt its host.
    pub fn for_url(&self, url: &Url) -> Option<&Url> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        if bypassed(&self.settings.no_proxy, &super::url_host(url)) {
            None
        } else {
            Some(proxy)
        }
    }
}

/// `NO_PROXY`-style matching: `*` matches all; `example.fr`, `.example.fr` and
/// `*.example.fr` match the domain and its subdomains; `<local>` (Windows) matches names
/// without a dot; a port suffix is ignored.
pub fn bypassed(rules: &[String], host: &str) -> bool {
    rules.iter().any(|rule| {
        let rule = rule.trim().to_ascii_lowercase();
        if rule == "*" {
            return true;
        }
        if rule == "<local>" {
            return !host.contains('.') && !host.contains(':');
        }
        let rule = rule
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty())
            .map_or(rule.as_str(), |(h, _)| h)
            .trim_start_matches('*')
            .trim_start_matches('.');
        !rule.is_empty() && (host == rule || host.ends_with(&format!(".{rule}")))
    })
}

/// Strip credentials from a proxy URL for the report: `http://host:port`.
fn shown(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.as_str().trim_end_matches('/').to_owned()
}

/// A proxy URL as written in settings: `host:port` gets `http://`.
fn parse_proxy(text: &str) -> Option<Url> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    Url::parse(&with_scheme)
        .ok()
        .filter(|u| u.host_str().is_some())
}

fn config(
    source: ProxySource,
    https: Option<Url>,
    http: Option<Url>,
    no_proxy: Vec<String>,
    pac_url: Option<String>,
) -> ProxyConfig {
    let credentials = [&https, &http]
        .iter()
        .any(|u| u.as_ref().is_some_and(|u| !u.username().is_empty()));
    ProxyConfig {
        settings: ProxySettings {
            source,
            https_proxy: https.as_ref().map(shown),
            http_proxy: http.as_ref().map(shown),
            no_proxy,
            pac_url,
            credentials_configured: credentials,
        },
        https,
        http,
    }
}

/// The exemption rules of a `separator`-separated list (`NO_PROXY`'s commas, the Windows
/// `ProxyOverride`'s semicolons), trimmed, empty entries dropped.
fn rule_list(text: Option<&str>, separator: char) -> Vec<String> {
    text.map(|t| {
        t.split(separator)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// From environment variables (looked up through `get`, so tests pass their own).
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Option<ProxyConfig> {
    let var = |name: &str| {
        get(name)
            .or_else(|| get(&name.to_ascii_lowercase()))
            .filter(|v| !v.trim().is_empty())
    };
    let all = var("ALL_PROXY");
    let https = var("HTTPS_PROXY").or_else(|| all.clone());
    let http = var("HTTP_PROXY").or(all);
    if https.is_none() && http.is_none() {
        return None;
    }
    let no_proxy = rule_list(var("NO_PROXY").as_deref(), ',');
    Some(config(
        ProxySource::Environment,
        https.as_deref().and_then(parse_proxy),
        http.as_deref().and_then(parse_proxy),
        no_proxy,
        None,
    ))
}

/// The proxy configuration of this workstation.
pub async fn detect() -> Result<ProxyConfig, String> {
    if let Some(c) = from_env(|k| std::env::var(k).ok()) {
        return Ok(c);
    }
    #[cfg(windows)]
    if let Some(c) = windows_proxy(&crate::platform::windows::WindowsRegistry)? {
        return Ok(c);
    }
    #[cfg(target_os = "macos")]
    if let Some(c) = macos::scutil_proxy().await? {
        return Ok(c);
    }
    Ok(ProxyConfig::none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn environment_proxy_hides_credentials() {
        let c = from_env(env(&[
            ("https_proxy", "http://eleve:secret@proxy.ecole:3128"),
            ("NO_PROXY", "localhost, .ac-test.fr"),
        ]))
        .unwrap();
        assert_eq!(c.settings.source, ProxySource::Environment);
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://proxy.ecole:3128")
        );
        assert!(c.settings.credentials_configured);
        let json = serde_json::to_string(&c.settings).unwrap();
        assert!(
            !json.contains("eleve") && !json.contains("secret"),
            "{json}"
        );
        assert_eq!(c.settings.http_proxy, None);
        let ent = Url::parse("https://ent.example.fr/").unwrap();
        assert!(c.for_url(&ent).is_some());
        let exempt = Url::parse("https://www.ac-test.fr/").unwrap();
        assert!(c.for_url(&exempt).is_none());
        assert_eq!(
            authorization(c.for_url(&ent).unwrap()).as_deref(),
            Some("Basic ZWxldmU6c2VjcmV0")
        );
        assert!(from_env(env(&[])).is_none());
    }

    #[test]
    fn debug_hides_credentials() {
        // The password is never shown by Debug either.
        let c = from_env(env(&[("HTTPS_PROXY", "http://eleve:s3cret@proxy:3128")])).unwrap();
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("eleve"),
            "{debug}"
        );
    }

    #[test]
    fn no_proxy_rules() {
        let rules: Vec<String> = ["*.ent.fr", "example.org:443", "<local>"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert!(bypassed(&rules, "a.ent.fr"));
        assert!(bypassed(&rules, "ent.fr"));
        assert!(!bypassed(&rules, "notent.fr"));
        assert!(bypassed(&rules, "example.org"));
        assert!(bypassed(&rules, "intranet"));
        assert!(!bypassed(&rules, "127.0.0.1"));
        assert!(bypassed(&["*".to_owned()], "anything"));
    }
}
