//! Aggregation on read: the latest report of each workstation -> school -> circonscription
//! -> département. Pure functions over rows from the store.
//!
//! A school's link is estimated from its workstations' recent bandwidth figures. They share
//! the same Internet access, so the figures are not added up: each PC measured the link
//! alone (the collector admits one test at a time) or while others were busy, on a cable or
//! on Wi-Fi, so each figure is at most the link's capacity and most read below it. The
//! estimate is the 90th percentile (nearest rank) of the latest figure of each workstation
//! measured within the profile's `recent_days`: the best figure while there are fewer than
//! ten, and with more, one aberrant high reading is ignored. The downlink is then shared
//! between the profile's `simultaneous_users`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use readiness::profile::{NumericCheck, Profile, SchoolPolicy};
use readiness::scoring::{Better::Higher, grade};
use readiness::{CheckStatus, Uai, Verdict};
use serde::Serialize;

use crate::store::{LinkFigures, ReportRow, School, WorkstationBrief};

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

/// A failing check and how many workstations fail it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    pub check: String,
    pub blocking: bool,
    pub workstations: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Circonscription {
    pub code: String,
    pub name: String,
}

/// One school's readiness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolSummary {
    pub uai: Uai,
    /// Null when the school is not in the imported directory.
    pub name: Option<String>,
    pub commune: Option<String>,
    pub circonscription: Circonscription,
    pub departement: String,
    /// Workstations that ever reported (and are within retention).
    pub workstations: u32,
    /// Of those, the ones whose last report is older than the profile's stale delay.
    pub stale_workstations: u32,
    /// Verdicts of the fresh workstations.
    pub counts: VerdictCounts,
    /// Share of fresh workstations that are ready (warnings allowed).
    pub ready_share: Option<f64>,
    /// Mean score of the fresh workstations.
    pub score: Option<f64>,
    pub verdict: SchoolVerdict,
    pub top_blockers: Vec<Blocker>,
    #[serde(with = "opt_ts")]
    pub last_report_at: Option<Timestamp>,
    /// The school's link, estimated from its workstations' bandwidth figures.
    pub network: SchoolNetwork,
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

/// One school's summary from its workstations' latest rows.
pub fn school(
    uai: &Uai,
    dir: Option<&School>,
    rows: &[&WorkstationBrief],
    policy: &SchoolPolicy,
    link: &LinkPolicy,
    now: Timestamp,
) -> SchoolSummary {
    let mut counts = VerdictCounts::default();
    let mut score_sum = 0u64;
    let mut stale = 0u32;
    let mut failing: BTreeMap<(String, bool), u32> = BTreeMap::new();
    let mut last: Option<Timestamp> = None;
    // Stale workstations' figures count too, while recent: the link is the same.
    let figures: Vec<LinkFigures> = rows.iter().filter_map(|w| w.bandwidth).collect();
    for w in rows {
        last = Some(last.map_or(w.finished_at, |l| l.max(w.finished_at)));
        if is_stale(w.received_at.max(w.finished_at), now, policy) {
            stale += 1;
            continue;
        }
        counts.add(w.verdict);
        score_sum += u64::from(w.score);
        for (id, blocking) in &w.failing {
            *failing.entry((id.clone(), *blocking)).or_default() += 1;
        }
    }
    let fresh = counts.total();
    let ready_share = counts.ready_share();
    let verdict = school_verdict(&counts, policy);
    let (circonscription, departement) = match dir {
        Some(s) => (
            Circonscription {
                code: s.circonscription_code.clone(),
                name: s.circonscription_name.clone(),
            },
            s.departement.clone(),
        ),
        None => (
            Circonscription {
                code: "unknown".into(),
                name: "(hors annuaire)".into(),
            },
            uai.departement_prefix().to_owned(),
        ),
    };
    SchoolSummary {
        uai: uai.clone(),
        name: dir.map(|s| s.name.clone()),
        commune: dir.map(|s| s.commune.clone()),
        circonscription,
        departement,
        workstations: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        stale_workstations: stale,
        counts,
        ready_share: ready_share.map(round3),
        score: (fresh > 0).then(|| round3(score_sum as f64 / f64::from(fresh))),
        verdict,
        top_blockers: top_blockers(failing),
        last_report_at: last,
        network: school_network(&figures, link, now),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Schools per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SchoolCounts {
    pub ready: u32,
    pub ready_with_warnings: u32,
    pub not_ready: u32,
    pub insufficient_data: u32,
}

/// A roll-up of schools: a circonscription or a département.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub code: String,
    pub name: String,
    /// The département of a circonscription (absent on a département).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departement: Option<String>,
    pub schools: u32,
    pub school_verdicts: SchoolCounts,
    /// Share of schools with enough data that are ready (warnings allowed).
    pub ready_share: Option<f64>,
    pub workstations: u32,
    pub stale_workstations: u32,
    /// Mean of the schools' scores.
    pub score: Option<f64>,
    pub top_blockers: Vec<Blocker>,
}

/// Roll schools up by a key (code, name, département).
pub fn roll_up(
    schools: &[SchoolSummary],
    key: impl Fn(&SchoolSummary) -> (String, String, Option<String>),
) -> Vec<Group> {
    let mut groups: BTreeMap<String, (String, Option<String>, Vec<&SchoolSummary>)> =
        BTreeMap::new();
    for s in schools {
        let (code, name, dep) = key(s);
        groups
            .entry(code)
            .or_insert_with(|| (name, dep, Vec::new()))
            .2
            .push(s);
    }
    groups
        .into_iter()
        .map(|(code, (name, departement, members))| {
            let mut counts = SchoolCounts::default();
            let mut blockers: BTreeMap<(String, bool), u32> = BTreeMap::new();
            let (mut ws, mut stale, mut score_sum, mut scored) = (0, 0, 0.0, 0u32);
            for s in &members {
                match s.verdict {
                    SchoolVerdict::Ready => counts.ready += 1,
                    SchoolVerdict::ReadyWithWarnings => counts.ready_with_warnings += 1,
                    SchoolVerdict::NotReady => counts.not_ready += 1,
                    SchoolVerdict::InsufficientData => counts.insufficient_data += 1,
                }
                ws += s.workstations;
                stale += s.stale_workstations;
                if let Some(sc) = s.score {
                    score_sum += sc;
                    scored += 1;
                }
                for b in &s.top_blockers {
                    *blockers.entry((b.check.clone(), b.blocking)).or_default() += b.workstations;
                }
            }
            let decided = counts.ready + counts.ready_with_warnings + counts.not_ready;
            Group {
                code,
                name,
                departement,
                schools: u32::try_from(members.len()).unwrap_or(u32::MAX),
                ready_share: (decided > 0).then(|| {
                    round3(
                        f64::from(counts.ready + counts.ready_with_warnings) / f64::from(decided),
                    )
                }),
                school_verdicts: counts,
                workstations: ws,
                stale_workstations: stale,
                score: (scored > 0).then(|| round3(score_sum / f64::from(scored))),
                top_blockers: top_blockers(blockers),
            }
        })
        .collect()
}

pub fn circonscriptions(schools: &[SchoolSummary]) -> Vec<Group> {
    roll_up(schools, |s| {
        (
            s.circonscription.code.clone(),
            s.circonscription.name.clone(),
            Some(s.departement.clone()),
        )
    })
}

pub fn departements(schools: &[SchoolSummary]) -> Vec<Group> {
    roll_up(schools, |s| {
        (s.departement.clone(), s.departement.clone(), None)
    })
}

/// One audit round of a school (a calendar day, UTC): the reports of that day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub date: String,
    pub workstations: u32,
    pub counts: VerdictCounts,
    pub score: f64,
    pub verdict: SchoolVerdict,
    /// Workstations whose verdict changed since their previous report.
    pub changed: Vec<Change>,
    /// Checks failing on some workstation this round and on none the round before.
    pub newly_failing: Vec<String>,
    /// Checks failing the round before and on none this round.
    pub fixed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub workstation_id: uuid::Uuid,
    pub from: Verdict,
    pub to: Verdict,
}

/// History of a school: one entry per day with reports, oldest first. Within a day the
/// latest report of each workstation counts.
pub fn history(reports: &[ReportRow], policy: &SchoolPolicy) -> Vec<Round> {
    let mut days: BTreeMap<String, BTreeMap<uuid::Uuid, &ReportRow>> = BTreeMap::new();
    for r in reports {
        let day = r
            .finished_at
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .to_string();
        let e = days.entry(day).or_default();
        match e.get(&r.workstation_id) {
            Some(prev) if prev.finished_at > r.finished_at => {}
            _ => {
                e.insert(r.workstation_id, r);
            }
        }
    }
    let mut last_verdict: BTreeMap<uuid::Uuid, Verdict> = BTreeMap::new();
    let mut prev_failing: Option<BTreeSet<String>> = None;
    let mut out = Vec::new();
    for (date, latest) in days {
        let mut counts = VerdictCounts::default();
        let mut score_sum = 0u64;
        let mut failing = BTreeSet::new();
        let mut changed = Vec::new();
        for (id, r) in &latest {
            counts.add(r.verdict);
            score_sum += u64::from(r.score);
            failing.extend(
                r.checks
                    .iter()
                    .filter(|c| c.status == CheckStatus::Fail)
                    .map(|c| c.id.clone()),
            );
            if let Some(&from) = last_verdict.get(id)
                && from != r.verdict
            {
                changed.push(Change {
                    workstation_id: *id,
                    from,
                    to: r.verdict,
                });
            }
            last_verdict.insert(*id, r.verdict);
        }
        let n = counts.total();
        let verdict = school_verdict(&counts, policy);
        let (newly_failing, fixed) = match &prev_failing {
            Some(prev) => (
                failing.difference(prev).cloned().collect(),
                prev.difference(&failing).cloned().collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        out.push(Round {
            date,
            workstations: n,
            counts,
            score: round3(score_sum as f64 / f64::from(n.max(1))),
            verdict,
            changed,
            newly_failing,
            fixed,
        });
        prev_failing = Some(failing);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uai() -> Uai {
        "0751234J".parse().unwrap()
    }

    fn ws(
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
        }
    }

    fn summary(rows: &[WorkstationBrief]) -> SchoolSummary {
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

    #[test]
    fn school_verdicts() {
        use Verdict::*;
        let s = summary(&[ws(Ready, 100, 0, &[])]);
        assert_eq!(
            s.verdict,
            SchoolVerdict::InsufficientData,
            "one PC is not enough"
        );
        let s = summary(&[ws(Ready, 100, 0, &[]), ws(Ready, 100, 1, &[])]);
        assert_eq!(s.verdict, SchoolVerdict::Ready);
        let s = summary(&[ws(Ready, 100, 0, &[]), ws(ReadyWithWarnings, 80, 0, &[])]);
        assert_eq!(s.verdict, SchoolVerdict::ReadyWithWarnings);
        // 4 of 5 ready = 80 %: still ready (with warnings); 3 of 5 is not.
        let mut rows: Vec<_> = (0..4).map(|_| ws(Ready, 100, 0, &[])).collect();
        rows.push(ws(NotReady, 40, 0, &[("system.os_support", true)]));
        assert_eq!(summary(&rows).verdict, SchoolVerdict::ReadyWithWarnings);
        rows[0] = ws(NotReady, 40, 0, &[("system.os_support", true)]);
        let s = summary(&rows);
        assert_eq!(s.verdict, SchoolVerdict::NotReady);
        assert_eq!(s.ready_share, Some(0.6));
        assert_eq!(s.top_blockers[0].check, "system.os_support");
        assert_eq!(s.top_blockers[0].workstations, 2);
    }

    #[test]
    fn incomplete_and_stale_workstations_do_not_decide() {
        use Verdict::*;
        let s = summary(&[
            ws(Incomplete, 90, 0, &[]),
            ws(Incomplete, 90, 0, &[]),
            ws(Ready, 100, 0, &[]),
        ]);
        assert_eq!(s.verdict, SchoolVerdict::InsufficientData, "{s:?}");
        assert_eq!(s.counts.incomplete, 2);
        // A PC silent for 30 days (stale after 21) is listed but left out.
        let s = summary(&[
            ws(NotReady, 10, 30, &[("browser.any", true)]),
            ws(Ready, 100, 0, &[]),
            ws(Ready, 100, 0, &[]),
        ]);
        assert_eq!(s.verdict, SchoolVerdict::Ready);
        assert_eq!((s.workstations, s.stale_workstations), (3, 1));
        assert!(s.top_blockers.is_empty());
    }

    #[test]
    fn blockers_rank_blocking_first_then_count() {
        use Verdict::*;
        let rows = [
            ws(
                ReadyWithWarnings,
                80,
                0,
                &[("system.ram", false), ("system.cpu_cores", false)],
            ),
            ws(ReadyWithWarnings, 80, 0, &[("system.ram", false)]),
            ws(NotReady, 30, 0, &[("browser.any", true)]),
        ];
        let s = summary(&rows);
        let order: Vec<_> = s
            .top_blockers
            .iter()
            .map(|b| (b.check.as_str(), b.workstations))
            .collect();
        assert_eq!(
            order,
            [
                ("browser.any", 1),
                ("system.ram", 2),
                ("system.cpu_cores", 1)
            ]
        );
    }

    #[test]
    fn history_reports_changes_between_rounds() {
        let day = |d: i8, h: i8| -> Timestamp {
            jiff::civil::date(2026, 11, d)
                .at(h, 0, 0, 0)
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .unwrap()
                .timestamp()
        };
        let a = uuid::Uuid::from_u128(1);
        let b = uuid::Uuid::from_u128(2);
        let fail = |id: &str| crate::store::CheckSummary {
            id: id.into(),
            status: CheckStatus::Fail,
            blocking: true,
            message: String::new(),
        };
        let row = |w, t, verdict, checks: Vec<crate::store::CheckSummary>| ReportRow {
            workstation_id: w,
            finished_at: t,
            verdict,
            score: 50,
            checks,
        };
        let reports = [
            row(a, day(2, 9), Verdict::NotReady, vec![fail("browser.any")]),
            row(b, day(2, 10), Verdict::Ready, vec![]),
            // Same day, later: a's latest of the day wins.
            row(
                a,
                day(2, 11),
                Verdict::NotReady,
                vec![fail("system.os_support")],
            ),
            row(a, day(9, 9), Verdict::Ready, vec![]),
            row(
                b,
                day(9, 9),
                Verdict::NotReady,
                vec![fail("system.clock_skew")],
            ),
        ];
        let h = history(&reports, &SchoolPolicy::default());
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].date, "2026-11-02");
        assert_eq!(h[0].workstations, 2);
        assert_eq!(h[0].counts.not_ready, 1);
        assert!(h[0].changed.is_empty());
        assert_eq!(h[1].changed.len(), 2);
        assert_eq!(h[1].newly_failing, ["system.clock_skew"]);
        assert_eq!(h[1].fixed, ["system.os_support"]);
    }

    #[test]
    fn roll_ups_count_schools_by_verdict() {
        use Verdict::*;
        let ready = summary(&[ws(Ready, 100, 0, &[]), ws(Ready, 100, 0, &[])]);
        let failing = [
            ws(NotReady, 20, 0, &[("browser.any", true)]),
            ws(NotReady, 40, 0, &[("browser.any", true)]),
        ];
        let refs: Vec<_> = failing.iter().collect();
        let policy = SchoolPolicy::default();
        let now = Timestamp::now();
        let lyon: Uai = "0690101K".parse().unwrap();
        let elsewhere = school(&lyon, None, &refs, &policy, &LinkPolicy::default(), now);
        let deps = departements(&[ready.clone(), elsewhere]);
        let codes: Vec<_> = deps.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(
            codes,
            ["069", "075"],
            "by UAI prefix when not in the directory"
        );

        let circ = circonscriptions(&[ready, summary(&failing)]);
        assert_eq!(circ.len(), 1);
        let g = &circ[0];
        assert_eq!(
            (
                g.schools,
                g.school_verdicts.ready,
                g.school_verdicts.not_ready
            ),
            (2, 1, 1)
        );
        assert_eq!(g.ready_share, Some(0.5));
        assert_eq!(g.score, Some(65.0));
        assert_eq!(g.top_blockers[0].check, "browser.any");
        assert_eq!(g.top_blockers[0].workstations, 2);
    }
}
