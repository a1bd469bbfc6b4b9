//! macOS specifics: binary property lists, the Darwin kernel release, the user's home.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;

/// The top-level string entries of a binary property list (`bplist00`), decoded with the
/// `plist` crate. XML property lists are parsed by `crate::probe::os::plist_strings` instead,
/// which is tested on every platform.
pub fn binary_plist_strings(bytes: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let value = plist::Value::from_reader(Cursor::new(bytes))
        .map_err(|e| format!("unreadable binary property list: {e}"))?;
    let dict = value
        .as_dictionary()
        .ok_or("the property list is not a dictionary")?;
    Ok(dict
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), value.as_string()?.to_owned())))
        .collect())
}

/// The Darwin kernel release (`uname -r`), e.g. "24.1.0".
pub fn kernel_release() -> Option<String> {
    sysinfo::System::kernel_version().ok()
}

/// The home directory of the user running the agent.
pub fn user_home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}
