//! Roll-ups of school summaries: per circonscription and per département, schools counted
//! by verdict and their blockers added up.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Blocker, SchoolSummary, SchoolVerdict, round3, top_blockers};

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

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use readiness::profile::SchoolPolicy;
    use readiness::{Uai, Verdict};

    use super::super::tests::{summary, ws};
    use super::super::{LinkPolicy, school};
    use super::*;

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
