//! Aggregation on read: the latest report of each workstation -> school -> circonscription
//! -> département -> académie -> région. Pure functions over rows from the store.
//!
//! A school's link is estimated from its workstations' recent bandwidth figures. They share
//! the same Internet access, so the figures are not added up: each PC measured the link
//! alone (the collector admits one test at a time) or while others were busy, on a cable or
//! on Wi-Fi, so each figure is at most the link's capacity and most read below it. The
//! estimate is the 90th percentile (nearest rank) of the latest figure of each workstation
//! measured within the profile's `recent_days`: the best figure while there are fewer than
//! ten, and with more, one aberrant high reading is ignored. The downlink is then shared
//! between the profile's `simultaneous_users`.
//!
//! Here: the verdict vocabulary, the link estimate and the summaries of every school. One
//! school's summary is made in `school.rs`, roll-ups per circonscription, département,
//! académie and région in `rollup.rs`, a school's day-by-day history in `history.rs`.

mod history;
mod rollup;
mod school;

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use readiness::profile::{NumericCheck, Profile, SchoolPolicy};
use readiness::scoring::{Better::Higher, grade};
use readiness::{CheckStatus, Uai, Verdict};
use serde::Serialize;

use crate::store::{LinkFigures, School, WorkstationBrief};
pub use history::{Change, Round, history};
pub use readiness::api::{Blocker, RollUp, SchoolCounts};
pub use rollup::{Label, Level, academies, circonscriptions, departements, regions, roll_up};
pub use school::{Circonscription, SchoolSummary, school};

/// The code of the circonscription, académie or région of a school the directory does not
/// place there.
pub const UNKNOWN: &str = "unknown";

/// How many blockers are listed per school or group.
const TOP_BLOCKERS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolVerdict {
    Ready,
    ReadyWithWarnings,
    NotReady,
    InsufficientData,
}

impl SchoolVerdict {
    pub const ALL: [SchoolVerdict; 4] = [
        SchoolVerdict::Ready,
        SchoolVerdict::ReadyWithWarnings,
        SchoolVerdict::NotReady,
        SchoolVerdict::InsufficientData,
    ];

    /// The verdict named `s` (as in the JSON).
    pub fn parse(s: &str) -> Option<SchoolVerdict> {
        SchoolVerdict::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SchoolVerdict::Ready => "ready",
            SchoolVerdict::ReadyWithWarnings => "ready_with_warnings",
            SchoolVerdict::NotReady => "not_ready",
            SchoolVerdict::InsufficientData => "insufficient_data",
        }
    }
}

/// Workstations per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub ready: u32,
    pub ready_with_warnings: u32,
    pub not_ready: u32,
    pub incomplete: u32,
}

impl VerdictCounts {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Ready => self.ready += 1,
            Verdict::ReadyWithWarnings => self.ready_with_warnings += 1,
            Verdict::NotReady => self.not_ready += 1,
            Verdict::Incomplete => self.incomplete += 1,
        }
    }
    fn total(&self) -> u32 {
        self.ready + self.ready_with_warnings + self.not_ready + self.incomplete
    }

    /// Workstations with a verdict: an `incomplete` audit says nothing either way.
    fn decided(&self) -> u32 {
        self.ready + self.ready_with_warnings + self.not_ready
    }

    /// Share of decided workstations that are ready, warnings allowed.
    fn ready_share(&self) -> Option<f64> {
        let n = self.decided();
        (n > 0).then(|| f64::from(self.ready + self.ready_with_warnings) / f64::from(n))
    }
}

/// Verdicts and the sum of scores of a set of workstations: a school's fresh ones, or those
/// of a round of its history.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    counts: VerdictCounts,
    score_sum: u64,
}

impl Tally {
    fn add(&mut self, verdict: Verdict, score: u8) {
        self.counts.add(verdict);
        self.score_sum += u64::from(score);
    }

    /// The mean score, to three decimals; none without workstations.
    fn mean_score(&self) -> Option<f64> {
        let n = self.counts.total();
        (n > 0).then(|| round3(self.score_sum as f64 / f64::from(n)))
    }
}

/// A school's verdict from its (fresh) workstations' verdicts: too few decided audits is
/// "insufficient data" (incomplete audits do not count); below the profile's ready share,
/// "not ready"; all ready, "ready".
pub fn school_verdict(counts: &VerdictCounts, policy: &SchoolPolicy) -> SchoolVerdict {
    if counts.decided() < policy.min_workstations {
        SchoolVerdict::InsufficientData
    } else if counts.ready_share().unwrap_or(0.0) < policy.min_ready_share {
        SchoolVerdict::NotReady
    } else if counts.ready == counts.total() {
        SchoolVerdict::Ready
    } else {
        SchoolVerdict::ReadyWithWarnings
    }
}

/// What the profile says about a school's link: the thresholds of `bandwidth.download` and
/// `bandwidth.upload` (the same link, seen from one PC), and `[bandwidth]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkPolicy {
    pub downlink: NumericCheck,
    pub uplink: NumericCheck,
    pub simultaneous_users: u32,
    pub per_user_pass_mbps: f64,
    pub per_user_warn_mbps: f64,
    pub recent_days: u32,
}

impl LinkPolicy {
    pub fn from_profile(p: &Profile) -> LinkPolicy {
        LinkPolicy {
            downlink: p.checks.bandwidth_download,
            uplink: p.checks.bandwidth_upload,
            simultaneous_users: p.bandwidth.simultaneous_users,
            per_user_pass_mbps: p.bandwidth.per_user_pass_mbps,
            per_user_warn_mbps: p.bandwidth.per_user_warn_mbps,
            recent_days: p.bandwidth.recent_days,
        }
    }
}

impl Default for LinkPolicy {
    fn default() -> Self {
        LinkPolicy::from_profile(&Profile::default_profile())
    }
}

/// A school's link, from its workstations' recent bandwidth figures (see the module header).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolNetwork {
    /// Workstations with a figure measured within `recent_days`.
    pub measured_workstations: u32,
    /// Estimated downlink, Mbit/s, and its grade against `bandwidth.download`.
    pub downlink_mbps: Option<f64>,
    pub downlink_status: Option<CheckStatus>,
    /// Estimated uplink, Mbit/s, graded against `bandwidth.upload`.
    pub uplink_mbps: Option<f64>,
    pub uplink_status: Option<CheckStatus>,
    /// The profile's number of simultaneous users, and the downlink each gets.
    pub simultaneous_users: u32,
    pub per_user_downlink_mbps: Option<f64>,
    pub per_user_status: Option<CheckStatus>,
    /// The most recent figure used.
    #[serde(with = "opt_ts")]
    pub measured_at: Option<Timestamp>,
    /// How the estimate is made, for the reader of the JSON.
    pub method: &'static str,
}

const LINK_METHOD: &str = "90th percentile (nearest rank) of the latest figure of each workstation measured within recent_days: workstations share the link, so figures are not added";

/// 90th percentile, nearest rank: the maximum below ten values.
pub fn link_estimate(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(readiness::stats::nearest_rank(values, 0.9))
}

/// The school's link from its workstations' figures measured within `recent_days` of `now`.
pub fn school_network(figures: &[LinkFigures], link: &LinkPolicy, now: Timestamp) -> SchoolNetwork {
    let horizon = SignedDuration::from_hours(24 * i64::from(link.recent_days));
    let recent: Vec<&LinkFigures> = figures
        .iter()
        .filter(|f| now.duration_since(f.measured_at) <= horizon)
        .collect();
    let mut down: Vec<f64> = recent.iter().filter_map(|f| f.download_mbps).collect();
    let mut up: Vec<f64> = recent.iter().filter_map(|f| f.upload_mbps).collect();
    let downlink = link_estimate(&mut down).map(round3);
    let uplink = link_estimate(&mut up).map(round3);
    let per_user = downlink.map(|d| round3(d / f64::from(link.simultaneous_users.max(1))));
    SchoolNetwork {
        measured_workstations: u32::try_from(recent.len()).unwrap_or(u32::MAX),
        downlink_mbps: downlink,
        downlink_status: downlink.map(|d| grade(d, Higher, link.downlink.pass, link.downlink.warn)),
        uplink_mbps: uplink,
        uplink_status: uplink.map(|u| grade(u, Higher, link.uplink.pass, link.uplink.warn)),
        simultaneous_users: link.simultaneous_users,
        per_user_downlink_mbps: per_user,
        per_user_status: per_user
            .map(|p| grade(p, Higher, link.per_user_pass_mbps, link.per_user_warn_mbps)),
        measured_at: recent.iter().map(|f| f.measured_at).max(),
        method: LINK_METHOD,
    }
}

mod opt_ts {
    use jiff::Timestamp;
    use serde::Serializer;
    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// Whether a workstation last heard of at `last` is stale at `now`.
pub fn is_stale(last: Timestamp, now: Timestamp, policy: &SchoolPolicy) -> bool {
    now.duration_since(last) > SignedDuration::from_hours(24 * i64::from(policy.stale_after_days))
}

fn top_blockers(counts: BTreeMap<(String, bool), u32>) -> Vec<Blocker> {
    let mut v: Vec<Blocker> = counts
        .into_iter()
        .map(|((check, blocking), workstations)| Blocker {
            check,
            blocking,
            workstations,
        })
        .collect();
    v.sort_by(|a, b| {
        (b.blocking, b.workstations)
            .cmp(&(a.blocking, a.workstations))
            .then_with(|| a.check.cmp(&b.check))
    });
    v.truncate(TOP_BLOCKERS);
    v
}

/// Summaries of every school: those of the directory (even without reports: the office
/// must see who has not reported) and those that reported without being in it.
pub fn schools(
    directory: &[School],
    rows: &[WorkstationBrief],
    policy: &SchoolPolicy,
    link: &LinkPolicy,
    now: Timestamp,
) -> Vec<SchoolSummary> {
    let mut by_school: BTreeMap<&Uai, Vec<&WorkstationBrief>> = BTreeMap::new();
    for r in rows {
        by_school.entry(&r.school).or_default().push(r);
    }
    let known: BTreeMap<&Uai, &School> = directory.iter().map(|s| (&s.uai, s)).collect();
    let all: BTreeSet<&Uai> = known.keys().chain(by_school.keys()).copied().collect();
    all.into_iter()
        .map(|uai| {
            let ws = by_school.get(uai).map(Vec::as_slice).unwrap_or(&[]);
            school(uai, known.get(uai).copied(), ws, policy, link, now)
        })
        .collect()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn uai() -> Uai {
        "0751234J".parse().unwrap()
    }

    pub(super) fn ws(
        verdict: Verdict,
        score: u8,
        age_days: i64,
        failing: &[(&str, bool)],
    ) -> WorkstationBrief {
        let now = Timestamp::now();
        let t = now - SignedDuration::from_hours(24 * age_days);
        WorkstationBrief {
            school: uai(),
            finished_at: t,
            received_at: t,
            verdict,
            score,
            failing: failing
                .iter()
                .map(|(id, b)| ((*id).to_owned(), *b))
                .collect(),
            bandwidth: None,
            browser: false,
        }
    }

    pub(super) fn summary(rows: &[WorkstationBrief]) -> SchoolSummary {
        let refs: Vec<_> = rows.iter().collect();
        school(
            &uai(),
            None,
            &refs,
            &SchoolPolicy::default(),
            &LinkPolicy::default(),
            Timestamp::now(),
        )
    }

    #[test]
    fn the_link_is_a_high_percentile_of_its_workstations_not_a_sum() {
        let now = Timestamp::now();
        let fig = |down: f64, up: f64, age_days: i64| LinkFigures {
            download_mbps: Some(down),
            upload_mbps: Some(up),
            measured_at: now - SignedDuration::from_hours(24 * age_days),
        };
        let link = LinkPolicy::default();
        // Three PCs: one on Wi-Fi reads less; the link is the best figure, not the sum.
        let n = school_network(
            &[fig(38.0, 4.0, 0), fig(12.0, 1.0, 1), fig(36.5, 4.5, 2)],
            &link,
            now,
        );
        assert_eq!(n.measured_workstations, 3);
        assert_eq!(n.downlink_mbps, Some(38.0));
        assert_eq!(n.uplink_mbps, Some(4.5));
        assert_eq!(n.downlink_status, Some(CheckStatus::Pass));
        assert_eq!(n.uplink_status, Some(CheckStatus::Warn));
        // 38 Mbit/s shared by the profile's 25 users: 1.52 each.
        assert_eq!(n.simultaneous_users, 25);
        assert_eq!(n.per_user_downlink_mbps, Some(1.52));
        assert_eq!(n.per_user_status, Some(CheckStatus::Pass));
        // Old figures are left out.
        let n = school_network(&[fig(100.0, 10.0, 45), fig(6.0, 0.5, 0)], &link, now);
        assert_eq!(n.measured_workstations, 1);
        assert_eq!(n.downlink_status, Some(CheckStatus::Fail));
        assert_eq!(n.per_user_status, Some(CheckStatus::Fail));
        let none = school_network(&[], &link, now);
        assert_eq!((none.downlink_mbps, none.per_user_status), (None, None));
    }

    #[test]
    fn link_estimate_ignores_one_outlier_among_ten() {
        let mut ten: Vec<f64> = (1..=9).map(f64::from).collect();
        ten.push(1000.0);
        assert_eq!(link_estimate(&mut ten), Some(9.0));
        assert_eq!(link_estimate(&mut [3.0, 7.0, 5.0]), Some(7.0));
        assert_eq!(link_estimate(&mut []), None);
    }
}
