//! The agent's state directory: the workstation identity now; later the enrolment, the last
//! profile received and the spool.
//!
//! Location: `--state-dir` or `ENT_AGENT_STATE_DIR`; else the system directory
//! (`/var/lib/ent-agent`, `%ProgramData%\ent-agent`, `/Library/Application Support/ent-agent`)
//! when it can be written (run as a service or administrator); else the user's state
//! directory (`$XDG_STATE_HOME/ent-agent`, `%LOCALAPPDATA%\ent-agent`,
//! `~/Library/Application Support/ent-agent`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Where state lives.
#[derive(Debug, Clone)]
pub struct StateDir {
    pub path: PathBuf,
    /// The system directory, when this one was chosen automatically and is not it (a user
    /// run): the workstation id an administrator run kept there is reused. Never with an
    /// explicit directory, which stands alone.
    shared: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no usable state directory: set --state-dir or ENT_AGENT_STATE_DIR")]
    NoDirectory,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |source| StateError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The system-wide state directory of this platform.
pub fn system_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("ProgramData").map(|p| PathBuf::from(p).join("ent-agent"))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support/ent-agent"))
    } else {
        Some(PathBuf::from("/var/lib/ent-agent"))
    }
}

/// The current user's state directory of this platform.
pub fn user_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        env("LOCALAPPDATA").map(|p| p.join("ent-agent"))
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support/ent-agent"))
    } else {
        env("XDG_STATE_HOME")
            .or_else(|| env("HOME").map(|h| h.join(".local/state")))
            .map(|p| p.join("ent-agent"))
    }
}

fn writable(dir: &Path) -> bool {
    if fs::create_dir_all(dir).is_err() {
        return false;
    }
    tempfile::NamedTempFile::new_in(dir).is_ok()
}

impl StateDir {
    /// Resolve and create the state directory. `explicit` comes from `--state-dir` or the
    /// environment variable (clap reads both).
    pub fn resolve(explicit: Option<&Path>) -> Result<StateDir, StateError> {
        if let Some(p) = explicit {
            fs::create_dir_all(p).map_err(io_err(p))?;
            return Ok(StateDir {
                path: p.to_owned(),
                shared: None,
            });
        }
        for candidate in [system_dir(), user_dir()].into_iter().flatten() {
            if writable(&candidate) {
                let shared = system_dir().filter(|d| *d != candidate);
                return Ok(StateDir {
                    path: candidate,
                    shared,
                });
            }
        }
        Err(StateError::NoDirectory)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Write a file atomically: temporary file in the same directory, fsync, rename.
    pub fn write_atomic(&self, name: &str, bytes: &[u8]) -> Result<(), StateError> {
        let path = self.file(name);
        let mut tmp = tempfile::NamedTempFile::new_in(&self.path).map_err(io_err(&self.path))?;
        tmp.write_all(bytes).map_err(io_err(&path))?;
        tmp.as_file().sync_all().map_err(io_err(&path))?;
        tmp.persist(&path).map_err(|e| StateError::Io {
            path: path.clone(),
            source: e.error,
        })?;
        Ok(())
    }
}

/// What identifies this physical machine, hashed: the OS installation id (Linux
/// /etc/machine-id, Windows MachineGuid) and the permanent MAC addresses of its network
/// adapters. Neither value leaves the machine; only their hashes are kept in the state
/// directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<String>,
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

impl Fingerprint {
    pub fn from_raw(machine_id: Option<&str>, macs: &[String]) -> Fingerprint {
        let mut macs: Vec<String> = macs
            .iter()
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| !m.is_empty() && m != "00:00:00:00:00:00")
            .map(|m| sha256_hex(&m))
            .collect();
        macs.sort();
        macs.dedup();
        Fingerprint {
            machine_id: machine_id
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(sha256_hex),
            macs,
        }
    }

    /// This machine's fingerprint.
    pub fn current() -> Fingerprint {
        Fingerprint::from_raw(
            crate::platform::machine_id().as_deref(),
            &crate::platform::permanent_macs(),
        )
    }

    /// Whether `self` (stored) and `now` describe the same machine. A different OS
    /// installation id means another machine; so does a set of permanent MACs with nothing
    /// in common with the stored one (a clone of a master image keeps the image's machine id
    /// when it was not regenerated, but not its network adapters). A docking station adding
    /// an adapter keeps the id. Missing facts on either side are no evidence.
    pub fn same_machine(&self, now: &Fingerprint) -> bool {
        if let (Some(a), Some(b)) = (&self.machine_id, &now.machine_id)
            && a != b
        {
            return false;
        }
        if !self.macs.is_empty() && !now.macs.is_empty() {
            return self.macs.iter().any(|m| now.macs.contains(m));
        }
        true
    }
}

/// `workstation.json` in the state directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WorkstationFile {
    id: Uuid,
    fingerprint: Fingerprint,
}

/// The workstation id: kept in the state directory, renewed when the machine changed.
/// Returns the id and whether it was (re)generated now.
pub fn workstation_id(state: &StateDir, now: &Fingerprint) -> Result<(Uuid, bool), StateError> {
    const NAME: &str = "workstation.json";
    let read = |dir: &Path| -> Option<WorkstationFile> {
        let text = fs::read_to_string(dir.join(NAME)).ok()?;
        serde_json::from_str(&text).ok()
    };
    // An id kept by an administrator run is reused by a user run on the same machine, so
    // that the same PC does not report under two ids.
    let existing = read(&state.path).or_else(|| state.shared.as_deref().and_then(read));
    if let Some(file) = existing {
        if file.fingerprint.same_machine(now) {
            if file.fingerprint != *now {
                // Keep the id, remember the current adapters.
                let updated = WorkstationFile {
                    id: file.id,
                    fingerprint: now.clone(),
                };
                state.write_atomic(
                    NAME,
                    &serde_json::to_vec_pretty(&updated).unwrap_or_default(),
                )?;
            }
            return Ok((file.id, false));
        }
        tracing::info!("machine fingerprint changed (cloned or replaced PC): new workstation id");
    }
    let file = WorkstationFile {
        id: Uuid::new_v4(),
        fingerprint: now.clone(),
    };
    state.write_atomic(NAME, &serde_json::to_vec_pretty(&file).unwrap_or_default())?;
    Ok((file.id, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(id: Option<&str>, macs: &[&str]) -> Fingerprint {
        Fingerprint::from_raw(id, &macs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn fingerprint_rules() {
        let base = fp(Some("abc"), &["aa:bb:cc:00:00:01"]);
        assert!(
            base.same_machine(&fp(
                Some("abc"),
                &["AA:BB:CC:00:00:01", "aa:bb:cc:00:00:02"]
            )),
            "dock added"
        );
        assert!(
            !base.same_machine(&fp(Some("abc"), &["aa:bb:cc:00:00:09"])),
            "clone: same image id, other NIC"
        );
        assert!(
            !base.same_machine(&fp(Some("xyz"), &["aa:bb:cc:00:00:01"])),
            "reinstalled or other machine"
        );
        assert!(
            base.same_machine(&fp(Some("abc"), &[])),
            "adapters unreadable: no evidence"
        );
        assert!(base.same_machine(&fp(None, &[])));
        assert!(!base.macs[0].contains("aa:bb"), "MACs are stored hashed");
    }

    #[test]
    fn id_is_kept_then_renewed_on_clone() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        let a = fp(Some("abc"), &["aa:bb:cc:00:00:01"]);
        let (id1, new1) = workstation_id(&state, &a).unwrap();
        assert!(new1);
        let (id2, new2) = workstation_id(&state, &a).unwrap();
        assert_eq!((id1, new2), (id2, false));
        let clone = fp(Some("abc"), &["aa:bb:cc:00:00:99"]);
        let (id3, new3) = workstation_id(&state, &clone).unwrap();
        assert!(new3);
        assert_ne!(id3, id1);
        let text = fs::read_to_string(dir.path().join("workstation.json")).unwrap();
        assert!(text.contains(&id3.to_string()));
    }

    #[test]
    fn a_user_run_reuses_the_id_an_administrator_run_kept() {
        let system = tempfile::tempdir().unwrap();
        let user = tempfile::tempdir().unwrap();
        let admin = StateDir {
            path: system.path().to_owned(),
            shared: None,
        };
        let (id, _) = workstation_id(&admin, &Fingerprint::default()).unwrap();
        let user_run = StateDir {
            path: user.path().to_owned(),
            shared: Some(system.path().to_owned()),
        };
        assert_eq!(
            workstation_id(&user_run, &Fingerprint::default()).unwrap(),
            (id, false)
        );
        // An explicit directory stands alone, whatever the system directory holds.
        let other = tempfile::tempdir().unwrap();
        let explicit = StateDir::resolve(Some(other.path())).unwrap();
        let (own, new) = workstation_id(&explicit, &Fingerprint::default()).unwrap();
        assert!(new);
        assert_ne!(own, id);
    }

    #[test]
    fn corrupt_state_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("workstation.json"), b"{not json").unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        let (_, new) = workstation_id(&state, &Fingerprint::default()).unwrap();
        assert!(new);
    }
}
