//! The school summaries every read route starts from, kept in memory and brought up to date
//! incrementally: a report marks its school dirty and the next read recomputes that school
//! only. Everything is recomputed from the database at start and every few minutes, which
//! also moves workstations into "stale" as time passes and picks up directory imports made
//! by the admin CLI.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use jiff::Timestamp;
use readiness::Uai;

use super::AppState;
use super::error::ApiError;
use crate::aggregate::{self, RollUp, SchoolSummary};
use crate::store::School;

/// How often everything is recomputed from the database.
pub const FULL_REFRESH: Duration = Duration::from_secs(300);

/// A consistent view of every school, with each one's JSON ready to send.
#[derive(Debug)]
pub struct Snapshot {
    pub generated_at: Timestamp,
    /// Ordered by UAI; shared with the cache, so that a new snapshot after one school's
    /// change copies no summary (at national scale, 45,000 of them).
    pub schools: Vec<Arc<SchoolSummary>>,
    /// Each school's summary serialised, in the order of `schools`.
    pub school_json: Vec<Bytes>,
    /// The roll-ups of every school, made on first use (index: [`crate::aggregate::Level`]).
    pub rollups: [OnceLock<Vec<RollUp>>; 4],
}

#[derive(Debug)]
struct Entry {
    summary: Arc<SchoolSummary>,
    /// The summary serialised, so that one school's change does not reserialise them all.
    json: Bytes,
}

#[derive(Debug)]
struct Computed {
    full_at: Timestamp,
    directory: BTreeMap<Uai, School>,
    entries: BTreeMap<Uai, Entry>,
    snapshot: Arc<Snapshot>,
}

/// The cache: summaries, and the schools changed since they were computed.
#[derive(Debug, Default)]
pub struct SummaryCache {
    computed: tokio::sync::Mutex<Option<Computed>>,
    dirty: Mutex<BTreeSet<Uai>>,
    revisions: Mutex<Revisions>,
}

/// A number per school that changes with every report stored for it (one per school that
/// received a report since the start: bounded by the schools).
#[derive(Debug, Default)]
struct Revisions {
    last: u64,
    schools: BTreeMap<Uai, u64>,
}

fn entry(summary: SchoolSummary) -> Entry {
    let json = Bytes::from(serde_json::to_vec(&summary).unwrap_or_default());
    Entry {
        summary: Arc::new(summary),
        json,
    }
}

fn snapshot(entries: &BTreeMap<Uai, Entry>) -> Arc<Snapshot> {
    Arc::new(Snapshot {
        generated_at: Timestamp::now(),
        schools: entries.values().map(|e| Arc::clone(&e.summary)).collect(),
        school_json: entries.values().map(|e| e.json.clone()).collect(),
        rollups: Default::default(),
    })
}

impl SummaryCache {
    /// A report for `uai` was stored.
    pub fn mark_dirty(&self, uai: &Uai) {
        if let Ok(mut r) = self.revisions.lock() {
            r.last += 1;
            let n = r.last;
            r.schools.insert(uai.clone(), n);
        }
        if let Ok(mut d) = self.dirty.lock() {
            d.insert(uai.clone());
        }
    }

    /// The school's revision: it changes with every report stored for it, even one dated
    /// before the school's latest (`last_report_at` does not move then). 0 until the
    /// first report since the start.
    pub fn revision(&self, uai: &Uai) -> u64 {
        self.revisions
            .lock()
            .map(|r| r.schools.get(uai).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// The current snapshot, recomputed as needed.
    pub async fn get(&self, state: &AppState) -> Result<Arc<Snapshot>, ApiError> {
        let mut computed = self.computed.lock().await;
        let now = Timestamp::now();
        let dirty: BTreeSet<Uai> = self
            .dirty
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default();
        let policy = state.profile.profile.school.clone();
        let link = aggregate::LinkPolicy::from_profile(&state.profile.profile);
        let full_due = computed.as_ref().is_none_or(|c| {
            now.duration_since(c.full_at)
                > jiff::SignedDuration::try_from(FULL_REFRESH).unwrap_or_default()
        });
        let store = Arc::clone(&state.store);
        if full_due {
            let fresh = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
                let directory = store.schools()?;
                let rows = store.workstation_briefs(None)?;
                let summaries = aggregate::schools(&directory, &rows, &policy, &link, now);
                let entries: BTreeMap<Uai, Entry> = summaries
                    .into_iter()
                    .map(|s| (s.uai.clone(), entry(s)))
                    .collect();
                let directory = directory.into_iter().map(|s| (s.uai.clone(), s)).collect();
                let snapshot = snapshot(&entries);
                Ok(Computed {
                    full_at: now,
                    directory,
                    entries,
                    snapshot,
                })
            })
            .await??;
            *computed = Some(fresh);
        } else if !dirty.is_empty()
            && let Some(c) = computed.take()
        {
            let updated = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
                let mut c = c;
                for uai in &dirty {
                    let rows = store.workstation_briefs(Some(uai))?;
                    let refs: Vec<_> = rows.iter().collect();
                    let s =
                        aggregate::school(uai, c.directory.get(uai), &refs, &policy, &link, now);
                    c.entries.insert(uai.clone(), entry(s));
                }
                c.snapshot = snapshot(&c.entries);
                Ok(c)
            })
            .await;
            match updated {
                Ok(Ok(c)) => *computed = Some(c),
                // The previous state was moved out: the next read does a full recompute.
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(e.into()),
            }
        }
        computed
            .as_ref()
            .map(|c| Arc::clone(&c.snapshot))
            .ok_or_else(|| ApiError::internal("summaries", "no summaries computed"))
    }
}
