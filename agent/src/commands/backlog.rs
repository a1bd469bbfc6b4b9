//! Sending the spool: oldest report first, each removed only after the collector's
//! acknowledgement of that very report, refused ones moved aside, conflicting ones (409) kept
//! and skipped, stopping at the first that cannot be delivered now. Used by `run` (and by any
//! command that delivers what waits).

use uuid::Uuid;

use crate::client::{
    BACKOFF_BASE, BACKOFF_CAP, Backoff, Budget, Collector, Delivery, Rejection, deliver,
};
use crate::state::spool::{self, KeptReport, Spool};

/// Why sending stopped before the spool was empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The collector did not answer usefully within the budget.
    Unreachable(String),
    /// The collector refused the enrolment (token, URL).
    Blocked(Rejection),
    /// The answer was not the collector's acknowledgement (a captive portal, a redirect,
    /// another report's id): why.
    Unacknowledged(String),
}

impl Stop {
    /// Why sending stopped, for the technician and `last_delivery.json`.
    pub fn reason(&self) -> String {
        match self {
            Stop::Unreachable(why) | Stop::Unacknowledged(why) => why.clone(),
            Stop::Blocked(r) => refusal_text(r),
        }
    }
}

/// A refusal as one line: "409 report_id_conflict: message".
pub fn refusal_text(r: &Rejection) -> String {
    match r.status {
        Some(s) => format!("{s} {}: {}", r.code, r.message),
        None => format!("{}: {}", r.code, r.message),
    }
}

/// What the flush of older reports did.
#[derive(Debug, Default)]
pub struct Backlog {
    pub sent: usize,
    pub rejected: usize,
    pub corrupt: usize,
    /// Earlier reports kept because the collector answered a conflict (409), with its
    /// refusal.
    pub conflicts: Vec<(Uuid, Rejection)>,
    /// Reports kept, and why (conflicts, and the one sending stopped at).
    pub kept: Vec<KeptReport>,
    /// Another run holds the spool.
    pub busy: bool,
    pub stop: Option<Stop>,
}

/// Send the spool oldest first until a report cannot be delivered. `retries`: whether to
/// retry transient failures within the budget (else one attempt, then stop). What became
/// of the report `watch` (this run's) is returned too.
pub async fn flush(
    spool: &Spool,
    collector: &Collector,
    budget: &Budget,
    retries: bool,
    watch: Option<Uuid>,
) -> Result<(Backlog, Option<Delivery>), spool::SpoolError> {
    let mut b = Backlog::default();
    let mut watched = None;
    for entry in spool.entries()? {
        let bytes = match spool.read(&entry)? {
            Ok(bytes) => bytes,
            Err(_) if !entry.path.exists() => continue,
            Err(reason) => {
                let why = Rejection {
                    status: None,
                    code: "corrupt_spool_file".into(),
                    message: reason,
                };
                spool.reject(&entry, &why)?;
                b.corrupt += 1;
                continue;
            }
        };
        let mut backoff = Backoff::new(BACKOFF_BASE, BACKOFF_CAP);
        let d = deliver(collector, entry.id, &bytes, budget, &mut backoff, retries).await;
        let mine = Some(entry.id) == watch;
        match &d {
            Delivery::Acked(_) => {
                spool.remove(&entry)?;
                b.sent += usize::from(!mine);
            }
            Delivery::Rejected(r) => {
                spool.reject(&entry, r)?;
                b.rejected += usize::from(!mine);
            }
            Delivery::Conflict(r) => {
                tracing::warn!(
                    report_id = %entry.id,
                    code = %r.code,
                    message = %r.message,
                    "the collector holds another report under this id: kept in the spool"
                );
                b.kept.push(KeptReport {
                    report_id: entry.id,
                    reason: refusal_text(r),
                });
                if !mine {
                    b.conflicts.push((entry.id, r.clone()));
                }
            }
            Delivery::Blocked(r) => b.stop = Some(Stop::Blocked(r.clone())),
            Delivery::Unacknowledged(why) => b.stop = Some(Stop::Unacknowledged(why.clone())),
            Delivery::Retry { reason, .. } => b.stop = Some(Stop::Unreachable(reason.clone())),
        }
        if let Some(stop) = &b.stop {
            b.kept.push(KeptReport {
                report_id: entry.id,
                reason: stop.reason(),
            });
        }
        if mine {
            watched = Some(d);
        }
        if b.stop.is_some() {
            break;
        }
    }
    Ok((b, watched))
}
