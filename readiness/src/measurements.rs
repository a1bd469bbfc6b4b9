//! Raw measurements, as probes produce them: figures and facts, no judgement.
//!
//! Scoring (`crate::scoring`) turns these into check results against a profile. The
//! collector re-scores from these alone, so everything a check needs must be here.
//! A field that could not be measured is `None`, and the reason goes in the area's
//! `unavailable` map (field name -> reason), so that the check is `unknown` with that
//! reason rather than a failure.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod bandwidth;
pub mod network;
pub mod reasons;

pub use bandwidth::BandwidthMeasurements;
pub use network::NetworkMeasurements;

/// All raw measurements of one audit, grouped by area.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measurements {
    /// Hardware and operating system of the workstation.
    pub system: Option<SystemMeasurements>,
    /// Installed web browsers.
    pub browsers: Option<BrowserMeasurements>,
    /// DNS, ENT endpoints, TLS, proxy, latency, clock and network interface.
    pub network: Option<NetworkMeasurements>,
    /// Download and upload throughput and responsiveness, against the collector.
    pub bandwidth: Option<BandwidthMeasurements>,
}

/// Why a measurement is missing, keyed by the field that is missing.
pub type Unavailable = BTreeMap<String, String>;

/// Hardware and operating system facts.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemMeasurements {
    pub os: Option<OsInfo>,
    pub cpu: Option<CpuInfo>,
    /// Total physical memory visible to the operating system, in bytes.
    pub memory_total_bytes: Option<u64>,
    /// The system volume (where the OS is installed).
    pub system_disk: Option<DiskInfo>,
    /// CPU architecture of the running OS, normalised: `x86_64`, `x86`, `aarch64`, `arm`, ...
    pub architecture: Option<String>,
    /// Seconds since boot.
    pub uptime_s: Option<u64>,
    /// Fields that could not be measured, with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unavailable: Unavailable,
}

/// The operating system family.
///
/// `ios`, `ipados`, `android` and `chromeos` are the devices without the agent (tablets,
/// phones, Chromebooks), as the browser probe reads them from the browser
/// (`readiness::useragent`); the agent itself reports `windows`, `linux`, `macos` or `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OsFamily {
    /// Windows (the agent, or a browser).
    Windows,
    /// Linux distributions (the agent, or a browser).
    Linux,
    /// macOS (the agent, or a browser).
    Macos,
    /// Any other system the agent runs on.
    Other,
    /// iPhone (and iPod touch): iOS.
    Ios,
    /// iPad: iPadOS (iOS before version 13). Its Safari announces itself as macOS.
    Ipados,
    /// Android phones and tablets.
    Android,
    /// Chromebooks: ChromeOS, versioned by its Chrome milestone.
    Chromeos,
}

/// What the agent read of the operating system's identity.
///
/// On Linux the fields come from `/etc/os-release` (`id`, `id_like`, `version_id`,
/// `version_codename`, `ubuntu_codename`) and `/etc/debian_version`; on Windows from the
/// registry (`CurrentVersion`: product name, `DisplayVersion`, `CurrentBuildNumber`,
/// `EditionID`); on macOS from the system version plist. From a browser (the browser probe,
/// `readiness::useragent`): the family, `id` (`ios`, `ipados`, `android`, `chromeos`,
/// `windows`, `macos`, `linux`) and what the User-Agent and its client hints tell of the
/// version (ChromeOS: the Chrome milestone, e.g. "140"); fields a browser hides stay `None`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OsInfo {
    pub family: OsFamily,
    /// Human-readable name, e.g. "Windows 11 Education", "Debian GNU/Linux 12 (bookworm)".
    pub name: String,
    /// Machine id of the distribution or product: `debian`, `ubuntu`, `linuxmint`,
    /// `primtux`, `windows`, `macos`.
    pub id: String,
    /// Distributions this one derives from (os-release `ID_LIKE`), e.g. `["debian"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// Version as the vendor writes it: "12", "22.04", "22H2", "15.1".
    pub version: Option<String>,
    /// Release code name: "bookworm", "jammy".
    pub codename: Option<String>,
    /// Ubuntu code name of an Ubuntu derivative (os-release `UBUNTU_CODENAME`).
    pub ubuntu_codename: Option<String>,
    /// Content of `/etc/debian_version` on Debian and its derivatives ("12.5", "bookworm/sid").
    pub debian_version: Option<String>,
    /// Build number (Windows: `CurrentBuildNumber`, e.g. 19045, 26100; macOS: "24B83").
    pub build: Option<String>,
    /// Edition (Windows `EditionID`: "Professional", "Education", "EnterpriseS" for LTSC...).
    pub edition: Option<String>,
    /// Kernel version (Linux, macOS Darwin).
    pub kernel: Option<String>,
}

impl OsInfo {
    /// An operating system known by its family, id and name only; the other facts unknown.
    pub fn new(family: OsFamily, id: &str, name: impl Into<String>) -> OsInfo {
        OsInfo {
            family,
            name: name.into(),
            id: id.to_owned(),
            id_like: Vec::new(),
            version: None,
            codename: None,
            ubuntu_codename: None,
            debian_version: None,
            build: None,
            edition: None,
            kernel: None,
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CpuInfo {
    pub model: Option<String>,
    /// Logical processors the OS schedules on (threads).
    pub logical_cores: u32,
    /// Physical cores, where the OS tells.
    pub physical_cores: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiskInfo {
    /// Mount point or drive ("/", "C:\\").
    pub mount_point: String,
    pub total_bytes: u64,
    /// Space available to an unprivileged user, in bytes.
    pub available_bytes: u64,
}

/// Installed web browsers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserMeasurements {
    /// Every browser found, one entry per installation.
    pub installed: Vec<BrowserInfo>,
    /// Places that could not be searched, with the reason (e.g. a registry hive unreadable).
    /// The key `scan` means the whole search failed or timed out: `browser.any` is then
    /// unknown rather than failed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unavailable: Unavailable,
}

/// One browser installation.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserInfo {
    /// Normalised name: `firefox`, `chrome`, `chromium`, `edge`, `safari`,
    /// `internet_explorer`, `opera`, `brave`, `vivaldi`.
    pub name: String,
    /// Version string as found ("128.0.3", "131.0.6778.85"); `None` when installed but the
    /// version could not be read.
    pub version: Option<String>,
    /// How it is installed: `system`, `user`, `snap`, `flatpak`, `app_bundle`, `registry_hklm`,
    /// `registry_hkcu`, `registry_hku` (another user logged on); `browser` for the browser
    /// running the browser probe, as it announced itself (`readiness::useragent`).
    pub source: String,
    /// Where it was found (a path or a registry key). Never a user's home directory name:
    /// per-user paths are written with `~`. For `browser`: what it announced, e.g.
    /// "Chrome for iOS 131.0.6778.73 (WebKit of iOS 17.7)", judged under `name` `safari`.
    pub location: Option<String>,
}

impl BrowserInfo {
    /// The major version number, if the version string starts with one.
    pub fn major_version(&self) -> Option<u32> {
        let v = self.version.as_deref()?;
        let digits: String = v
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_version_parses_leading_number() {
        let b = |v: Option<&str>| BrowserInfo {
            name: "firefox".into(),
            version: v.map(str::to_owned),
            source: "system".into(),
            location: None,
        };
        assert_eq!(b(Some("128.0.3")).major_version(), Some(128));
        assert_eq!(b(Some(" 91esr")).major_version(), Some(91));
        assert_eq!(b(Some("beta")).major_version(), None);
        assert_eq!(b(None).major_version(), None);
    }
}
