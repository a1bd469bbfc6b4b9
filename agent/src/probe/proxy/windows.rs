//! The Windows proxy settings: the Internet settings values (WinINet, what a browser
//! applies), their binary form in `Connections`, and the machine's WinHTTP proxy (what a
//! service applies), read through a [`Registry`] so that tests run on registry exports.

use readiness::measurements::network::ProxySource;

use super::{ProxyConfig, config, parse_proxy, rule_list};
use crate::platform::{Hive, Registry};
use crate::probe::non_blank;

/// From the Windows Internet settings values: `ProxyEnable`, `ProxyServer` (`host:port` or
/// `http=h:p;https=h:p`), `ProxyOverride` (`;`-separated), `AutoConfigURL`.
pub fn from_windows_values(
    enable: Option<&str>,
    server: Option<&str>,
    overrides: Option<&str>,
    pac: Option<&str>,
) -> Option<ProxyConfig> {
    let pac = non_blank(pac);
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

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;

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

    /// The `Connections` value `name` of `hive` set to `blob`, as `regedit` exports it:
    /// `hex:` then comma-separated bytes.
    fn connections_value(hive: &str, name: &str, blob: &[u8]) -> String {
        let hex = blob
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(",");
        format!(
            "[{hive}\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\r\n\"{name}\"=hex:{hex}\r\n"
        )
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

    /// A registry whose only proxy setting is the machine's WinHTTP one, `blob`.
    fn winhttp_only(blob: &[u8]) -> crate::platform::FakeRegistry {
        registry(&connections_value(
            "HKEY_LOCAL_MACHINE",
            "WinHttpSettings",
            blob,
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
        let reg = registry(&format!(
            "[HKEY_USERS\\S-1-5-18\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000000\r\n\
             [HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n\
             \"ProxyEnable\"=dword:00000001\r\n\
             \"ProxyServer\"=\"pupil.proxy:3128\"\r\n{}",
            connections_value("HKEY_LOCAL_MACHINE", "WinHttpSettings", &winhttp)
        ));
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://pupil.proxy:3128")
        );
        // Nobody logged on: the WinHTTP proxy.
        let c = windows_proxy(&winhttp_only(&winhttp)).unwrap().unwrap();
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://winhttp.proxy:8080")
        );
    }

    #[test]
    fn windows_binary_settings_and_winhttp() {
        // Only the binary form (the values were never written), with a script URL.
        let default = blob(0x46, 0x5, &["", "", "http://wpad.ecole/proxy.pac"]);
        let reg = registry(&connections_value(
            "HKEY_CURRENT_USER",
            "DefaultConnectionSettings",
            &default,
        ));
        let c = windows_proxy(&reg).unwrap().unwrap();
        assert_eq!(
            c.settings.pac_url.as_deref(),
            Some("http://wpad.ecole/proxy.pac")
        );
        // As SYSTEM: no user settings, the machine's WinHTTP proxy.
        let winhttp = blob(0x18, 0x3, &["http=p:8080;https=p:443", "<local>"]);
        let c = windows_proxy(&winhttp_only(&winhttp)).unwrap().unwrap();
        assert_eq!(c.settings.https_proxy.as_deref(), Some("http://p:443"));
        assert_eq!(c.settings.http_proxy.as_deref(), Some("http://p:8080"));
        // Direct everywhere: no proxy.
        let direct = blob(0x18, 0x1, &["", ""]);
        assert!(windows_proxy(&winhttp_only(&direct)).unwrap().is_none());
        // An unreadable key is a reason, not a silent "no proxy".
        let denied = registry("").deny(Hive::CurrentUser, WINDOWS_INTERNET_SETTINGS);
        let err = windows_proxy(&denied).unwrap_err();
        assert!(err.contains("HKCU") && err.contains("denied"), "{err}");
    }
}
