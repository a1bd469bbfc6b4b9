//! Operating-system lifecycle: does this OS release still receive security updates?
//!
//! Owns the lifecycle table (end of security support of Windows, Debian, Ubuntu, Linux Mint,
//! macOS, iOS/iPadOS, Android and ChromeOS releases, each with its source) and [`assess`], the judgement behind the
//! `system.os_support` check: identify the product from an [`OsInfo`], then say whether it is
//! supported on a given day under the département's [`OsSupportPolicy`]. Pure data and date
//! arithmetic: no I/O.
//!
//! Conventions: every date is the *last* day of support (support ends after that day).
//! Only free, standard security support counts: Ubuntu Pro/ESM, Debian ELTS and Microsoft
//! ESU are ignored, except Windows 10 ESU when the policy says the département has it.
//! A release newer than every table entry (a new Windows 11 build, Debian 14, Ubuntu 26.10,
//! macOS 28, iPadOS 28, Android 17) is `Supported` with no date, so that the table ageing
//! never fails a new machine.
//!
//! One file per vendor holds its tables (with their sources, and which dates are
//! approximations) and its identification: `windows`, `linux` (Debian, Ubuntu, Mint and
//! derivatives), `apple` (macOS, iOS, iPadOS), `android`, `chromeos`. The last three judge
//! devices without the agent, known only through their browser (`crate::useragent`): what a
//! browser hides (a Chromebook's Auto Update Expiration, an Android device's security patch
//! level) is said in `basis`, never guessed.
//!
//! How the tables age: each file says what to add and when (a new Windows or macOS release
//! every autumn, an Android version every year, the Chrome release calendar); until then a
//! newer release is `Supported` and the dates already in the table stay right.

use jiff::Span;
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::measurements::{OsFamily, OsInfo};

/// The département's policy inputs (come from the readiness profile).
#[derive(Debug, Clone, PartialEq)]
pub struct OsSupportPolicy {
    /// End of support within this many months => EndingSoon (warn). Default 6.
    pub ending_soon_months: u32,
    /// If the département has Windows 10 ESU (Extended Security Updates, education offer) until
    /// this date, Windows 10 22H2 (Home/Pro/Education/Enterprise) after 2025-10-14 and up to this
    /// date is `ExtendedSupport` (warn) instead of Unsupported.
    pub windows10_esu_until: Option<Date>,
}

impl Default for OsSupportPolicy {
    fn default() -> Self {
        Self {
            ending_soon_months: 6,
            windows10_esu_until: None,
        }
    }
}

/// Verdict on the operating system's security support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    /// Supported beyond the "ending soon" horizon, or current with no end date announced.
    Supported,
    /// Still supported, but support ends within the policy's horizon.
    EndingSoon,
    /// Out of standard support but covered by a paid extension the département has (Windows 10 ESU).
    ExtendedSupport,
    /// No more security updates.
    Unsupported,
    /// Product not recognised.
    Unknown,
}

/// What [`assess`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportAssessment {
    pub status: SupportStatus,
    /// Product as identified, e.g. "Windows 10 22H2 (Education)", "Windows 11 24H2",
    /// "Debian 12 (bookworm)", "Ubuntu 22.04 LTS", "Linux Mint 21.3", "macOS 15",
    /// "PrimTux 8 (Debian 12 based)".
    pub product: String,
    /// End of security support that applies (for ExtendedSupport: the ESU end date); None if
    /// unknown / no date known.
    pub end_of_support: Option<Date>,
    /// How the product was identified when it was indirect, e.g. "derivative of Debian
    /// (ID_LIKE), /etc/debian_version 12.5". None when direct.
    pub basis: Option<String>,
}

mod android;
mod apple;
mod chromeos;
mod linux;
#[cfg(test)]
mod tests;
mod windows;

pub use windows::WINDOWS10_FROM_BROWSER;

// ---------------------------------------------------------------------------------------------
// Assessment
// ---------------------------------------------------------------------------------------------

/// Identifies the operating system and judges its security support on `today`.
#[must_use]
pub fn assess(os: &OsInfo, today: Date, policy: &OsSupportPolicy) -> SupportAssessment {
    let found = match os.family {
        OsFamily::Windows => windows::windows(os, today, policy),
        OsFamily::Linux => linux::linux(os),
        OsFamily::Macos => apple::macos(os, today),
        OsFamily::Ios | OsFamily::Ipados => apple::ios(os, today),
        OsFamily::Android => android::android(os),
        OsFamily::Chromeos => chromeos::chromeos(os, today),
        OsFamily::Other => Found::new(
            format!("unknown operating system '{}'", os.name.trim()),
            Support::Unknown,
        ),
    };
    let (status, end_of_support) = match found.support {
        Support::Until(end) => (
            dated_status(end, today, policy.ending_soon_months),
            Some(end),
        ),
        Support::Current => (SupportStatus::Supported, None),
        Support::Ended => (SupportStatus::Unsupported, None),
        Support::Esu(until) if today <= until => (SupportStatus::ExtendedSupport, Some(until)),
        Support::Esu(until) => (SupportStatus::Unsupported, Some(until)),
        Support::Partial(until) if today <= until => (SupportStatus::EndingSoon, Some(until)),
        Support::Partial(until) => (SupportStatus::Unsupported, Some(until)),
        Support::Unknown => (SupportStatus::Unknown, None),
    };
    SupportAssessment {
        status,
        product: found.product,
        end_of_support,
        basis: found.basis,
    }
}

/// Status of a release whose last day of support is `end`.
fn dated_status(end: Date, today: Date, ending_soon_months: u32) -> SupportStatus {
    if today > end {
        return SupportStatus::Unsupported;
    }
    let horizon = Span::new()
        .try_months(ending_soon_months)
        .and_then(|span| today.checked_add(span))
        .unwrap_or(Date::MAX);
    if horizon < end {
        SupportStatus::Supported
    } else {
        SupportStatus::EndingSoon
    }
}

/// What the table says about an identified product, before today's date is applied.
#[derive(Debug, Clone, Copy)]
enum Support {
    /// Supported up to and including this day.
    Until(Date),
    /// Current release, no end announced.
    Current,
    /// Out of support, no date tabulated.
    Ended,
    /// Past its normal end, covered by ESU up to and including this day.
    Esu(Date),
    /// Only partly supported up to and including this day (`EndingSoon` whatever the horizon):
    /// the previous iOS/iPadOS major, patched only on devices that cannot run the latest.
    Partial(Date),
    /// Not recognised.
    Unknown,
}

#[derive(Debug)]
struct Found {
    product: String,
    support: Support,
    basis: Option<String>,
}

impl Found {
    fn new(product: impl Into<String>, support: Support) -> Self {
        Self {
            product: product.into(),
            support,
            basis: None,
        }
    }

    fn basis(mut self, basis: Option<String>) -> Self {
        self.basis = basis;
        self
    }
}

/// The number at the start of `s` ("19045.4291" -> 19045, "12.5" -> 12).
fn leading_number(s: &str) -> Option<u32> {
    let s = s.trim();
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s[..end].parse().ok()
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Support of a version missing from a table: newer than the newest entry => current, older
/// than the oldest => ended, otherwise unknown.
fn beyond<T: PartialOrd>(v: T, oldest: Option<T>, newest: Option<T>) -> Support {
    if newest.is_some_and(|n| v > n) {
        Support::Current
    } else if oldest.is_some_and(|o| v < o) {
        Support::Ended
    } else {
        Support::Unknown
    }
}
