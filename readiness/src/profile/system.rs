//! The sections of the workstation's own checks: numeric thresholds (RAM, cores, free
//! disk), OS support, CPU architecture and browser versions.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Deserialize;

use super::{CheckMeta, MAX_MBPS, check_between, check_texts, check_weight};
use crate::lifecycle::OsSupportPolicy;
use crate::limits::MAX_PROFILE_ARCHITECTURES;

section! {
    /// A numeric check where more is better: `value >= pass` passes, `value >= warn` warns,
    /// below fails.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct NumericCheck with meta {
        pub pass: f64,
        pub warn: f64,
    }
    check(r) {
        if !(r.pass.is_finite() && r.warn.is_finite()) || r.warn < 0.0 {
            return Err("pass and warn must be finite numbers >= 0".into());
        }
        // GiB, cores, Mbit/s: a million of any is beyond every workstation.
        check_between("pass", r.pass, 0.0..=MAX_MBPS)?;
        if r.warn > r.pass {
            return Err(format!(
                "warn ({}) must not be above pass ({}): more is better for this check",
                r.warn, r.pass
            ));
        }
    }
}

/// `system.os_support`: the OS is in its vendor's security support.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawOsSupportCheck")]
pub struct OsSupportCheck {
    pub meta: CheckMeta,
    pub policy: OsSupportPolicy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOsSupportCheck {
    weight: f64,
    blocking: bool,
    ending_soon_months: u32,
    #[serde(default)]
    windows10_esu_until: Option<String>,
}

impl TryFrom<RawOsSupportCheck> for OsSupportCheck {
    type Error = String;
    fn try_from(r: RawOsSupportCheck) -> Result<Self, String> {
        let meta = CheckMeta::checked(r.weight, r.blocking)?;
        check_between("ending_soon_months", r.ending_soon_months, 0..=60)?;
        let windows10_esu_until = r
            .windows10_esu_until
            .map(|s| {
                s.parse::<Date>().map_err(|e| {
                    format!("windows10_esu_until: {s:?} is not a date (YYYY-MM-DD): {e}")
                })
            })
            .transpose()?;
        Ok(OsSupportCheck {
            meta,
            policy: OsSupportPolicy {
                ending_soon_months: r.ending_soon_months,
                windows10_esu_until,
            },
        })
    }
}

section! {
    /// `system.architecture`: which CPU architectures pass and which warn; others fail.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ArchitectureCheck with meta {
        pub pass: Vec<String>,
        #[serde(default)]
        pub warn: Vec<String>,
    }
    check(r) {
        if r.pass.is_empty() {
            return Err("pass must list at least one architecture".into());
        }
        check_texts("pass", &r.pass, MAX_PROFILE_ARCHITECTURES, 32)?;
        check_texts("warn", &r.warn, MAX_PROFILE_ARCHITECTURES, 32)?;
    }
}

section! {
    /// `browser.any` and the per-browser checks `browser.<name>`; `meta` is the weight and
    /// blocking flag of `browser.any`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct BrowserCheck with meta {
        /// Weight of each `browser.<name>` check (never blocking: `browser.any` decides).
        pub each_weight: f64,
        /// Minimum major versions per browser name.
        pub minimum: BTreeMap<String, MinVersion>,
    }
    check(r) {
        check_weight(r.each_weight)?;
        for (name, min) in &r.minimum {
            if !BROWSER_NAMES.contains(&name.as_str()) {
                return Err(format!(
                    "minimum.{name}: unknown browser, expected one of {}",
                    BROWSER_NAMES.join(", ")
                ));
            }
            if name == "internet_explorer" {
                return Err(
                    "minimum.internet_explorer: Internet Explorer cannot meet any minimum".into(),
                );
            }
            check_between(&format!("minimum.{name}.pass"), min.pass, 0..=MAX_VERSION)?;
            if min.warn > min.pass {
                return Err(format!(
                    "minimum.{name}: warn ({}) must not be above pass ({})",
                    min.warn, min.pass
                ));
            }
        }
        if r.minimum.is_empty() {
            return Err("minimum must list at least one browser".into());
        }
    }
}

/// Minimum major version of a browser: `>= pass` passes, `>= warn` warns, older fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinVersion {
    pub pass: u32,
    pub warn: u32,
}

/// The highest major version a browser minimum may name.
const MAX_VERSION: u32 = 10_000;

/// Browser names the agent reports.
pub const BROWSER_NAMES: &[&str] = &[
    "firefox",
    "chrome",
    "chromium",
    "edge",
    "safari",
    "internet_explorer",
    "opera",
    "brave",
    "vivaldi",
];
