//! Apple: macOS.

use jiff::civil::{Date, date};

use super::{Found, Support, beyond, leading_number, non_empty};
use crate::measurements::OsInfo;

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
