//! The proxy configuration of the workstation: environment variables (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, either case), else the Windows settings (see
//! [`windows_proxy`]), else macOS's (`scutil --proxy`); which proxy applies to a URL; and
//! the `CONNECT` tunnel through an HTTP proxy.
//!
//! Credentials in a proxy URL are used (`Proxy-Authorization: Basic`) but never recorded.

use std::time::Duration;

use base64::Engine;
use readiness::measurements::network::{ProxySettings, ProxySource};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use crate::platform::{Hive, Registry};

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
            settings: ProxySettings {
                source: ProxySource::None,
                https_proxy: None,
                http_proxy: None,
                no_proxy: Vec::new(),
                pac_url: None,
                credentials_configured: false,
            },
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

/// From the Windows Internet settings values: `ProxyEnable`, `ProxyServer` (`host:port` or
/// `http=h:p;https=h:p`), `ProxyOverride` (`;`-separated), `AutoConfigURL`.
pub fn from_windows_values(
    enable: Option<&str>,
    server: Option<&str>,
    overrides: Option<&str>,
    pac: Option<&str>,
) -> Option<ProxyConfig> {
    let pac = pac
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    let enabled = enable.is_some_and(|e| e.trim() != "0");
    let (mut https, mut http) = (None, None);
    if enabled && let Some(server) = server {
        if server.contains('=') {
            for part in server.split(';') {
                if let Some((scheme, addr)) = part.split_once('=') {
                    match scheme.trim().to_ascii_lowercase().as_str() {
                        "https" => https = parse_proxy(addr),
                        "http" => http = parse_proxy(addr),
                        _ => {}
                    }
                }
            }
        } else {
            https = parse_proxy(server);
            http = https.clone();
        }
    }
    if https.is_none() && http.is_none() && pac.is_none() {
        return None;
    }
    let no_proxy = rule_list(overrides, ';');
    Some(config(ProxySource::Windows, https, http, no_proxy, pac))
}

/// The Internet settings key, under `HKCU` (per user, the default) or `HKLM` (per machine).
pub const WINDOWS_INTERNET_SETTINGS: &str =
    r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";
/// Its `Connections` subkey: the binary `DefaultConnectionSettings` (what the Internet
/// Options dialog shows) and `WinHttpSettings` (`netsh winhttp set proxy`).
pub const WINDOWS_CONNECTIONS: &str =
    r"Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections";
/// The group policy "Make proxy settings per-machine (rather than per-user)":
/// `ProxySettingsPerUser` = 0 here moves the settings to `HKLM`.
pub const WINDOWS_PROXY_POLICY: &str =
    r"SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings";

/// A `DefaultConnectionSettings` or `WinHttpSettings` registry blob, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// `PROXY_TYPE_*` flags: 1 direct, 2 manual proxy, 4 automatic configuration script,
    /// 8 automatic detection (WPAD).
    pub flags: u32,
    pub proxy_server: String,
    pub bypass: String,
    pub pac_url: String,
}

impl ConnectionSettings {
    pub const PROXY: u32 = 0x2;
    pub const AUTO_PROXY_URL: u32 = 0x4;
}

/// Decode a connection settings blob: a version and a counter (two little-endian `u32`),
/// the flags, then length-prefixed strings: the proxy server, the bypass list and (in
/// `DefaultConnectionSettings` only) the configuration script's URL. `None` when too short
/// or a length runs past the end.
pub fn parse_connection_settings(blob: &[u8]) -> Option<ConnectionSettings> {
    let u32_at = |at: usize| -> Option<u32> {
        let bytes = blob.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?))
    };
    let flags = u32_at(8)?;
    let mut at = 12usize;
    let mut string = |required: bool| -> Option<String> {
        let Some(len) = u32_at(at) else {
            return (!required).then(String::new);
        };
        let len = usize::try_from(len).ok()?;
        let start = at + 4;
        let bytes = blob.get(start..start.checked_add(len)?)?;
        at = start + len;
        Some(
            String::from_utf8_lossy(bytes)
                .trim_end_matches('\0')
                .trim()
                .to_owned(),
        )
    };
    let proxy_server = string(true)?;
    let bypass = string(true)?;
    let pac_url = string(false)?;
    Some(ConnectionSettings {
        flags,
        proxy_server,
        bypass,
        pac_url,
    })
}

fn from_connection_settings(c: &ConnectionSettings) -> Option<ProxyConfig> {
    let manual = c.flags & ConnectionSettings::PROXY != 0;
    let pac = (c.flags & ConnectionSettings::AUTO_PROXY_URL != 0).then_some(c.pac_url.as_str());
    from_windows_values(
        Some(if manual { "1" } else { "0" }),
        Some(&c.proxy_server),
        Some(&c.bypass),
        pac,
    )
}

/// The Windows proxy settings, in the order a browser (WinINet) and then a service
/// (WinHTTP) would apply them:
///
/// 1. the Internet settings values (`ProxyEnable`, `ProxyServer`, `ProxyOverride`,
///    `AutoConfigURL`) of the user, or of the machine when the group policy
///    `ProxySettingsPerUser` = 0 says so;
/// 2. the same settings' binary form (`Connections\DefaultConnectionSettings`), which
///    Windows keeps even where the values are absent;
/// 3. the machine's WinHTTP proxy (`netsh winhttp set proxy`), which services use: the
///    scheduled audit runs as SYSTEM, whose own user settings are usually empty.
///
/// `Ok(None)` when none of them sets a proxy or a configuration script.
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn windows_proxy(registry: &dyn Registry) -> Result<Option<ProxyConfig>, String> {
    let unreadable = |hive: Hive, key: &str, e: String| {
        format!("cannot read {}\\{key}: {e}", hive.abbreviation())
    };
    let per_machine = registry
        .value(
            Hive::LocalMachine,
            WINDOWS_PROXY_POLICY,
            "ProxySettingsPerUser",
        )
        .map_err(|e| unreadable(Hive::LocalMachine, WINDOWS_PROXY_POLICY, e))?
        .is_some_and(|v| v.trim() == "0");
    // (hive, key prefix): the machine's under the policy; else the current user's, then
    // those of the users logged on (as SYSTEM, HKCU is not theirs).
    let mut places = Vec::new();
    if per_machine {
        places.push((Hive::LocalMachine, String::new()));
    } else {
        places.push((Hive::CurrentUser, String::new()));
        for sid in crate::platform::logged_on_users(registry) {
            places.push((Hive::Users, format!("{sid}\\")));
        }
    }
    for (hive, prefix) in places {
        let settings = format!("{prefix}{WINDOWS_INTERNET_SETTINGS}");
        let read = |name: &str| {
            registry
                .value(hive, &settings, name)
                .map_err(|e| unreadable(hive, WINDOWS_INTERNET_SETTINGS, e))
        };
        let enable = read("ProxyEnable")?;
        let server = read("ProxyServer")?;
        let overrides = read("ProxyOverride")?;
        let pac = read("AutoConfigURL")?;
        if let Some(c) = from_windows_values(
            enable.as_deref(),
            server.as_deref(),
            overrides.as_deref(),
            pac.as_deref(),
        ) {
            return Ok(Some(c));
        }
        if let Some(c) = connection_blob(
            registry,
            hive,
            &format!("{prefix}{WINDOWS_CONNECTIONS}"),
            "DefaultConnectionSettings",
        )? {
            return Ok(Some(c));
        }
    }
    connection_blob(
        registry,
        Hive::LocalMachine,
        WINDOWS_CONNECTIONS,
        "WinHttpSettings",
    )
}

/// The proxy of a connection settings blob, if it sets one.
fn connection_blob(
    registry: &dyn Registry,
    hive: Hive,
    key: &str,
    name: &str,
) -> Result<Option<ProxyConfig>, String> {
    // Shown without the key's prefix: the SID of a user's hive is not reported.
    let blob = registry.binary(hive, key, name).map_err(|e| {
        format!(
            "cannot read {}\\{WINDOWS_CONNECTIONS}: {e}",
            hive.abbreviation()
        )
    })?;
    Ok(blob
        .as_deref()
        .and_then(parse_connection_settings)
        .as_ref()
        .and_then(from_connection_settings))
}

/// From the output of macOS's `scutil --proxy`.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
pub fn from_scutil(text: &str) -> Option<ProxyConfig> {
    let mut values = std::collections::BTreeMap::new();
    let mut exceptions = Vec::new();
    let mut in_exceptions = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with("ExceptionsList") {
            in_exceptions = true;
            continue;
        }
        if in_exceptions {
            if line.starts_with('}') {
                in_exceptions = false;
            } else if let Some((_, v)) = line.split_once(':') {
                exceptions.push(v.trim().to_owned());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(" : ") {
            values.insert(k.trim().to_owned(), v.trim().to_owned());
        }
    }
    let get = |k: &str| values.get(k).map(String::as_str);
    let proxy = |enable: &str, host: &str, port: &str| {
        (get(enable) == Some("1"))
            .then(|| get(host).map(|h| format!("{h}:{}", get(port).unwrap_or("80"))))
            .flatten()
            .as_deref()
            .and_then(parse_proxy)
    };
    let https = proxy("HTTPSEnable", "HTTPSProxy", "HTTPSPort");
    let http = proxy("HTTPEnable", "HTTPProxy", "HTTPPort");
    let pac = (get("ProxyAutoConfigEnable") == Some("1"))
        .then(|| get("ProxyAutoConfigURLString").map(str::to_owned))
        .flatten();
    if https.is_none() && http.is_none() && pac.is_none() {
        return None;
    }
    Some(config(ProxySource::Macos, https, http, exceptions, pac))
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
    {
        let out = tokio::process::Command::new("scutil")
            .arg("--proxy")
            .output()
            .await
            .map_err(|e| format!("cannot run scutil --proxy: {e}"))?;
        if let Some(c) = from_scutil(&String::from_utf8_lossy(&out.stdout)) {
            return Ok(c);
        }
    }
    Ok(ProxyConfig::none())
}

/// Why a tunnel could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    #[error("the proxy {proxy} asks for authentication (407)")]
    AuthRequired { proxy: String },
    #[error("the proxy {proxy} answered {status} to CONNECT {target}")]
    Refused {
        proxy: String,
        status: u16,
        target: String,
    },
    #[error("the proxy {proxy} sent an unreadable answer to CONNECT: {detail}")]
    Malformed { proxy: String, detail: String },
    #[error("no answer from the proxy {proxy} to CONNECT within {secs:.1} s")]
    Timeout { proxy: String, secs: f64 },
    #[error("connection to the proxy {proxy} failed during CONNECT: {source}")]
    Io {
        proxy: String,
        source: std::io::Error,
    },
}

/// The `Proxy-Authorization` value for a proxy URL with credentials.
pub fn authorization(proxy: &Url) -> Option<String> {
    if proxy.username().is_empty() {
        return None;
    }
    let user = percent_decode(proxy.username());
    let pass = percent_decode(proxy.password().unwrap_or(""));
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    Some(format!("Basic {token}"))
}

/// A URL's user name or password as it was meant: percent-decoded as userinfo is, where a
/// `+` is a plus (form decoding would make it a space) and `&` or `=` are plain characters.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Ask the proxy on `stream` to open a tunnel to `target` (`host:port`).
pub async fn connect_tunnel(
    stream: &mut TcpStream,
    proxy: &Url,
    target: &str,
    timeout: Duration,
) -> Result<(), TunnelError> {
    let name = shown(proxy);
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: ent-agent/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(auth) = authorization(proxy) {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    let exchange = async {
        stream.write_all(request.as_bytes()).await?;
        // Read the answer's head byte by byte: what follows belongs to the tunnel.
        let mut head = Vec::with_capacity(256);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the proxy closed the connection",
                ));
            }
            head.push(byte[0]);
            if head.len() > 16 * 1024 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "answer head over 16 KiB",
                ));
            }
        }
        Ok(head)
    };
    let head = match tokio::time::timeout(timeout, exchange).await {
        Err(_) => {
            return Err(TunnelError::Timeout {
                proxy: name,
                secs: timeout.as_secs_f64(),
            });
        }
        Ok(Err(source)) => {
            return Err(TunnelError::Io {
                proxy: name,
                source,
            });
        }
        Ok(Ok(head)) => head,
    };
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(TunnelError::Malformed {
                proxy: name,
                detail: String::from_utf8_lossy(&head[..head.len().min(80)]).into_owned(),
            });
        }
    }
    match response.code.unwrap_or(0) {
        200..=299 => Ok(()),
        407 => Err(TunnelError::AuthRequired { proxy: name }),
        status => Err(TunnelError::Refused {
            proxy: name,
            status,
            target: target.to_owned(),
        }),
    }
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
    fn credentials_are_percent_decoded_as_userinfo() {
        let basic = |url: &str| {
            let token = authorization(&Url::parse(url).unwrap()).unwrap();
            let token = token.strip_prefix("Basic ").unwrap();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .unwrap(),
            )
            .unwrap()
        };
        // A `+` in a password is a plus, not a space; `%2B` and `%40` are `+` and `@`.
        assert_eq!(basic("http://eleve:a+b@proxy:3128"), "eleve:a+b");
        assert_eq!(
            basic("http://pr%C3%A9nom.nom:p%2Bss%40w0rd&x=y@proxy:3128"),
            "prénom.nom:p+ss@w0rd&x=y"
        );
        assert_eq!(basic("http://eleve@proxy:3128"), "eleve:");
        assert_eq!(
            authorization(&Url::parse("http://proxy:3128").unwrap()),
            None
        );
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

    #[test]
    fn windows_settings() {
        let c = from_windows_values(
            Some("1"),
            Some("http=proxy:8080;https=proxy:8443"),
            Some("*.local;<local>"),
            None,
        )
        .unwrap();
        assert_eq!(c.settings.source, ProxySource::Windows);
        assert_eq!(c.settings.https_proxy.as_deref(), Some("http://proxy:8443"));
        assert_eq!(c.settings.http_proxy.as_deref(), Some("http://proxy:8080"));
        assert_eq!(c.settings.no_proxy, vec!["*.local", "<local>"]);
        assert!(from_windows_values(Some("0"), Some("proxy:8080"), None, None).is_none());
        let pac =
            from_windows_values(Some("0"), None, None, Some("http://wpad/proxy.pac")).unwrap();
        assert_eq!(
            pac.settings.pac_url.as_deref(),
            Some("http://wpad/proxy.pac")
        );
        assert_eq!(pac.settings.https_proxy, None);
    }

    /// A connection settings blob as Windows writes it.
    fn blob(version: u32, flags: u32, strings: &[&str]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(version.to_le_bytes());
        b.extend(7u32.to_le_bytes()); // change counter
        b.extend(flags.to_le_bytes());
        for s in strings {
            b.extend(u32::try_from(s.len()).unwrap().to_le_bytes());
            b.extend(s.as_bytes());
        }
        b
    }

    #[test]
    fn connection_settings_blobs() {
        let c = parse_connection_settings(&blob(
            0x46,
            0x3,
            &["proxy.ecole:3128", "*.ac-test.fr;<local>", ""],
        ))
        .unwrap();
        assert_eq!(c.flags, 3);
        assert_eq!(c.proxy_server, "proxy.ecole:3128");
        assert_eq!(c.bypass, "*.ac-test.fr;<local>");
        // WinHttpSettings has no script URL.
        let w = parse_connection_settings(&blob(0x18, 0x1, &["", ""])).unwrap();
        assert_eq!((w.flags, w.pac_url.as_str()), (1, ""));
        // Truncated: a length that runs past the end, or no room for the flags.
        let mut cut = blob(0x46, 0x3, &["proxy.ecole:3128"]);
        cut.truncate(20);
        assert_eq!(parse_connection_settings(&cut), None);
        assert_eq!(parse_connection_settings(&[0x46, 0, 0, 0]), None);
    }

    /// The registry of a school PC, as `regedit` exports it.
    fn registry(text: &str) -> crate::platform::FakeRegistry {
        crate::platform::FakeRegistry::from_reg_export(&format!(
            "Windows Registry Editor Version 5.00\r\n\r\n{text}"
        ))
    }

    #[test]
    fn windows_user_values_come_first() {
        let reg = registry(
            "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000001\r\n\
             \"ProxyServer\"=\"proxy.ecole:3128\"\r\n\
             \"ProxyOverride\"=\"*.ac-test.fr;<local>\"\r\n\
             [HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000001\r\n\
             \"ProxyServer\"=\"machine.proxy:8080\"\r\n",
        );
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(c.settings.source, ProxySource::Windows);
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://proxy.ecole:3128")
        );
        assert_eq!(c.settings.no_proxy, vec!["*.ac-test.fr", "<local>"]);
        assert!(
            c.for_url(&Url::parse("https://ent.ac-test.fr/").unwrap())
                .is_none()
        );
    }

    #[test]
    fn windows_per_machine_policy_reads_hklm() {
        let reg = registry(
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxySettingsPerUser\"=dword:00000000\r\n\
             [HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000001\r\n\
             \"ProxyServer\"=\"user.proxy:3128\"\r\n\
             [HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000000\r\n\
             \"AutoConfigURL\"=\"http://wpad.ecole/proxy.pac\"\r\n",
        );
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(c.settings.https_proxy, None);
        assert_eq!(
            c.settings.pac_url.as_deref(),
            Some("http://wpad.ecole/proxy.pac")
        );
    }

    #[test]
    fn windows_logged_on_user_settings_as_system() {
        // As SYSTEM: HKCU (SYSTEM's) has nothing; the pupil logged on has a proxy, which
        // comes before the machine's WinHTTP one.
        let winhttp = blob(0x18, 0x3, &["winhttp.proxy:8080", ""]);
        let hex = winhttp
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(",");
        let reg = registry(&format!(
            "[HKEY_USERS\\S-1-5-18\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000000\r\n\
             [HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000001\r\n\
             \"ProxyServer\"=\"pupil.proxy:3128\"\r\n\
             [HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n\
             \"WinHttpSettings\"=hex:{hex}\r\n"
        ));
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://pupil.proxy:3128")
        );
        // Nobody logged on: the WinHTTP proxy.
        let reg = registry(&format!(
            "[HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n\
             \"WinHttpSettings\"=hex:{hex}\r\n"
        ));
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://winhttp.proxy:8080")
        );
    }

    #[test]
    fn windows_binary_settings_and_winhttp() {
        let hex = |b: &[u8]| {
            b.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        // Only the binary form (the values were never written), with a script URL.
        let default = blob(0x46, 0x5, &["", "", "http://wpad.ecole/proxy.pac"]);
        let reg = registry(&format!(
            "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n\
             \"DefaultConnectionSettings\"=hex:{}\r\n",
            hex(&default)
        ));
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(
            c.settings.pac_url.as_deref(),
            Some("http://wpad.ecole/proxy.pac")
        );
        // As SYSTEM: no user settings, the machine's WinHTTP proxy.
        let winhttp = blob(0x18, 0x3, &["http=p:8080;https=p:443", "<local>"]);
        let reg = registry(&format!(
            "[HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n\
             \"WinHttpSettings\"=hex:{}\r\n",
            hex(&winhttp)
        ));
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(c.settings.https_proxy.as_deref(), Some("http://p:443"));
        assert_eq!(c.settings.http_proxy.as_deref(), Some("http://p:8080"));
        // Direct everywhere: no proxy.
        let direct = blob(0x18, 0x1, &["", ""]);
        let reg = registry(&format!(
            "[HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n\
             \"WinHttpSettings\"=hex:{}\r\n",
            hex(&direct)
        ));
        assert!(windows_proxy(&reg).unwrap().is_none());
        // An unreadable key is a reason, not a silent "no proxy".
        let denied = registry("").deny(Hive::CurrentUser, WINDOWS_INTERNET_SETTINGS);
        let err = windows_proxy(&denied).unwrap_err();
        assert!(err.contains("HKCU") && err.contains("denied"), "{err}");
    }

    #[test]
    fn macos_scutil() {
        let text = "<dictionary> {\n  ExceptionsList : <array> {\n    0 : *.local\n    1 : 169.254/16\n  }\n  FTPPassive : 1\n  HTTPSEnable : 1\n  HTTPSPort : 3128\n  HTTPSProxy : proxy.ecole\n  HTTPEnable : 0\n}\n";
        let c = from_scutil(text).unwrap();
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://proxy.ecole:3128")
        );
        assert_eq!(c.settings.http_proxy, None);
        assert_eq!(c.settings.no_proxy, vec!["*.local", "169.254/16"]);
        assert!(from_scutil("<dictionary> {\n  HTTPEnable : 0\n}\n").is_none());
    }
}
