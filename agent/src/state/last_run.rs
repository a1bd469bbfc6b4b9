//! `last_run.json`: when this workstation was last audited by `run`, so that a scheduled
//! `run --if-due` knows whether an audit is due.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{StateDir, durable};

const LAST_RUN: &str = "last_run.json";

/// `last_run.json`: when this workstation was last audited by `run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    pub finished_at: jiff::Timestamp,
    pub report_id: Uuid,
}

pub fn last_run(state: &StateDir) -> Option<LastRun> {
    let text = std::fs::read(state.path.join(LAST_RUN)).ok()?;
    serde_json::from_slice(&text).ok()
}

pub fn save_last_run(state: &StateDir, r: &LastRun) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(r).unwrap_or_default();
    durable::write(&state.path, LAST_RUN, &bytes).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_run_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        assert!(last_run(&state).is_none());
        let r = LastRun {
            finished_at: jiff::Timestamp::now(),
            report_id: Uuid::now_v7(),
        };
        save_last_run(&state, &r).unwrap();
        assert_eq!(last_run(&state), Some(r));
    }
}
