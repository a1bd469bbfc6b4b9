//! Windows specifics: registry reads through `winreg` (strings, numbers and binary values).

use std::io;

use winreg::enums::{
    KEY_READ, KEY_WOW64_64KEY, REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_QWORD, REG_SZ,
};
use winreg::{HKCU, HKLM, HKU, RegKey, RegValue};

use super::{Hive, Registry};

/// The live registry, read in its 64-bit view whatever the agent's own bitness, so that a
/// path names one place: the 32-bit view is reached by spelling `SOFTWARE\WOW6432Node\...`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WindowsRegistry;

fn root(hive: Hive) -> &'static RegKey {
    match hive {
        Hive::LocalMachine => HKLM,
        Hive::CurrentUser => HKCU,
        Hive::Users => HKU,
    }
}

impl WindowsRegistry {
    /// The raw value, `None` when the key or the value does not exist.
    fn raw(hive: Hive, key: &str, name: &str) -> Result<Option<RegValue<'static>>, String> {
        let subkey = match root(hive).open_subkey_with_flags(key, KEY_READ | KEY_WOW64_64KEY) {
            Ok(subkey) => subkey,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        match subkey.get_raw_value(name) {
            Ok(raw) => Ok(Some(raw)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Registry for WindowsRegistry {
    fn value(&self, hive: Hive, key: &str, name: &str) -> Result<Option<String>, String> {
        let Some(raw) = Self::raw(hive, key, name)? else {
            return Ok(None);
        };
        match &raw.vtype {
            // `RegValue`'s `Display` renders strings as text and integers in decimal.
            REG_SZ | REG_EXPAND_SZ | REG_DWORD | REG_QWORD => Ok(Some(raw.to_string())),
            other => Err(format!("value {name} has the unexpected type {other:?}")),
        }
    }

    fn binary(&self, hive: Hive, key: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(raw) = Self::raw(hive, key, name)? else {
            return Ok(None);
        };
        match &raw.vtype {
            REG_BINARY => Ok(Some(raw.bytes.into_owned())),
            other => Err(format!("value {name} has the unexpected type {other:?}")),
        }
    }

    fn subkeys(&self, hive: Hive, key: &str) -> Result<Vec<String>, String> {
        let subkey = match root(hive).open_subkey_with_flags(key, KEY_READ | KEY_WOW64_64KEY) {
            Ok(subkey) => subkey,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.to_string()),
        };
        subkey
            .enum_keys()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
    }
}
