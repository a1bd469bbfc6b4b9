//! Command-line syntax. Validation into an audit configuration happens in `audit`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::state::spool;

/// Audit a school workstation's readiness for its ENT (espace numérique de travail).
#[derive(Debug, Parser)]
#[command(name = "ent-agent", version, about, long_about = None)]
pub struct Cli {
    /// Directory for the agent's state (the workstation id). Default: the system state
    /// directory when writable (administrator), else the user's.
    #[arg(long, global = true, env = "ENT_AGENT_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// USB key mode: keep one state directory per PC under DIR/machines/ (each PC its own
    /// workstation id, nothing written on the PC), and write audit reports into DIR. Also
    /// on when a folder `ent-kit` sits beside the binary.
    #[arg(long, global = true, env = "ENT_AGENT_KIT", value_name = "DIR")]
    pub kit: Option<PathBuf>,

    /// More log output on stderr (repeat for more); the audit's table shows the check ids
    /// too.
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
    /// Enrol this workstation: which collector it reports to, for which school; the school's
    /// token is exchanged for this workstation's own credential (kept in the state directory,
    /// readable only by its owner).
    Enroll(EnrollArgs),
    /// Scheduled or manual run: fetch the collector's profile, audit, spool the report, then
    /// send the spool oldest first.
    ///
    /// Exit status: 0 ready (warnings allowed) or not due (--if-due), 1 not ready or
    /// incomplete, 2 usage or configuration error (including: not enrolled). A report that
    /// could not be sent is kept in the spool and is not an error.
    Run(RunArgs),
    /// Install, remove or show the scheduled re-audits (systemd timer, Windows scheduled
    /// task, launchd daemon), on the last profile's schedule.
    Schedule(ScheduleArgs),
    /// The technician's USB key: what the reports carried there say.
    Kit(KitArgs),
    /// Deliver report files written by `audit --output` (a USB key's) to the collector,
    /// exactly once: a report the collector already holds is not stored again.
    ///
    /// Exit status: 0 every report delivered (or already there), 1 some refused or not sent
    /// (left in place, with the reason), 2 usage or configuration error.
    Send(SendArgs),
    /// Print the completion script of a shell (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for packaging.
    #[command(hide = true)]
    Manual,
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

    /// Also write the JSON report to this file; to a directory (existing, or ending with
    /// `/`): one file per PC, named UAI_label_id_date.json. Default with --kit: the kit
    /// directory.
    #[arg(long, value_name = "FILE|DIR/")]
    pub output: Option<PathBuf>,

    /// Language of the texts: fr or en. Default: from the system locale.
    #[arg(long, value_name = "LANG", value_parser = ["fr", "en"])]
    pub lang: Option<String>,

    /// Overall deadline of the audit, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    pub deadline: f64,

    /// Skip the network probes (DNS, endpoints, TLS, proxy, latency, clock, interface):
    /// their checks are then unknown.
    #[arg(long)]
    pub no_network: bool,

    /// An endpoint to probe as NAME=URL (repeatable), added to the profile's; replaces the
    /// profile's endpoint of the same name.
    #[arg(long, value_name = "NAME=URL")]
    pub endpoint: Vec<String>,

    /// A DNS server to ask too, as IP or IP:PORT (repeatable).
    #[arg(long, value_name = "IP[:PORT]")]
    pub dns_server: Vec<String>,

    /// Do not use this PC's own resolver configuration (only the --dns-server and profile
    /// resolvers).
    #[arg(long)]
    pub no_system_resolver: bool,

    /// PEM file of certificate authorities to trust (a private ENT's), repeatable.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Vec<PathBuf>,

    /// Skip the bandwidth test (download, upload, latency under load): its checks are then
    /// unknown.
    #[arg(long)]
    pub no_bandwidth: bool,

    /// Collector to measure bandwidth against (`audit` on a PC that is not enrolled, or
    /// another collector). Default: the enrolled collector, if any.
    #[arg(long, value_name = "URL")]
    pub collector: Option<String>,

    /// School token for --collector's speed test (ignored without --collector). Prefer the environment variable: a
    /// command line is visible to other users.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ENT_AGENT_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// Base URL of the département's collector, e.g. https://collecteur.ac-exemple.fr
    #[arg(long, value_name = "URL")]
    pub collector: String,

    /// UAI code of this workstation's school (7 digits and a letter).
    #[arg(long, value_name = "UAI")]
    pub school: String,

    /// The school's enrolment token (from `ent-collector token create --school UAI`).
    /// Prefer --token-file or the environment variable: a command line is visible to other
    /// users.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ENT_AGENT_TOKEN",
        hide_env_values = true,
        required_unless_present = "token_file"
    )]
    pub token: Option<String>,

    /// Read the school's token from this file (at most 4 KiB, blanks around it ignored),
    /// e.g. on a share that only the computer accounts can read; wins over --token.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Label of this workstation in its reports, e.g. "salle 2, poste 5".
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// PEM file of the collector's private certificate authority (copied into the state
    /// directory).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,

    /// Do not check the token against the collector now (offline enrolment).
    #[arg(long)]
    pub no_check: bool,

    /// Most reports kept in the spool while the collector is unreachable.
    #[arg(long, value_name = "N", default_value_t = spool::DEFAULT_MAX_REPORTS)]
    pub spool_max_reports: usize,

    /// Most disk space used by the spool, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = spool::DEFAULT_MAX_BYTES as f64 / 1_048_576.0)]
    pub spool_max_mib: f64,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub audit: AuditArgs,

    /// Sleep a random delay first, up to the profile's `jitter_minutes` (for schedulers
    /// without their own random delay, such as launchd).
    #[arg(long)]
    pub jitter: bool,

    /// Audit only when the last audit is older than the profile's interval (less its random
    /// delay); the spool is sent in any case. Used by the scheduled jobs.
    #[arg(long)]
    pub if_due: bool,

    /// Time allowed for sending the spool (this run's report included), retries included,
    /// in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub send_budget: f64,
}

#[derive(Debug, Args)]
pub struct KitArgs {
    #[command(subcommand)]
    pub command: KitCommand,
}

#[derive(Debug, Subcommand)]
pub enum KitCommand {
    /// Print every PC whose report is in DIR (school, label, verdict, score, what fails)
    /// and write a self-contained HTML page of it for the school.
    Summary {
        /// The directory of the report files (a kit directory, or any).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The HTML page. Default: DIR/synthese.html.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Language of the texts: fr or en.
        #[arg(long, value_name = "LANG", value_parser = ["fr", "en"], default_value = "fr")]
        lang: String,
    },
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Report files, or directories of report files (their `*.json`, not their
    /// subdirectories).
    #[arg(value_name = "FILE|DIR", required = true)]
    pub paths: Vec<PathBuf>,

    /// Base URL of the département's collector.
    #[arg(long, value_name = "URL")]
    pub collector: String,

    /// The school's token (from `ent-collector token create --school UAI`). Prefer
    /// --token-file or the environment variable: a command line is visible to other users.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ENT_AGENT_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// A file holding the school's token (its first line); used before --token.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// PEM file of the collector's private certificate authority.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// Time allowed for sending, retries included, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    pub budget: f64,

    /// Language of the texts: fr or en. Default: from the system locale.
    #[arg(long, value_name = "LANG", value_parser = ["fr", "en"])]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub command: ScheduleCommand,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Install the scheduled job (administrator): systemd timer, Windows scheduled task or
    /// launchd daemon. Prints each command it runs.
    Install {
        /// Print the files and commands without doing anything.
        #[arg(long)]
        dry_run: bool,
        /// The ent-agent binary the job runs. Default: this one.
        #[arg(long, value_name = "PATH")]
        binary: Option<PathBuf>,
        /// Windows: no catch-up run at logon, only the interval's trigger (a run missed
        /// while the PC was off still happens when it starts).
        #[arg(long)]
        no_logon: bool,
    },
    /// Remove the scheduled job.
    Remove {
        /// Print the commands without doing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show the schedule (from the last profile received), whether it is installed, and the
    /// last audit.
    Show,
}

/// A `--label`, trimmed; none when blank. The one rule for `audit` and `enroll`, and the
/// collector's (`readiness::limits::label_problem`): at most 100 characters (what fits a
/// table column and a sticker on the PC), no control character.
pub fn validate_label(label: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(l) = label.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if let Some(problem) = readiness::limits::label_problem(l) {
        anyhow::bail!("--label {problem}");
    }
    Ok(Some(l.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(validate_label(None).unwrap(), None);
        assert_eq!(validate_label(Some("  ")).unwrap(), None);
        assert_eq!(
            validate_label(Some(" salle 2 ")).unwrap().as_deref(),
            Some("salle 2")
        );
        assert!(validate_label(Some(&"x".repeat(101))).is_err());
        assert!(validate_label(Some("a\nb")).is_err());
    }
}
