//! Operating-system specific access, kept thin.
//!
//! The modules here only fetch raw data from their OS: registry values (Windows), the kernel
//! release (macOS), whose home directory to search (Linux, macOS). This is the agent's lowest
//! layer: it uses nothing of the probes above it, which interpret that data in pure
//! functions compiled on every platform and tested on Linux with fixture files (property
//! lists included, read with the `plist` crate everywhere); the registry is reached
//! through the [`Registry`] trait so that those tests can fake it. `host` holds the few host
//! facts that need OS calls (machine id, MAC addresses, volume sizes). `win32` holds the
//! few Win32 calls made through `windows-sys` (ICMP helper API, token elevation, volume
//! space): the only module where `unsafe` code is allowed.

#[cfg(test)]
mod fake_registry;
mod host;
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(windows)]
#[allow(
    unsafe_code,
    reason = "FFI to the Win32 API; each unsafe block states why it is sound"
)]
pub mod win32;
#[cfg(windows)]
pub mod windows;

#[cfg(test)]
pub use fake_registry::FakeRegistry;
pub use host::{machine_id, permanent_macs, volume_space};

/// A registry hive the probes read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hive {
    /// `HKEY_LOCAL_MACHINE`: machine-wide settings and installations.
    LocalMachine,
    /// `HKEY_CURRENT_USER`: the settings and per-user installations of the user running the agent.
    CurrentUser,
    /// `HKEY_USERS`: the hives of the users logged on, one subkey per SID. The scheduled
    /// audit runs as SYSTEM, whose `HKCU` is not a pupil's: their installations and proxy
    /// settings are there.
    Users,
}

impl Hive {
    /// The usual abbreviation, as written in reports: `HKLM`, `HKCU`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Hive::LocalMachine => "HKLM",
            Hive::CurrentUser => "HKCU",
            Hive::Users => "HKU",
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

    /// The `REG_BINARY` value `name` of the key `hive\key` (e.g. the proxy settings' blobs),
    /// with the same `Ok(None)` and `Err` cases as [`Registry::value`].
    fn binary(&self, hive: Hive, key: &str, name: &str) -> Result<Option<Vec<u8>>, String>;

    /// The names of the subkeys of `hive\key` (`key` empty: the hive's root); empty when the
    /// key does not exist.
    fn subkeys(&self, hive: Hive, key: &str) -> Result<Vec<String>, String>;
}

/// The SIDs of the user accounts whose hives are loaded under `HKEY_USERS` (users logged
/// on): local and domain accounts (`S-1-5-21-...`), not the service accounts nor the
/// `_Classes` companions. Sorted; empty when `HKEY_USERS` cannot be listed.
pub fn logged_on_users(registry: &dyn Registry) -> Vec<String> {
    let mut sids: Vec<String> = registry
        .subkeys(Hive::Users, "")
        .unwrap_or_default()
        .into_iter()
        .filter(|sid| sid.starts_with("S-1-5-21-") && !sid.ends_with("_Classes"))
        .collect();
    sids.sort();
    sids
}
