//! The subcommands: each parses its validated configuration from the arguments, calls the
//! rooms below (probes, state, client) and decides what the technician reads and the exit
//! code.

pub mod audit;
pub mod backlog;
pub mod enroll;
pub mod run;
pub mod schedule;

use crate::cli::{Cli, Command};
use crate::exit;

/// Run the command line's subcommand; `Ok` carries the exit code.
pub fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Audit(args) => audit::run(cli, args),
        Command::DefaultProfile => {
            print!("{}", readiness::profile::DEFAULT_PROFILE_TOML);
            Ok(exit::READY)
        }
        Command::Enroll(args) => enroll::run(cli, args),
        Command::Run(args) => run::run(cli, args),
        Command::Schedule(args) => schedule::run(cli, args),
    }
}
