//! A registry made from a `regedit` export, for the unit tests of the Windows probes on any
//! platform (compiled only for tests).

use super::{Hive, Registry};

/// A registry made from a `regedit` export (`.reg` text), for tests on any platform.
#[derive(Debug, Default)]
pub struct FakeRegistry {
    /// (hive, lower-cased key, lower-cased value name) -> value as text.
    values: std::collections::BTreeMap<(Hive, String, String), String>,
    /// The same for `hex:` (binary) values.
    binaries: std::collections::BTreeMap<(Hive, String, String), Vec<u8>>,
    /// Every key of the export, as spelled there.
    keys: Vec<(Hive, String)>,
    /// Keys that answer "access denied" (lower-cased).
    denied: Vec<(Hive, String)>,
}

impl FakeRegistry {
    /// Parse a `Windows Registry Editor Version 5.00` export saved as UTF-8. String values
    /// (`"name"="value"`, `@="default"`), `dword:` values and `hex:` (binary) values, which
    /// regedit continues over lines ending in `\`, are kept; other types are ignored.
    pub fn from_reg_export(text: &str) -> Self {
        let mut registry = FakeRegistry::default();
        let mut section: Option<(Hive, String)> = None;
        let mut lines = Vec::new();
        let mut pending = String::new();
        for line in text.lines().map(str::trim) {
            match line.strip_suffix('\\') {
                Some(start) if !line.starts_with('[') => pending.push_str(start),
                _ => {
                    pending.push_str(line);
                    lines.push(std::mem::take(&mut pending));
                }
            }
        }
        for line in lines.iter().map(String::as_str) {
            if let Some(path) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = path.split_once('\\').and_then(|(hive, key)| {
                    let hive = match hive {
                        "HKEY_LOCAL_MACHINE" => Hive::LocalMachine,
                        "HKEY_CURRENT_USER" => Hive::CurrentUser,
                        "HKEY_USERS" => Hive::Users,
                        _ => return None,
                    };
                    Some((hive, key.to_owned()))
                });
                if let Some((hive, key)) = &section {
                    registry.keys.push((*hive, key.clone()));
                }
                continue;
            }
            let Some((hive, key)) = &section else {
                continue;
            };
            let key = &key.to_lowercase();
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
            } else if let Some(bytes) = rest.strip_prefix("hex:") {
                let bytes: Result<Vec<u8>, _> = bytes
                    .split(',')
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                    .map(|b| u8::from_str_radix(b, 16))
                    .collect();
                if let Ok(bytes) = bytes {
                    registry
                        .binaries
                        .insert((*hive, key.clone(), name.to_lowercase()), bytes);
                }
                continue;
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

impl Registry for FakeRegistry {
    fn value(&self, hive: Hive, key: &str, name: &str) -> Result<Option<String>, String> {
        let key = key.to_lowercase();
        if self.denied.iter().any(|(h, k)| *h == hive && *k == key) {
            return Err("Access is denied. (os error 5)".to_owned());
        }
        Ok(self.values.get(&(hive, key, name.to_lowercase())).cloned())
    }

    fn binary(&self, hive: Hive, key: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
        let key = key.to_lowercase();
        if self.denied.iter().any(|(h, k)| *h == hive && *k == key) {
            return Err("Access is denied. (os error 5)".to_owned());
        }
        Ok(self
            .binaries
            .get(&(hive, key, name.to_lowercase()))
            .cloned())
    }

    fn subkeys(&self, hive: Hive, key: &str) -> Result<Vec<String>, String> {
        let prefix = if key.is_empty() {
            String::new()
        } else {
            format!("{}\\", key.to_lowercase())
        };
        let mut names: Vec<String> = self
            .keys
            .iter()
            .filter(|(h, _)| *h == hive)
            .filter_map(|(_, k)| {
                let rest = k.get(prefix.len()..)?;
                k.to_lowercase()
                    .starts_with(&prefix)
                    .then(|| rest.split('\\').next().unwrap_or(rest).to_owned())
            })
            .filter(|n| !n.is_empty())
            .collect();
        names.sort();
        names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        Ok(names)
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
             \"Bin\"=hex:01,02,\\\r\n\
               0a,ff\r\n\
             [HKEY_CLASSES_ROOT\\Ignored]\r\n\
             \"X\"=\"y\"\r\n",
        );
        let read = |name| reg.value(Hive::LocalMachine, "software\\test", name);
        assert_eq!(read("name"), Ok(Some("a \"quoted\" C:\\path".to_owned())));
        assert_eq!(read("UBR"), Ok(Some("2587".to_owned())));
        assert_eq!(read(""), Ok(Some("default".to_owned())));
        assert_eq!(read("Bin"), Ok(None));
        assert_eq!(
            reg.binary(Hive::LocalMachine, "SOFTWARE\\Test", "bin"),
            Ok(Some(vec![1, 2, 10, 255]))
        );
        assert_eq!(
            reg.binary(Hive::LocalMachine, "SOFTWARE\\Test", "Name"),
            Ok(None)
        );
        assert_eq!(
            reg.value(Hive::CurrentUser, "SOFTWARE\\Test", "Name"),
            Ok(None)
        );
        assert_eq!(
            reg.subkeys(Hive::LocalMachine, "software"),
            Ok(vec!["Test".to_owned()])
        );
        assert_eq!(
            reg.subkeys(Hive::LocalMachine, "SOFTWARE\\Test"),
            Ok(vec![])
        );
        let denied = reg.deny(Hive::LocalMachine, "SOFTWARE\\Test");
        assert!(
            denied
                .value(Hive::LocalMachine, "SOFTWARE\\Test", "Name")
                .is_err()
        );
    }
}
