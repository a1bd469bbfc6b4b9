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
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into a buffer: the generator panics on a write error (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "ent-agent", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script)?;
            Ok(exit::READY)
        }
        Command::Manual => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut std::io::stdout())?;
            Ok(exit::READY)
        }
    }
}
