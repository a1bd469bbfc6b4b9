//! Roll-ups of school summaries: per circonscription, département, académie and région,
//! schools counted by verdict and their blockers added up.

use std::collections::BTreeMap;

use super::{RollUp, SchoolCounts, SchoolSummary, SchoolVerdict, round3, top_blockers};

/// Which roll-up a school falls in, and what the roll-up says of where it lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub code: String,
    pub name: String,
    pub departement: Option<String>,
    pub region: Option<String>,
}

/// The levels schools are rolled up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Circonscription = 0,
    Departement = 1,
    Academie = 2,
    Region = 3,
}

impl Level {
    /// The list's name in the API (`/api/v1/{name}`).
    pub fn list_name(self) -> &'static str {
        match self {
            Level::Circonscription => "circonscriptions",
            Level::Departement => "departements",
            Level::Academie => "academies",
            Level::Region => "regions",
        }
    }

    pub fn roll_up<'a>(self, schools: impl IntoIterator<Item = &'a SchoolSummary>) -> Vec<RollUp> {
        match self {
            Level::Circonscription => circonscriptions(schools),
            Level::Departement => departements(schools),
            Level::Academie => academies(schools),
            Level::Region => regions(schools),
        }
    }
}

/// Roll schools up by their [`Label`], in the order of the labels' codes; a roll-up takes
/// the name and the places of its first school.
pub fn roll_up<'a>(
    schools: impl IntoIterator<Item = &'a SchoolSummary>,
    key: impl Fn(&SchoolSummary) -> Label,
) -> Vec<RollUp> {
    let mut groups: BTreeMap<String, (Label, Vec<&SchoolSummary>)> = BTreeMap::new();
    for s in schools {
        let label = key(s);
        groups
            .entry(label.code.clone())
            .or_insert_with(|| (label, Vec::new()))
            .1
            .push(s);
    }
    groups
        .into_values()
        .map(|(label, members)| {
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
                // Every failing check, not only each school's top ones.
                for (check, (n, blocking)) in &s.failing {
                    *blockers.entry((check.clone(), *blocking)).or_default() += n;
                }
            }
            let decided = counts.ready + counts.ready_with_warnings + counts.not_ready;
            RollUp {
                code: label.code,
                name: label.name,
                departement: label.departement,
                region: label.region,
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

pub fn circonscriptions<'a>(schools: impl IntoIterator<Item = &'a SchoolSummary>) -> Vec<RollUp> {
    roll_up(schools, |s| Label {
        code: s.circonscription.code.clone(),
        name: s.circonscription.name.clone(),
        departement: Some(s.departement.clone()),
        region: None,
    })
}

pub fn departements<'a>(schools: impl IntoIterator<Item = &'a SchoolSummary>) -> Vec<RollUp> {
    roll_up(schools, |s| Label {
        code: s.departement.clone(),
        name: s.departement.clone(),
        departement: None,
        region: None,
    })
}

/// An académie names its région (that of its first school: an académie lies in one région).
pub fn academies<'a>(schools: impl IntoIterator<Item = &'a SchoolSummary>) -> Vec<RollUp> {
    roll_up(schools, |s| Label {
        code: s.academie.code.clone(),
        name: s.academie.name.clone(),
        departement: None,
        region: (s.region.code != super::UNKNOWN).then(|| s.region.code.clone()),
    })
}

pub fn regions<'a>(schools: impl IntoIterator<Item = &'a SchoolSummary>) -> Vec<RollUp> {
    roll_up(schools, |s| Label {
        code: s.region.code.clone(),
        name: s.region.name.clone(),
        departement: None,
        region: None,
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
