//! Sending the spool: oldest report first, each removed only after the collector's
//! acknowledgement, refused ones moved aside, stopping at the first that cannot be delivered
//! now. Used by `run` (and by any command that delivers what waits).

use uuid::Uuid;

use crate::client::{
    BACKOFF_BASE, BACKOFF_CAP, Backoff, Budget, Collector, Delivery, Rejection, deliver,
};
use crate::state::spool::{self, Spool};

/// Why sending stopped before the spool was empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The collector did not answer usefully within the budget.
    Unreachable(String),
    /// The collector refused the enrolment (token, URL).
    Blocked(Rejection),
}

/// What the flush of older reports did.
#[derive(Debug, Default)]
pub struct Backlog {
    pub sent: usize,
    pub rejected: usize,
    pub corrupt: usize,
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
        let d = deliver(collector, &bytes, budget, &mut backoff, retries).await;
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
            Delivery::Blocked(r) => b.stop = Some(Stop::Blocked(r.clone())),
            Delivery::Retry { reason, .. } => b.stop = Some(Stop::Unreachable(reason.clone())),
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
