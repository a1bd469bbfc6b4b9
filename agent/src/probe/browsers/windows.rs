//! The browsers recorded in the Windows registry: the updaters' version values (Edge,
//! Chrome, Brave), Firefox's `CurrentVersion`, the uninstall entries, Internet Explorer's
//! `svcVersion`; per machine (both registry views), for the current user and for the users
//! logged on.

use readiness::measurements::{BrowserInfo, BrowserMeasurements};

use crate::platform::{Hive, Registry};
use crate::probe::non_blank;

/// A registry value that gives a browser's version.
#[derive(Debug)]
struct RegistryInstall {
    name: &'static str,
    /// Key under `SOFTWARE` (and `SOFTWARE\WOW6432Node` in `HKLM`).
    key: &'static str,
    /// Values to try in order.
    values: &'static [&'static str],
    parse: fn(&str) -> Option<String>,
}

fn plain_version(value: &str) -> Option<String> {
    non_blank(Some(value))
}

const REGISTRY_INSTALLS: &[RegistryInstall] = &[
    RegistryInstall {
        name: "edge",
        key: r"Microsoft\EdgeUpdate\Clients\{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}",
        values: &["pv"],
        parse: plain_version,
    },
    RegistryInstall {
        name: "chrome",
        key: r"Google\Update\Clients\{8A69D345-D564-463c-AFF1-A69D9E530F96}",
        values: &["pv"],
        parse: plain_version,
    },
    RegistryInstall {
        name: "brave",
        key: r"BraveSoftware\Update\Clients\{AFE6A462-C574-4B8A-AF43-4CC60DF4563B}",
        values: &["pv"],
        parse: plain_version,
    },
    RegistryInstall {
        name: "firefox",
        key: r"Mozilla\Mozilla Firefox",
        values: &["CurrentVersion"],
        parse: firefox_registry_version,
    },
    RegistryInstall {
        name: "firefox",
        key: r"Mozilla\Mozilla Firefox ESR",
        values: &["CurrentVersion"],
        parse: firefox_registry_version,
    },
    RegistryInstall {
        name: "vivaldi",
        key: r"Microsoft\Windows\CurrentVersion\Uninstall\Vivaldi",
        values: &["DisplayVersion"],
        parse: plain_version,
    },
    // `Version` of IE 10 and 11 reads "9.11..."; the real one is in `svcVersion`.
    RegistryInstall {
        name: "internet_explorer",
        key: r"Microsoft\Internet Explorer",
        values: &["svcVersion", "Version"],
        parse: plain_version,
    },
];

/// The browsers recorded in the registry, machine-wide (`HKLM`, both registry views), for
/// the current user (`HKCU`) and for the other users logged on (`HKEY_USERS`: the scheduled
/// audit runs as SYSTEM, whose `HKCU` holds no pupil's installation). A user's browser is
/// reported once even when seen in both `HKCU` and `HKEY_USERS`; its location is written
/// `HKU\*\...`, never with the user's SID. Keys that exist but cannot be read are listed in
/// `unavailable`.
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn scan_windows_registry(registry: &dyn Registry) -> BrowserMeasurements {
    let mut found = BrowserMeasurements::default();
    // (hive, key prefix, source, how the location is shown)
    let mut hives = vec![
        (Hive::LocalMachine, String::new(), "registry_hklm", "HKLM"),
        (Hive::CurrentUser, String::new(), "registry_hkcu", "HKCU"),
    ];
    for sid in crate::platform::logged_on_users(registry) {
        hives.push((Hive::Users, format!(r"{sid}\"), "registry_hku", r"HKU\*"));
    }
    for (hive, prefix, source, shown) in hives {
        for install in REGISTRY_INSTALLS {
            if install.name == "internet_explorer" && hive != Hive::LocalMachine {
                continue;
            }
            let views: &[&str] = match hive {
                Hive::LocalMachine => &["SOFTWARE", r"SOFTWARE\WOW6432Node"],
                // A user's SOFTWARE is shared by both views.
                Hive::CurrentUser | Hive::Users => &["SOFTWARE"],
            };
            for view in views {
                let key = format!(r"{view}\{}", install.key);
                let location = format!(r"{shown}\{key}");
                let raw = install.values.iter().find_map(|value| {
                    match registry.value(hive, &format!("{prefix}{key}"), value) {
                        Ok(None) => None,
                        other => Some(other),
                    }
                });
                let version = match raw {
                    None => continue,
                    Some(Err(e)) => {
                        found.unavailable.insert(location, e);
                        continue;
                    }
                    Some(Ok(raw)) => raw.as_deref().and_then(install.parse),
                };
                // The same installation seen through both views, or a user's seen through
                // HKCU and HKEY_USERS, is reported once.
                let duplicate = found.installed.iter().any(|b| {
                    b.name == install.name
                        && b.version == version
                        && (b.source == source
                            || (source == "registry_hku" && b.source == "registry_hkcu"))
                });
                if !duplicate {
                    found.installed.push(BrowserInfo {
                        name: install.name.to_owned(),
                        version,
                        source: source.to_owned(),
                        location: Some(location),
                    });
                }
            }
        }
    }
    found
}

/// The version in Firefox's `CurrentVersion` registry value: "128.0 (x64 fr)" gives "128.0",
/// "115.6.0 ESR (x64 en-US)" gives "115.6.0esr", as Firefox itself writes ESR versions.
pub fn firefox_registry_version(current_version: &str) -> Option<String> {
    let mut words = current_version.split_whitespace();
    let version = words
        .next()
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))?;
    Some(if words.next() == Some("ESR") {
        format!("{version}esr")
    } else {
        version.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::platform::FakeRegistry;
    use crate::probe::browsers::{assert_parses, fixtures, version_and_location, version_of};

    #[test]
    fn firefox_registry_values() {
        assert_parses(
            firefox_registry_version,
            &[
                ("128.0 (x64 fr)", Some("128.0")),
                ("115.6.0 ESR (x64 en-US)", Some("115.6.0esr")),
                ("132.0.2", Some("132.0.2")),
                (" ", None),
                ("(x64)", None),
            ],
        );
    }

    #[test]
    fn windows_registry_export() {
        let text = fs::read_to_string(fixtures().join("windows.reg")).unwrap();
        let found = scan_windows_registry(&FakeRegistry::from_reg_export(&text));

        assert_eq!(
            version_and_location(&found, "edge", "registry_hklm"),
            (
                Some("131.0.2903.70"),
                Some(
                    r"HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}"
                )
            )
        );
        assert_eq!(
            version_of(&found, "chrome", "registry_hklm"),
            Some("131.0.6778.86")
        );
        assert_eq!(
            version_and_location(&found, "chrome", "registry_hkcu"),
            (
                Some("130.0.6723.117"),
                Some(r"HKCU\SOFTWARE\Google\Update\Clients\{8A69D345-D564-463c-AFF1-A69D9E530F96}")
            )
        );
        assert_eq!(
            version_and_location(&found, "firefox", "registry_hklm"),
            (
                Some("128.0"),
                Some(r"HKLM\SOFTWARE\Mozilla\Mozilla Firefox")
            )
        );
        assert_eq!(
            version_of(&found, "internet_explorer", "registry_hklm"),
            Some("11.1882.19041.0")
        );
        // Chrome is registered in both views with the same version: reported once.
        assert_eq!(found.installed.len(), 5, "{found:#?}");
        assert!(found.unavailable.is_empty());
    }

    #[test]
    fn logged_on_users_browsers_from_hkey_users() {
        // As SYSTEM (the scheduled task): HKCU is SYSTEM's; a pupil logged on has Chrome
        // installed for them, the teacher has the same Chrome as HKCU shows (run by hand).
        let reg = FakeRegistry::from_reg_export(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_USERS\\S-1-5-18\\SOFTWARE\\Google\\Update\\Clients\\{8A69D345-D564-463c-AFF1-A69D9E530F96}]\r\n\
             \"pv\"=\"99.0.1\"\r\n\
             [HKEY_USERS\\S-1-5-21-111-222-333-1001\\SOFTWARE\\Google\\Update\\Clients\\{8A69D345-D564-463c-AFF1-A69D9E530F96}]\r\n\
             \"pv\"=\"131.0.6778.86\"\r\n\
             [HKEY_USERS\\S-1-5-21-111-222-333-1001_Classes\\SOFTWARE\\Google\\Update\\Clients\\{8A69D345-D564-463c-AFF1-A69D9E530F96}]\r\n\
             \"pv\"=\"1.0\"\r\n\
             [HKEY_USERS\\S-1-5-21-111-222-333-1002\\SOFTWARE\\Mozilla\\Mozilla Firefox]\r\n\
             \"CurrentVersion\"=\"128.0 (x64 fr)\"\r\n\
             [HKEY_CURRENT_USER\\SOFTWARE\\Mozilla\\Mozilla Firefox]\r\n\
             \"CurrentVersion\"=\"128.0 (x64 fr)\"\r\n",
        );
        let found = scan_windows_registry(&reg);
        assert_eq!(
            version_and_location(&found, "chrome", "registry_hku"),
            (
                Some("131.0.6778.86"),
                Some(
                    r"HKU\*\SOFTWARE\Google\Update\Clients\{8A69D345-D564-463c-AFF1-A69D9E530F96}"
                )
            )
        );
        // Firefox is the current user's, seen twice: once. Service accounts and _Classes
        // hives are not users.
        assert_eq!(
            version_of(&found, "firefox", "registry_hkcu"),
            Some("128.0")
        );
        assert_eq!(found.installed.len(), 2, "{found:#?}");
        let json = serde_json::to_string(&found).unwrap();
        assert!(!json.contains("S-1-5-21"), "{json}");
    }

    #[test]
    fn unreadable_registry_keys_are_reported() {
        let key = r"SOFTWARE\Mozilla\Mozilla Firefox";
        let registry = FakeRegistry::default().deny(Hive::CurrentUser, key);
        let found = scan_windows_registry(&registry);
        assert!(found.installed.is_empty());
        assert!(found.unavailable[&format!(r"HKCU\{key}")].contains("denied"));
    }
}
