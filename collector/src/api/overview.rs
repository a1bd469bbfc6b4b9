//! What the département's web app shows on its first page, made on the collector so that
//! the browser adds up nothing for 2,000 schools: the schools by verdict, the workstations
//! audited and stale, the top blockers with how many schools and workstations each blocks,
//! the schools' link grades, the circonscriptions (`GET /api/v1/overview`); and what
//! changed between each school's last two audit rounds (`GET /api/v1/overview/changes`,
//! apart because it reads every school's recent reports).
//!
//! Both take `?circonscription=CODE` (one circonscription's schools) and `?lang=fr|en`
//! (the checks' titles), and count only the schools the read token sees.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jiff::Timestamp;
use readiness::{CheckStatus, Lang};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::ReadAuth;
use super::error::ApiError;
use super::read::ReadQuery;
use crate::aggregate::{self, Level, RollUp, SchoolSummary, SchoolVerdict, VerdictCounts};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/overview", get(overview))
        .route("/api/v1/overview/changes", get(changes))
}

/// Blockers listed in the overview, at most.
const TOP: usize = 10;
/// How far back the changes look for a school's last two rounds.
const CHANGES_DAYS: i64 = 120;
/// Reports read per school for the changes, at most (the latest).
const CHANGES_MAX_REPORTS: usize = 5_000;

/// `?circonscription=&lang=`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverviewQuery {
    #[serde(default)]
    circonscription: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

impl OverviewQuery {
    fn lang(&self, state: &AppState) -> Result<Lang, ApiError> {
        super::read::parse_lang(self.lang.as_deref(), state)
    }

    fn circonscription(&self) -> Result<Option<&str>, ApiError> {
        match self.circonscription.as_deref() {
            Some(c) if c.is_empty() || c.len() > 200 || c.chars().any(char::is_control) => {
                Err(ApiError::bad_request(
                    "invalid_query",
                    "circonscription must be a code of 1 to 200 printable characters",
                ))
            }
            other => Ok(other),
        }
    }
}

/// `GET /api/v1/overview`.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub generated_at: String,
    /// The circonscription asked for (code and name), when one was.
    pub circonscription: Option<aggregate::Circonscription>,
    pub schools: u32,
    pub school_verdicts: readiness::api::SchoolCounts,
    /// Share of the schools with enough data that are ready (warnings allowed).
    pub ready_share: Option<f64>,
    pub workstations: Workstations,
    /// The checks failing on the most workstations, blocking ones first.
    pub top_blockers: Vec<OverviewBlocker>,
    pub link: LinkGrades,
    /// The circonscriptions of these schools, by code.
    pub circonscriptions: Vec<RollUp>,
    /// The title of every check among these schools' blockers, by id (for the lists'
    /// filters and columns).
    pub titles: BTreeMap<String, String>,
}

/// The workstations of the schools: audited (ever reported), stale, and the fresh ones'
/// verdicts.
#[derive(Debug, Serialize)]
pub struct Workstations {
    pub audited: u32,
    pub stale: u32,
    pub counts: VerdictCounts,
    /// Share of the fresh workstations with a verdict that are ready (warnings allowed).
    pub ready_share: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct OverviewBlocker {
    pub check: String,
    pub title: String,
    pub blocking: bool,
    /// Schools where it fails on at least one fresh workstation.
    pub schools: u32,
    pub workstations: u32,
}

/// The schools' downlink per simultaneous user, graded against the profile.
#[derive(Debug, Serialize)]
pub struct LinkGrades {
    pub simultaneous_users: u32,
    pub pass_mbps: f64,
    pub warn_mbps: f64,
    pub pass: u32,
    pub warn: u32,
    pub fail: u32,
    /// Schools without a recent bandwidth figure.
    pub unmeasured: u32,
    /// Median of the measured schools' downlink per user, Mbit/s.
    pub median_per_user_mbps: Option<f64>,
}

/// The summaries the token sees, of one circonscription when asked.
async fn selected(
    state: &AppState,
    auth: &ReadAuth,
    circonscription: Option<&str>,
) -> Result<(Arc<super::summaries::Snapshot>, Vec<Arc<SchoolSummary>>), ApiError> {
    let s = super::read::summaries(state).await?;
    let chosen: Vec<Arc<SchoolSummary>> = s
        .schools
        .iter()
        .filter(|x| auth.sees(x))
        .filter(|x| circonscription.is_none_or(|c| x.circonscription.code == c))
        .cloned()
        .collect();
    Ok((s, chosen))
}

async fn overview(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<OverviewQuery>,
) -> Result<Json<Overview>, ApiError> {
    let lang = query.lang(&state)?;
    let circ = query.circonscription()?;
    let (snapshot, chosen) = selected(&state, &auth, circ).await?;
    if let Some(code) = circ
        && chosen.is_empty()
    {
        return Err(ApiError::not_found(
            "unknown_circonscription",
            format!("no school of circonscription {code}"),
        ));
    }
    let bandwidth = &state.profile.profile.bandwidth;
    Ok(Json(summarise(
        &chosen,
        snapshot.generated_at,
        circ.is_some(),
        lang,
        bandwidth.simultaneous_users,
        (bandwidth.per_user_pass_mbps, bandwidth.per_user_warn_mbps),
    )))
}

/// The overview of `schools` (a pure function of the summaries).
fn summarise(
    schools: &[Arc<SchoolSummary>],
    generated_at: Timestamp,
    one_circonscription: bool,
    lang: Lang,
    simultaneous_users: u32,
    (pass_mbps, warn_mbps): (f64, f64),
) -> Overview {
    let mut verdicts = readiness::api::SchoolCounts::default();
    let mut ws = Workstations {
        audited: 0,
        stale: 0,
        counts: VerdictCounts::default(),
        ready_share: None,
    };
    let mut blockers: BTreeMap<(String, bool), (u32, u32)> = BTreeMap::new();
    let mut link = LinkGrades {
        simultaneous_users,
        pass_mbps,
        warn_mbps,
        pass: 0,
        warn: 0,
        fail: 0,
        unmeasured: 0,
        median_per_user_mbps: None,
    };
    let mut per_user = Vec::new();
    for s in schools {
        match s.verdict {
            SchoolVerdict::Ready => verdicts.ready += 1,
            SchoolVerdict::ReadyWithWarnings => verdicts.ready_with_warnings += 1,
            SchoolVerdict::NotReady => verdicts.not_ready += 1,
            SchoolVerdict::InsufficientData => verdicts.insufficient_data += 1,
        }
        ws.audited += s.workstations;
        ws.stale += s.stale_workstations;
        ws.counts.ready += s.counts.ready;
        ws.counts.ready_with_warnings += s.counts.ready_with_warnings;
        ws.counts.not_ready += s.counts.not_ready;
        ws.counts.incomplete += s.counts.incomplete;
        // Every failing check of the school, not only its top ones.
        for (check, (n, blocking)) in &s.failing {
            let e = blockers.entry((check.clone(), *blocking)).or_default();
            e.0 += 1;
            e.1 += n;
        }
        match s.network.per_user_status {
            Some(CheckStatus::Pass) => link.pass += 1,
            Some(CheckStatus::Warn) => link.warn += 1,
            Some(CheckStatus::Fail) => link.fail += 1,
            _ => link.unmeasured += 1,
        }
        per_user.extend(s.network.per_user_downlink_mbps);
    }
    if !per_user.is_empty() {
        per_user.sort_by(f64::total_cmp);
        link.median_per_user_mbps = Some(readiness::stats::nearest_rank(&per_user, 0.5));
    }
    let decided = ws.counts.ready + ws.counts.ready_with_warnings + ws.counts.not_ready;
    ws.ready_share =
        (decided > 0).then(|| share(ws.counts.ready + ws.counts.ready_with_warnings, decided));
    let with_data = verdicts.ready + verdicts.ready_with_warnings + verdicts.not_ready;
    let ready_share =
        (with_data > 0).then(|| share(verdicts.ready + verdicts.ready_with_warnings, with_data));
    let mut top: Vec<OverviewBlocker> = blockers
        .into_iter()
        .map(
            |((check, blocking), (schools, workstations))| OverviewBlocker {
                title: readiness::scoring::check_title(&check, lang),
                check,
                blocking,
                schools,
                workstations,
            },
        )
        .collect();
    top.sort_by(|a, b| {
        (b.blocking, b.workstations, b.schools)
            .cmp(&(a.blocking, a.workstations, a.schools))
            .then_with(|| a.check.cmp(&b.check))
    });
    let titles = top
        .iter()
        .map(|b| (b.check.clone(), b.title.clone()))
        .collect::<Vec<_>>();
    top.truncate(TOP);
    Overview {
        titles: titles.into_iter().collect(),
        generated_at: generated_at.to_string(),
        circonscription: one_circonscription
            .then(|| schools.first().map(|s| s.circonscription.clone()))
            .flatten(),
        schools: u32::try_from(schools.len()).unwrap_or(u32::MAX),
        school_verdicts: verdicts,
        ready_share,
        workstations: ws,
        top_blockers: top,
        link,
        circonscriptions: Level::Circonscription.roll_up(schools.iter().map(|s| &**s)),
    }
}

fn share(part: u32, whole: u32) -> f64 {
    (f64::from(part) / f64::from(whole) * 1000.0).round() / 1000.0
}

/// `GET /api/v1/overview/changes`: between each school's last two audit rounds (days with
/// reports, as in a school's history) within the last `days`.
#[derive(Debug, Serialize)]
pub struct Changes {
    pub days: i64,
    /// Schools with at least two rounds in the period, the last two with enough
    /// workstations for a verdict: the others have nothing to compare.
    pub schools_compared: u32,
    /// Schools whose verdict got better, or worse, at their last round.
    pub improved: Vec<SchoolChange>,
    pub worsened: Vec<SchoolChange>,
    /// Workstations whose verdict changed at their school's last round.
    pub workstations_changed: u32,
    /// Checks failing at a school's last round and not at the one before, with how many
    /// schools; and the reverse.
    pub newly_failing: Vec<CheckChange>,
    pub fixed: Vec<CheckChange>,
}

#[derive(Debug, Serialize)]
pub struct SchoolChange {
    pub uai: readiness::Uai,
    pub name: Option<String>,
    /// The date of the school's last round.
    pub date: String,
    pub from: SchoolVerdict,
    pub to: SchoolVerdict,
}

#[derive(Debug, Serialize)]
pub struct CheckChange {
    pub check: String,
    pub title: String,
    pub schools: u32,
}

/// Worse verdicts rank higher; a round with too few workstations for a verdict (a day when
/// one PC ran again) has no rank: it is compared with nothing.
fn rank(v: SchoolVerdict) -> Option<u8> {
    match v {
        SchoolVerdict::Ready => Some(0),
        SchoolVerdict::ReadyWithWarnings => Some(1),
        SchoolVerdict::NotReady => Some(2),
        SchoolVerdict::InsufficientData => None,
    }
}

/// The key of a school's rounds in the cache: its last report (`last_report_at`) and its
/// revision (bumped by every report stored for it, a late one dated before the others
/// too, see [`super::summaries::SummaryCache::revision`]).
type RoundsKey = (Option<Timestamp>, u64);

/// Each school's last two rounds, kept between requests: a school is read again only when
/// a report was stored for it (its [`RoundsKey`] changed), so that the changes cost a full read
/// of the recent reports once, at the first request.
#[derive(Debug, Default)]
pub struct RoundsCache {
    schools: tokio::sync::Mutex<BTreeMap<readiness::Uai, Cached>>,
}

impl RoundsCache {
    /// Read the rounds of the schools of `wanted` (UAI, key) the cache does not have at
    /// that key.
    async fn fill(
        self: Arc<Self>,
        wanted: Vec<(readiness::Uai, RoundsKey)>,
        store: Arc<dyn crate::store::Store>,
        policy: readiness::profile::SchoolPolicy,
        since: Timestamp,
    ) -> Result<(), ApiError> {
        let mut cache = self.schools.lock().await;
        let missing: Vec<(readiness::Uai, RoundsKey)> = wanted
            .into_iter()
            .filter(|(uai, key)| cache.get(uai).is_none_or(|c| c.key != *key))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let read = tokio::task::spawn_blocking(move || -> Result<Vec<_>, ApiError> {
            missing
                .into_iter()
                .map(|(uai, key)| {
                    // A school without a report in the period has no rounds: no query.
                    let rounds = if key.0.is_some_and(|t| t >= since) {
                        let reports = store.school_reports(&uai, since, CHANGES_MAX_REPORTS)?;
                        let mut rounds = aggregate::history(&reports, &policy);
                        let last = rounds.pop();
                        let before = rounds.pop();
                        before.zip(last).map(Arc::new)
                    } else {
                        None
                    };
                    Ok((uai, Cached { key, rounds }))
                })
                .collect()
        })
        .await??;
        cache.extend(read);
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Cached {
    /// The school's key when its rounds were read.
    key: RoundsKey,
    /// Its last two rounds, when it has two.
    rounds: Option<Arc<(aggregate::Round, aggregate::Round)>>,
}

async fn changes(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<OverviewQuery>,
) -> Result<Json<Changes>, ApiError> {
    let lang = query.lang(&state)?;
    let circ = query.circonscription()?;
    let (_, chosen) = selected(&state, &auth, circ).await?;
    let since = Timestamp::now() - jiff::SignedDuration::from_hours(24 * CHANGES_DAYS);
    // The missing schools are read by a task of their own, which fills the cache even when
    // this request goes away (a reader who closed the tab): the next request reuses its
    // work instead of starting the whole read again. It holds the cache meanwhile, so that
    // concurrent requests wait for it, then reuse.
    // The revisions are read before the store: a report stored meanwhile is read again next
    // time, never missed.
    let wanted: Vec<(readiness::Uai, RoundsKey)> = chosen
        .iter()
        .map(|s| {
            let key = (s.last_report_at, state.summaries.revision(&s.uai));
            (s.uai.clone(), key)
        })
        .collect();
    let fill = tokio::spawn(Arc::clone(&state.rounds).fill(
        wanted,
        Arc::clone(&state.store),
        state.profile.profile.school.clone(),
        since,
    ));
    fill.await
        .map_err(|e| ApiError::internal("the changes' read", e))??;
    let cache = state.rounds.schools.lock().await;
    let mut out = Changes {
        days: CHANGES_DAYS,
        schools_compared: 0,
        improved: Vec::new(),
        worsened: Vec::new(),
        workstations_changed: 0,
        newly_failing: Vec::new(),
        fixed: Vec::new(),
    };
    let mut newly: BTreeMap<String, u32> = BTreeMap::new();
    let mut fixed: BTreeMap<String, u32> = BTreeMap::new();
    for s in &chosen {
        let Some(pair) = cache.get(&s.uai).and_then(|c| c.rounds.clone()) else {
            continue;
        };
        let (before, last) = &*pair;
        // A round without enough workstations for a verdict compares with nothing: its
        // failing checks and changed workstations are a part of the school only.
        let (Some(was), Some(is)) = (rank(before.verdict), rank(last.verdict)) else {
            continue;
        };
        out.schools_compared += 1;
        out.workstations_changed += u32::try_from(last.changed.len()).unwrap_or(u32::MAX);
        for c in &last.newly_failing {
            *newly.entry(c.clone()).or_default() += 1;
        }
        for c in &last.fixed {
            *fixed.entry(c.clone()).or_default() += 1;
        }
        if was != is {
            let change = SchoolChange {
                uai: s.uai.clone(),
                name: s.name.clone(),
                date: last.date.clone(),
                from: before.verdict,
                to: last.verdict,
            };
            if is < was {
                out.improved.push(change);
            } else {
                out.worsened.push(change);
            }
        }
    }
    drop(cache);
    let list = |m: BTreeMap<String, u32>| {
        let mut v: Vec<CheckChange> = m
            .into_iter()
            .map(|(check, schools)| CheckChange {
                title: readiness::scoring::check_title(&check, lang),
                check,
                schools,
            })
            .collect();
        v.sort_by(|a, b| {
            b.schools
                .cmp(&a.schools)
                .then_with(|| a.check.cmp(&b.check))
        });
        v.truncate(TOP);
        v
    };
    out.newly_failing = list(newly);
    out.fixed = list(fixed);
    Ok(Json(out))
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;
    use readiness::Verdict;
    use readiness::profile::SchoolPolicy;

    use super::*;
    use crate::aggregate::LinkPolicy;
    use crate::store::{LinkFigures, WorkstationBrief};

    /// A workstation: its verdict, its failing checks (id, blocking), its downlink.
    type Pc<'a> = (Verdict, &'a [(&'a str, bool)], Option<f64>);

    fn summary(uai: &str, rows: &[Pc<'_>]) -> Arc<SchoolSummary> {
        let now = Timestamp::now();
        let uai: readiness::Uai = uai.parse().unwrap();
        let rows: Vec<WorkstationBrief> = rows
            .iter()
            .map(|(verdict, failing, down)| WorkstationBrief {
                school: uai.clone(),
                browser: false,
                finished_at: now - SignedDuration::from_hours(1),
                received_at: now,
                verdict: *verdict,
                score: 80,
                failing: failing.iter().map(|(c, b)| ((*c).to_owned(), *b)).collect(),
                bandwidth: down.map(|d| LinkFigures {
                    download_mbps: Some(d),
                    upload_mbps: Some(10.0),
                    measured_at: now,
                }),
            })
            .collect();
        let refs: Vec<&WorkstationBrief> = rows.iter().collect();
        Arc::new(aggregate::school(
            &uai,
            None,
            &refs,
            &SchoolPolicy::default(),
            &LinkPolicy::default(),
            now,
        ))
    }

    #[test]
    fn the_overview_counts_schools_workstations_blockers_and_link_grades() {
        use Verdict::*;
        let os: &[(&str, bool)] = &[("system.os_support", true)];
        let ram: &[(&str, bool)] = &[("system.ram", false)];
        let schools = [
            // Two ready PCs on a fast link: ready, link passes (80 / 25 users).
            summary("0751234J", &[(Ready, &[], Some(80.0)), (Ready, &[], None)]),
            // Two PCs blocked on the OS, one warned on RAM: not ready, link warns (20 / 25).
            summary(
                "0690101K",
                &[
                    (NotReady, os, Some(20.0)),
                    (NotReady, os, None),
                    (ReadyWithWarnings, ram, None),
                ],
            ),
            // One PC: insufficient data, unmeasured.
            summary("0690102L", &[(NotReady, os, None)]),
        ];
        let o = summarise(&schools, Timestamp::now(), false, Lang::En, 25, (1.0, 0.5));
        assert_eq!(o.schools, 3);
        assert_eq!(
            (
                o.school_verdicts.ready,
                o.school_verdicts.not_ready,
                o.school_verdicts.insufficient_data
            ),
            (1, 1, 1)
        );
        assert_eq!(o.ready_share, Some(0.5));
        assert_eq!((o.workstations.audited, o.workstations.stale), (6, 0));
        assert_eq!(o.workstations.counts.not_ready, 3);
        let first = &o.top_blockers[0];
        assert_eq!(
            (
                first.check.as_str(),
                first.blocking,
                first.schools,
                first.workstations
            ),
            ("system.os_support", true, 2, 3)
        );
        assert_eq!(o.top_blockers[1].check, "system.ram");
        assert!(!first.title.is_empty() && first.title != first.check);
        assert_eq!(
            (o.link.pass, o.link.warn, o.link.fail, o.link.unmeasured),
            (1, 1, 0, 1)
        );
        assert_eq!(o.titles.len(), 2);
        assert_eq!(
            o.circonscriptions.len(),
            1,
            "all outside the directory: one group"
        );
    }

    /// A check ranked sixth or lower in its school (past the school's top five) is counted.
    #[test]
    fn the_overview_counts_every_failing_check_not_each_schools_top_five() {
        use Verdict::*;
        let seven: &[(&str, bool)] = &[
            ("browser.any", true),
            ("system.os_support", true),
            ("system.ram", false),
            ("system.cpu_cores", false),
            ("system.disk_free", false),
            ("system.architecture", false),
            ("system.clock_skew", false),
        ];
        let s = summary(
            "0690101K",
            &[(NotReady, seven, None), (NotReady, seven, None)],
        );
        assert_eq!(s.top_blockers.len(), 5);
        let o = summarise(&[s], Timestamp::now(), false, Lang::En, 25, (1.0, 0.5));
        assert_eq!(o.top_blockers.len(), 7);
        let skew = o
            .top_blockers
            .iter()
            .find(|b| b.check == "system.clock_skew")
            .expect("the seventh check counted");
        assert_eq!((skew.schools, skew.workstations), (1, 2));
        assert!(o.titles.contains_key("system.clock_skew"));
    }
}
