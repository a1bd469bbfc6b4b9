//! Command-line syntax. Validation into an audit configuration happens in `audit`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Audit a school workstation's readiness for its ENT (espace numérique de travail).
#[derive(Debug, Parser)]
#[command(name = "ent-agent", version, about, long_about = None)]
pub struct Cli {
    /// Directory for the agent's state (the workstation id). Default: the system state
    /// directory when writable (administrator), else the user's.
    #[arg(long, global = true, env = "ENT_AGENT_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// More log output on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit this workstation, print the verdict and the checks.
    ///
    /// Exit status: 0 ready (warnings allowed), 1 not ready or incomplete, 2 usage or
    /// configuration error.
    Audit(AuditArgs),
    /// Print the built-in profile (a starting point for a département's own).
    DefaultProfile,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Readiness profile (TOML). Default: the built-in French primary-school profile.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// UAI code of the school (7 digits and a letter, e.g. 0751234J).
    #[arg(long, value_name = "UAI")]
    pub school: Option<String>,

    /// Label of this workstation, e.g. "salle 2, poste 5".
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// Print the report as JSON on stdout (and nothing else there).
    #[arg(long)]
    pub json: bool,

    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Language of the texts: fr or en. Default: from the system locale.
    #[arg(long, value_name = "LANG", value_parser = ["fr", "en"])]
    pub lang: Option<String>,

    /// Overall deadline of the audit, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    pub deadline: f64,
}
