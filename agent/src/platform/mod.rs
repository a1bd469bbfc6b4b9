//! Operating-system specific access, kept thin.
//!
//! The modules here only fetch raw data from their OS: registry values (Windows), binary
//! property lists and the kernel release (macOS), whose home directory to search (Linux,
//! macOS). Everything that interprets that data lives in `crate::probe` as pure functions,
//! compiled on every platform and tested on Linux with fixture files; the registry is reached
//! through the [`Registry`] trait so that those tests can fake it. `host` holds the few host
//! facts that need OS calls (machine id, MAC addresses, volume sizes).

mod host;
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(windows)]
pub mod windows;

pub use host::{machine_id, permanent_macs, volume_space};

/// A registry hive the probes read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hive {
    /// `HKEY_LOCAL_MACHINE`: machine-wide settings and installations.
    LocalMachine,
    /// `HKEY_CURRENT_USER`: the settings and per-user installations of the user running the agent.
    CurrentUser,
}

impl Hive {
    /// The usual abbreviation, as written in reports: `HKLM`, `HKCU`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Hive::LocalMachine => "HKLM",
            Hive::CurrentUser => "HKCU",
        }
    }
}

/// Read access to the Windows registry.
pub trait Registry {
    /// The value `name` of the key `hive\key`, as text: strings as they are, `REG_DWORD` and
    /// `REG_QWORD` in decimal.
    ///
    /// `Ok(None)` when the key or the value does not exist; `Err` with a reason when it exists
    /// but cannot be read (access denied, a value of an unexpected type, ...).
    fn value(&self, hive: Hive, key: &str, name: &str) -> Result<Option<String>, String>;
}

/// A registry made from a `regedit` export (`.reg` text), for tests on any platform.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct FakeRegistry {
    /// (hive, lower-cased key, lower-cased value name) -> value as text.
    values: std::collections::BTreeMap<(Hive, String, String), String>,
    /// Keys that answer "access denied" (lower-cased).
    denied: Vec<(Hive, String)>,
}

#[cfg(test)]
impl FakeRegistry {
    /// Parse a `Windows Registry Editor Version 5.00` export saved as UTF-8. String values
    /// (`"name"="value"`, `@="default"`) and `dword:` values are kept; other types are ignored.
    pub fn from_reg_export(text: &str) -> Self {
        let mut registry = FakeRegistry::default();
        let mut section: Option<(Hive, String)> = None;
        for line in text.lines().map(str::trim) {
            if let Some(path) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = path.split_once('\\').and_then(|(hive, key)| {
                    let hive = match hive {
                        "HKEY_LOCAL_MACHINE" => Hive::LocalMachine,
                        "HKEY_CURRENT_USER" => Hive::CurrentUser,
                        _ => return None,
                    };
                    Some((hive, key.to_lowercase()))
                });
                continue;
            }
            let Some((hive, key)) = &section else {
                continue;
            };
            let (name, rest) = if let Some(rest) = line.strip_prefix('@') {
                (String::new(), rest)
            } else if let Some((name, rest)) = reg_quoted(line) {
                (name, rest)
            } else {
                continue;
            };
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let value = if let Some((value, _)) = reg_quoted(rest) {
                value
            } else if let Some(hex) = rest.strip_prefix("dword:") {
                match u32::from_str_radix(hex, 16) {
                    Ok(n) => n.to_string(),
                    Err(_) => continue,
                }
            } else {
                continue;
            };
            registry
                .values
                .insert((*hive, key.clone(), name.to_lowercase()), value);
        }
        registry
    }

    /// Make every read under `hive\key` fail with "access denied".
    pub fn deny(mut self, hive: Hive, key: &str) -> Self {
        self.denied.push((hive, key.to_lowercase()));
        self
    }
}

/// A `.reg` double-quoted string at the start of `s` (escapes `\\` and `\"`), and what follows it.
#[cfg(test)]
fn reg_quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
impl Registry for FakeRegistry {
    fn value(&self, hive: Hive, key: &str, name: &str) -> Result<Option<String>, String> {
        let key = key.to_lowercase();
        if self.denied.iter().any(|(h, k)| *h == hive && *k == key) {
            return Err("Access is denied. (os error 5)".to_owned());
        }
        Ok(self.values.get(&(hive, key, name.to_lowercase())).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reg_export_is_read_case_insensitively() {
        let reg = FakeRegistry::from_reg_export(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\r\n\
             \"Name\"=\"a \\\"quoted\\\" C:\\\\path\"\r\n\
             \"UBR\"=dword:00000a1b\r\n\
             @=\"default\"\r\n\
             \"Bin\"=hex:01,02\r\n\
             [HKEY_CLASSES_ROOT\\Ignored]\r\n\
             \"X\"=\"y\"\r\n",
        );
        let read = |name| reg.value(Hive::LocalMachine, "software\\test", name);
        assert_eq!(read("name"), Ok(Some("a \"quoted\" C:\\path".to_owned())));
        assert_eq!(read("UBR"), Ok(Some("2587".to_owned())));
        assert_eq!(read(""), Ok(Some("default".to_owned())));
        assert_eq!(read("Bin"), Ok(None));
        assert_eq!(
            reg.value(Hive::CurrentUser, "SOFTWARE\\Test", "Name"),
            Ok(None)
        );
        let denied = reg.deny(Hive::LocalMachine, "SOFTWARE\\Test");
        assert!(
            denied
                .value(Hive::LocalMachine, "SOFTWARE\\Test", "Name")
                .is_err()
        );
    }
}
