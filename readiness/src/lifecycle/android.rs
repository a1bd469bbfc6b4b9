//! Android: the versions the Android Security Bulletins still cover.

use jiff::civil::{Date, date};

use super::{Found, Support, beyond, leading_number, non_empty};
use crate::measurements::OsInfo;

/// Android versions: (major, release in AOSP, last day the Android Security Bulletins cover
/// it). Google backports the fixes of each bulletin to the versions it lists, for about three
/// and a half years after a release; a vendor then ships them as the device's "security patch
/// level". Sources: the Android Security Bulletins
/// (<https://source.android.com/docs/security/bulletin>) and the press that read them:
/// - 12 and 12L (12L reports itself as 12): exact. The March 2025 bulletin was the last to
///   cover them; Google ended backports on 2025-03-31 (Android Authority, April 2025).
/// - 11: approximate. It left the bulletins in early 2024 (last day of February used).
/// - 13: approximate. Absent from the March 2026 bulletin (heise, March 2026); bulletins are
///   quarterly for most fixes since July 2025, so its last patches may date from December
///   2025. The last day of February 2026 is used.
/// - 14, 15, 16: estimates, not announced: three and a half years after release, as for 12
///   and 13 (end of March 2027, end of March 2028, end of December 2028).
///
/// Older versions are unsupported. A version newer than the table (17, released in 2026) is
/// supported with no date. Ageing: when a bulletin drops a version, replace its estimate by
/// the month it left; add each new version with its estimate.
/// A supported version is necessary, not sufficient: the device's vendor must ship the
/// patches, and a browser cannot see the security patch level (said in `basis`).
static ANDROID: &[(u32, Date, Date)] = &[
    (11, date(2020, 9, 8), date(2024, 2, 29)),
    (12, date(2021, 10, 4), date(2025, 3, 31)),
    (13, date(2022, 8, 15), date(2026, 2, 28)),
    (14, date(2023, 10, 4), date(2027, 3, 31)),
    (15, date(2024, 9, 3), date(2028, 3, 31)),
    (16, date(2025, 6, 10), date(2028, 12, 31)),
];

/// What a browser cannot tell of an Android device's updates.
const PATCH_LEVEL_UNSEEN: &str = "the device's security patch level is not visible from a browser";

pub(super) fn android(os: &OsInfo) -> Found {
    let Some(major) = non_empty(os.version.as_deref()).and_then(leading_number) else {
        return Found::new(
            "Android (version not visible from this browser)",
            Support::Unknown,
        );
    };
    let support = match ANDROID.iter().find(|a| a.0 == major) {
        Some(&(.., end)) => Support::Until(end),
        None => beyond(
            major,
            ANDROID.first().map(|a| a.0),
            ANDROID.last().map(|a| a.0),
        ),
    };
    Found::new(format!("Android {major}"), support).basis(Some(PATCH_LEVEL_UNSEEN.to_owned()))
}
