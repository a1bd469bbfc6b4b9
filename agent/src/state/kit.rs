//! USB key mode: the agent run from a key on many PCs keeps one state directory per machine
//! on the key, so that each PC has its own workstation id and the same PC keeps its id.
//!
//! Layout of a kit directory (`--kit DIR`, or the folder `ent-kit` beside the binary):
//!
//! ```text
//! DIR/kit.json                      {"version": 1, "salt": "<64 hex>"}: the key's random salt
//! DIR/machines/<16 hex>/            one PC's state (workstation.json, ...)
//! DIR/machines/<16 hex>-2/          another PC with the same OS installation id (a clone)
//! DIR/*.json                        the audit reports (`audit` writes there by default)
//! ```
//!
//! A machine's directory is named after its fingerprint ([`Fingerprint`]: the hashed OS
//! installation id, else its smallest hashed adapter address) hashed again with the key's
//! salt, and `workstation.json` there keeps the fingerprint salted the same way: nothing on
//! the key is a machine id, nor can be matched with another key's or the PC's own state.
//! PCs cloned from one image share the OS installation id, so the directories of that prefix
//! are searched for the one whose adapters match ([`Fingerprint::same_machine`]); a clone
//! gets the next suffix. Nothing is written on the PC itself.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::identity::{Fingerprint, kept_fingerprint};
use super::{StateDir, StateError, durable, io_err};

/// The kit's own file.
pub const KIT_FILE: &str = "kit.json";
/// The per-machine directories.
pub const MACHINES: &str = "machines";
/// The folder beside the binary that turns key mode on by itself.
pub const BESIDE_BINARY: &str = "ent-kit";
/// Most directories of one prefix (PCs cloned from one image) searched.
const MAX_CLONES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KitFile {
    version: u32,
    salt: String,
}

/// An opened kit directory.
#[derive(Debug, Clone)]
pub struct Kit {
    pub dir: PathBuf,
    salt: String,
}

fn kit_err(path: &Path, message: impl Into<String>) -> StateError {
    StateError::Kit {
        path: path.to_owned(),
        message: message.into(),
    }
}

impl Kit {
    /// Open the kit at `dir`, creating it (and its salt) the first time.
    pub fn open(dir: &Path) -> Result<Kit, StateError> {
        fs::create_dir_all(dir.join(MACHINES)).map_err(io_err(dir))?;
        let path = dir.join(KIT_FILE);
        let salt = match super::durable::read_at_most(&path, 4096) {
            Ok(bytes) => {
                let file: KitFile = serde_json::from_slice(&bytes).map_err(|e| {
                    kit_err(
                        &path,
                        format!(
                            "unreadable ({e}); restore it, or use a new kit directory \
                                 (every PC would get a new workstation id)"
                        ),
                    )
                })?;
                if file.version != 1
                    || file.salt.len() != 64
                    || !file.salt.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err(kit_err(
                        &path,
                        "not a version 1 kit file with a 64-hex salt",
                    ));
                }
                file.salt
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let file = KitFile {
                    version: 1,
                    salt: hex::encode(rand::random::<[u8; 32]>()),
                };
                let bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
                durable::write(dir, KIT_FILE, &bytes).map_err(io_err(&path))?;
                file.salt
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        Ok(Kit {
            dir: dir.to_owned(),
            salt,
        })
    }

    /// The `ent-kit` folder beside the running binary, when there is one.
    pub fn beside_binary() -> Option<PathBuf> {
        let exe = std::env::current_exe().ok()?;
        let dir = exe.parent()?.join(BESIDE_BINARY);
        dir.is_dir().then_some(dir)
    }

    /// The state directory of the machine whose fingerprint is `now` (unsalted, as
    /// [`Fingerprint::current`] gives it), created when it is new.
    pub fn machine_state(&self, now: &Fingerprint) -> Result<StateDir, StateError> {
        let machines = self.dir.join(MACHINES);
        let path = self.machine_dir(&machines, &now.salted(&self.salt))?;
        fs::create_dir_all(&path).map_err(io_err(&path))?;
        Ok(StateDir {
            path,
            shared: None,
            salt: Some(self.salt.clone()),
        })
    }

    fn machine_dir(&self, machines: &Path, salted: &Fingerprint) -> Result<PathBuf, StateError> {
        let key = salted
            .machine_id
            .as_deref()
            .or_else(|| salted.macs.first().map(String::as_str))
            .ok_or_else(|| {
                kit_err(
                    &self.dir,
                    "this PC has neither an OS installation id nor a network adapter address: \
                     it cannot be told apart from the others; use --state-dir",
                )
            })?;
        let prefix = &key[..16.min(key.len())];
        let mut free = None;
        for n in 1..=MAX_CLONES {
            let name = if n == 1 {
                prefix.to_owned()
            } else {
                format!("{prefix}-{n}")
            };
            let dir = machines.join(&name);
            if !dir.is_dir() {
                // The first free name; stop at the first gap (names are made in order).
                free.get_or_insert(dir);
                break;
            }
            match kept_fingerprint(&dir) {
                Some(kept) if kept.same_machine(salted) => return Ok(dir),
                Some(_) => {}
                // A directory made but no id kept yet (an interrupted run): this machine's.
                None => return Ok(dir),
            }
        }
        free.ok_or_else(|| {
            kit_err(
                machines,
                format!("more than {MAX_CLONES} PCs share one OS installation id"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::workstation_id;

    fn fp(id: &str, macs: &[&str]) -> Fingerprint {
        Fingerprint::from_raw(
            Some(id),
            &macs.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn one_id_per_machine_on_one_key_and_no_machine_id_written() {
        let key = tempfile::tempdir().unwrap();
        let kit = Kit::open(key.path()).unwrap();
        let a = fp("machine-a", &["aa:00:00:00:00:01"]);
        let b = fp("machine-b", &["aa:00:00:00:00:02"]);
        let id = |f: &Fingerprint| {
            let state = kit.machine_state(f).unwrap();
            workstation_id(&state, f).unwrap().0
        };
        let (ida, idb) = (id(&a), id(&b));
        assert_ne!(ida, idb);
        assert_eq!(id(&a), ida, "the same PC keeps its id");
        // A clone of A's image (same OS id, other adapter): its own id, and A keeps A's.
        let clone = fp("machine-a", &["aa:00:00:00:00:09"]);
        let idc = id(&clone);
        assert_ne!(idc, ida);
        assert_eq!(id(&a), ida);
        assert_eq!(id(&clone), idc);
        // A dock added to A: still A.
        assert_eq!(
            id(&fp(
                "machine-a",
                &["aa:00:00:00:00:01", "bb:00:00:00:00:01"]
            )),
            ida
        );
        // The key opened again keeps its salt.
        let again = Kit::open(key.path()).unwrap();
        assert_eq!(again.salt, kit.salt);
        // Neither the raw id nor its plain hash is on the key.
        let plain = a.machine_id.clone().unwrap();
        for entry in walk(key.path()) {
            let name = entry.to_string_lossy().into_owned();
            assert!(!name.contains(&plain[..16]), "{name}");
            if entry.is_file() {
                let text = fs::read_to_string(&entry).unwrap();
                assert!(
                    !text.contains("machine-a") && !text.contains(&plain),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn another_key_names_the_same_machine_otherwise() {
        let (k1, k2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = fp("machine-a", &[]);
        let d1 = Kit::open(k1.path()).unwrap().machine_state(&a).unwrap();
        let d2 = Kit::open(k2.path()).unwrap().machine_state(&a).unwrap();
        assert_ne!(d1.path.file_name(), d2.path.file_name());
    }

    #[test]
    fn a_broken_kit_file_is_an_error_not_a_new_salt() {
        let key = tempfile::tempdir().unwrap();
        fs::write(key.path().join(KIT_FILE), b"{nope").unwrap();
        let e = Kit::open(key.path()).unwrap_err().to_string();
        assert!(e.contains("unreadable"), "{e}");
        let none = Fingerprint::default();
        let other = tempfile::tempdir().unwrap();
        let kit = Kit::open(other.path()).unwrap();
        assert!(kit.machine_state(&none).is_err());
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            }
            out.push(p);
        }
        out
    }
}
