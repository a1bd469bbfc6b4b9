//! The workstation's identity: a random id kept in the state directory with a hashed
//! fingerprint of the machine, renewed when the fingerprint no longer matches (a PC cloned
//! from a master image must not report under the image's id).

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{StateDir, StateError, durable, io_err};

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

/// Test-only: a machine id that replaces this machine's (and its adapters), so that an
/// end-to-end test can be several machines in turn. Not for production use.
pub const MACHINE_ID_ENV: &str = "ENT_AGENT_MACHINE_ID";

pub(crate) fn sha256_hex(s: &str) -> String {
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

    /// This machine's fingerprint. For tests only, [`MACHINE_ID_ENV`] stands for another
    /// machine (that machine id, no network adapter): read by debug builds only, so that a
    /// variable left in a release agent's environment can never give PCs one id.
    pub fn current() -> Fingerprint {
        #[cfg(debug_assertions)]
        if let Some(simulated) = std::env::var(MACHINE_ID_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            return Fingerprint::from_raw(Some(&simulated), &[]);
        }
        Fingerprint::from_raw(
            crate::platform::machine_id().as_deref(),
            &crate::platform::permanent_macs(),
        )
    }

    /// The same fingerprint hashed again with `salt` (a USB key's own salt, see
    /// [`super::kit`]): what a key keeps cannot be matched with what another key or the PC
    /// itself keeps.
    pub fn salted(&self, salt: &str) -> Fingerprint {
        let again = |h: &String| sha256_hex(&format!("{salt}:{h}"));
        let mut macs: Vec<String> = self.macs.iter().map(again).collect();
        macs.sort();
        Fingerprint {
            machine_id: self.machine_id.as_ref().map(again),
            macs,
        }
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
/// In a USB key's per-machine directory, the fingerprint is kept salted with the key's salt.
pub fn workstation_id(state: &StateDir, now: &Fingerprint) -> Result<(Uuid, bool), StateError> {
    let salted;
    let now = match state.salt() {
        Some(salt) => {
            salted = now.salted(salt);
            &salted
        }
        None => now,
    };
    let read = |dir: &Path| read_fingerprint_file(dir);
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
                write(state, NAME, &updated)?;
            }
            return Ok((file.id, false));
        }
        tracing::info!("machine fingerprint changed (cloned or replaced PC): new workstation id");
    }
    let file = WorkstationFile {
        id: Uuid::new_v4(),
        fingerprint: now.clone(),
    };
    write(state, NAME, &file)?;
    Ok((file.id, true))
}

const NAME: &str = "workstation.json";

fn read_fingerprint_file(dir: &Path) -> Option<WorkstationFile> {
    // Small by construction; bounded, as a key may hold anything.
    let bytes = super::durable::read_at_most(&dir.join(NAME), 64 * 1024).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The fingerprint kept in `dir`'s `workstation.json`, if any (as kept: salted on a key).
pub(crate) fn kept_fingerprint(dir: &Path) -> Option<Fingerprint> {
    read_fingerprint_file(dir).map(|f| f.fingerprint)
}

fn write(state: &StateDir, name: &str, file: &WorkstationFile) -> Result<(), StateError> {
    let bytes = serde_json::to_vec_pretty(file).unwrap_or_default();
    let path = state.path.join(name);
    durable::write(&state.path, name, &bytes).map_err(io_err(&path))?;
    Ok(())
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
        let text = std::fs::read_to_string(dir.path().join("workstation.json")).unwrap();
        assert!(text.contains(&id3.to_string()));
    }

    #[test]
    fn a_user_run_reuses_the_id_an_administrator_run_kept() {
        let system = tempfile::tempdir().unwrap();
        let user = tempfile::tempdir().unwrap();
        let admin = StateDir {
            path: system.path().to_owned(),
            shared: None,
            salt: None,
        };
        let (id, _) = workstation_id(&admin, &Fingerprint::default()).unwrap();
        let user_run = StateDir {
            path: user.path().to_owned(),
            shared: Some(system.path().to_owned()),
            salt: None,
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
        std::fs::write(dir.path().join("workstation.json"), b"{not json").unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        let (_, new) = workstation_id(&state, &Fingerprint::default()).unwrap();
        assert!(new);
    }
}
