//! Operating-system lifecycle: does this OS release still receive security updates?
//!
//! Owns the lifecycle table (end of security support of Windows, Debian, Ubuntu, Linux Mint
//! and macOS releases, each with its source) and [`assess`], the judgement behind the
//! `system.os_support` check: identify the product from an [`OsInfo`], then say whether it is
//! supported on a given day under the département's [`OsSupportPolicy`]. Pure data and date
//! arithmetic: no I/O.
//!
//! Conventions: every date is the *last* day of support (support ends after that day).
//! Only free, standard security support counts: Ubuntu Pro/ESM, Debian ELTS and Microsoft
//! ESU are ignored, except Windows 10 ESU when the policy says the département has it.
//! A release newer than every table entry (a new Windows 11 build, Debian 14, Ubuntu 26.10,
//! macOS 28) is `Supported` with no date, so that the table ageing never fails a new machine.

use jiff::Span;
use jiff::civil::{Date, date};
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

// ---------------------------------------------------------------------------------------------
// Lifecycle table
// ---------------------------------------------------------------------------------------------

/// Windows 10/11 feature updates of the general-availability channel, by `CurrentBuildNumber`:
/// (build, Windows major, version, end for Home/Pro/Pro Education/Pro for Workstations/SE,
/// end for Enterprise/Education/IoT Enterprise/Enterprise multi-session).
/// Source: Microsoft Lifecycle pages "Windows 10 Home and Pro", "Windows 10 Enterprise and
/// Education", "Windows 11 Home and Pro", "Windows 11 Enterprise and Education", and the
/// Windows release health "release information" pages.
static WINDOWS_GA: &[(u32, u8, &str, Date, Date)] = &[
    (10240, 10, "1507", date(2017, 5, 9), date(2017, 5, 9)),
    (10586, 10, "1511", date(2017, 10, 10), date(2018, 4, 10)),
    (14393, 10, "1607", date(2018, 4, 10), date(2019, 4, 9)),
    (15063, 10, "1703", date(2018, 10, 9), date(2019, 10, 8)),
    (16299, 10, "1709", date(2019, 4, 9), date(2020, 10, 13)),
    (17134, 10, "1803", date(2019, 11, 12), date(2021, 5, 11)),
    (17763, 10, "1809", date(2020, 11, 10), date(2021, 5, 11)),
    (18362, 10, "1903", date(2020, 12, 8), date(2020, 12, 8)),
    (18363, 10, "1909", date(2021, 5, 11), date(2022, 5, 10)),
    (19041, 10, "2004", date(2021, 12, 14), date(2021, 12, 14)),
    (19042, 10, "20H2", date(2022, 5, 10), date(2023, 5, 9)),
    (19043, 10, "21H1", date(2022, 12, 13), date(2022, 12, 13)),
    (19044, 10, "21H2", date(2023, 6, 13), date(2024, 6, 11)),
    (19045, 10, "22H2", date(2025, 10, 14), date(2025, 10, 14)),
    (22000, 11, "21H2", date(2023, 10, 10), date(2024, 10, 8)),
    (22621, 11, "22H2", date(2024, 10, 8), date(2025, 10, 14)),
    (22631, 11, "23H2", date(2025, 11, 11), date(2026, 11, 10)),
    (26100, 11, "24H2", date(2026, 10, 13), date(2027, 10, 12)),
    (26200, 11, "25H2", date(2027, 10, 12), date(2028, 10, 10)),
];

/// The only Windows 10 build that Windows 10 ESU covers (22H2).
const WINDOWS10_ESU_BUILD: u32 = 19045;

/// Long-Term Servicing editions (`EditionID` EnterpriseS / IoTEnterpriseS), by build:
/// (build, Windows major, channel release, end, IoT Enterprise end). End of extended support for LTSB 2015/2016 and
/// LTSC 2019, of mainstream support for LTSC 2021/2024 (they have no extended phase).
/// Source: Microsoft Lifecycle pages "Windows 10 Enterprise LTSB 2015/2016", "Windows 10
/// Enterprise LTSC 2019/2021", "Windows 10 IoT Enterprise LTSC 2021", "Windows 11 Enterprise
/// LTSC 2024", "Windows 11 IoT Enterprise LTSC 2024".
#[rustfmt::skip] // one product a line
static WINDOWS_LTSC: &[(u32, u8, &str, Date, Date)] = &[
    (10240, 10, "LTSB 2015", date(2025, 10, 14), date(2025, 10, 14)),
    (14393, 10, "LTSB 2016", date(2026, 10, 13), date(2026, 10, 13)),
    (17763, 10, "LTSC 2019", date(2029, 1, 9), date(2029, 1, 9)),
    (19044, 10, "LTSC 2021", date(2027, 1, 12), date(2032, 1, 13)),
    (26100, 11, "LTSC 2024", date(2029, 10, 9), date(2034, 10, 10)),
];

/// Windows before Windows 10 and Windows Server (an `EditionID` starting with "Server"):
/// (first build, last build, server?, product, end of extended support).
/// Source: Microsoft Lifecycle pages of each product (fixed lifecycle policy).
#[rustfmt::skip] // one product a line
static WINDOWS_FIXED: &[(u32, u32, bool, &str, Date)] = &[
    (2600, 2600, false, "Windows XP", date(2014, 4, 8)),
    (6000, 6003, false, "Windows Vista", date(2017, 4, 11)),
    (7600, 7601, false, "Windows 7", date(2020, 1, 14)),
    (9200, 9200, false, "Windows 8", date(2016, 1, 12)),
    (9600, 9600, false, "Windows 8.1", date(2023, 1, 10)),
    (7600, 7601, true, "Windows Server 2008 R2", date(2020, 1, 14)),
    (9200, 9200, true, "Windows Server 2012", date(2023, 10, 10)),
    (9600, 9600, true, "Windows Server 2012 R2", date(2023, 10, 10)),
    (14393, 14393, true, "Windows Server 2016", date(2027, 1, 12)),
    (17763, 17763, true, "Windows Server 2019", date(2029, 1, 9)),
    (20348, 20348, true, "Windows Server 2022", date(2031, 10, 14)),
    (26100, 26100, true, "Windows Server 2025", date(2034, 11, 14)),
];

/// Debian: (version, code name, end of Debian LTS). The security team's regular support ends
/// earlier (about a year after the next stable); Debian LTS continues it for the most used
/// packages on the main architectures, which covers a school desktop. ELTS (paid) ignored.
/// Source: <https://wiki.debian.org/LTS> and <https://wiki.debian.org/DebianReleases>.
static DEBIAN: &[(u32, &str, Date)] = &[
    (8, "jessie", date(2020, 6, 30)),
    (9, "stretch", date(2022, 6, 30)),
    (10, "buster", date(2024, 6, 30)),
    (11, "bullseye", date(2026, 8, 31)),
    (12, "bookworm", date(2028, 6, 30)),
    (13, "trixie", date(2030, 6, 30)),
];

/// Code names meaning Debian testing/unstable (future releases 14 "forky", 15 "duke").
const DEBIAN_TESTING: &[&str] = &["forky", "duke", "sid", "testing", "unstable"];

/// Ubuntu: ((year, month), code name, LTS?, end of standard support). Ubuntu Pro / ESM
/// (5 more years for LTS, free for personal use, paid otherwise) is not counted.
/// Source: <https://ubuntu.com/about/release-cycle>, <https://wiki.ubuntu.com/Releases> and the
/// end-of-life announcements on ubuntu-announce. Canonical publishes a month for future
/// ends; the last day of that month is used until an exact day is announced:
/// - 22.04: published as "April 2027" (exact day not yet announced; 18.04 and 20.04, also
///   published as "April", actually ended on May 31).
/// - 24.04: "April 2029" (endoflife.date lists 2029-05-31); 26.04: "April 2031" (uncertain).
/// - 25.04 (announced "January 2026", day uncertain) and 25.10 ("July 2026", day uncertain)
///   are past anyway.
static UBUNTU: &[((u32, u32), &str, bool, Date)] = &[
    ((14, 4), "trusty", true, date(2019, 4, 30)),
    ((16, 4), "xenial", true, date(2021, 4, 30)),
    ((18, 4), "bionic", true, date(2023, 5, 31)),
    ((20, 4), "focal", true, date(2025, 5, 31)),
    ((22, 4), "jammy", true, date(2027, 4, 30)),
    ((22, 10), "kinetic", false, date(2023, 7, 20)),
    ((23, 4), "lunar", false, date(2024, 1, 25)),
    ((23, 10), "mantic", false, date(2024, 7, 11)),
    ((24, 4), "noble", true, date(2029, 4, 30)),
    ((24, 10), "oracular", false, date(2025, 7, 10)),
    ((25, 4), "plucky", false, date(2026, 1, 15)),
    ((25, 10), "questing", false, date(2026, 7, 9)),
    ((26, 4), "resolute", true, date(2031, 4, 30)),
];

/// Every Ubuntu release before this one that is not in [`UBUNTU`] ended by 2023-07-20.
const UBUNTU_OLDER_ALL_ENDED: (u32, u32) = (23, 4);

/// Linux Mint (Ubuntu based): (major version, end of support). Mint follows the Ubuntu LTS it
/// is based on, and gives the month: "until April 2027" (last day of the month used).
/// Source: <https://linuxmint.com/download_all.php> and the release announcements.
/// A newer major (23, on Ubuntu 26.04) is judged through its UBUNTU_CODENAME.
static MINT: &[(u32, Date)] = &[
    (18, date(2021, 4, 30)),
    (19, date(2023, 4, 30)),
    (20, date(2025, 4, 30)),
    (21, date(2027, 4, 30)),
    (22, date(2029, 4, 30)),
];

/// LMDE (Linux Mint Debian Edition) code names; LMDE N is based on Debian N + 6. Mint sets no
/// fixed support period for LMDE (it stops shortly after the next one), so the Debian base's
/// dates apply, from /etc/debian_version when read.
const LMDE_CODENAMES: &[&str] = &["cindy", "debbie", "elsie", "faye", "gigi"];

/// macOS major releases: (major, minor for 10.x, release date). Apple publishes no end dates;
/// in practice the three most recent major releases get security updates, so a release is
/// supported while fewer than three newer ones are out, and then unsupported with no date.
/// The oldest supported one (15 as of late 2026) stays `Supported`: when its successor's
/// successor ships is not known in advance.
/// Source: Apple security releases (<https://support.apple.com/en-us/100100>) and release dates;
/// macOS 27 is assumed released in mid-September 2026 (Apple's usual schedule; approximate).
static MACOS: &[(u32, u32, Date)] = &[
    (10, 13, date(2017, 9, 25)),
    (10, 14, date(2018, 9, 24)),
    (10, 15, date(2019, 10, 7)),
    (11, 0, date(2020, 11, 12)),
    (12, 0, date(2021, 10, 25)),
    (13, 0, date(2022, 10, 24)),
    (14, 0, date(2023, 9, 26)),
    (15, 0, date(2024, 9, 16)),
    (26, 0, date(2025, 9, 15)),
    (27, 0, date(2026, 9, 14)),
];

/// How many most recent macOS major releases are supported.
const MACOS_SUPPORTED_RELEASES: usize = 3;

// ---------------------------------------------------------------------------------------------
// Assessment
// ---------------------------------------------------------------------------------------------

/// Identifies the operating system and judges its security support on `today`.
#[must_use]
pub fn assess(os: &OsInfo, today: Date, policy: &OsSupportPolicy) -> SupportAssessment {
    let found = match os.family {
        OsFamily::Windows => windows(os, today, policy),
        OsFamily::Linux => linux(os),
        OsFamily::Macos => macos(os, today),
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

// --- Windows ---------------------------------------------------------------------------------

/// Servicing channel, from `EditionID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    HomePro,
    EnterpriseEducation,
    Ltsc { iot: bool },
    Server,
}

fn channel(edition: &str) -> Channel {
    let e = edition.to_ascii_lowercase();
    if e.starts_with("iotenterprises") {
        Channel::Ltsc { iot: true }
    } else if e.starts_with("enterprises") {
        Channel::Ltsc { iot: false }
    } else if e == "serverrdsh" {
        // Enterprise multi-session.
        Channel::EnterpriseEducation
    } else if e.starts_with("server") {
        Channel::Server
    } else if ["enterprise", "education", "iotenterprise"]
        .iter()
        .any(|p| e.starts_with(p))
    {
        Channel::EnterpriseEducation
    } else {
        Channel::HomePro
    }
}

/// Marketing name of an `EditionID`, for the product string.
fn edition_label(edition: &str) -> &str {
    match edition {
        "Core" => "Home",
        "CoreN" => "Home N",
        "CoreSingleLanguage" => "Home Single Language",
        "CoreCountrySpecific" => "Home China",
        "Professional" => "Pro",
        "ProfessionalN" => "Pro N",
        "ProfessionalEducation" => "Pro Education",
        "ProfessionalWorkstation" => "Pro for Workstations",
        "ServerRdsh" => "Enterprise multi-session",
        "CloudEdition" => "SE",
        other => other,
    }
}

fn windows(os: &OsInfo, today: Date, policy: &OsSupportPolicy) -> Found {
    let Some(build) = non_empty(os.build.as_deref()).and_then(leading_number) else {
        return Found::new(
            format!(
                "unknown Windows '{}' (build number not read)",
                os.name.trim()
            ),
            Support::Unknown,
        );
    };
    let edition = non_empty(os.edition.as_deref());
    let chan = edition.map(channel);

    if chan == Some(Channel::Server) || build < 10240 {
        let server = chan == Some(Channel::Server);
        return match WINDOWS_FIXED
            .iter()
            .find(|w| (w.0..=w.1).contains(&build) && w.2 == server)
        {
            Some(&(.., product, end)) => Found::new(product, Support::Until(end)),
            None if server => Found::new(
                format!("unknown Windows Server build {build}"),
                Support::Unknown,
            ),
            None => Found::new(
                format!("Windows (build {build}, before Windows 10)"),
                Support::Ended,
            ),
        };
    }
    if let Some(Channel::Ltsc { iot }) = chan
        && let Some(&(_, major, release, end, iot_end)) = WINDOWS_LTSC.iter().find(|w| w.0 == build)
    {
        let (iot_prefix, end) = if iot { ("IoT ", iot_end) } else { ("", end) };
        let product = format!("Windows {major} {iot_prefix}Enterprise {release}");
        return Found::new(product, Support::Until(end));
    }

    let mut notes = Vec::new();
    let Some(&(_, major, version, home_pro, ent_edu)) = WINDOWS_GA.iter().find(|w| w.0 == build)
    else {
        return if build > WINDOWS_GA.last().map_or(0, |w| w.0) {
            Found::new(format!("Windows 11 (build {build})"), Support::Current)
        } else {
            Found::new(format!("unknown Windows build {build}"), Support::Unknown)
        };
    };
    let end = if chan == Some(Channel::EnterpriseEducation) {
        ent_edu
    } else {
        if chan.is_none() && home_pro != ent_edu {
            notes.push("edition not read: Home/Pro servicing dates assumed".to_owned());
        }
        home_pro
    };
    if major == 11 && os.name.contains("Windows 10") {
        notes.push(format!(
            "identified by build {build} (the registry product name '{}' says Windows 10 on Windows 11)",
            os.name.trim()
        ));
    }
    let product = match edition {
        Some(e) => format!("Windows {major} {version} ({})", edition_label(e)),
        None => format!("Windows {major} {version}"),
    };
    let support = match policy.windows10_esu_until {
        Some(esu) if build == WINDOWS10_ESU_BUILD && today > end && esu > end => Support::Esu(esu),
        _ => Support::Until(end),
    };
    Found::new(product, support).basis((!notes.is_empty()).then(|| notes.join("; ")))
}

// --- Linux -----------------------------------------------------------------------------------

fn linux(os: &OsInfo) -> Found {
    let id = os.id.trim().to_ascii_lowercase();
    let version = non_empty(os.version.as_deref());
    let codename = non_empty(os.codename.as_deref()).map(str::to_ascii_lowercase);
    let debian_version = non_empty(os.debian_version.as_deref());
    let like = |d: &str| os.id_like.iter().any(|l| l.eq_ignore_ascii_case(d));

    let found = match id.as_str() {
        "debian" => [version, debian_version, codename.as_deref()]
            .into_iter()
            .flatten()
            .find_map(debian_release)
            .map(|rel| {
                let (label, support) = debian(rel, true);
                Found::new(label, support)
            }),
        "ubuntu" => version
            .and_then(year_month)
            .or_else(|| codename.as_deref().and_then(ubuntu_by_codename))
            .map(|ym| {
                let (label, support) = ubuntu(ym);
                Found::new(label, support)
            }),
        "linuxmint" => mint(os, codename.as_deref(), debian_version),
        _ => None,
    };
    let found = found.or_else(|| {
        // A derivative: judged through the Ubuntu or Debian release it is based on.
        if let Some(c) = non_empty(os.ubuntu_codename.as_deref()) {
            let basis = format!("derivative of Ubuntu, UBUNTU_CODENAME {c}");
            return ubuntu_derivative(os, c, basis);
        }
        if like("ubuntu")
            && let Some(c) = codename.as_deref()
        {
            let basis = format!("derivative of Ubuntu (ID_LIKE), VERSION_CODENAME {c}");
            return ubuntu_derivative(os, c, basis);
        }
        if like("debian") || id == "raspbian" {
            let dv = debian_version?;
            let (label, support) = debian(debian_release(dv)?, false);
            let basis = format!("derivative of Debian (ID_LIKE), /etc/debian_version {dv}");
            return Some(
                Found::new(format!("{} ({label} based)", display_name(os)), support)
                    .basis(Some(basis)),
            );
        }
        None
    });
    found.unwrap_or_else(|| {
        let mut product = format!("unknown Linux distribution '{}'", os.id.trim());
        if let Some(v) = version {
            product = format!("{product} {v}");
        }
        Found::new(product, Support::Unknown)
    })
}

/// Name of a distribution for the product string, with its version.
fn display_name(os: &OsInfo) -> String {
    let base = match os.id.trim().to_ascii_lowercase().as_str() {
        "primtux" => "PrimTux",
        "raspbian" => "Raspbian",
        "pop" => "Pop!_OS",
        "zorin" => "Zorin OS",
        "elementary" => "elementary OS",
        "linuxmint" => "Linux Mint",
        _ if !os.name.trim().is_empty() => os.name.trim(),
        _ => os.id.trim(),
    };
    match non_empty(os.version.as_deref()) {
        Some(v) if !base.contains(v) => format!("{base} {v}"),
        _ => base.to_owned(),
    }
}

/// A Debian release read from "12", "12.5", "bookworm", or "trixie/sid" (testing).
#[derive(Debug, Clone, Copy)]
enum DebianRelease {
    Numbered(u32),
    Testing,
}

fn debian_release(s: &str) -> Option<DebianRelease> {
    let s = s.trim().to_ascii_lowercase();
    if s.contains('/') || DEBIAN_TESTING.contains(&s.as_str()) {
        Some(DebianRelease::Testing)
    } else if let Some(n) = leading_number(&s) {
        Some(DebianRelease::Numbered(n))
    } else {
        DEBIAN
            .iter()
            .find(|d| d.1 == s)
            .map(|d| DebianRelease::Numbered(d.0))
    }
}

/// Label ("Debian 12 (bookworm)", or "Debian 12" when `with_codename` is false) and support.
fn debian(release: DebianRelease, with_codename: bool) -> (String, Support) {
    let n = match release {
        DebianRelease::Testing => return ("Debian testing/unstable".to_owned(), Support::Current),
        DebianRelease::Numbered(n) => n,
    };
    match DEBIAN.iter().find(|d| d.0 == n) {
        Some(&(_, codename, end)) if with_codename => {
            (format!("Debian {n} ({codename})"), Support::Until(end))
        }
        Some(&(.., end)) => (format!("Debian {n}"), Support::Until(end)),
        None => (
            format!("Debian {n}"),
            beyond(n, DEBIAN.first().map(|d| d.0), DEBIAN.last().map(|d| d.0)),
        ),
    }
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

/// (year, month) of an Ubuntu version "24.04" or "24.04.1".
fn year_month(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.trim().split('.');
    let year = parts.next()?.parse().ok()?;
    let month = leading_number(parts.next()?)?;
    Some((year, month))
}

fn ubuntu_by_codename(codename: &str) -> Option<(u32, u32)> {
    UBUNTU
        .iter()
        .find(|u| u.1.eq_ignore_ascii_case(codename.trim()))
        .map(|u| u.0)
}

/// Label ("Ubuntu 22.04 LTS") and support of an Ubuntu release.
fn ubuntu(ym: (u32, u32)) -> (String, Support) {
    let (year, month) = ym;
    match UBUNTU.iter().find(|u| u.0 == ym) {
        Some(&(_, _, lts, end)) => {
            let lts = if lts { " LTS" } else { "" };
            (
                format!("Ubuntu {year}.{month:02}{lts}"),
                Support::Until(end),
            )
        }
        None => (
            format!("Ubuntu {year}.{month:02}"),
            beyond(ym, Some(UBUNTU_OLDER_ALL_ENDED), UBUNTU.last().map(|u| u.0)),
        ),
    }
}

fn ubuntu_derivative(os: &OsInfo, codename: &str, basis: String) -> Option<Found> {
    let (label, support) = ubuntu(ubuntu_by_codename(codename)?);
    Some(Found::new(format!("{} ({label} based)", display_name(os)), support).basis(Some(basis)))
}

fn mint(os: &OsInfo, codename: Option<&str>, debian_version: Option<&str>) -> Option<Found> {
    let version = non_empty(os.version.as_deref());
    let major = version.and_then(leading_number);
    let lmde = os.name.trim().to_ascii_lowercase().starts_with("lmde")
        || codename.is_some_and(|c| LMDE_CODENAMES.contains(&c));
    if lmde {
        let (release, basis) = match debian_version.and_then(debian_release) {
            Some(rel) => (
                rel,
                format!("LMDE, /etc/debian_version {}", debian_version?),
            ),
            None => (
                DebianRelease::Numbered(major? + 6),
                format!("LMDE {} is based on Debian {}", major?, major? + 6),
            ),
        };
        let (label, support) = debian(release, false);
        let name = match major {
            Some(n) => format!("LMDE {n}"),
            None => "LMDE".to_owned(),
        };
        return Some(Found::new(format!("{name} ({label} based)"), support).basis(Some(basis)));
    }
    let major = major?;
    match MINT.iter().find(|m| m.0 == major) {
        Some(&(_, end)) => Some(Found::new(
            format!("Linux Mint {}", version?),
            Support::Until(end),
        )),
        None => {
            // A newer Mint: through the Ubuntu release it is based on, if said.
            let from_ubuntu = non_empty(os.ubuntu_codename.as_deref()).and_then(|c| {
                let basis = format!("Linux Mint {major} not in the table; UBUNTU_CODENAME {c}");
                ubuntu_derivative(os, c, basis)
            });
            from_ubuntu.or_else(|| {
                let support = beyond(major, MINT.first().map(|m| m.0), MINT.last().map(|m| m.0));
                Some(Found::new(format!("Linux Mint {}", version?), support))
            })
        }
    }
}

// --- macOS -----------------------------------------------------------------------------------

fn macos(os: &OsInfo, today: Date) -> Found {
    let version = non_empty(os.version.as_deref()).unwrap_or("");
    let mut parts = version.split('.').map(leading_number);
    let (major, minor) = match (parts.next().flatten(), parts.next().flatten()) {
        // Big Sur reports itself as 10.16 to software built for 10.x.
        (Some(10), Some(16)) => (11, 0),
        (Some(10), Some(minor)) => (10, minor),
        (Some(major), _) if major != 10 => (major, 0),
        _ => {
            return Found::new(
                format!("unknown macOS version '{version}'"),
                Support::Unknown,
            );
        }
    };
    let product = if major == 10 {
        format!("macOS 10.{minor}")
    } else {
        format!("macOS {major}")
    };
    let released: Vec<_> = MACOS.iter().filter(|m| m.2 <= today).collect();
    let support = match MACOS.iter().find(|m| (m.0, m.1) == (major, minor)) {
        // Installed before its public release (a beta): treat as current.
        Some(m) if m.2 > today => Support::Current,
        Some(m) => {
            let newer = released.iter().filter(|r| r.2 > m.2).count();
            if newer < MACOS_SUPPORTED_RELEASES {
                Support::Current
            } else {
                Support::Ended
            }
        }
        None => beyond(
            (major, minor),
            MACOS.first().map(|m| (m.0, m.1)),
            MACOS.last().map(|m| (m.0, m.1)),
        ),
    };
    Found::new(product, support)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = date(2026, 11, 28);

    fn os(family: OsFamily, id: &str) -> OsInfo {
        OsInfo::new(family, id, "")
    }

    fn win(build: &str, edition: &str, version: &str) -> OsInfo {
        OsInfo {
            name: format!("Windows 10 {edition}"),
            version: Some(version.to_owned()),
            build: Some(build.to_owned()),
            edition: Some(edition.to_owned()),
            ..os(OsFamily::Windows, "windows")
        }
    }

    fn linux(id: &str, version: Option<&str>) -> OsInfo {
        OsInfo {
            version: version.map(str::to_owned),
            ..os(OsFamily::Linux, id)
        }
    }

    fn mac(version: &str) -> OsInfo {
        OsInfo {
            version: Some(version.to_owned()),
            ..os(OsFamily::Macos, "macos")
        }
    }

    fn check(os: &OsInfo, today: Date) -> SupportAssessment {
        assess(os, today, &OsSupportPolicy::default())
    }

    /// `os` assessed on [`TODAY`], asserted to have `status`, `product` and `end`.
    fn expect(
        os: &OsInfo,
        status: SupportStatus,
        product: &str,
        end: Option<Date>,
    ) -> SupportAssessment {
        let a = check(os, TODAY);
        assert_eq!((a.status, a.product.as_str()), (status, product), "{a:?}");
        assert_eq!(a.end_of_support, end, "{a:?}");
        a
    }

    #[test]
    fn windows10_22h2_ended_unless_esu() {
        let pro = win("19045", "Professional", "22H2");
        expect(
            &pro,
            SupportStatus::Unsupported,
            "Windows 10 22H2 (Pro)",
            Some(date(2025, 10, 14)),
        );

        let esu = OsSupportPolicy {
            windows10_esu_until: Some(date(2027, 10, 12)),
            ..OsSupportPolicy::default()
        };
        let a = assess(&pro, TODAY, &esu);
        assert_eq!(a.status, SupportStatus::ExtendedSupport);
        assert_eq!(a.end_of_support, Some(date(2027, 10, 12)));
        let a = assess(&pro, date(2027, 10, 13), &esu);
        assert_eq!(a.status, SupportStatus::Unsupported);
        // ESU covers 22H2 only.
        let a = assess(&win("19044", "Education", "21H2"), TODAY, &esu);
        assert_eq!(a.status, SupportStatus::Unsupported);
        assert_eq!(a.end_of_support, Some(date(2024, 6, 11)));
        // Before the normal end, the normal rule applies.
        let a = assess(&pro, date(2025, 9, 1), &esu);
        assert_eq!(a.status, SupportStatus::EndingSoon);
    }

    #[test]
    fn windows10_ltsc() {
        expect(
            &win("19044", "EnterpriseS", "21H2"),
            SupportStatus::EndingSoon,
            "Windows 10 Enterprise LTSC 2021",
            Some(date(2027, 1, 12)),
        );
        let a = check(&win("19044", "IoTEnterpriseS", "21H2"), TODAY);
        assert_eq!(a.status, SupportStatus::Supported);
        assert_eq!(a.end_of_support, Some(date(2032, 1, 13)));
        let a = check(&win("17763", "EnterpriseS", "1809"), TODAY);
        assert_eq!(a.status, SupportStatus::Supported);
        assert_eq!(
            check(&win("14393", "EnterpriseS", "1607"), TODAY).status,
            SupportStatus::Unsupported
        );
        // A non-22H2 feature update is out of support.
        assert_eq!(
            check(&win("18363", "Education", "1909"), TODAY).status,
            SupportStatus::Unsupported
        );
    }

    #[test]
    fn windows11_editions_and_dates() {
        let edu = win("22631", "Education", "23H2");
        assert_eq!(check(&edu, TODAY).status, SupportStatus::Unsupported);
        assert_eq!(check(&edu, TODAY).end_of_support, Some(date(2026, 11, 10)));
        assert_eq!(
            check(&edu, date(2026, 6, 1)).status,
            SupportStatus::EndingSoon
        );
        assert_eq!(
            check(&edu, date(2025, 1, 1)).status,
            SupportStatus::Supported
        );
        // Last day of support is still supported.
        assert_eq!(
            check(&edu, date(2026, 11, 10)).status,
            SupportStatus::EndingSoon
        );

        let pro = check(&win("26100", "Professional", "24H2"), TODAY);
        assert_eq!(pro.status, SupportStatus::Unsupported);
        assert_eq!(pro.end_of_support, Some(date(2026, 10, 13)));
        let edu = check(&win("26100", "Education", "24H2"), TODAY);
        assert_eq!(edu.status, SupportStatus::Supported); // 2027-10-12 > 2027-05-28
        assert_eq!(edu.product, "Windows 11 24H2 (Education)");

        let a = check(&win("26200", "Professional", "25H2"), TODAY);
        assert_eq!(a.status, SupportStatus::Supported);
        assert_eq!(a.end_of_support, Some(date(2027, 10, 12)));

        let ltsc = check(&win("26100", "EnterpriseS", "24H2"), TODAY);
        assert_eq!(ltsc.product, "Windows 11 Enterprise LTSC 2024");
        assert_eq!(ltsc.end_of_support, Some(date(2029, 10, 9)));
    }

    #[test]
    fn windows11_identified_by_build_not_name() {
        let mut w = win("26100", "Professional", "24H2");
        w.name = "Windows 10 Pro".to_owned();
        let a = check(&w, date(2026, 1, 15));
        assert!(a.product.starts_with("Windows 11 24H2"), "{}", a.product);
        assert!(
            a.basis
                .as_deref()
                .is_some_and(|b| b.contains("build 26100"))
        );
        assert_eq!(a.status, SupportStatus::Supported);

        expect(
            &win("28000", "Professional", "26H1"),
            SupportStatus::Supported,
            "Windows 11 (build 28000)",
            None,
        );
    }

    #[test]
    fn older_windows_and_unknown_builds() {
        let a = check(&win("7601", "Professional", ""), TODAY);
        assert_eq!(a.status, SupportStatus::Unsupported);
        assert_eq!(a.product, "Windows 7");
        assert_eq!(
            check(&win("9600", "Core", ""), TODAY).product,
            "Windows 8.1"
        );
        assert_eq!(
            check(&win("2600", "Professional", ""), TODAY).status,
            SupportStatus::Unsupported
        );
        assert_eq!(
            check(&win("20348", "ServerStandard", ""), TODAY).product,
            "Windows Server 2022"
        );
        assert_eq!(
            check(&win("21000", "Professional", ""), TODAY).status,
            SupportStatus::Unknown
        );
        let mut no_build = win("", "Professional", "22H2");
        no_build.build = None;
        assert_eq!(check(&no_build, TODAY).status, SupportStatus::Unknown);
    }

    #[test]
    fn debian_releases() {
        let mut d12 = linux("debian", Some("12"));
        d12.debian_version = Some("12.5".to_owned());
        let a = expect(
            &d12,
            SupportStatus::Supported,
            "Debian 12 (bookworm)",
            Some(date(2028, 6, 30)),
        );
        assert_eq!(a.basis, None);

        let a = check(&linux("debian", Some("11")), TODAY);
        assert_eq!(a.status, SupportStatus::Unsupported);
        assert_eq!(a.end_of_support, Some(date(2026, 8, 31)));

        let mut from_file = linux("debian", None);
        from_file.debian_version = Some("13.2".to_owned());
        assert_eq!(check(&from_file, TODAY).product, "Debian 13 (trixie)");

        let mut testing = linux("debian", None);
        testing.codename = Some("forky".to_owned());
        testing.debian_version = Some("forky/sid".to_owned());
        let a = check(&testing, TODAY);
        assert_eq!(a.status, SupportStatus::Supported);
        assert_eq!(a.product, "Debian testing/unstable");
        assert_eq!(
            check(&linux("debian", Some("7")), TODAY).status,
            SupportStatus::Unsupported
        );
    }

    #[test]
    fn primtux_via_debian_version() {
        let mut p = linux("primtux", Some("8"));
        p.id_like = vec!["debian".to_owned()];
        p.debian_version = Some("12.7".to_owned());
        let a = expect(
            &p,
            SupportStatus::Supported,
            "PrimTux 8 (Debian 12 based)",
            Some(date(2028, 6, 30)),
        );
        assert_eq!(
            a.basis.as_deref(),
            Some("derivative of Debian (ID_LIKE), /etc/debian_version 12.7")
        );
        p.debian_version = Some("11.9".to_owned());
        assert_eq!(check(&p, TODAY).status, SupportStatus::Unsupported);
    }

    #[test]
    fn ubuntu_and_derivatives() {
        let a = check(&linux("ubuntu", Some("24.04")), TODAY);
        assert_eq!(a.status, SupportStatus::Supported);
        assert_eq!(a.product, "Ubuntu 24.04 LTS");
        assert_eq!(
            check(&linux("ubuntu", Some("20.04")), TODAY).status,
            SupportStatus::Unsupported
        );
        assert_eq!(
            check(&linux("ubuntu", Some("22.04")), TODAY).status,
            SupportStatus::EndingSoon
        );
        assert_eq!(
            check(&linux("ubuntu", Some("19.10")), TODAY).status,
            SupportStatus::Unsupported
        );
        assert_eq!(
            check(&linux("ubuntu", Some("26.10")), TODAY).status,
            SupportStatus::Supported
        );

        let mut zorin = linux("zorin", Some("18"));
        zorin.id_like = vec!["ubuntu".to_owned(), "debian".to_owned()];
        zorin.ubuntu_codename = Some("noble".to_owned());
        zorin.debian_version = Some("trixie/sid".to_owned());
        let a = expect(
            &zorin,
            SupportStatus::Supported,
            "Zorin OS 18 (Ubuntu 24.04 LTS based)",
            Some(date(2029, 4, 30)),
        );
        assert!(a.basis.is_some());
    }

    #[test]
    fn linux_mint() {
        let mut m = linux("linuxmint", Some("21.3"));
        m.ubuntu_codename = Some("jammy".to_owned());
        expect(
            &m,
            SupportStatus::EndingSoon,
            "Linux Mint 21.3",
            Some(date(2027, 4, 30)),
        );

        let mut m23 = linux("linuxmint", Some("23"));
        m23.ubuntu_codename = Some("resolute".to_owned());
        let a = check(&m23, TODAY);
        assert_eq!(a.status, SupportStatus::Supported);
        assert_eq!(a.end_of_support, Some(date(2031, 4, 30)));

        let mut lmde = linux("linuxmint", Some("6"));
        lmde.name = "LMDE".to_owned();
        lmde.codename = Some("faye".to_owned());
        lmde.id_like = vec!["debian".to_owned()];
        let a = check(&lmde, TODAY);
        assert_eq!(a.product, "LMDE 6 (Debian 12 based)");
        assert_eq!(a.status, SupportStatus::Supported);
    }

    #[test]
    fn macos_three_latest() {
        assert_eq!(
            check(&mac("14.6.1"), TODAY).status,
            SupportStatus::Unsupported
        );
        assert_eq!(check(&mac("15.7"), TODAY).status, SupportStatus::Supported);
        expect(&mac("26.1"), SupportStatus::Supported, "macOS 26", None);
        assert_eq!(check(&mac("10.15.7"), TODAY).product, "macOS 10.15");
        assert_eq!(
            check(&mac("10.15.7"), TODAY).status,
            SupportStatus::Unsupported
        );
        assert_eq!(
            check(&mac("12.7"), TODAY).status,
            SupportStatus::Unsupported
        );
        // Before macOS 27, Sonoma was among the three latest.
        assert_eq!(
            check(&mac("14.6.1"), date(2026, 6, 1)).status,
            SupportStatus::Supported
        );
        assert_eq!(check(&mac("28.0"), TODAY).status, SupportStatus::Supported);
        assert_eq!(check(&mac("beta"), TODAY).status, SupportStatus::Unknown);
    }

    #[test]
    fn unknown_products() {
        expect(
            &linux("foo", Some("3.1")),
            SupportStatus::Unknown,
            "unknown Linux distribution 'foo' 3.1",
            None,
        );
        let mut other = os(OsFamily::Other, "freebsd");
        other.name = "FreeBSD".to_owned();
        assert_eq!(check(&other, TODAY).status, SupportStatus::Unknown);
    }

    #[test]
    fn ending_soon_horizon_is_exclusive_of_supported() {
        let end = date(2027, 5, 28);
        assert_eq!(dated_status(end, TODAY, 6), SupportStatus::EndingSoon);
        assert_eq!(
            dated_status(date(2027, 5, 29), TODAY, 6),
            SupportStatus::Supported
        );
        assert_eq!(dated_status(TODAY, TODAY, 0), SupportStatus::EndingSoon);
        assert_eq!(
            dated_status(date(2026, 11, 27), TODAY, 6),
            SupportStatus::Unsupported
        );
        assert_eq!(
            dated_status(date(9000, 1, 1), TODAY, u32::MAX),
            SupportStatus::EndingSoon
        );
    }
}
