//! `ent-agent`: parse, set up logging, run, map the outcome to an exit code.

mod audit;
mod cli;
mod durable;
mod enroll;
#[cfg(test)]
mod fake_collector;
mod output;
mod platform;
mod probe;
mod profile_cache;
mod run;
mod schedule;
mod spool;
mod state;
mod submit;

use std::process::ExitCode;

use clap::Parser;

/// Exit codes, part of the documented interface.
pub mod exit {
    /// Ready, warnings allowed.
    pub const READY: u8 = 0;
    /// Not ready, or the audit was incomplete.
    pub const NOT_READY: u8 = 1;
    /// Usage or configuration error.
    pub const USAGE: u8 = 2;
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let filter = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENT_AGENT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();

    let result = match &cli.command {
        cli::Command::Audit(args) => audit::run(&cli, args),
        cli::Command::DefaultProfile => {
            print!("{}", readiness::profile::DEFAULT_PROFILE_TOML);
            Ok(exit::READY)
        }
        cli::Command::Enroll(args) => enroll::run(&cli, args),
        cli::Command::Run(args) => run::run(&cli, args),
        cli::Command::Schedule(args) => schedule::run(&cli, args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("ent-agent: error: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}
