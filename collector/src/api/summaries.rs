//! The school summaries every read route starts from, kept in memory and brought up to date
//! incrementally: a report marks its school dirty and the next read recomputes that school
//! only. Everything is recomputed from the database at start and every few minutes, which
//! also moves workstations into "stale" as time passes and picks up directory imports made
//! by the admin CLI.
//!
//! With several nodes on one database, each scheduled full pass is one node's: the node
//! whose period ends first claims it (`ClusterSummaries::claim_full_pass`, a compare-and-set
//! of the last claim's time in one `UPDATE`), compares its result with what it served, and
//! records the schools that changed; the other nodes refresh those schools only (and read
//! the directory again), as they refresh the schools any node wrote (`lib.rs`). Reading
//! every workstation of a country (900,000 rows) is done once per period for the cluster,
//! not once per node; a pass changes few schools (workstations going stale one by one), so
//! the others' share is small. A node that dies during its pass delays the next by a period.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use jiff::Timestamp;
use readiness::Uai;

use super::AppState;
use super::error::ApiError;
use crate::aggregate::{self, RollUp, SchoolSummary};
use crate::store::School;

/// How often everything is recomputed from the database (`ApiConfig::summary_refresh`): by
/// one node of those on one database, which publishes the schools its pass changed.
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
    /// Another node's full pass changed summaries: the directory is read again with them.
    directory_stale: AtomicBool,
    revisions: Mutex<Revisions>,
}

/// The schools whose summary differs between two passes (added, gone or changed).
fn changed_schools(before: &BTreeMap<Uai, Entry>, after: &BTreeMap<Uai, Entry>) -> Vec<Uai> {
    let mut changed: Vec<Uai> = after
        .iter()
        .filter(|(uai, e)| before.get(*uai).is_none_or(|b| b.json != e.json))
        .map(|(uai, _)| uai.clone())
        .collect();
    changed.extend(before.keys().filter(|u| !after.contains_key(*u)).cloned());
    changed
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

    /// Another node's full pass changed `uai`'s summary: refresh it, and the directory with
    /// it (the change may be an import).
    pub fn mark_changed_elsewhere(&self, uai: &Uai) {
        self.directory_stale.store(true, Ordering::Relaxed);
        self.mark_dirty(uai);
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
        let every = state.config.summary_refresh;
        let full_due = computed.as_ref().is_none_or(|c| {
            now.duration_since(c.full_at)
                > jiff::SignedDuration::try_from(every).unwrap_or_default()
        });
        let store = Arc::clone(&state.store);
        // With several nodes, the scheduled pass is one node's: the others refresh what its
        // pass changed (published, then followed as other nodes' writes are). A node's first
        // pass (its cache is empty) is its own.
        let mut full = full_due;
        if full_due && computed.is_some() && store.cluster().is_some() {
            let claimer = Arc::clone(&store);
            let claimed = tokio::task::spawn_blocking(move || {
                claimer
                    .cluster()
                    .map_or(Ok(true), |c| c.claim_full_pass(now, every))
            })
            .await?
            // Not knowing whether another node does it: this one does.
            .unwrap_or_else(|e| {
                tracing::warn!("claiming the summaries' full pass: {e}");
                true
            });
            if !claimed {
                full = false;
                state.metrics.summary_passes_skipped.inc();
                if let Some(c) = computed.as_mut() {
                    c.full_at = now;
                }
            }
        }
        if full {
            let previous = computed.take();
            let fresh = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
                let directory = store.schools()?;
                let rows = store.workstation_briefs(None)?;
                let summaries = aggregate::schools(&directory, &rows, &policy, &link, now);
                let entries: BTreeMap<Uai, Entry> = summaries
                    .into_iter()
                    .map(|s| (s.uai.clone(), entry(s)))
                    .collect();
                let directory = directory.into_iter().map(|s| (s.uai.clone(), s)).collect();
                if let (Some(cluster), Some(previous)) = (store.cluster(), previous) {
                    let changed = changed_schools(&previous.entries, &entries);
                    let keep_after = now - jiff::SignedDuration::from_hours(1);
                    cluster.publish_summary_changes(&changed, now, keep_after)?;
                }
                let snapshot = snapshot(&entries);
                Ok(Computed {
                    full_at: now,
                    directory,
                    entries,
                    snapshot,
                })
            })
            .await??;
            state.metrics.summary_full_passes.inc();
            *computed = Some(fresh);
        } else if !dirty.is_empty()
            && let Some(c) = computed.take()
        {
            let reload_directory = self.directory_stale.swap(false, Ordering::Relaxed);
            let updated = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
                let mut c = c;
                if reload_directory {
                    c.directory = store
                        .schools()?
                        .into_iter()
                        .map(|s| (s.uai.clone(), s))
                        .collect();
                }
                for uai in &dirty {
                    let rows = store.workstation_briefs(Some(uai))?;
                    let dir = c.directory.get(uai);
                    if rows.is_empty() && dir.is_none() {
                        // Neither reported nor in the directory (purged): as a full pass.
                        c.entries.remove(uai);
                        continue;
                    }
                    let refs: Vec<_> = rows.iter().collect();
                    let s = aggregate::school(uai, dir, &refs, &policy, &link, now);
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
