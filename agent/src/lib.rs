//! `ent-agent` as a library: the audit of a school workstation, its delivery to the
//! collector, and the scheduled re-audits. `main.rs` only parses the command line and calls
//! [`commands::run`]. ARCHITECTURE.md (at the top of the repository) draws the rooms.
//!
//! The rooms, from the top down; a room imports only from the rooms below it:
//!
//! - [`commands`]: one module per subcommand (`audit`, `enroll`, `run`, `schedule`, `kit`,
//!   `send`), the only
//!   place that prints for the technician or decides an exit code;
//! - [`probe`]: the measurements, each probe under a deadline, never aborting the audit;
//! - [`state`]: what the agent keeps on disk (state directory, workstation identity,
//!   enrolment, cached profile, spool), every write crash-safe through [`state::durable`];
//! - [`client`]: the collector's HTTP client and retry policy, speaking [`readiness::api`];
//! - [`platform`]: operating-system specific code behind small functions.
//!
//! [`cli`] (the argument syntax), [`output`] (the technician's table) and [`text`] (the
//! agent's own console texts, in both languages) serve the commands.

pub mod cli;
pub mod client;
pub mod commands;
pub mod output;
pub mod platform;
pub mod probe;
pub mod state;
pub mod text;

/// Exit codes, part of the documented interface.
pub mod exit {
    /// Ready, warnings allowed.
    pub const READY: u8 = 0;
    /// Not ready, or the audit was incomplete.
    pub const NOT_READY: u8 = 1;
    /// Usage or configuration error.
    pub const USAGE: u8 = 2;
}
