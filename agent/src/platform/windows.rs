//! Windows specifics: registry reads through `winreg`.

use std::io;

use winreg::enums::{KEY_READ, KEY_WOW64_64KEY, REG_DWORD, REG_EXPAND_SZ, REG_QWORD, REG_SZ};
use winreg::{HKCU, HKLM};

use super::{Hive, Registry};

/// The live registry, read in its 64-bit view whatever the agent's own bitness, so that a
/// path names one place: the 32-bit view is reached by spelling `SOFTWARE\WOW6432Node\...`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WindowsRegistry;

impl Registry for WindowsRegistry {
    fn value(&self, hive: Hive, key: &str, name: &str) -> Result<Option<String>, String> {
        let root = match hive {
            Hive::LocalMachine => HKLM,
            Hive::CurrentUser => HKCU,
        };
        let subkey = match root.open_subkey_with_flags(key, KEY_READ | KEY_WOW64_64KEY) {
            Ok(subkey) => subkey,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let raw = match subkey.get_raw_value(name) {
            Ok(raw) => raw,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        match &raw.vtype {
            // `RegValue`'s `Display` renders strings as text and integers in decimal.
            REG_SZ | REG_EXPAND_SZ | REG_DWORD | REG_QWORD => Ok(Some(raw.to_string())),
            other => Err(format!("value {name} has the unexpected type {other:?}")),
        }
    }
}
