//! Apple: macOS, iOS and iPadOS.

use jiff::Span;
use jiff::civil::{Date, date};

use super::{Found, Support, beyond, leading_number, non_empty};
use crate::measurements::{OsFamily, OsInfo};

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

/// iOS and iPadOS major releases (iPadOS took iOS's numbers from 13 on; 19 to 25 were
/// skipped, 26 follows 18): (major, release date of iOS).
///
/// Apple publishes no end dates. What its security releases page
/// (<https://support.apple.com/en-us/100100>, read for 2024-2026 releases) shows:
/// - the latest major gets every fix;
/// - the previous major gets security updates for a year (17.7.x after iOS 18, 18.7.x after
///   iOS 26), but since iOS 26.2 (December 2025) only on devices that cannot run the latest:
///   an iPad that could update and does not gets nothing;
/// - older majors get occasional fixes (15.8.x, 16.7.x, 17.7.x in 2026) only on devices that
///   cannot upgrade, and not for every known flaw: no support a school can rely on.
///
/// So the latest major released by `today` is supported; the previous one is only partly
/// supported (`EndingSoon`, a warning) until the next major is expected, one year after the
/// latest (an approximation: Apple releases in mid-September); older ones are unsupported.
/// Dates: Apple's release announcements. iPadOS 13 shipped on 2019-09-24 and iPadOS 16 on
/// 2022-10-24, after the iOS of the same number; iOS/iPadOS 27 is assumed released on
/// 2026-09-14 (approximate: Apple's usual schedule, as for macOS 27).
/// Ageing: add each September's release; until then a newer major is `Supported`, and the
/// "previous" one keeps its warning past its expected end only if the table is not updated.
static IOS: &[(u32, Date)] = &[
    (12, date(2018, 9, 17)),
    (13, date(2019, 9, 19)),
    (14, date(2020, 9, 16)),
    (15, date(2021, 9, 20)),
    (16, date(2022, 9, 12)),
    (17, date(2023, 9, 18)),
    (18, date(2024, 9, 16)),
    (26, date(2025, 9, 15)),
    (27, date(2026, 9, 14)),
];

// --- macOS -----------------------------------------------------------------------------------

pub(super) fn macos(os: &OsInfo, today: Date) -> Found {
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

// --- iOS and iPadOS ----------------------------------------------------------------------------

pub(super) fn ios(os: &OsInfo, today: Date) -> Found {
    let name = if os.family == OsFamily::Ipados {
        "iPadOS"
    } else {
        "iOS"
    };
    let Some(major) = non_empty(os.version.as_deref()).and_then(leading_number) else {
        return Found::new(
            format!("{name} (version not visible from this browser)"),
            Support::Unknown,
        );
    };
    let product = format!("{name} {major}");
    let released: Vec<&(u32, Date)> = IOS.iter().filter(|r| r.1 <= today).collect();
    let Some(&&(latest, latest_date)) = released.last() else {
        return Found::new(product, Support::Unknown);
    };
    let previous = released.iter().rev().nth(1).map(|r| r.0);
    let support = match IOS.iter().find(|r| r.0 == major) {
        // Installed before its public release (a beta): treat as current.
        Some(r) if r.1 > today => Support::Current,
        Some(_) if major == latest => Support::Current,
        Some(_) if Some(major) == previous => {
            let next_expected = latest_date
                .checked_add(Span::new().years(1))
                .unwrap_or(Date::MAX);
            let basis = format!(
                "Apple patches {name} {major} only on devices that cannot run {name} {latest}, \
                 until about {name} {}'s release (approximate date)",
                latest + 1
            );
            return Found::new(product, Support::Partial(next_expected)).basis(Some(basis));
        }
        Some(_) => Support::Ended,
        None => beyond(major, IOS.first().map(|r| r.0), IOS.last().map(|r| r.0)),
    };
    Found::new(product, support)
}
