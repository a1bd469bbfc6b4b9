//! Readiness profile (TOML): thresholds, weights and blocking flags per check, the hosts and
//! endpoints to probe, the re-audit schedule and the privacy mode.
//!
//! A profile is a complete document: the département copies the shipped default
//! (`dist/profiles/fr-primaire.toml`, embedded here as [`DEFAULT_PROFILE_TOML`]) and edits it.
//! Unknown keys and bad values are errors that name the file, line and key.

use std::fmt::Display;
use std::ops::RangeInclusive;

use serde::Deserialize;

/// The built-in default profile: French primary schools.
pub const DEFAULT_PROFILE_TOML: &str = include_str!("../../dist/profiles/fr-primaire.toml");

/// A parsed, validated profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short name, recorded in each report (`fr-primaire`).
    pub name: String,
    #[serde(default)]
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

/// `value` within `range`, else "`key` must be between LOW and HIGH, got VALUE" (NaN is
/// never within).
fn check_between<T: PartialOrd + Display>(
    key: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{key} must be between {} and {}, got {value}",
            range.start(),
            range.end()
        ))
    }
}

/// Every value at least 1, else "`a` and `b` must be at least 1", naming all the keys.
fn check_at_least_one(fields: &[(&str, u32)]) -> Result<(), String> {
    if fields.iter().all(|&(_, value)| value >= 1) {
        return Ok(());
    }
    let keys: Vec<&str> = fields.iter().map(|&(key, _)| key).collect();
    Err(format!("{} must be at least 1", keys.join(" and ")))
}

/// How the collector rolls workstations up into a school verdict.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawSchoolPolicy")]
pub struct SchoolPolicy {
    /// Below this many workstations reported, the school is "insufficient data".
    pub min_workstations: u32,
    /// Share of (fresh) workstations that must be ready for the school to be ready.
    pub min_ready_share: f64,
    /// A workstation whose last report is older than this is stale (and left out of the
    /// school's verdict, but listed).
    pub stale_after_days: u32,
}

impl Default for SchoolPolicy {
    fn default() -> Self {
        SchoolPolicy {
            min_workstations: 2,
            min_ready_share: 0.8,
            stale_after_days: 21,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchoolPolicy {
    min_workstations: u32,
    min_ready_share: f64,
    stale_after_days: u32,
}

impl TryFrom<RawSchoolPolicy> for SchoolPolicy {
    type Error = String;
    fn try_from(r: RawSchoolPolicy) -> Result<Self, String> {
        check_between("min_ready_share", r.min_ready_share, 0.0..=1.0)?;
        check_at_least_one(&[
            ("min_workstations", r.min_workstations),
            ("stale_after_days", r.stale_after_days),
        ])?;
        Ok(SchoolPolicy {
            min_workstations: r.min_workstations,
            min_ready_share: r.min_ready_share,
            stale_after_days: r.stale_after_days,
        })
    }
}

/// How check results combine into a verdict.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawScoring")]
pub struct Scoring {
    /// Above this share of the total weight in `unknown` checks, the verdict is `incomplete`.
    pub max_unknown_share: f64,
    /// Below this score the verdict is `not_ready` even without a blocking failure.
    pub not_ready_below: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    max_unknown_share: f64,
    not_ready_below: u8,
}

impl TryFrom<RawScoring> for Scoring {
    type Error = String;
    fn try_from(r: RawScoring) -> Result<Self, String> {
        check_between("max_unknown_share", r.max_unknown_share, 0.0..=1.0)?;
        check_between("not_ready_below", r.not_ready_below, 0..=100)?;
        Ok(Scoring {
            max_unknown_share: r.max_unknown_share,
            not_ready_below: r.not_ready_below,
        })
    }
}

/// What of the workstation's identity goes into reports.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    pub hostname: HostnameMode,
    /// Salt for the hashed host name, so that the département can match its own inventory
    /// while the name itself stays out of the reports.
    #[serde(default)]
    pub hostname_salt: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostnameMode {
    Plain,
    Hashed,
    Omitted,
}

/// When scheduled agents re-audit.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawSchedule")]
pub struct Schedule {
    /// Hours between two audits.
    pub interval_hours: u32,
    /// Random delay added to each run, up to this many minutes, so that thousands of PCs do
    /// not all reach the collector at the same minute.
    pub jitter_minutes: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    interval_hours: u32,
    jitter_minutes: u32,
}

impl TryFrom<RawSchedule> for Schedule {
    type Error = String;
    fn try_from(r: RawSchedule) -> Result<Self, String> {
        check_at_least_one(&[("interval_hours", r.interval_hours)])?;
        if u64::from(r.jitter_minutes) > u64::from(r.interval_hours) * 60 {
            return Err(format!(
                "jitter_minutes ({}) must not exceed the interval ({} h)",
                r.jitter_minutes, r.interval_hours
            ));
        }
        Ok(Schedule {
            interval_hours: r.interval_hours,
            jitter_minutes: r.jitter_minutes,
        })
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

fn check_weight(weight: f64) -> Result<(), String> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(format!("weight must be a finite number >= 0, got {weight}"))
    }
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

/// Thresholds where less is better: finite, `pass >= 0`, `pass <= fail`. `keys` are the
/// profile keys the error names.
fn check_less_is_better(pass: f64, fail: f64, keys: (&str, &str)) -> Result<(), String> {
    let (pass_key, fail_key) = keys;
    if !(pass.is_finite() && fail.is_finite()) || pass < 0.0 {
        return Err("thresholds must be finite numbers >= 0".into());
    }
    if pass > fail {
        return Err(format!(
            "{pass_key} ({pass}) must not be above {fail_key} ({fail}): less is better for this check"
        ));
    }
    Ok(())
}

/// The section of a check graded on a time in ms where less is better (`dns`, `endpoint`,
/// `bandwidth.loaded_latency`), before its thresholds are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimitMs {
    weight: f64,
    blocking: bool,
    pass_ms: f64,
    fail_ms: f64,
}

impl RawLimitMs {
    /// The checked meta and thresholds; `keys` name the thresholds in an error.
    fn checked(self, keys: (&str, &str)) -> Result<(CheckMeta, f64, f64), String> {
        let meta = CheckMeta::checked(self.weight, self.blocking)?;
        check_less_is_better(self.pass_ms, self.fail_ms, keys)?;
        Ok((meta, self.pass_ms, self.fail_ms))
    }
}

/// Declares the type of a check section graded on a time in ms where less is better
/// (`meta`, `pass_ms`, `fail_ms`), read from [`RawLimitMs`] (`keys` name the thresholds in
/// an error), and its `Default`: the built-in values. Defined above `mod bandwidth;
/// mod network;`, which use it.
macro_rules! limit_ms_check {
    (
        $(#[$doc:meta])* $name:ident, keys: $keys:expr,
        default: { weight: $weight:expr, blocking: $blocking:expr, pass_ms: $pass:expr, fail_ms: $fail:expr $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
        #[serde(try_from = "RawLimitMs")]
        pub struct $name {
            pub meta: CheckMeta,
            pub pass_ms: f64,
            pub fail_ms: f64,
        }

        impl TryFrom<RawLimitMs> for $name {
            type Error = String;
            fn try_from(r: RawLimitMs) -> Result<Self, String> {
                let (meta, pass_ms, fail_ms) = r.checked($keys)?;
                Ok($name {
                    meta,
                    pass_ms,
                    fail_ms,
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    meta: CheckMeta::new($weight, $blocking),
                    pass_ms: $pass,
                    fail_ms: $fail,
                }
            }
        }
    };
}

mod bandwidth;
mod network;
mod system;

pub use bandwidth::{Bandwidth, LoadedLatencyCheck, default_download, default_upload};
pub use network::{
    ClockCheck, DnsCheck, EndpointCheck, InterfaceCheck, LatencyCheck, MetaCheck, Network,
    TlsCheck, default_interception_meta, default_proxy_meta, parse_resolver,
};
pub use system::{
    ArchitectureCheck, BROWSER_NAMES, BrowserCheck, MinVersion, NumericCheck, OsSupportCheck,
};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawEndpoint")]
pub struct Endpoint {
    /// Short name, used in check ids (`endpoint.<name>`): lowercase letters, digits, `_`, `-`.
    pub name: String,
    pub url: String,
    /// A text the real page contains ("EduConnect"): when the final page lacks it, the ENT
    /// was replaced by something else (a filter's block page, a portal).
    pub expect_text: Option<String>,
    /// Hosts a redirect may lead to besides the endpoint's own and the profile's (an
    /// identity provider); `*.example.fr` matches every subdomain. A redirect elsewhere is
    /// reported as a captive portal or filter and not followed.
    pub redirect_hosts: Vec<String>,
    /// Expected certificate issuers (text found in the issuer name, e.g. "Sectigo"). When
    /// set, a chain from another issuer is reported as intercepted even if the OS trusts it.
    pub expected_issuers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    name: String,
    url: String,
    #[serde(default)]
    expect_text: Option<String>,
    #[serde(default)]
    redirect_hosts: Vec<String>,
    #[serde(default)]
    expected_issuers: Vec<String>,
}

impl Endpoint {
    /// An endpoint given on the command line (`NAME=URL`), validated like the profile's.
    pub fn new(name: &str, url: &str) -> Result<Endpoint, String> {
        Endpoint::try_from(RawEndpoint {
            name: name.to_owned(),
            url: url.to_owned(),
            expect_text: None,
            redirect_hosts: Vec::new(),
            expected_issuers: Vec::new(),
        })
    }

    /// The host part of the URL (no port, IPv6 without brackets), lower-cased.
    pub fn host(&self) -> String {
        url_host(&self.url)
    }
}

/// The host of an `http(s)://` URL, lower-cased, without port, user info or IPv6 brackets.
pub fn url_host(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host.to_ascii_lowercase()
}

impl TryFrom<RawEndpoint> for Endpoint {
    type Error = String;
    fn try_from(r: RawEndpoint) -> Result<Self, String> {
        let name_ok = !r.name.is_empty()
            && r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(format!(
                "endpoint name {:?}: use lowercase letters, digits, '_' or '-'",
                r.name
            ));
        }
        let rest = r
            .url
            .strip_prefix("https://")
            .or_else(|| r.url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.starts_with('/') => {}
            _ => {
                return Err(format!(
                    "endpoint {:?}: url {:?} must start with https:// or http:// and name a host",
                    r.name, r.url
                ));
            }
        }
        if r.expect_text.as_deref().is_some_and(str::is_empty) {
            return Err(format!(
                "endpoint {:?}: expect_text must not be empty",
                r.name
            ));
        }
        Ok(Endpoint {
            name: r.name,
            url: r.url,
            expect_text: r.expect_text,
            redirect_hosts: r
                .redirect_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            expected_issuers: r.expected_issuers,
        })
    }
}

/// A profile that could not be loaded: says which file, where, and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ProfileError {
    /// The file (or "built-in profile").
    pub origin: String,
    /// Line (1-based) of the problem, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl Profile {
    /// The built-in French primary-school profile.
    pub fn default_profile() -> Profile {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        Profile::from_toml_str(DEFAULT_PROFILE_TOML, "built-in profile")
            .unwrap_or_else(|e| panic!("the built-in profile is invalid: {e}"))
    }

    /// Parse a profile. `origin` names the source in errors (a file path).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let key = line
                .and_then(|l| text.lines().nth(l - 1))
                .map(str::trim)
                .and_then(|l| {
                    if let Some(header) = l.strip_prefix('[') {
                        Some(header.trim_end_matches(']').trim_matches('[').to_owned())
                    } else {
                        l.split_once('=').map(|(k, _)| k.trim().to_owned())
                    }
                })
                .filter(|k| !k.is_empty());
            let message = e.message().trim().to_owned();
            ProfileError {
                origin: match line {
                    Some(l) => format!("{origin}:{l}"),
                    None => origin.to_owned(),
                },
                line,
                message: match key {
                    Some(k) => format!("`{k}`: {message}"),
                    None => message,
                },
            }
        })?;
        let mut names = std::collections::BTreeSet::new();
        for ep in &profile.network.endpoints {
            if !names.insert(ep.name.as_str()) {
                return Err(ProfileError {
                    origin: origin.to_owned(),
                    line: None,
                    message: format!("network.endpoints: the name {:?} is used twice", ep.name),
                });
            }
        }
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_parses() {
        let p = Profile::default_profile();
        assert_eq!(p.name, "fr-primaire");
        assert_eq!(p.checks.ram.pass, 4.0);
        assert_eq!(p.checks.ram.warn, 2.0);
        assert_eq!(p.checks.browser_any.minimum["firefox"].pass, 104);
        assert!(p.checks.os_support.meta.blocking);
    }

    fn with(old: &str, new: &str) -> String {
        assert!(DEFAULT_PROFILE_TOML.contains(old), "fixture: {old}");
        DEFAULT_PROFILE_TOML.replacen(old, new, 1)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = with(
            "[checks.\"system.ram\"]\n",
            "[checks.\"system.ram\"]\nram_min = 3\n",
        );
        let err = Profile::from_toml_str(&text, "p.toml").unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.line, Some(line_of(&text, "ram_min")), "{msg}");
        assert!(
            msg.starts_with(&format!("p.toml:{}:", line_of(&text, "ram_min"))),
            "{msg}"
        );
        assert!(msg.contains("ram_min"), "{msg}");
    }

    #[test]
    fn bad_value_is_located() {
        let text = with("interval_hours = 168", "interval_hours = \"weekly\"");
        let err = Profile::from_toml_str(&text, "p.toml").unwrap_err();
        assert_eq!(err.line, Some(line_of(&text, "interval_hours")));
        assert!(err.message.contains("interval_hours"), "{}", err.message);
    }

    #[test]
    fn inconsistent_thresholds_are_rejected() {
        let text = DEFAULT_PROFILE_TOML.replacen("warn = 2.0 ", "warn = 8.0 ", 1);
        assert_ne!(
            text, DEFAULT_PROFILE_TOML,
            "fixture must change the RAM warn threshold"
        );
        let err = Profile::from_toml_str(&text, "p.toml").unwrap_err();
        assert!(err.message.contains("must not be above pass"), "{err}");
        assert!(err.line.is_some(), "{err}");
    }

    /// The range and "at least 1" messages read as they did when each section wrote its own.
    #[test]
    fn range_messages() {
        assert_eq!(
            check_between("min_ready_share", 1.5, 0.0..=1.0).unwrap_err(),
            "min_ready_share must be between 0 and 1, got 1.5"
        );
        assert!(check_between("max_unknown_share", f64::NAN, 0.0..=1.0).is_err());
        assert_eq!(
            check_between("dns_timeout_ms", 5_u32, 10..=60_000).unwrap_err(),
            "dns_timeout_ms must be between 10 and 60000, got 5"
        );
        assert!(check_between("not_ready_below", 100_u8, 0..=100).is_ok());
        assert_eq!(
            check_at_least_one(&[("min_workstations", 1), ("stale_after_days", 0)]).unwrap_err(),
            "min_workstations and stale_after_days must be at least 1"
        );
        assert_eq!(
            check_at_least_one(&[("interval_hours", 0)]).unwrap_err(),
            "interval_hours must be at least 1"
        );
    }

    #[test]
    fn syntax_error_is_located() {
        let err = Profile::from_toml_str("name = \"x\"\n[scoring\n", "p.toml").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn missing_section_is_named() {
        let err = Profile::from_toml_str("name = \"x\"\n", "p.toml").unwrap_err();
        assert!(err.message.contains("missing field"), "{err}");
    }

    #[test]
    fn bad_esu_date_and_endpoint() {
        let text = with(
            "ending_soon_months = 6",
            "ending_soon_months = 6\nwindows10_esu_until = \"next year\"",
        );
        let err = Profile::from_toml_str(&text, "p.toml").unwrap_err();
        assert!(err.message.contains("windows10_esu_until"), "{err}");

        let text = format!(
            "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"Bad Name\"\nurl = \"https://x\"\n"
        );
        let err = Profile::from_toml_str(&text, "p.toml").unwrap_err();
        assert!(err.message.contains("Bad Name"), "{err}");
        let text = format!(
            "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"x\"\nurl = \"ftp://x\"\n"
        );
        assert!(Profile::from_toml_str(&text, "p.toml").is_err());
    }
}
