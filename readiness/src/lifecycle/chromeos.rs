//! ChromeOS: is this Chromebook's milestone still one that gets fixes?
//!
//! ChromeOS has no per-release end dates: a Chromebook updates to each new milestone until
//! its model's Auto Update Expiration (AUE) date. A browser shows the milestone (the Chrome
//! version, which on ChromeOS is the system's) but not the AUE date nor the channel, so the
//! judgement is the milestone's age: a recent one means the device updates (its AUE is then
//! said unknown in `basis`); an old one means it does not (AUE passed, updates pinned or
//! blocked), which is a finding whatever the cause.

use jiff::civil::{Date, date};

use super::{Found, Support, leading_number, non_empty};
use crate::measurements::OsInfo;

/// Chrome milestones and their stable release day, the anchors of [`stable_date`].
/// Sources: the Chrome release calendar (<https://chromiumdash.appspot.com/schedule>) for
/// 120 (2023-12-05), 132 (2025-01-14) and 144 (2026-01-13); Google's announcement of the
/// two-week cycle (Chrome blog, 2026: "Chrome 153 on September 8, 2026", then a milestone
/// every two weeks on desktop, Android and iOS).
/// ChromeOS ships a milestone about a week after desktop Chrome (approximate). Whether
/// ChromeOS follows the two-week cycle was not announced: the judgement is by the
/// milestone's age, which holds either way. Ageing: add anchors from the calendar.
static CHROME_STABLE: &[(u32, Date)] = &[
    (120, date(2023, 12, 5)),
    (132, date(2025, 1, 14)),
    (144, date(2026, 1, 13)),
    (153, date(2026, 9, 8)),
];

/// Days between milestones before the first anchor (the four-week cycle since M94 in 2021)
/// and after the last one (the two-week cycle from M153).
const DAYS_PER_MILESTONE_BEFORE: i64 = 28;
const DAYS_PER_MILESTONE_AFTER: i64 = 14;

/// A milestone whose stable release is at most this old is current: the stable channel ships
/// one every four weeks (two from September 2026), rolled out over days, and a Chromebook
/// left off for a few weeks updates when started. 12 weeks.
const STABLE_MAX_AGE_DAYS: i64 = 84;

/// Long-term support (LTS) milestones: every sixth from 96 (96, 102, ... 132, 138, 144, 150),
/// a new one every six months, each kept with security fixes until the next LTS takes over,
/// about a year after its stable release. Sources: ChromeOS LTS
/// (<https://chromeos.dev/en/education/chromeos-lts>) and Google's admin help "Long-term
/// support channels" (answer 11333726). The numbering after the two-week cycle is not known
/// (ageing: check the LTS release notes).
const LTS_FIRST: u32 = 96;
const LTS_EVERY: u32 = 6;
const LTS_MAX_AGE_DAYS: i64 = 365;

/// What a browser cannot tell of a Chromebook.
const AUE_UNSEEN: &str = "its Auto Update Expiration date is not visible from a browser";

/// The estimated stable release day of a milestone: interpolated between the anchors,
/// extrapolated by the cycle's length outside them.
pub(super) fn stable_date(milestone: u32) -> Option<Date> {
    let (first, last) = (CHROME_STABLE.first()?, CHROME_STABLE.last()?);
    // A milestone is any number a report or a User-Agent gives: no span may overflow.
    let days = |from: (u32, Date), per: i64| {
        let span = (i64::from(milestone) - i64::from(from.0)).checked_mul(per)?;
        from.1
            .checked_add(jiff::Span::new().try_days(span).ok()?)
            .ok()
    };
    if milestone <= first.0 {
        return days(*first, DAYS_PER_MILESTONE_BEFORE);
    }
    if milestone >= last.0 {
        return days(*last, DAYS_PER_MILESTONE_AFTER);
    }
    let w = CHROME_STABLE.windows(2).find(|w| w[1].0 >= milestone)?;
    let ((m0, d0), (m1, d1)) = (w[0], w[1]);
    let total = (d1 - d0).get_days();
    let per = i64::from(total) * (i64::from(milestone) - i64::from(m0)) / i64::from(m1 - m0);
    d0.checked_add(jiff::Span::new().try_days(per).ok()?).ok()
}

pub(super) fn chromeos(os: &OsInfo, today: Date) -> Found {
    let Some(milestone) = non_empty(os.version.as_deref()).and_then(leading_number) else {
        return Found::new(
            "ChromeOS (version not visible from this browser)",
            Support::Unknown,
        );
    };
    let product = format!("ChromeOS {milestone}");
    let Some(stable) = stable_date(milestone) else {
        return Found::new(product, Support::Unknown);
    };
    let age = i64::from((today - stable).get_days());
    let lts = milestone >= LTS_FIRST && (milestone - LTS_FIRST).is_multiple_of(LTS_EVERY);
    let (support, basis) = if age <= STABLE_MAX_AGE_DAYS {
        (Support::Current, AUE_UNSEEN.to_owned())
    } else if lts && age <= LTS_MAX_AGE_DAYS {
        (
            Support::Current,
            format!(
                "a long-term support milestone: fixed only on the LTS channel, which a browser \
                 cannot see; {AUE_UNSEEN}"
            ),
        )
    } else {
        (
            Support::Ended,
            format!(
                "stable since about {stable} (estimated from the Chrome calendar): this Chromebook \
                 no longer updates; past its Auto Update Expiration date, or updates pinned or \
                 blocked (a browser cannot tell which)"
            ),
        )
    };
    Found::new(product, support).basis(Some(basis))
}
