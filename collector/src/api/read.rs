//! The département's side: aggregated readiness per school, circonscription, département,
//! académie and région (read token; the lists paged and filtered as `list.rs` says), CSV
//! export, health and metrics.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use jiff::Timestamp;
use readiness::Uai;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::ReadAuth;
use super::error::ApiError;
use super::list::ListQuery;
use super::summaries::Snapshot;
use crate::aggregate::{self, Level, RollUp, SchoolSummary};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/schools", get(schools))
        .route("/api/v1/schools/{uai}", get(school))
        .route("/api/v1/schools/{uai}/history", get(history))
        .route("/api/v1/circonscriptions", get(circonscriptions))
        .route("/api/v1/departements", get(departements))
        .route("/api/v1/academies", get(academies))
        .route("/api/v1/regions", get(regions))
        .route("/api/v1/export.csv", get(export_csv))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

/// The current snapshot of every school's summary.
pub async fn summaries(state: &AppState) -> Result<Arc<Snapshot>, ApiError> {
    state.summaries.get(state).await
}

/// `GET /api/v1/schools[?filters&limit=&cursor=]`: `{"generated_at", "schools": [...],
/// "page": ListPage}`, one page of the schools' summaries (by UAI), each one's JSON as
/// cached.
async fn schools(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let list = query.validate("schools")?;
    let s = summaries(&state).await?;
    let selected: Vec<_> = s
        .schools
        .iter()
        .zip(&s.school_json)
        .filter(|(x, _)| auth.sees(x) && list.filters.matches(x))
        .collect();
    let (items, page) = super::list::page(&selected, |(x, _)| x.uai.as_str(), &list);
    let page = serde_json::to_vec(&page).map_err(|e| ApiError::internal("json", e))?;
    let mut json = Vec::with_capacity(items.iter().map(|(_, j)| j.len() + 1).sum::<usize>() + 128);
    json.extend_from_slice(
        format!("{{\"generated_at\":\"{}\",\"schools\":[", s.generated_at).as_bytes(),
    );
    for (i, (_, j)) in items.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json.extend_from_slice(j);
    }
    json.extend_from_slice(b"],\"page\":");
    json.extend_from_slice(&page);
    json.push(b'}');
    Ok(([(header::CONTENT_TYPE, "application/json")], json))
}

/// The `{uai}` of a school route, validated: 400 `invalid_uai` otherwise. Taken after the
/// read token, so that a caller without one learns nothing from the answer.
struct SchoolUai(Uai);

impl<S: Send + Sync> FromRequestParts<S> for SchoolUai {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))?;
        raw.parse()
            .map(SchoolUai)
            .map_err(|e: readiness::UaiError| ApiError::bad_request("invalid_uai", e.to_string()))
    }
}

fn not_found(uai: &Uai) -> ApiError {
    ApiError::not_found(
        "unknown_school",
        format!("no school {uai} in the directory or in the reports"),
    )
}

/// Workstations in one page of a school's detail, by default and at most.
pub const PAGE_DEFAULT: usize = 200;
pub const PAGE_MAX: usize = 1000;
/// A school's history covers this many days by default, at most `HISTORY_MAX_DAYS`, and the
/// latest `HISTORY_MAX_REPORTS` reports of them at most.
pub const HISTORY_DEFAULT_DAYS: u32 = 180;
pub const HISTORY_MAX_DAYS: u32 = 730;
pub const HISTORY_MAX_REPORTS: usize = 20_000;

/// `?offset=N&limit=M` of a school's detail.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default)]
    limit: Option<usize>,
    /// The language of the checks' titles, values and fixes (the collector's by default).
    #[serde(default)]
    lang: Option<String>,
}

/// `?days=N` of a school's history.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    #[serde(default)]
    days: Option<u32>,
    /// The language of the checks' titles (the collector's by default).
    #[serde(default)]
    lang: Option<String>,
}

/// A query string that parses into `T`, or `400 invalid_query` with the API's error body.
pub(super) struct ReadQuery<T>(pub(super) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ReadQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(query) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
        Ok(ReadQuery(query))
    }
}

/// `?lang=fr|en`, the collector's language when absent.
pub(super) fn parse_lang(
    lang: Option<&str>,
    state: &AppState,
) -> Result<readiness::Lang, ApiError> {
    match lang {
        None => Ok(state.config.lang),
        Some(l) => l
            .parse()
            .map_err(|e: String| ApiError::bad_request("invalid_query", e)),
    }
}

/// `value` of the query parameter `name` if it lies in `1..=max`, else `400 invalid_query`.
fn in_range<T: PartialOrd + From<u8> + std::fmt::Display>(
    name: &str,
    value: T,
    max: T,
) -> Result<T, ApiError> {
    if value >= T::from(1) && value <= max {
        Ok(value)
    } else {
        Err(ApiError::bad_request(
            "invalid_query",
            format!("{name} must be between 1 and {max}"),
        ))
    }
}

async fn school(
    State(state): State<AppState>,
    auth: ReadAuth,
    SchoolUai(uai): SchoolUai,
    ReadQuery(page): ReadQuery<PageQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let offset = page.offset.unwrap_or(0);
    let limit = in_range("limit", page.limit.unwrap_or(PAGE_DEFAULT), PAGE_MAX)?;
    let lang = parse_lang(page.lang.as_deref(), &state)?;
    let summary = summaries(&state)
        .await?
        .schools
        .iter()
        .find(|s| s.uai == uai)
        .filter(|s| auth.sees(s))
        .map(|s| SchoolSummary::clone(s))
        .ok_or_else(|| not_found(&uai))?;
    let store = Arc::clone(&state.store);
    let u = uai.clone();
    let loaded = Arc::clone(&state.profile);
    let cache = Arc::clone(&state.details);
    let (rows, total, details) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let (rows, total) = store.school_workstations(&u, offset, limit)?;
        // Each one's last report, scored again in the reader's language: the values,
        // thresholds and fixes the stored summary does not keep. Only for a workstation with
        // something to show, and once per report and language (the cache).
        let details: Vec<Arc<CheckDetails>> = rows
            .iter()
            .map(|w| {
                if w.checks
                    .iter()
                    .all(|c| c.status == readiness::CheckStatus::Pass)
                {
                    return Ok(Arc::default());
                }
                if let Some(d) = cache.get(w.report_id, lang) {
                    return Ok(d);
                }
                let d = Arc::new(
                    store
                        .report_body(&u, &w.report_id)?
                        .map(|body| checks_of(&body, &loaded.profile, lang))
                        .unwrap_or_default(),
                );
                cache.put(w.report_id, lang, Arc::clone(&d));
                Ok(d)
            })
            .collect::<Result<_, ApiError>>()?;
        Ok((rows, total, details))
    })
    .await??;
    let policy = &state.profile.profile.school;
    let now = Timestamp::now();
    let workstations = rows
        .iter()
        .zip(&details)
        .map(|(w, detail)| WorkstationDetail {
            workstation_id: w.workstation_id,
            label: w.label.clone(),
            hostname: w.hostname.clone(),
            last_report_id: w.report_id,
            last_report_at: w.finished_at.to_string(),
            stale: aggregate::is_stale(w.received_at.max(w.finished_at), now, policy),
            verdict: w.verdict,
            score: w.score,
            bandwidth: w.bandwidth,
            browser: w.browser,
            problems: w
                .checks
                .iter()
                .filter(|c| c.status != readiness::CheckStatus::Pass)
                .map(|c| {
                    let d = detail.get(&c.id);
                    Problem {
                        check: c.id.clone(),
                        title: readiness::scoring::check_title(&c.id, lang),
                        status: c.status,
                        blocking: c.blocking,
                        message: d.map_or_else(|| c.message.clone(), |d| d.message.clone()),
                        value: d.and_then(|d| d.value.clone()),
                        unit: d.and_then(|d| d.unit.clone()),
                        threshold: d.and_then(|d| d.threshold.clone()),
                        fix: d.and_then(|d| d.remediation.clone()),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Json(SchoolDetail {
        school: summary,
        workstations,
        page: Page {
            offset,
            limit,
            total,
        },
    }))
}

/// `GET /api/v1/schools/{uai}[?offset=N&limit=M]`: the school's summary and the latest
/// state of its workstations, one page at a time (by workstation id).
#[derive(Debug, Serialize)]
pub struct SchoolDetail {
    pub school: aggregate::SchoolSummary,
    pub workstations: Vec<WorkstationDetail>,
    pub page: Page,
}

/// Which workstations a page holds, of how many.
#[derive(Debug, Serialize)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
    pub total: u64,
}

/// A workstation of [`SchoolDetail`]: its last report and what did not pass in it.
#[derive(Debug, Serialize)]
pub struct WorkstationDetail {
    pub workstation_id: uuid::Uuid,
    pub label: Option<String>,
    pub hostname: Option<String>,
    pub last_report_id: uuid::Uuid,
    pub last_report_at: String,
    /// A device of the browser probe (a tablet...): shown apart, never in the school's
    /// verdict.
    pub browser: bool,
    pub stale: bool,
    pub verdict: readiness::Verdict,
    pub score: u8,
    pub bandwidth: Option<crate::store::LinkFigures>,
    pub problems: Vec<Problem>,
}

/// A check that did not pass: the stored verdict's status, and what the last report
/// measured, scored again with the collector's profile in the asked language (null when the
/// stored report cannot be read).
#[derive(Debug, Serialize)]
pub struct Problem {
    pub check: String,
    /// The check's name for a person.
    pub title: String,
    pub status: readiness::CheckStatus,
    pub blocking: bool,
    pub message: String,
    pub value: Option<readiness::report::CheckValue>,
    pub unit: Option<String>,
    /// The thresholds it was scored against ("pass >= 4, warn >= 2").
    pub threshold: Option<String>,
    /// What to do about it.
    pub fix: Option<String>,
}

/// The checks of a stored report scored again with `profile` on the report's day, by id;
/// none when the body is not a report (a store seeded without one).
/// A stored report's checks scored again, by check id.
type CheckDetails = BTreeMap<String, readiness::CheckResult>;

/// The checks of stored reports scored again (for the school page's values, thresholds and
/// fixes), by report and language: a report never changes, so a school's page read again
/// costs no decompression and no scoring. Bounded: emptied when full.
#[derive(Debug, Default)]
pub struct DetailCache {
    map: std::sync::Mutex<
        std::collections::HashMap<(uuid::Uuid, readiness::Lang), Arc<CheckDetails>>,
    >,
}

/// Reports kept in [`DetailCache`] (a few KiB each).
const DETAIL_CACHE_MAX: usize = 20_000;

impl DetailCache {
    fn get(&self, report: uuid::Uuid, lang: readiness::Lang) -> Option<Arc<CheckDetails>> {
        let map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&(report, lang)).cloned()
    }

    fn put(&self, report: uuid::Uuid, lang: readiness::Lang, details: Arc<CheckDetails>) {
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= DETAIL_CACHE_MAX {
            map.clear();
        }
        map.insert((report, lang), details);
    }
}

fn checks_of(
    body: &str,
    profile: &readiness::Profile,
    lang: readiness::Lang,
) -> BTreeMap<String, readiness::CheckResult> {
    let Ok(report) = serde_json::from_str::<readiness::Report>(body) else {
        return BTreeMap::new();
    };
    let day = report
        .finished_at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    readiness::assess(&report.measurements, profile, day, lang)
        .checks
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect()
}

/// `GET /api/v1/schools/{uai}/history[?days=N]`: the rounds of the last N days.
#[derive(Debug, Serialize)]
pub struct History {
    pub uai: Uai,
    pub days: u32,
    /// The period held more than `HISTORY_MAX_REPORTS` reports: only the latest are counted
    /// (the oldest round may be partial).
    pub truncated: bool,
    pub rounds: Vec<aggregate::Round>,
    /// The title of each check the rounds name (newly failing, fixed), by id.
    pub titles: BTreeMap<String, String>,
}

/// `GET /healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub reports: u64,
    pub profile: String,
}

async fn history(
    State(state): State<AppState>,
    auth: ReadAuth,
    SchoolUai(uai): SchoolUai,
    ReadQuery(query): ReadQuery<HistoryQuery>,
) -> Result<impl IntoResponse, ApiError> {
    // A scoped token sees the history of the schools it sees, and the same 404 for the
    // others as for an unknown school (before the query's checks, which would tell).
    if !auth.sees_all() {
        let s = summaries(&state).await?;
        if !s.schools.iter().any(|s| s.uai == uai && auth.sees(s)) {
            return Err(not_found(&uai));
        }
    }
    let lang = parse_lang(query.lang.as_deref(), &state)?;
    let days = in_range(
        "days",
        query.days.unwrap_or(HISTORY_DEFAULT_DAYS),
        HISTORY_MAX_DAYS,
    )?;
    let since = Timestamp::now() - jiff::SignedDuration::from_hours(24 * i64::from(days));
    let store = Arc::clone(&state.store);
    let u = uai.clone();
    let (reports, known) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let reports = store.school_reports(&u, since, HISTORY_MAX_REPORTS + 1)?;
        let known = !reports.is_empty() || store.schools()?.iter().any(|s| s.uai == u);
        Ok((reports, known))
    })
    .await??;
    if !known {
        return Err(not_found(&uai));
    }
    let mut reports = reports;
    let truncated = reports.len() > HISTORY_MAX_REPORTS;
    if truncated {
        reports.remove(0);
    }
    let policy = state.profile.profile.school.clone();
    let rounds = tokio::task::spawn_blocking(move || aggregate::history(&reports, &policy)).await?;
    let titles = rounds
        .iter()
        .flat_map(|r| r.newly_failing.iter().chain(&r.fixed))
        .map(|c| (c.clone(), readiness::scoring::check_title(c, lang)))
        .collect();
    Ok(Json(History {
        uai,
        days,
        truncated,
        rounds,
        titles,
    }))
}

async fn circonscriptions(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    groups(&state, &auth, query, Level::Circonscription).await
}

async fn departements(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    groups(&state, &auth, query, Level::Departement).await
}

async fn academies(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    groups(&state, &auth, query, Level::Academie).await
}

async fn regions(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    groups(&state, &auth, query, Level::Region).await
}

/// A JSON answer serialised already.
type JsonBody = ([(header::HeaderName, &'static str); 1], Vec<u8>);

/// `{"<name>": [RollUp...], "page": ListPage}`: one page of the roll-ups (by code) of the
/// schools the filters select.
#[derive(Debug, Serialize)]
struct RollUps<'a> {
    #[serde(flatten)]
    items: BTreeMap<&'static str, Vec<&'a RollUp>>,
    page: readiness::api::ListPage,
}

async fn groups(
    state: &AppState,
    auth: &ReadAuth,
    query: ListQuery,
    level: Level,
) -> Result<JsonBody, ApiError> {
    let list = query.validate(level.list_name())?;
    let s = summaries(state).await?;
    // Every school's roll-ups are kept with the snapshot; a selection's (by the filters or
    // the token's scope) are made for it, of the schools it sees only.
    let selected;
    let all = if list.filters.is_empty() && auth.sees_all() {
        s.rollups[level as usize].get_or_init(|| level.roll_up(s.schools.iter().map(|x| &**x)))
    } else {
        selected = level.roll_up(
            s.schools
                .iter()
                .map(|x| &**x)
                .filter(|x| auth.sees(x) && list.filters.matches(x)),
        );
        &selected
    };
    let (items, page) = super::list::page(all, |g| g.code.as_str(), &list);
    let body = serde_json::to_vec(&RollUps {
        items: BTreeMap::from([(list.name, items)]),
        page,
    })
    .map_err(|e| ApiError::internal("json", e))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}

/// One row per school (of those the filters select), separated by ';' for French
/// spreadsheets.
async fn export_csv(
    State(state): State<AppState>,
    auth: ReadAuth,
    ReadQuery(query): ReadQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let filters = query.filters_only()?;
    let s = summaries(&state).await?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| ApiError::internal("csv", e);
    w.write_record([
        "uai",
        "nom",
        "commune",
        "code_circonscription",
        "circonscription",
        "departement",
        "verdict",
        "score",
        "postes",
        "postes_prets",
        "postes_prets_avec_reserves",
        "postes_pas_prets",
        "postes_incomplets",
        "postes_anciens",
        "principaux_blocages",
        "dernier_rapport",
        "postes_mesures_debit",
        "debit_descendant_mbps",
        "debit_descendant_statut",
        "debit_montant_mbps",
        "debit_montant_statut",
        "utilisateurs_simultanes",
        "debit_par_utilisateur_mbps",
        "debit_par_utilisateur_statut",
    ])
    .map_err(csv_err)?;
    let mbps = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    let status = |s: Option<readiness::CheckStatus>| s.map(|s| s.as_str()).unwrap_or_default();
    for x in s
        .schools
        .iter()
        .filter(|x| auth.sees(x) && filters.matches(x))
    {
        let blockers = x
            .top_blockers
            .iter()
            .map(|b| format!("{} ({})", b.check, b.workstations))
            .collect::<Vec<_>>()
            .join(", ");
        // Text from the directory and the reports: never a formula (super::csv_cell).
        let text = |s: &str| super::csv_cell::text(s).into_owned();
        w.write_record([
            x.uai.to_string(),
            text(x.name.as_deref().unwrap_or_default()),
            text(x.commune.as_deref().unwrap_or_default()),
            text(&x.circonscription.code),
            text(&x.circonscription.name),
            text(&x.departement),
            x.verdict.as_str().to_owned(),
            x.score.map(|v| format!("{v:.1}")).unwrap_or_default(),
            x.workstations.to_string(),
            x.counts.ready.to_string(),
            x.counts.ready_with_warnings.to_string(),
            x.counts.not_ready.to_string(),
            x.counts.incomplete.to_string(),
            x.stale_workstations.to_string(),
            text(&blockers),
            x.last_report_at.map(|t| t.to_string()).unwrap_or_default(),
            x.network.measured_workstations.to_string(),
            mbps(x.network.downlink_mbps),
            status(x.network.downlink_status).to_owned(),
            mbps(x.network.uplink_mbps),
            status(x.network.uplink_status).to_owned(),
            x.network.simultaneous_users.to_string(),
            mbps(x.network.per_user_downlink_mbps),
            status(x.network.per_user_status).to_owned(),
        ])
        .map_err(csv_err)?;
    }
    let body = w.into_inner().map_err(|e| ApiError::internal("csv", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ent-readiness-ecoles.csv\"",
            ),
        ],
        body,
    ))
}

async fn healthz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let store = Arc::clone(&state.store);
    let reports = tokio::task::spawn_blocking(move || store.report_count()).await??;
    Ok(Json(Health {
        status: "ok",
        reports,
        profile: state.profile.profile.name.clone(),
    }))
}

/// `GET /metrics`: counts of every school, so a read token of scope all only (else 403:
/// the route is the same on every collector, its existence no secret).
async fn metrics(
    State(state): State<AppState>,
    auth: ReadAuth,
) -> Result<impl IntoResponse, ApiError> {
    auth.require_all()?;
    let s = summaries(&state).await?;
    for v in [
        "ready",
        "ready_with_warnings",
        "not_ready",
        "insufficient_data",
    ] {
        let n = s.schools.iter().filter(|x| x.verdict.as_str() == v).count();
        state
            .metrics
            .schools
            .get_or_create(&super::metrics::VerdictLabel {
                verdict: v.to_owned(),
            })
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    ))
}
