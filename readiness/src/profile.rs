//! Readiness profile (TOML): thresholds, weights and blocking flags per check, the hosts and
//! endpoints to probe, the re-audit schedule and the privacy mode.
//!
//! A profile is a complete document: the département copies the shipped default
//! (`dist/profiles/fr-primaire.toml`, embedded here as [`DEFAULT_PROFILE_TOML`]) and edits it.
//! Unknown keys and bad values are errors that name the file, line and key.

use serde::Deserialize;

// First: the section macros, for the modules below.
#[macro_use]
mod section;

mod bandwidth;
mod endpoint;
mod load;
mod network;
mod system;
#[cfg(test)]
mod tests;
mod validate;

pub use bandwidth::{Bandwidth, LoadedLatencyCheck, default_download, default_upload};
pub use endpoint::{Endpoint, url_host};
pub use load::ProfileError;
pub use network::{
    ClockCheck, DnsCheck, EndpointCheck, InterfaceCheck, LatencyCheck, MetaCheck, Network,
    TlsCheck, default_interception_meta, default_proxy_meta, parse_resolver,
};
pub use system::{
    ArchitectureCheck, BROWSER_NAMES, BrowserCheck, MinVersion, NumericCheck, OsSupportCheck,
};
// The rules, for the sections declared here and below (and the section macros' expansions).
use validate::{
    MAX_MBPS, MAX_THRESHOLD_MS, check_at_least_one, check_between, check_chars, check_count,
    check_less_is_better, check_texts, check_weight, description_text, name_text, salt_text,
};

/// The built-in default profile: French primary schools.
pub const DEFAULT_PROFILE_TOML: &str = include_str!("../../dist/profiles/fr-primaire.toml");

/// A parsed, validated profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short name, recorded in each report (`fr-primaire`): at most 64 characters.
    #[serde(deserialize_with = "name_text")]
    pub name: String,
    /// At most 1024 characters.
    #[serde(default, deserialize_with = "description_text")]
    pub description: String,
    pub scoring: Scoring,
    pub privacy: Privacy,
    pub schedule: Schedule,
    pub checks: Checks,
    pub network: Network,
    /// How the collector judges a school from its workstations.
    #[serde(default)]
    pub school: SchoolPolicy,
    /// How the bandwidth test runs and what the collector derives for a school (optional:
    /// built-in values when left out).
    #[serde(default)]
    pub bandwidth: Bandwidth,
}

section! {
    /// How the collector rolls workstations up into a school verdict.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SchoolPolicy {
        /// Below this many workstations reported, the school is "insufficient data".
        pub min_workstations: u32,
        /// The most workstations one school may enrol at the collector (1 to 5000).
        #[serde(default = "default_max_workstations")]
        pub max_workstations: u32,
        /// Share of (fresh) workstations that must be ready for the school to be ready.
        pub min_ready_share: f64,
        /// A workstation whose last report is older than this is stale (and left out of the
        /// school's verdict, but listed).
        pub stale_after_days: u32,
    }
    check(r) {
        check_between("min_ready_share", r.min_ready_share, 0.0..=1.0)?;
        check_at_least_one(&[
            ("min_workstations", r.min_workstations),
            ("stale_after_days", r.stale_after_days),
        ])?;
        check_between("max_workstations", r.max_workstations, 1..=5000)?;
        check_between("min_workstations", r.min_workstations, 1..=r.max_workstations)?;
        check_between("stale_after_days", r.stale_after_days, 1..=365)?;
    }
    default {
        min_workstations: 2,
        max_workstations: 200,
        min_ready_share: 0.8,
        stale_after_days: 21,
    }
}

fn default_max_workstations() -> u32 {
    SchoolPolicy::default().max_workstations
}

section! {
    /// How check results combine into a verdict.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Scoring {
        /// Above this share of the total weight in `unknown` checks, the verdict is
        /// `incomplete`.
        pub max_unknown_share: f64,
        /// Below this score the verdict is `not_ready` even without a blocking failure.
        pub not_ready_below: u8,
    }
    check(r) {
        check_between("max_unknown_share", r.max_unknown_share, 0.0..=1.0)?;
        check_between("not_ready_below", r.not_ready_below, 0..=100)?;
    }
}

/// What of the workstation's identity goes into reports.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    pub hostname: HostnameMode,
    /// Salt for the hashed host name, so that the département can match its own inventory
    /// while the name itself stays out of the reports.
    #[serde(default, deserialize_with = "salt_text")]
    pub hostname_salt: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostnameMode {
    Plain,
    Hashed,
    Omitted,
}

section! {
    /// When scheduled agents re-audit.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Schedule {
        /// Hours between two audits.
        pub interval_hours: u32,
        /// Random delay added to each run, up to this many minutes, so that thousands of PCs
        /// do not all reach the collector at the same minute.
        pub jitter_minutes: u32,
    }
    check(r) {
        check_at_least_one(&[("interval_hours", r.interval_hours)])?;
        // A year between audits, a week of jitter at most.
        check_between("interval_hours", r.interval_hours, 1..=366 * 24)?;
        check_between("jitter_minutes", r.jitter_minutes, 0..=7 * 24 * 60)?;
        if u64::from(r.jitter_minutes) > u64::from(r.interval_hours) * 60 {
            return Err(format!(
                "jitter_minutes ({}) must not exceed the interval ({} h)",
                r.jitter_minutes, r.interval_hours
            ));
        }
    }
}

/// Weight and blocking flag, common to every check.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct CheckMeta {
    pub weight: f64,
    pub blocking: bool,
}

/// Thresholds per check, keyed by the public check id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    #[serde(rename = "system.os_support")]
    pub os_support: OsSupportCheck,
    #[serde(rename = "system.ram")]
    pub ram: NumericCheck,
    #[serde(rename = "system.cpu_cores")]
    pub cpu_cores: NumericCheck,
    #[serde(rename = "system.disk_free")]
    pub disk_free: NumericCheck,
    #[serde(rename = "system.architecture")]
    pub architecture: ArchitectureCheck,
    #[serde(rename = "browser.any")]
    pub browser_any: BrowserCheck,
    /// `dns.<host>`. The network sections may be left out of a profile: they then take the
    /// built-in profile's values (a test checks that the two agree).
    #[serde(rename = "dns", default)]
    pub dns: DnsCheck,
    /// `endpoint.<name>`.
    #[serde(rename = "endpoint", default)]
    pub endpoint: EndpointCheck,
    /// `endpoint.<name>.tls`.
    #[serde(rename = "endpoint.tls", default)]
    pub endpoint_tls: TlsCheck,
    /// `network.tls_interception`.
    #[serde(
        rename = "network.tls_interception",
        default = "default_interception_meta"
    )]
    pub tls_interception: MetaCheck,
    /// `network.proxy`.
    #[serde(rename = "network.proxy", default = "default_proxy_meta")]
    pub proxy: MetaCheck,
    /// `latency.<target>`.
    #[serde(rename = "latency", default)]
    pub latency: LatencyCheck,
    /// `system.clock_skew`.
    #[serde(rename = "system.clock_skew", default)]
    pub clock_skew: ClockCheck,
    /// `network.interface` (informational by default: weight 0).
    #[serde(rename = "network.interface", default)]
    pub interface: InterfaceCheck,
    /// `bandwidth.download`, in Mbit/s; also the thresholds of the school's downlink at the
    /// collector.
    #[serde(rename = "bandwidth.download", default = "default_download")]
    pub bandwidth_download: NumericCheck,
    /// `bandwidth.upload`, in Mbit/s; also the school's uplink.
    #[serde(rename = "bandwidth.upload", default = "default_upload")]
    pub bandwidth_upload: NumericCheck,
    /// `bandwidth.loaded_latency`, in ms.
    #[serde(rename = "bandwidth.loaded_latency", default)]
    pub bandwidth_loaded_latency: LoadedLatencyCheck,
}

impl CheckMeta {
    /// A built-in section's weight and blocking flag.
    pub const fn new(weight: f64, blocking: bool) -> CheckMeta {
        CheckMeta { weight, blocking }
    }

    /// A section's weight and blocking flag, the weight checked: how every check section
    /// starts.
    fn checked(weight: f64, blocking: bool) -> Result<CheckMeta, String> {
        check_weight(weight)?;
        Ok(CheckMeta { weight, blocking })
    }
}
