//! Linux: Debian, Ubuntu, Linux Mint and LMDE, and their derivatives.

use jiff::civil::{Date, date};

use super::{Found, Support, beyond, leading_number, non_empty};
use crate::measurements::OsInfo;

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

// --- Linux -----------------------------------------------------------------------------------

pub(super) fn linux(os: &OsInfo) -> Found {
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
