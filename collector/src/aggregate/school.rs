//! One school's summary: its fresh workstations' verdicts, scores and failing checks, where
//! the directory places it, and its link.

use std::collections::BTreeMap;

use jiff::Timestamp;
use readiness::Uai;
use readiness::profile::SchoolPolicy;
use serde::Serialize;

use super::{
    Blocker, LinkPolicy, SchoolNetwork, SchoolVerdict, Tally, VerdictCounts, is_stale, opt_ts,
    round3, school_network, school_verdict, top_blockers,
};
use crate::store::{Area, LinkFigures, School, WorkstationBrief};

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
    /// From the directory; code `unknown` when it does not say.
    pub academie: Area,
    pub region: Area,
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
    /// The checks failing on the most fresh workstations, blocking ones first (at most
    /// five): for a reader of one school.
    pub top_blockers: Vec<Blocker>,
    /// Every check failing on a fresh workstation: id -> (workstations, blocking). What the
    /// overview and the roll-ups count, so that a check ranked sixth in every school is
    /// counted too. The JSON gives the ids only (`failing_checks`), for the lists' blocker
    /// filter.
    #[serde(rename = "failing_checks", serialize_with = "check_ids")]
    pub failing: BTreeMap<String, (u32, bool)>,
    #[serde(with = "opt_ts")]
    pub last_report_at: Option<Timestamp>,
    /// The school's link, estimated from its workstations' bandwidth figures (the browser
    /// devices' included: the same link).
    pub network: SchoolNetwork,
    /// The devices without the agent that ran the browser probe (tablets, phones,
    /// Chromebooks), apart: they are not in `workstations` nor `counts`, and never decide
    /// the school's verdict (a school of tablets alone is "insufficient data").
    pub browser_devices: BrowserDevices,
}

fn check_ids<S: serde::Serializer>(
    failing: &BTreeMap<String, (u32, bool)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(failing.keys())
}

/// A school's browser probe devices.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BrowserDevices {
    pub devices: u32,
    pub stale: u32,
    /// Verdicts of the fresh ones.
    pub counts: VerdictCounts,
    /// The checks the fresh ones fail most (as the school's `top_blockers`, of the tablets).
    pub top_blockers: Vec<Blocker>,
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
    let mut tally = Tally::default();
    let mut stale = 0u32;
    let mut failing: BTreeMap<(String, bool), u32> = BTreeMap::new();
    let mut last: Option<Timestamp> = None;
    let mut browser = BrowserDevices::default();
    let mut browser_tally = Tally::default();
    let mut browser_failing: BTreeMap<(String, bool), u32> = BTreeMap::new();
    // Stale workstations' figures count too, while recent: the link is the same.
    let figures: Vec<LinkFigures> = rows.iter().filter_map(|w| w.bandwidth).collect();
    for w in rows {
        last = Some(last.map_or(w.finished_at, |l| l.max(w.finished_at)));
        if w.browser {
            browser.devices += 1;
            if is_stale(w.received_at.max(w.finished_at), now, policy) {
                browser.stale += 1;
            } else {
                browser_tally.add(w.verdict, w.score);
                for (id, blocking) in &w.failing {
                    *browser_failing.entry((id.clone(), *blocking)).or_default() += 1;
                }
            }
            continue;
        }
        if is_stale(w.received_at.max(w.finished_at), now, policy) {
            stale += 1;
            continue;
        }
        tally.add(w.verdict, w.score);
        for (id, blocking) in &w.failing {
            *failing.entry((id.clone(), *blocking)).or_default() += 1;
        }
    }
    let mut by_check: BTreeMap<String, (u32, bool)> = BTreeMap::new();
    for ((id, blocking), n) in &failing {
        // One check is blocking or not by the profile; two profiles' reports may differ.
        let e = by_check.entry(id.clone()).or_default();
        e.0 += n;
        e.1 |= blocking;
    }
    let counts = tally.counts;
    let ready_share = counts.ready_share();
    let verdict = school_verdict(&counts, policy);
    let outside = || Area {
        code: super::UNKNOWN.into(),
        name: "(hors annuaire)".into(),
    };
    let known = |a: &Area| {
        if a.is_empty() {
            Area {
                code: super::UNKNOWN.into(),
                name: "(non renseignée)".into(),
            }
        } else {
            a.clone()
        }
    };
    let (circonscription, departement, academie, region) = match dir {
        Some(s) => (
            Circonscription {
                code: s.circonscription_code.clone(),
                name: s.circonscription_name.clone(),
            },
            s.departement.clone(),
            known(&s.academie),
            known(&s.region),
        ),
        None => {
            let o = outside();
            (
                Circonscription {
                    code: o.code,
                    name: o.name,
                },
                uai.departement_prefix().to_owned(),
                outside(),
                outside(),
            )
        }
    };
    SchoolSummary {
        uai: uai.clone(),
        name: dir.map(|s| s.name.clone()),
        commune: dir.map(|s| s.commune.clone()),
        circonscription,
        departement,
        academie,
        region,
        workstations: u32::try_from(rows.len())
            .unwrap_or(u32::MAX)
            .saturating_sub(browser.devices),
        stale_workstations: stale,
        counts,
        ready_share: ready_share.map(round3),
        score: tally.mean_score(),
        verdict,
        top_blockers: top_blockers(failing),
        failing: by_check,
        last_report_at: last,
        network: school_network(&figures, link, now),
        browser_devices: BrowserDevices {
            counts: browser_tally.counts,
            top_blockers: top_blockers(browser_failing),
            ..browser
        },
    }
}

#[cfg(test)]
mod tests {
    use readiness::Verdict;

    use super::super::tests::{summary, ws};
    use super::*;

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

    /// Browser probe devices (tablets) are counted apart and never decide the verdict: three
    /// failing tablets do not make two ready PCs' school not ready, and tablets alone are
    /// not enough for a verdict.
    #[test]
    fn browser_devices_are_counted_apart_and_never_decide() {
        use Verdict::*;
        let tablet = |v, score| WorkstationBrief {
            browser: true,
            ..ws(v, score, 0, &[("system.os_support", true)])
        };
        let s = summary(&[
            ws(Ready, 100, 0, &[]),
            ws(Ready, 100, 0, &[]),
            tablet(NotReady, 30),
            tablet(NotReady, 30),
            tablet(Ready, 100),
        ]);
        assert_eq!(s.verdict, SchoolVerdict::Ready);
        assert_eq!((s.workstations, s.counts.ready), (2, 2));
        assert_eq!(s.browser_devices.devices, 3);
        assert_eq!(s.browser_devices.counts.not_ready, 2);
        assert!(s.top_blockers.is_empty(), "{:?}", s.top_blockers);
        assert!(s.failing.is_empty(), "{:?}", s.failing);
        let tablets = &s.browser_devices.top_blockers;
        assert_eq!(tablets.len(), 1, "{tablets:?}");
        assert_eq!(
            (tablets[0].check.as_str(), tablets[0].workstations),
            ("system.os_support", 3)
        );
        let alone = summary(&[tablet(Ready, 100), tablet(Ready, 100), tablet(Ready, 100)]);
        assert_eq!(alone.verdict, SchoolVerdict::InsufficientData);
        assert_eq!(alone.browser_devices.counts.ready, 3);
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

    /// The top five are for show; every failing check is kept for counting.
    #[test]
    fn every_failing_check_is_kept_beyond_the_top_five() {
        use Verdict::*;
        let checks = [
            ("browser.any", true),
            ("system.os_support", true),
            ("system.ram", false),
            ("system.cpu_cores", false),
            ("system.disk_free", false),
            ("system.architecture", false),
            ("system.clock_skew", false),
        ];
        let s = summary(&[
            ws(NotReady, 10, 0, &checks),
            ws(NotReady, 10, 0, &checks[..2]),
        ]);
        assert_eq!(s.top_blockers.len(), 5);
        assert_eq!(s.failing.len(), 7, "{:?}", s.failing);
        assert_eq!(s.failing["browser.any"], (2, true));
        assert_eq!(s.failing["system.clock_skew"], (1, false));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json["failing_checks"].as_array().unwrap().len(),
            7,
            "{json}"
        );
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
}
