//! A school's history: one round per day with reports, and what changed between rounds.

use std::collections::{BTreeMap, BTreeSet};

use readiness::profile::SchoolPolicy;
use readiness::{CheckStatus, Verdict};
use serde::Serialize;

use super::{SchoolVerdict, Tally, VerdictCounts, school_verdict};
use crate::store::ReportRow;

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
        let mut tally = Tally::default();
        let mut failing = BTreeSet::new();
        let mut changed = Vec::new();
        for (id, r) in &latest {
            tally.add(r.verdict, r.score);
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
        let counts = tally.counts;
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
            workstations: counts.total(),
            counts,
            // A round has at least one report.
            score: tally.mean_score().unwrap_or_default(),
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
    use jiff::Timestamp;

    use super::*;

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
}
