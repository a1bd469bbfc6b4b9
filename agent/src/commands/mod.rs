//! The subcommands: each parses its validated configuration from the arguments, calls the
//! rooms below (probes, state, client) and decides what the technician reads and the exit
//! code.

pub mod audit;
pub mod backlog;
pub mod enroll;
pub mod kit;
pub mod run;
pub mod schedule;
pub mod send;

use anyhow::{Result, bail};

use crate::cli::{Cli, Command};
use crate::exit;
use crate::state::kit::Kit;
use crate::state::{Fingerprint, StateDir};

/// The kit directory of this run: `--kit` (or `ENT_AGENT_KIT`), else the `ent-kit` folder
/// beside the binary, unless a state directory was given.
pub fn kit_dir(cli: &Cli) -> Option<std::path::PathBuf> {
    match (&cli.kit, &cli.state_dir) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(_)) => None,
        (None, None) => Kit::beside_binary(),
    }
}

/// The state directory of this run: `--state-dir`; in USB key mode this PC's directory on
/// the key ([`crate::state::kit`]); else the system or the user's one.
pub fn state_dir(cli: &Cli) -> Result<StateDir> {
    if cli.kit.is_some() && cli.state_dir.is_some() {
        bail!(
            "--kit and --state-dir (or ENT_AGENT_KIT and ENT_AGENT_STATE_DIR) exclude each other"
        );
    }
    match kit_dir(cli) {
        Some(dir) => {
            let state = Kit::open(&dir)?.machine_state(&Fingerprint::current())?;
            tracing::info!(kit = %dir.display(), machine = %state.path.display(), "USB key mode");
            Ok(state)
        }
        None => Ok(StateDir::resolve(cli.state_dir.as_deref())?),
    }
}

/// The state directory of a command that belongs to an agent installed on the PC (`enroll`,
/// `run`, `schedule`): refused in USB key mode, where nothing of the PC's own may be kept on
/// the key (a workstation credential on a key that gets lost would work for anyone).
pub fn installed_state_dir(cli: &Cli, command: &str) -> Result<StateDir> {
    if let Some(kit) = kit_dir(cli) {
        bail!(
            "{command}: not in USB key mode ({}): it needs the agent installed on the PC \
             (a key keeps reports, never a workstation's credential); use `send` to deliver \
             the key's reports",
            kit.display()
        );
    }
    state_dir(cli)
}

/// Run the command line's subcommand; `Ok` carries the exit code.
pub fn run(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Command::Audit(args) => audit::run(cli, args),
        Command::DefaultProfile => {
            print!("{}", readiness::profile::DEFAULT_PROFILE_TOML);
            Ok(exit::READY)
        }
        Command::Enroll(args) => enroll::run(cli, args),
        Command::Run(args) => run::run(cli, args),
        Command::Schedule(args) => schedule::run(cli, args),
        Command::Kit(args) => kit::run(args),
        Command::Send(args) => send::run(args),
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
