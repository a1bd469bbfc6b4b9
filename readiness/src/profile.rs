//! Readiness profile (TOML): thresholds, weights and blocking flags per check, the hosts and
//! endpoints to probe, the re-audit schedule and the privacy mode.
//!
//! A profile is a complete document: the département copies the shipped default
//! (`dist/profiles/fr-primaire.toml`, embedded here as [`DEFAULT_PROFILE_TOML`]) and edits it.
//! Unknown keys and bad values are errors that name the file, line and key.

use std::fmt::Display;
use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer};

use crate::limits::{MAX_ENDPOINT_NAME, MAX_HOST, MAX_PROFILE_ENDPOINT_HOSTS};

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

/// At most `max` entries in the list `key`, else "`key`: N entries, at most MAX".
fn check_count(key: &str, count: usize, max: usize) -> Result<(), String> {
    if count <= max {
        Ok(())
    } else {
        Err(format!("{key}: {count} entries, at most {max}"))
    }
}

/// At most `max` characters in `text`, else "`key`: N characters, at most MAX".
fn check_chars(key: &str, text: &str, max: usize) -> Result<(), String> {
    let count = text.chars().count();
    if count <= max {
        Ok(())
    } else {
        Err(format!("{key}: {count} characters, at most {max}"))
    }
}

/// A list `key` of at most `max` texts of at most `max_chars` characters each.
fn check_texts(key: &str, texts: &[String], max: usize, max_chars: usize) -> Result<(), String> {
    check_count(key, texts.len(), max)?;
    texts
        .iter()
        .try_for_each(|t| check_chars(&format!("{key}: {t:?}"), t, max_chars))
}

/// A string field of at most `MAX` characters, read by serde (`deserialize_with`), so that
/// the error points at the value's line.
fn bounded_text<'de, D: Deserializer<'de>, const MAX: usize>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    check_chars("text", &text, MAX).map_err(serde::de::Error::custom)?;
    Ok(text)
}

fn name_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_text::<D, 64>(d)
}

fn description_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_text::<D, 1024>(d)
}

fn salt_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_text::<D, 256>(d)
}

/// Every value at least 1, else "`a` and `b` must be at least 1", naming all the keys.
fn check_at_least_one(fields: &[(&str, u32)]) -> Result<(), String> {
    if fields.iter().all(|&(_, value)| value >= 1) {
        return Ok(());
    }
    let keys: Vec<&str> = fields.iter().map(|&(key, _)| key).collect();
    Err(format!("{} must be at least 1", keys.join(" and ")))
}

/// Declares a profile section: the struct as written, and its `Deserialize`, which reads a
/// private twin of the struct (unknown keys refused; a field's `#[serde(...)]` applies to
/// the twin), then runs `check(r) { ... }` on it (`r` the twin; an `Err(String)` is the
/// error, located by the TOML parser at the section); `default { field: value, ... }`, its
/// built-in values. `with meta`: a check section, whose `weight` and `blocking` keys (checked
/// by [`CheckMeta::checked`]) become the field `meta`; its default is then
/// `default(weight, blocking) { ... }`.
/// Defined above `mod bandwidth; mod network; mod system;`, which use it.
macro_rules! section {
    (
        $(#[$attr:meta])*
        pub struct $name:ident with meta {
            $( $(#[doc = $doc:expr])* $(#[serde($($serde:tt)*)])? pub $field:ident: $ty:ty, )*
        }
        check($r:ident) $check:block
        $( default($weight:expr, $blocking:expr) { $( $dfield:ident: $dvalue:expr, )* } )?
    ) => {
        $(
            impl Default for $name {
                fn default() -> Self {
                    $name {
                        meta: $crate::profile::CheckMeta::new($weight, $blocking),
                        $( $dfield: $dvalue, )*
                    }
                }
            }
        )?

        $(#[$attr])*
        pub struct $name {
            pub meta: $crate::profile::CheckMeta,
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        section!(@deserialize $name {
            weight: f64,
            blocking: bool,
            $( $(#[serde($($serde)*)])? $field: $ty, )*
        } $r => {
            let meta = $crate::profile::CheckMeta::checked($r.weight, $r.blocking)?;
            $check
            Ok($name { meta, $( $field: $r.$field, )* })
        });
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:expr])* $(#[serde($($serde:tt)*)])? pub $field:ident: $ty:ty, )*
        }
        check($r:ident) $check:block
        $( default { $( $dfield:ident: $dvalue:expr, )* } )?
    ) => {
        $(
            impl Default for $name {
                fn default() -> Self {
                    $name { $( $dfield: $dvalue, )* }
                }
            }
        )?

        $(#[$attr])*
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        section!(@deserialize $name {
            $( $(#[serde($($serde)*)])? $field: $ty, )*
        } $r => {
            $check
            Ok($name { $( $field: $r.$field, )* })
        });
    };
    (
        @deserialize $name:ident { $( $(#[$fattr:meta])* $field:ident: $ty:ty, )* }
        $r:ident => $build:block
    ) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    $( $(#[$fattr])* $field: $ty, )*
                }
                let $r = <Raw as ::serde::Deserialize>::deserialize(d)?;
                let build = move || -> Result<$name, String> { $build };
                build().map_err(::serde::de::Error::custom)
            }
        }
    };
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

/// The highest weight of a check.
const MAX_WEIGHT: f64 = 1000.0;

fn check_weight(weight: f64) -> Result<(), String> {
    if weight.is_finite() && (0.0..=MAX_WEIGHT).contains(&weight) {
        Ok(())
    } else {
        Err(format!(
            "weight must be a finite number between 0 and {MAX_WEIGHT}, got {weight}"
        ))
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

/// The highest rate in Mbit/s, and the highest threshold of a numeric check.
const MAX_MBPS: f64 = 1_000_000.0;

/// The highest time threshold in ms (10 minutes).
const MAX_THRESHOLD_MS: f64 = 600_000.0;

/// Thresholds where less is better: finite, `0 <= pass <= fail <= max`. `keys` are the
/// profile keys the error names.
fn check_less_is_better(pass: f64, fail: f64, max: f64, keys: (&str, &str)) -> Result<(), String> {
    let (pass_key, fail_key) = keys;
    if !(pass.is_finite() && fail.is_finite()) || pass < 0.0 {
        return Err("thresholds must be finite numbers >= 0".into());
    }
    if fail > max {
        return Err(format!("{fail_key} must be at most {max}, got {fail}"));
    }
    if pass > fail {
        return Err(format!(
            "{pass_key} ({pass}) must not be above {fail_key} ({fail}): less is better for this check"
        ));
    }
    Ok(())
}

/// Declares the section of a check graded on a time in ms where less is better (`meta`,
/// `pass_ms`, `fail_ms`; `keys` name the thresholds in an error), and its `Default`: the
/// built-in values. Defined above `mod bandwidth; mod network;`, which use it.
macro_rules! limit_ms_check {
    (
        $(#[$doc:meta])* $name:ident, keys: $keys:expr,
        default: { weight: $weight:expr, blocking: $blocking:expr, pass_ms: $pass:expr, fail_ms: $fail:expr $(,)? }
    ) => {
        section! {
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq)]
            pub struct $name with meta {
                pub pass_ms: f64,
                pub fail_ms: f64,
            }
            check(r) {
                $crate::profile::check_less_is_better(
                    r.pass_ms,
                    r.fail_ms,
                    $crate::profile::MAX_THRESHOLD_MS,
                    $keys,
                )?;
            }
            default($weight, $blocking) { pass_ms: $pass, fail_ms: $fail, }
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
        check_chars("name", &r.name, MAX_ENDPOINT_NAME)?;
        let named = |e: String| format!("endpoint {:?}: {e}", r.name);
        check_chars("url", &r.url, 2048).map_err(named)?;
        if let Some(text) = &r.expect_text {
            check_chars("expect_text", text, 256).map_err(named)?;
        }
        check_texts(
            "redirect_hosts",
            &r.redirect_hosts,
            MAX_PROFILE_ENDPOINT_HOSTS,
            MAX_HOST,
        )
        .map_err(named)?;
        check_texts(
            "expected_issuers",
            &r.expected_issuers,
            MAX_PROFILE_ENDPOINT_HOSTS,
            256,
        )
        .map_err(named)?;
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

/// The line of the key that `message` starts with, when `header` (1-based) is a section's
/// header line (not an array of tables) and that key is written in the section (before the
/// next header).
fn key_line(text: &str, header: usize, message: &str) -> Option<usize> {
    let mut lines = text.lines().enumerate().skip(header - 1);
    let (_, first) = lines.next()?;
    // An array of tables (`[[network.endpoints]]`) is pointed at by its first entry, which
    // need not be the one at fault.
    let first = first.trim_start();
    if !first.starts_with('[') || first.starts_with("[[") {
        return None;
    }
    let key: &str = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .filter(|k| !k.is_empty())?;
    lines
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| {
            l.split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        })
        .map(|(i, _)| i + 1)
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
                .filter(|k| !k.is_empty())
                // A field missing from the whole document is not the first line's key's.
                .filter(|_| {
                    !(e.span().is_some_and(|s| s.start == 0)
                        && e.message().starts_with("missing field"))
                });
            let message = e.message().trim().to_owned();
            // A section's own check names its key first ("interval_hours must be ..."), but
            // the parser can only point at the section: point at that key's line.
            let line = line.map(|l| key_line(text, l, &message).unwrap_or(l));
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
                // The second `name = "..."` of that name, else the first endpoint.
                let line = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| {
                        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                        l == format!("name={:?}", ep.name)
                    })
                    .nth(1)
                    .or_else(|| {
                        text.lines()
                            .enumerate()
                            .find(|(_, l)| l.trim_start().starts_with("[[network.endpoints]]"))
                    })
                    .map_or(1, |(i, _)| i + 1);
                return Err(ProfileError {
                    origin: format!("{origin}:{line}"),
                    line: Some(line),
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

    /// `text` parsed as the file `p.toml`.
    fn parse(text: &str) -> Result<Profile, ProfileError> {
        Profile::from_toml_str(text, "p.toml")
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
        let err = parse(&text).unwrap_err();
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
        let err = parse(&text).unwrap_err();
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
        let err = parse(&text).unwrap_err();
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

    /// Too large a value is refused with the file, its own line (or its section's, where the
    /// parser alone knows the place) and the key.
    #[test]
    fn upper_bounds_name_file_line_and_key() {
        let many = |n: usize, item: &str| {
            let items: Vec<String> = (0..n).map(|i| format!("\"{item}{i}\"")).collect();
            items.join(", ")
        };
        let long = |c: &str, n: usize| c.repeat(n);
        let endpoints = "\n[[network.endpoints]]";
        // (text replaced, its replacement, the line the error points at, the key it names): the
        // key's own line where the section's check names it, else the section's header
        #[rustfmt::skip]
        let edits: Vec<(&str, String, &str, &str)> = vec![
            ("interval_hours = 168", "interval_hours = 100000".into(), "interval_hours = 100000", "interval_hours"),
            ("jitter_minutes = 240", "jitter_minutes = 20000".into(), "jitter_minutes = 20000", "jitter_minutes"),
            ("dns_timeout_ms = 2000", "dns_timeout_ms = 4000000".into(), "dns_timeout_ms = 4000000", "dns_timeout_ms"),
            ("latency_samples = 5", "latency_samples = 100000".into(), "latency_samples = 100000", "latency_samples"),
            ("max_streams = 16", "max_streams = 1000".into(), "[bandwidth]", "max_streams"),
            ("max_mib = 1024", "max_mib = 1e9".into(), "max_mib = 1e9", "max_mib"),
            ("recent_days = 30", "recent_days = 100000".into(), "recent_days = 100000", "recent_days"),
            ("max_workstations = 200", "max_workstations = 5001".into(), "max_workstations = 5001", "max_workstations"),
            ("stale_after_days = 21", "stale_after_days = 100000".into(), "stale_after_days = 100000", "stale_after_days"),
            ("expiry_warn_days = 14", "expiry_warn_days = 100000".into(), "expiry_warn_days = 100000", "expiry_warn_days"),
            ("fail_s = 180", "fail_s = 1e12".into(), "[checks.\"system.clock_skew\"]", "fail"),
            ("fail_ms = 5000", "fail_ms = 1e12".into(), "[checks.\"endpoint\"]", "fail"),
            ("weight = 25\nblocking = true\n# End", "weight = 1e300\nblocking = true\n# End".into(), "weight = 1e300", "weight"),
            ("ending_soon_months = 6", "ending_soon_months = 100000".into(), "ending_soon_months = 100000", "ending_soon_months"),
            ("firefox = { pass = 104", "firefox = { pass = 4000000".into(), "[checks.\"browser.any\"]", "minimum.firefox"),
            ("pass = 4.0\n", "pass = 1e300\n".into(), "pass = 1e300", "pass"),
            ("speed_pass_mbps = 100", "speed_pass_mbps = 1e300".into(), "speed_pass_mbps = 1e300", "speed_pass_mbps"),
            ("resolvers = []", format!("resolvers = [{}]", many(5, "192.0.2.1")), "resolvers = [\"192.0.2.10\"", "resolvers"),
            ("hosts = [", format!("hosts = [{}, ", many(40, "h")), "hosts = [\"h0", "hosts"),
            ("hosts = [", format!("hosts = [\"{}\", ", long("a", 300)), "hosts = [\"aaa", "hosts"),
            ("name = \"gar\"", format!("name = \"{}\"", long("g", 40)), endpoints, "name"),
            ("url = \"https://idp", format!("url = \"https://{}.idp", long("a", 3000)), endpoints, "\"gar\": url"),
            ("name = \"gar\"", format!("name = \"gar\"\nredirect_hosts = [{}]", many(17, "h")), endpoints, "\"gar\": redirect_hosts"),
            ("name = \"fr-primaire\"", format!("name = \"{}\"", long("n", 65)), "name = \"nnn", "name"),
            ("hostname_salt = \"fr", format!("hostname_salt = \"{}", long("s", 300)), "hostname_salt", "hostname_salt"),
        ];
        let mut cases: Vec<(String, &str, &str)> = edits
            .iter()
            .map(|(old, new, line, key)| (with(old, new), *line, *key))
            .collect();
        let many_endpoints: String = (0..=crate::limits::MAX_PROFILE_ENDPOINTS)
            .map(|i| format!("{endpoints}\nname = \"e{i}\"\nurl = \"https://e{i}.example\"\n"))
            .collect();
        cases.push((
            format!("{DEFAULT_PROFILE_TOML}{many_endpoints}"),
            "[network]",
            "endpoints",
        ));
        for (text, line_needle, key) in &cases {
            let err = parse(text).unwrap_err();
            let msg = err.to_string();
            // An endpoint's error points at the first `[[network.endpoints]]` and names the
            // endpoint.
            let line = line_of(text, line_needle) + usize::from(line_needle.starts_with('\n'));
            assert_eq!(err.line, Some(line), "{key}: {msg}");
            assert!(
                msg.starts_with(&format!("p.toml:{}:", err.line.unwrap())),
                "{msg}"
            );
            assert!(msg.contains(key), "{key}: {msg}");
        }
    }

    #[test]
    fn max_workstations_defaults_and_bounds() {
        assert_eq!(Profile::default_profile().school.max_workstations, 200);
        let text = with("max_workstations = 200\n", "");
        let p = parse(&text).unwrap();
        assert_eq!(p.school.max_workstations, 200);
        let text = with("max_workstations = 200", "max_workstations = 0");
        assert!(parse(&text).is_err());
        let text = with("max_workstations = 200", "max_workstations = 1");
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("min_workstations"), "{err}");
        let text = with("max_workstations = 200", "max_workstations = 5000");
        assert_eq!(parse(&text).unwrap().school.max_workstations, 5000);
    }

    #[test]
    fn a_name_used_twice_is_located() {
        let text = format!(
            "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"gar\"\nurl = \"https://x\"\n"
        );
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, Some(text.lines().count() - 1), "{err}");
        assert!(err.to_string().contains("\"gar\" is used twice"), "{err}");
        // A field missing from the document is not blamed on the first key.
        let err = parse("name = \"x\"\n").unwrap_err();
        assert_eq!(err.message, "missing field `scoring`");
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
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("windows10_esu_until"), "{err}");

        let text = format!(
            "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"Bad Name\"\nurl = \"https://x\"\n"
        );
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("Bad Name"), "{err}");
        let text = format!(
            "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"x\"\nurl = \"ftp://x\"\n"
        );
        assert!(parse(&text).is_err());
    }
}
