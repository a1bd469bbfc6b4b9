//! `ent-agent run`: the scheduled (or manual) cycle of an enrolled workstation.
//!
//! 1. Fetch the collector's profile; else the last good copy; else the built-in one. The
//!    answer (or its absence) also tells whether the collector is reachable now.
//! 2. With `--if-due`, skip the audit when the last one is recent enough (go to 4).
//! 3. Audit with that profile, for the enrolled school; print the verdict at once; spool the
//!    report durably.
//! 4. Send the spool oldest first (the new report last), each removed only after the
//!    collector's own acknowledgement of that report (`client::reports`), until one cannot
//!    be delivered. Reports refused for good go to `rejected/`; a conflict (409) keeps the
//!    report and goes on with the next.
//! 5. Print what became of the delivery, and record it (`last_delivery.json`).
//!
//! The verdict is printed before any retry, so a technician never waits on a missing
//! collector to read it. Delivery problems are not errors: the report waits in the spool for
//! the next run, and the exit code is the verdict's. Sending is bounded by `--send-budget`;
//! every request by its own timeouts. When the profile fetch found the collector
//! unreachable, sending makes one attempt and stops, instead of retrying for the whole
//! budget.

use std::fmt::Display;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use readiness::{Lang, Report};

use crate::cli::{Cli, RunArgs};
use crate::client::{
    BACKOFF_BASE, BACKOFF_CAP, Backoff, Budget, Collector, Delivery, FetchError, MAX_MESSAGE,
    Rejection, deliver, printable_lines,
};
use crate::commands::audit::{self, AuditConfig};
use crate::commands::backlog::{Backlog, Stop, flush, refusal_text as refusal};
use crate::commands::schedule;
use crate::exit;
use crate::state::StateDir;
use crate::state::enrollment::Enrollment;
use crate::state::last_run::{self, LastRun};
use crate::state::profile_cache::{self, Chosen, Source};
use crate::state::spool::{self, Entry, KeptReport, LastAttempt, Spool};
use crate::text::{Msg, render};
use readiness::api::Ack;

/// What became of this run's report.
#[derive(Debug)]
enum Fate {
    Sent(Ack),
    Kept(Stop),
    /// Kept: the collector holds another report under this id (409).
    Conflict(Rejection),
    Rejected(Rejection),
    /// Neither spooled (why) nor delivered.
    Lost {
        spool_error: String,
        send: String,
    },
}

#[derive(Debug)]
struct Outcome {
    profile_name: String,
    profile_source: Source,
    backlog: Backlog,
    /// None when `--if-due` found nothing due.
    report: Option<(Report, Fate)>,
    last: Option<LastRun>,
    pending: usize,
    dropped: u64,
    rejected_kept: usize,
}

pub fn run(cli: &Cli, args: &RunArgs) -> Result<u8> {
    let state = super::installed_state_dir(cli, "run")?;
    let mut enrollment = Enrollment::load(&state)?;
    // A school token still in the enrolment (older agent, offline enrolment): exchanged now.
    crate::commands::enroll::upgrade(&state, &mut enrollment);
    let mut config = AuditConfig::from_args(&args.audit)?;
    if let Some(s) = &config.school
        && *s != enrollment.school
    {
        bail!(
            "--school {s} differs from the enrolled school {}: enrol again to change it",
            enrollment.school
        );
    }
    config.school = Some(enrollment.school.clone());
    if args.audit.collector.is_some() {
        bail!(
            "--collector: `run` measures bandwidth against the enrolled collector; enrol again to change it"
        );
    }
    config.use_enrollment(&enrollment, Enrollment::ca_pem(&state)?);
    if config.label.is_none() {
        config.label = enrollment.label.clone();
    }
    if !(args.send_budget.is_finite() && (1.0..=3600.0).contains(&args.send_budget)) {
        bail!("--send-budget must be between 1 and 3600 seconds");
    }
    let send_budget = Duration::from_secs_f64(args.send_budget);
    let output_file = args
        .audit
        .output
        .as_deref()
        .map(audit::OutputFile::prepare)
        .transpose()?;
    let ca = Enrollment::ca_pem(&state)?;
    let collector = Collector::new(
        &enrollment.collector,
        enrollment.secret().expose(),
        ca.as_deref(),
    )?;
    let mut spool = Spool::open(&state.path, enrollment.spool)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let local_profile = args.audit.profile.is_some();
    let json = args.audit.json;
    let ids = cli.verbose > 0;
    let outcome = runtime.block_on(async {
        if args.jitter {
            sleep_jitter(&state).await;
        }
        let plan = Plan {
            local_profile,
            if_due: args.if_due,
            send_budget,
        };
        cycle(&state, &collector, &mut spool, config, plan, |report| {
            audit::emit(report, json, ids, output_file)
        })
        .await
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
    let outcome = outcome?;

    let lang = audit::detect_lang(args.audit.lang.as_deref());
    let summary = summary(&outcome, &enrollment, &spool, lang);
    if json {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }
    Ok(match &outcome.report {
        Some((_, Fate::Lost { .. })) => exit::USAGE,
        Some((report, _)) => audit::verdict_exit_code(report),
        None => exit::READY,
    })
}

/// The random delay of schedulers that have none (launchd): up to the last known profile's
/// `jitter_minutes`.
async fn sleep_jitter(state: &StateDir) {
    let minutes = profile_cache::last_known(state)
        .profile
        .schedule
        .jitter_minutes;
    let max = f64::from(minutes) * 60.0;
    let d = Duration::from_secs_f64(rand::random_range(0.0..=max));
    tracing::info!(seconds = d.as_secs(), "random delay before the run");
    tokio::time::sleep(d).await;
}

/// The options of one cycle.
#[derive(Debug, Clone, Copy)]
struct Plan {
    local_profile: bool,
    if_due: bool,
    send_budget: Duration,
}

async fn cycle(
    state: &StateDir,
    collector: &Collector,
    spool: &mut Spool,
    mut config: AuditConfig,
    plan: Plan,
    print: impl FnOnce(&Report) -> Result<()>,
) -> Result<Outcome> {
    // 1. The profile, and whether the collector answers.
    let (chosen, reachable) = if plan.local_profile {
        let chosen = Chosen {
            profile: config.profile.clone(),
            source: Source::Local,
            warning: None,
        };
        (chosen, true)
    } else {
        let fetched = collector
            .fetch_profile(Duration::from_secs(10))
            .await
            .map(|p| p.toml);
        let reachable = !matches!(fetched, Err(FetchError::Unreachable(_)));
        (profile_cache::choose(state, fetched), reachable)
    };
    if let Some(w) = &chosen.warning {
        eprintln!(
            "ent-agent: warning: {}",
            printable_lines(w, MAX_MESSAGE * 4)
        );
    }
    config.profile = chosen.profile;
    let mut outcome = Outcome {
        profile_name: config.profile.name.clone(),
        profile_source: chosen.source,
        backlog: Backlog::default(),
        report: None,
        last: last_run::last_run(state),
        pending: 0,
        dropped: 0,
        rejected_kept: 0,
    };

    // 2. Due? 3. Audit, print, spool.
    let due = schedule::is_due(
        outcome.last.as_ref().map(|l| l.finished_at),
        jiff::Timestamp::now(),
        &config.profile.schedule,
    );
    let mut new = None;
    if !plan.if_due || due {
        let report = audit::audit(&config, state).await?;
        let last = LastRun {
            finished_at: report.finished_at,
            report_id: report.report_id,
        };
        if let Err(e) = last_run::save_last_run(state, &last) {
            tracing::warn!("cannot record the last audit: {e}");
        }
        outcome.last = Some(last);
        print(&report)?;
        let body = serde_json::to_vec(&report).context("cannot serialise the report")?;
        let stored = spool.push(report.report_id, &body);
        if let Err(e) = &stored {
            tracing::error!("cannot spool the report: {e}");
        }
        new = Some((report, body, stored));
    }

    // 4. Send, oldest first; this run's report is the newest.
    let budget = Budget::new(plan.send_budget);
    let watch = new
        .as_ref()
        .filter(|(_, _, stored)| matches!(stored, Ok(p) if p.stored))
        .map(|(r, _, _)| r.report_id);
    let mut watched = None;
    if spool.try_lock()? {
        (outcome.backlog, watched) = flush(spool, collector, &budget, reachable, watch).await?;
    } else {
        tracing::info!("another ent-agent is sending the spool");
        outcome.backlog.busy = true;
    }
    if let Some((report, body, stored)) = new {
        let delivery = match (watched, &outcome.backlog.stop) {
            (Some(d), _) => d,
            // Not reached: the flush stopped before it.
            (None, Some(Stop::Blocked(r))) if watch.is_some() => Delivery::Blocked(r.clone()),
            (None, Some(Stop::Unreachable(why))) if watch.is_some() => Delivery::Retry {
                reason: why.clone(),
                retry_after: None,
            },
            (None, Some(Stop::Unacknowledged(why))) if watch.is_some() => {
                Delivery::Unacknowledged(why.clone())
            }
            // Not in the spool, or the spool is another run's: send it from here.
            _ => {
                let mut backoff = Backoff::new(BACKOFF_BASE, BACKOFF_CAP);
                let retries = reachable && outcome.backlog.stop.is_none();
                let d = deliver(
                    collector,
                    report.report_id,
                    &body,
                    &budget,
                    &mut backoff,
                    retries,
                )
                .await;
                if matches!(d, Delivery::Acked(_)) && watch.is_some() {
                    spool.remove(&Entry {
                        id: report.report_id,
                        path: spool.dir().join(spool::file_name(report.report_id)),
                        bytes: body.len() as u64,
                    })?;
                }
                d
            }
        };
        let fate = match (delivery, stored) {
            (Delivery::Acked(ack), _) => Fate::Sent(ack),
            (Delivery::Rejected(r), _) => Fate::Rejected(r),
            (Delivery::Blocked(r), Ok(p)) if p.stored => Fate::Kept(Stop::Blocked(r)),
            (Delivery::Retry { reason, .. }, Ok(p)) if p.stored => {
                Fate::Kept(Stop::Unreachable(reason))
            }
            (Delivery::Unacknowledged(why), Ok(p)) if p.stored => {
                Fate::Kept(Stop::Unacknowledged(why))
            }
            (Delivery::Conflict(r), Ok(p)) if p.stored => Fate::Conflict(r),
            (d, stored) => Fate::Lost {
                spool_error: match stored {
                    Err(e) => e.to_string(),
                    Ok(_) => "larger than the whole spool".into(),
                },
                send: match d {
                    Delivery::Blocked(r) | Delivery::Conflict(r) => refusal(&r),
                    Delivery::Retry { reason, .. } | Delivery::Unacknowledged(reason) => reason,
                    _ => String::new(),
                },
            },
        };
        outcome.report = Some((report, fate));
    }

    outcome.pending = spool.entries()?.len();
    outcome.dropped = spool.take_unreported_drops()?;
    outcome.rejected_kept = spool.rejected_count()?;
    if !outcome.backlog.busy {
        record_delivery(spool, &outcome);
    }
    Ok(outcome)
}

/// `last_delivery.json`: how this run's sending went, and why what is left was not delivered.
fn record_delivery(spool: &Spool, o: &Outcome) {
    let b = &o.backlog;
    let mut last = LastAttempt {
        at: Some(jiff::Timestamp::now()),
        sent: b.sent,
        pending: o.pending,
        stopped: b.stop.as_ref().map(Stop::reason),
        kept: b.kept.clone(),
    };
    if let Some((report, fate)) = &o.report {
        let why = match fate {
            Fate::Sent(_) => {
                last.sent += 1;
                None
            }
            Fate::Kept(stop) => Some(stop.reason()),
            Fate::Conflict(r) => Some(refusal(r)),
            Fate::Rejected(_) | Fate::Lost { .. } => None,
        };
        if let Some(reason) = why
            && !last.kept.iter().any(|k| k.report_id == report.report_id)
        {
            last.stopped.get_or_insert_with(|| reason.clone());
            last.kept.push(KeptReport {
                report_id: report.report_id,
                reason,
            });
        }
    }
    if let Err(e) = spool.save_last_attempt(&last) {
        tracing::warn!("cannot record the last delivery: {e}");
    }
}

/// The lines after the report: what was sent, what waits, what was dropped or refused.
fn summary(o: &Outcome, e: &Enrollment, spool: &Spool, lang: Lang) -> String {
    let mut s = String::new();
    let mut say = |id: Msg, args: &[(&str, &dyn Display)]| {
        s.push_str(&render(lang, id, args));
        s.push('\n');
    };
    let (name, source) = (&o.profile_name, &o.profile_source);
    say(Msg::RunProfile, &[("name", name), ("source", source)]);
    let b = &o.backlog;
    let rejected_dir = spool.rejected_dir();
    let rejected_dir = &rejected_dir.display();
    if b.sent > 0 {
        say(Msg::RunBacklogSent, &[("count", &b.sent)]);
    }
    if b.busy {
        say(Msg::RunBacklogBusy, &[]);
    }
    if let Some((_, first)) = b.conflicts.first() {
        let (count, reason) = (b.conflicts.len(), refusal(first));
        say(
            Msg::RunBacklogConflicts,
            &[("count", &count), ("reason", &reason)],
        );
    }
    if b.rejected + b.corrupt > 0 {
        let count = b.rejected + b.corrupt;
        say(
            Msg::RunBacklogRejected,
            &[("count", &count), ("dir", rejected_dir)],
        );
    }
    let pending = &o.pending;
    match &o.report {
        None => {
            let last = o
                .last
                .as_ref()
                .map(|l| format!("{:.0}", l.finished_at))
                .unwrap_or_default();
            say(Msg::RunNotDue, &[("last", &last)]);
        }
        Some((_, Fate::Sent(ack))) => {
            let verdict = match (&ack.verdict, ack.score) {
                (Some(v), Some(score)) => format!(
                    " ({})",
                    render(
                        lang,
                        Msg::RunCollectorVerdict,
                        &[("verdict", &v.as_str()), ("score", &score)]
                    )
                ),
                _ => String::new(),
            };
            let id = if ack.duplicate() {
                Msg::RunSentDuplicate
            } else {
                Msg::RunSent
            };
            say(id, &[("collector", &e.collector), ("verdict", &verdict)]);
        }
        Some((_, Fate::Kept(Stop::Unreachable(why) | Stop::Unacknowledged(why)))) => {
            say(Msg::RunKept, &[("why", why), ("pending", pending)]);
        }
        Some((_, Fate::Kept(Stop::Blocked(r)))) => {
            let reason = refusal(r);
            say(
                Msg::RunBlocked,
                &[("reason", &reason), ("pending", pending)],
            );
        }
        Some((_, Fate::Conflict(r))) => {
            let reason = refusal(r);
            say(
                Msg::RunConflict,
                &[("reason", &reason), ("pending", pending)],
            );
        }
        Some((_, Fate::Rejected(r))) => {
            let reason = refusal(r);
            say(
                Msg::RunRejected,
                &[("reason", &reason), ("dir", rejected_dir)],
            );
        }
        Some((_, Fate::Lost { spool_error, send })) => {
            say(
                Msg::RunLost,
                &[("send", send), ("spool_error", spool_error)],
            );
        }
    }
    if o.pending > 0 && !matches!(o.report, Some((_, Fate::Kept(_) | Fate::Conflict(_)))) {
        say(Msg::RunPending, &[("count", pending)]);
    }
    let limits = spool.limits();
    if o.dropped > 0 {
        let max_mib = format!("{:.0}", limits.max_bytes as f64 / 1_048_576.0);
        say(
            Msg::RunDropped,
            &[
                ("count", &o.dropped),
                ("max_reports", &limits.max_reports),
                ("max_mib", &max_mib),
            ],
        );
        tracing::warn!(dropped = o.dropped, "spool full: reports dropped");
    }
    if o.rejected_kept > 0 {
        let max_mib = format!("{:.1}", limits.rejected_max_bytes() as f64 / 1_048_576.0);
        say(
            Msg::RunRejectedKept,
            &[
                ("count", &o.rejected_kept),
                ("dir", rejected_dir),
                ("max_reports", &limits.max_reports),
                ("max_mib", &max_mib),
            ],
        );
    }
    s
}
