//! `ent-collector workstations`: the enrolled workstations of a school, and revoking one's
//! credential (a stolen or retired PC). The workstation can be enrolled again with the
//! school's token, which issues a new credential.

use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use readiness::Uai;

use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List enrolled workstations: id, label, enrolled at, last report, revoked.
    List {
        /// Only this school's.
        #[arg(long, value_name = "UAI")]
        school: Option<String>,
    },
    /// Revoke a workstation's credential by its id (see `workstations list`).
    Revoke { id: String },
}

/// Run the subcommand; returns what to print on stdout.
pub fn run(command: &Command, store: &dyn Store) -> Result<String> {
    match command {
        Command::List { school } => {
            let school = school
                .as_deref()
                .map(|s| s.parse::<Uai>().map_err(|e| anyhow!("--school: {e}")))
                .transpose()?;
            let mut out =
                String::from("school\tworkstation\tlabel\tenrolled_at\tlast_report\trevoked\n");
            for e in store.enrolments(school.as_ref())? {
                let label: String = e
                    .label
                    .unwrap_or_default()
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                let _ = writeln!(
                    out,
                    "{}\t{}\t{label}\t{:.0}\t{}\t{}",
                    e.school,
                    e.workstation_id,
                    e.enrolled_at,
                    e.last_report_at
                        .map(|t| format!("{t:.0}"))
                        .unwrap_or_else(|| "-".into()),
                    e.revoked_at
                        .map(|t| format!("{t:.0}"))
                        .unwrap_or_else(|| "no".into()),
                );
            }
            Ok(out)
        }
        Command::Revoke { id } => {
            let ws: uuid::Uuid = id
                .trim()
                .parse()
                .map_err(|e| anyhow!("{id:?} is not a workstation id: {e}"))?;
            match store.revoke_enrolment(&ws)? {
                0 => bail!(
                    "no enrolled workstation {ws} with an active credential (see `ent-collector workstations list`)"
                ),
                _ => Ok(format!(
                    "workstation {ws}: credential revoked; it must be enrolled again to report\n"
                )),
            }
        }
    }
}
