//! The offline spool: reports waiting for the collector's acknowledgement.
//!
//! Layout, in the state directory:
//!
//! ```text
//! spool/<report_id>.json            one report, exactly the bytes sent to the collector
//! spool/dropped.json                counter of reports dropped because the spool was full
//! spool/.lock                       held by the run that flushes the spool
//! spool/.tmp-*                      a write in progress (never read, removed when stale)
//! spool/rejected/<report_id>.json   a report the collector refused for good (4xx), or a
//! spool/rejected/<report_id>.reason.json   corrupt spool file; and why
//! ```
//!
//! Next to the spool, `last_delivery.json` in the state directory says how the last sending
//! went: when, what was sent, what was kept and why (bounded).
//!
//! Report ids are UUID v7, whose text form sorts by creation time: the lexical order of the
//! file names is the age order, and the spool is flushed oldest first.
//!
//! Guarantees: a report is written durably (see [`super::durable`]) before it is sent, and
//! removed only after the collector acknowledged it, so `kill -9` at any moment loses nothing
//! that was spooled; a file only ever appears under its final name whole. The spool is
//! bounded by count and bytes: room for a new report is made by dropping the oldest ones,
//! which are counted in `dropped.json` (counted before they are deleted) and reported at the
//! next run. A file that is not a readable report is moved to `rejected/`, never sent and
//! never a reason to stop. `rejected/` is bounded by the same count, and in bytes by a quarter
//! of the spool's byte bound (12.5 MiB by default), reason files included: the oldest
//! rejected reports are deleted first, and a report larger than half that bound is not kept
//! (its reason is).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::durable;
use crate::client::Rejection;

/// Default bounds of the spool.
pub const DEFAULT_MAX_REPORTS: usize = 500;
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Temporary files older than this are leftovers of a crash and are removed.
const STALE_TMP: Duration = Duration::from_secs(600);

const DROPPED: &str = "dropped.json";
const LAST_ATTEMPT: &str = "last_delivery.json";
/// Most reports kept with their reason in `last_attempt.json`.
const MAX_KEPT_REASONS: usize = 20;
const LOCK: &str = ".lock";
const REJECTED: &str = "rejected";
const REASON_SUFFIX: &str = ".reason.json";

/// Bounds of the spool, kept in the enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolLimits {
    pub max_reports: usize,
    pub max_bytes: u64,
}

impl SpoolLimits {
    /// Most bytes kept in `rejected/` (reports and their reasons): a quarter of the spool's.
    pub fn rejected_max_bytes(&self) -> u64 {
        self.max_bytes / 4
    }
}

impl Default for SpoolLimits {
    fn default() -> Self {
        SpoolLimits {
            max_reports: DEFAULT_MAX_REPORTS,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One spooled report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: Uuid,
    pub path: PathBuf,
    pub bytes: u64,
}

/// `spool/dropped.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropCounter {
    /// Reports dropped since the agent was installed.
    pub total: u64,
    /// Dropped since a run last reported it.
    pub unreported: u64,
    pub last_dropped_at: Option<jiff::Timestamp>,
}

/// `last_delivery.json` (in the state directory): the last time the spool was sent, and why what is still there
/// was not delivered (the technician's answer to "why does this PC not report?").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastAttempt {
    pub at: Option<jiff::Timestamp>,
    /// Reports the collector acknowledged in that run.
    pub sent: usize,
    /// Reports left in the spool after it.
    pub pending: usize,
    /// Why sending stopped before the spool was empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// Reports kept, with why (a conflict, the one sending stopped at), at most
    /// [`MAX_KEPT_REASONS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<KeptReport>,
}

/// A report that stays in the spool, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptReport {
    pub report_id: Uuid,
    pub reason: String,
}

/// Result of [`Spool::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    /// Whether the new report was stored (false only when it alone exceeds the byte bound).
    pub stored: bool,
    /// Older reports dropped to make room (plus the new one when not stored).
    pub dropped: u64,
}

#[derive(Debug)]
pub struct Spool {
    state_dir: PathBuf,
    dir: PathBuf,
    rejected: PathBuf,
    limits: SpoolLimits,
    lock: Option<File>,
}

impl Spool {
    /// Open (and create) the spool under `state_dir`.
    pub fn open(state_dir: &Path, limits: SpoolLimits) -> Result<Spool, SpoolError> {
        let dir = state_dir.join("spool");
        let rejected = dir.join(REJECTED);
        fs::create_dir_all(&rejected).map_err(io_err(&rejected))?;
        Ok(Spool {
            state_dir: state_dir.to_owned(),
            dir,
            rejected,
            limits,
            lock: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn rejected_dir(&self) -> &Path {
        &self.rejected
    }

    pub fn limits(&self) -> SpoolLimits {
        self.limits
    }

    /// Take the spool's lock, so that two runs (the timer and a technician) do not flush it
    /// at once. Returns false when another process holds it. Also removes stale temporary
    /// files, which only the lock holder may do.
    pub fn try_lock(&mut self) -> Result<bool, SpoolError> {
        let path = self.dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => {
                self.lock = Some(file);
                self.remove_stale_temporaries();
                Ok(true)
            }
            Err(fs::TryLockError::WouldBlock) => Ok(false),
            Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }

    fn remove_stale_temporaries(&self) {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in rd.flatten() {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_TMP);
            if e.file_name()
                .to_string_lossy()
                .starts_with(durable::TMP_PREFIX)
                && stale
            {
                tracing::info!(file = %e.path().display(), "removing an unfinished spool write");
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// The spooled reports, oldest first. Other files (temporaries, the counter, anything
    /// a person put there) are ignored.
    pub fn entries(&self) -> Result<Vec<Entry>, SpoolError> {
        let mut out = Vec::new();
        for e in fs::read_dir(&self.dir).map_err(io_err(&self.dir))? {
            let e = e.map_err(io_err(&self.dir))?;
            let name = e.file_name();
            let Some(id) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(|stem| Uuid::try_parse(stem).ok())
                .filter(|id| name.to_str() == Some(&file_name(*id)))
            else {
                continue;
            };
            let Ok(meta) = e.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            out.push(Entry {
                id,
                path: e.path(),
                bytes: meta.len(),
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Spool a report durably, first dropping the oldest ones as needed to stay within the
    /// bounds (the drops are counted before the files are deleted).
    pub fn push(&self, id: Uuid, bytes: &[u8]) -> Result<Pushed, SpoolError> {
        let size = bytes.len() as u64;
        let mut entries = self.entries()?;
        let too_big = size > self.limits.max_bytes;
        let mut total: u64 = entries.iter().map(|e| e.bytes).sum();
        let mut victims = Vec::new();
        if !too_big {
            let mut oldest = entries.drain(..);
            let mut count = oldest.len();
            while count + 1 > self.limits.max_reports.max(1) || total + size > self.limits.max_bytes
            {
                let Some(v) = oldest.next() else { break };
                total -= v.bytes;
                count -= 1;
                victims.push(v);
            }
        }
        let dropped = victims.len() as u64 + u64::from(too_big);
        if dropped > 0 {
            self.count_drops(dropped)?;
        }
        for v in &victims {
            tracing::warn!(report_id = %v.id, "spool full: dropping the oldest report");
            durable::remove(&v.path).map_err(io_err(&v.path))?;
        }
        if too_big {
            tracing::warn!(
                report_id = %id,
                bytes = size,
                max_bytes = self.limits.max_bytes,
                "report larger than the whole spool: not spooled"
            );
            return Ok(Pushed {
                stored: false,
                dropped,
            });
        }
        durable::write(&self.dir, &file_name(id), bytes).map_err(io_err(&self.dir))?;
        Ok(Pushed {
            stored: true,
            dropped,
        })
    }

    /// Read a spooled report, checking that it is a JSON document whose `report_id` is the
    /// file's name. `Ok(Err(reason))` for a corrupt file.
    pub fn read(&self, entry: &Entry) -> Result<Result<Vec<u8>, String>, SpoolError> {
        let bytes = match fs::read(&entry.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Err("removed while being read".into()));
            }
            Err(e) => return Err(io_err(&entry.path)(e)),
        };
        Ok(check_report(&bytes, entry.id).map(|()| bytes))
    }

    /// The collector acknowledged this report: remove it.
    pub fn remove(&self, entry: &Entry) -> Result<(), SpoolError> {
        durable::remove(&entry.path).map_err(io_err(&entry.path))
    }

    /// Move a report to `rejected/` with the reason next to it; keep `rejected/` bounded. A
    /// report larger than `rejected/`'s whole byte bound is deleted, and only its reason kept.
    pub fn reject(&self, entry: &Entry, why: &Rejection) -> Result<(), SpoolError> {
        // Bounded whatever made it (the collector's refusals are cleaned already).
        let why = Rejection::new(why.status, &why.code, &why.message);
        let too_big = entry.bytes > self.limits.rejected_max_bytes() / 2;
        let reason = serde_json::to_vec_pretty(&RejectionFile {
            report_id: entry.id,
            rejected_at: jiff::Timestamp::now(),
            reason: why.clone(),
            not_kept_bytes: too_big.then_some(entry.bytes),
        })
        .unwrap_or_default();
        let reason_name = format!("{}{REASON_SUFFIX}", entry.id);
        durable::write(&self.rejected, &reason_name, &reason).map_err(io_err(&self.rejected))?;
        let target = self.rejected.join(file_name(entry.id));
        let moved = if too_big {
            durable::remove(&entry.path)
        } else {
            durable::rename(&entry.path, &target)
        };
        match moved {
            Ok(()) => {}
            // Another run dealt with it meanwhile.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&entry.path)(e)),
        }
        tracing::warn!(
            report_id = %entry.id,
            status = ?why.status,
            code = %why.code,
            message = %why.message,
            dir = %self.rejected.display(),
            report_kept = !too_big,
            "report rejected: kept for inspection"
        );
        self.prune_rejected()
    }

    /// The rejections kept, oldest first: the report's path in `rejected/` (which may be
    /// gone when only its reason was kept) and the bytes of both files.
    fn rejected_reports(&self) -> Result<Vec<(PathBuf, u64)>, SpoolError> {
        let mut ids = std::collections::BTreeSet::new();
        for e in fs::read_dir(&self.rejected).map_err(io_err(&self.rejected))? {
            let e = e.map_err(io_err(&self.rejected))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name
                .strip_suffix(REASON_SUFFIX)
                .or_else(|| name.strip_suffix(".json"));
            if let Some(id) = stem.and_then(|s| Uuid::try_parse(s).ok()) {
                ids.insert(id);
            }
        }
        let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        Ok(ids
            .into_iter()
            .map(|id| {
                let path = self.rejected.join(file_name(id));
                let bytes = size(&path) + size(&reason_path(&path));
                (path, bytes)
            })
            .collect())
    }

    /// Keep `rejected/` within its count and byte bounds, deleting the oldest first.
    fn prune_rejected(&self) -> Result<(), SpoolError> {
        let all = self.rejected_reports()?;
        let max_count = self.limits.max_reports.max(1);
        let max_bytes = self.limits.rejected_max_bytes();
        let mut count = all.len();
        let mut bytes: u64 = all.iter().map(|(_, b)| b).sum();
        for (p, b) in &all {
            if count <= max_count && bytes <= max_bytes {
                break;
            }
            tracing::warn!(
                file = %p.display(),
                max_reports = max_count,
                max_bytes,
                "rejected reports over their bound: deleting the oldest"
            );
            let reason = reason_path(p);
            durable::remove(&reason).map_err(io_err(&reason))?;
            durable::remove(p).map_err(io_err(p))?;
            count -= 1;
            bytes -= b;
        }
        Ok(())
    }

    /// How many rejected reports are kept for inspection.
    pub fn rejected_count(&self) -> Result<usize, SpoolError> {
        Ok(self.rejected_reports()?.len())
    }

    /// Record how the last sending went (bounded: the reasons are cut, at most
    /// [`MAX_KEPT_REASONS`] of them).
    pub fn save_last_attempt(&self, last: &LastAttempt) -> Result<(), SpoolError> {
        let mut last = last.clone();
        last.kept.truncate(MAX_KEPT_REASONS);
        for k in &mut last.kept {
            k.reason = crate::client::printable(&k.reason, crate::client::MAX_MESSAGE * 2);
        }
        last.stopped = last
            .stopped
            .map(|s| crate::client::printable(&s, crate::client::MAX_MESSAGE * 2));
        let bytes = serde_json::to_vec_pretty(&last).unwrap_or_default();
        durable::write(&self.state_dir, LAST_ATTEMPT, &bytes).map_err(io_err(&self.state_dir))?;
        Ok(())
    }

    /// The last sending, as recorded (nothing when never recorded or unreadable).
    pub fn last_attempt(&self) -> Option<LastAttempt> {
        serde_json::from_slice(&fs::read(self.state_dir.join(LAST_ATTEMPT)).ok()?).ok()
    }

    /// The drop counter (a corrupt counter reads as zero, with a warning).
    pub fn drops(&self) -> DropCounter {
        let path = self.dir.join(DROPPED);
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| {
                tracing::warn!(file = %path.display(), "unreadable drop counter, reset: {e}");
                DropCounter::default()
            }),
            Err(_) => DropCounter::default(),
        }
    }

    fn save_drops(&self, c: &DropCounter) -> Result<(), SpoolError> {
        let bytes = serde_json::to_vec_pretty(c).unwrap_or_default();
        durable::write(&self.dir, DROPPED, &bytes).map_err(io_err(&self.dir))?;
        Ok(())
    }

    fn count_drops(&self, n: u64) -> Result<(), SpoolError> {
        let mut c = self.drops();
        c.total += n;
        c.unreported += n;
        c.last_dropped_at = Some(jiff::Timestamp::now());
        self.save_drops(&c)
    }

    /// Drops not yet reported by a run; resets that count (the total is kept).
    pub fn take_unreported_drops(&self) -> Result<u64, SpoolError> {
        let mut c = self.drops();
        let n = c.unreported;
        if n > 0 {
            c.unreported = 0;
            self.save_drops(&c)?;
        }
        Ok(n)
    }
}

#[derive(Serialize)]
struct RejectionFile {
    report_id: Uuid,
    rejected_at: jiff::Timestamp,
    #[serde(flatten)]
    reason: Rejection,
    /// The report was larger than half of `rejected/`'s byte bound: deleted, not kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_kept_bytes: Option<u64>,
}

/// `rejected/<id>.reason.json` of `rejected/<id>.json`.
fn reason_path(report: &Path) -> PathBuf {
    report.with_extension("reason.json")
}

/// File name of a report in the spool: its id, hyphenated lower case (time-ordered).
pub fn file_name(id: Uuid) -> String {
    format!("{}.json", id.hyphenated())
}

fn check_report(bytes: &[u8], id: Uuid) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Head {
        report_id: Uuid,
    }
    let head: Head =
        serde_json::from_slice(bytes).map_err(|e| format!("not a report document: {e}"))?;
    if head.report_id != id {
        return Err(format!(
            "report_id {} does not match the file name",
            head.report_id
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: Uuid, pad: usize) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"report_id": id, "pad": "x".repeat(pad)})).unwrap()
    }

    fn ids(n: usize) -> Vec<Uuid> {
        // now_v7 is monotonic within a process.
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    fn spool(dir: &Path, max_reports: usize, max_bytes: u64) -> Spool {
        Spool::open(
            dir,
            SpoolLimits {
                max_reports,
                max_bytes,
            },
        )
        .unwrap()
    }

    #[test]
    fn entries_are_oldest_first_whatever_the_push_order() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 10, 1 << 20);
        let ids = ids(5);
        for &i in [3, 0, 4, 1, 2].iter() {
            s.push(ids[i], &doc(ids[i], 1)).unwrap();
        }
        let got: Vec<Uuid> = s.entries().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(got, ids);
    }

    #[test]
    fn uuid_v7_text_order_is_time_order() {
        // Across milliseconds too: the timestamp leads, in fixed-width hex.
        let a = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            1_700_000_000,
            0,
        ));
        let b = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            1_800_000_000,
            0,
        ));
        assert!(file_name(a) < file_name(b));
    }

    #[test]
    fn count_bound_drops_the_oldest_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 3, 1 << 20);
        let ids = ids(5);
        let mut dropped = 0;
        for id in &ids {
            dropped += s.push(*id, &doc(*id, 10)).unwrap().dropped;
        }
        assert_eq!(dropped, 2);
        let got: Vec<Uuid> = s.entries().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(got, ids[2..]);
        let c = s.drops();
        assert_eq!((c.total, c.unreported), (2, 2));
        assert!(c.last_dropped_at.is_some());
        assert_eq!(s.take_unreported_drops().unwrap(), 2);
        assert_eq!(s.take_unreported_drops().unwrap(), 0);
        assert_eq!(s.drops().total, 2, "the total survives reporting");
    }

    #[test]
    fn byte_bound_drops_enough_old_reports() {
        let dir = tempfile::tempdir().unwrap();
        let one = doc(Uuid::now_v7(), 1000).len() as u64;
        let s = spool(dir.path(), 100, one * 3);
        let ids = ids(4);
        for id in &ids {
            s.push(*id, &doc(*id, 1000)).unwrap();
        }
        let entries = s.entries().unwrap();
        assert!(entries.iter().map(|e| e.bytes).sum::<u64>() <= one * 3);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].id, ids[1]);
        assert_eq!(s.drops().total, 1);
    }

    #[test]
    fn a_report_larger_than_the_spool_is_not_stored_but_counted() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 10, 100);
        let old = Uuid::now_v7();
        s.push(old, &doc(old, 10)).unwrap();
        let big = Uuid::now_v7();
        let p = s.push(big, &doc(big, 500)).unwrap();
        assert_eq!(
            p,
            Pushed {
                stored: false,
                dropped: 1
            }
        );
        assert_eq!(s.entries().unwrap().len(), 1, "older reports are kept");
    }

    #[test]
    fn temporaries_and_strangers_are_never_entries() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = spool(dir.path(), 10, 1 << 20);
        let id = Uuid::now_v7();
        fs::write(s.dir().join(format!("{}{}", durable::TMP_PREFIX, id)), b"{").unwrap();
        fs::write(s.dir().join("notes.json"), b"{}").unwrap();
        fs::write(
            s.dir().join(format!("{}.json", id.simple())),
            doc(id, 1), // not the canonical name
        )
        .unwrap();
        assert!(s.entries().unwrap().is_empty());
        assert!(s.try_lock().unwrap());
        // A fresh temporary may be a write in progress by a process that just crashed or
        // not: it is kept until stale.
        assert!(
            s.dir()
                .join(format!("{}{}", durable::TMP_PREFIX, id))
                .exists()
        );
    }

    #[test]
    fn corrupt_files_are_reported_not_fatal_and_rejection_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 10, 1 << 20);
        let [a, b, c] = ids(3)[..] else { panic!() };
        fs::write(s.dir().join(file_name(a)), b"{\"report_id\": \"trunc").unwrap();
        fs::write(s.dir().join(file_name(b)), doc(c, 1)).unwrap();
        s.push(c, &doc(c, 1)).unwrap();
        let entries = s.entries().unwrap();
        assert_eq!(entries.len(), 3);
        let ra = s.read(&entries[0]).unwrap().unwrap_err();
        assert!(ra.contains("not a report"), "{ra}");
        let rb = s.read(&entries[1]).unwrap().unwrap_err();
        assert!(rb.contains("does not match"), "{rb}");
        assert_eq!(s.read(&entries[2]).unwrap().unwrap(), doc(c, 1));

        let why = Rejection {
            status: None,
            code: "corrupt_spool_file".into(),
            message: ra,
        };
        s.reject(&entries[0], &why).unwrap();
        assert_eq!(s.entries().unwrap().len(), 2);
        assert_eq!(s.rejected_count().unwrap(), 1);
        assert!(s.rejected_dir().join(file_name(a)).exists());
        let reason =
            fs::read_to_string(s.rejected_dir().join(format!("{a}{REASON_SUFFIX}"))).unwrap();
        assert!(reason.contains("corrupt_spool_file"), "{reason}");
    }

    /// Spool each of `ids` (a report of about `size` bytes) and have the collector refuse it
    /// with `status`, in that order.
    fn reject_each(s: &Spool, ids: &[Uuid], status: u16, size: usize) {
        let why = Rejection {
            status: Some(status),
            code: "invalid_report".into(),
            message: "bad".into(),
        };
        for id in ids {
            s.push(*id, &doc(*id, size)).unwrap();
            let e = s.entries().unwrap().pop().unwrap();
            s.reject(&e, &why).unwrap();
        }
    }

    #[test]
    fn rejected_folder_is_bounded_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 2, 1 << 20);
        let ids = ids(3);
        reject_each(&s, &ids, 400, 1);
        assert_eq!(s.rejected_count().unwrap(), 2);
        assert!(!s.rejected_dir().join(file_name(ids[0])).exists());
        assert!(
            !s.rejected_dir()
                .join(format!("{}{REASON_SUFFIX}", ids[0]))
                .exists()
        );
        assert!(s.rejected_dir().join(file_name(ids[2])).exists());
    }

    #[test]
    fn rejected_folder_is_bounded_in_bytes_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        // A quarter of 40 KB: 10 KB of rejected reports, three of 3.2 KB with their reasons.
        let s = spool(dir.path(), 100, 40_000);
        let ids = ids(8);
        reject_each(&s, &ids, 422, 3000);
        let kept = s.rejected_reports().unwrap();
        let bytes: u64 = kept.iter().map(|(_, b)| b).sum();
        assert!(bytes <= 10_000, "{bytes}");
        assert_eq!(kept.len(), 3, "{kept:?}");
        assert_eq!(kept[2].0, s.rejected_dir().join(file_name(ids[7])));
        assert!(!s.rejected_dir().join(file_name(ids[0])).exists());
        assert!(
            !s.rejected_dir()
                .join(format!("{}{REASON_SUFFIX}", ids[0]))
                .exists()
        );
    }

    #[test]
    fn a_rejected_report_too_large_to_keep_leaves_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        // rejected/ holds 10 KB: a 6 KB report is over half of it.
        let s = spool(dir.path(), 100, 40_000);
        let id = Uuid::now_v7();
        s.push(id, &doc(id, 6000)).unwrap();
        let e = s.entries().unwrap().pop().unwrap();
        let why = Rejection {
            status: Some(413),
            code: "too_large".into(),
            message: "too large".into(),
        };
        s.reject(&e, &why).unwrap();
        assert!(s.entries().unwrap().is_empty());
        assert!(!s.rejected_dir().join(file_name(id)).exists());
        let reason =
            fs::read_to_string(s.rejected_dir().join(format!("{id}{REASON_SUFFIX}"))).unwrap();
        assert!(reason.contains("not_kept_bytes"), "{reason}");
        assert_eq!(s.rejected_count().unwrap(), 1);
    }

    #[test]
    fn last_attempt_is_kept_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 10, 1 << 20);
        assert_eq!(s.last_attempt(), None);
        let kept = (0..50)
            .map(|_| KeptReport {
                report_id: Uuid::now_v7(),
                reason: format!("\u{1b}[2J{}", "x".repeat(100_000)),
            })
            .collect();
        s.save_last_attempt(&LastAttempt {
            at: Some(jiff::Timestamp::now()),
            sent: 1,
            pending: 50,
            stopped: Some("not acknowledged".into()),
            kept,
        })
        .unwrap();
        let got = s.last_attempt().unwrap();
        assert_eq!(got.kept.len(), MAX_KEPT_REASONS);
        assert!(!got.kept[0].reason.contains('\u{1b}'));
        assert!(fs::metadata(dir.path().join(LAST_ATTEMPT)).unwrap().len() < 64 * 1024);
    }

    #[test]
    fn only_one_process_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = spool(dir.path(), 10, 1 << 20);
        let mut b = spool(dir.path(), 10, 1 << 20);
        assert!(a.try_lock().unwrap());
        assert!(!b.try_lock().unwrap());
        drop(a);
        assert!(b.try_lock().unwrap());
    }

    #[test]
    fn corrupt_drop_counter_reads_as_zero() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path(), 1, 1 << 20);
        fs::write(s.dir().join(DROPPED), b"garbage").unwrap();
        assert_eq!(s.drops(), DropCounter::default());
        let [a, b] = ids(2)[..] else { panic!() };
        s.push(a, &doc(a, 1)).unwrap();
        s.push(b, &doc(b, 1)).unwrap();
        assert_eq!(s.drops().total, 1);
    }
}
