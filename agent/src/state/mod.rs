//! What the agent keeps on disk, in its state directory: the workstation identity
//! ([`identity`]), the enrolment ([`enrollment`]), the last profile received
//! ([`profile_cache`]), the reports waiting for the collector ([`spool`]) and the last run
//! ([`last_run`]). Every file is written through [`durable`], crash-safe.
//!
//! Location: `--state-dir` or `ENT_AGENT_STATE_DIR`; else the system directory
//! (`/var/lib/ent-agent`, `%ProgramData%\ent-agent`, `/Library/Application Support/ent-agent`)
//! when it can be written (run as a service or administrator); else the user's state
//! directory (`$XDG_STATE_HOME/ent-agent`, `%LOCALAPPDATA%\ent-agent`,
//! `~/Library/Application Support/ent-agent`). On a USB key (`--kit DIR`, [`kit`]): one
//! directory per machine under `DIR/machines/`.

pub mod durable;
pub mod enrollment;
pub mod identity;
pub mod kit;
pub mod last_run;
pub mod profile_cache;
pub mod spool;

use std::fs;
use std::path::{Path, PathBuf};

pub use identity::{Fingerprint, workstation_id};

/// Where state lives.
#[derive(Debug, Clone)]
pub struct StateDir {
    pub path: PathBuf,
    /// The system directory, when this one was chosen automatically and is not it (a user
    /// run): the workstation id an administrator run kept there is reused. Never with an
    /// explicit directory, which stands alone.
    shared: Option<PathBuf>,
    /// A USB key's salt ([`kit`]): the machine's fingerprint is kept hashed with it.
    salt: Option<String>,
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
    #[error("USB key {path}: {message}")]
    Kit { path: PathBuf, message: String },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
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
                salt: None,
            });
        }
        for candidate in [system_dir(), user_dir()].into_iter().flatten() {
            if writable(&candidate) {
                let shared = system_dir().filter(|d| *d != candidate);
                return Ok(StateDir {
                    path: candidate,
                    shared,
                    salt: None,
                });
            }
        }
        Err(StateError::NoDirectory)
    }

    /// The salt of the USB key this directory is on, if it is a key's per-machine directory.
    pub fn salt(&self) -> Option<&str> {
        self.salt.as_deref()
    }
}
