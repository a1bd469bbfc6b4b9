//! `ent-agent send FILE|DIR... --collector URL`: deliver report files written earlier
//! (`audit --output`, a USB key's), exactly once.
//!
//! Each report goes as its file's bytes through the one client ([`deliver`]: the same
//! answers, retries and acknowledgement checks as the spool of `run`), with the school's
//! token: the collector accepts school-token reports for workstations that are not enrolled,
//! counted against the school's cap, and deduplicates by report id, so a second `send` of
//! the same files stores nothing and says so. No workstation is enrolled and no credential
//! is made or kept on the key: a PC audited from a key holds no credential to use, and
//! enrolling its id would only make a secret that a lost key gives away. A workstation the
//! collector knows as enrolled (`401 credential_required`: its installed agent reports for
//! it) is refused here; enrolling it again would replace the credential its own agent holds.
//!
//! Files are left where they are, delivered or not (the key keeps the school's record for
//! `kit summary`, and sending again is harmless); refused ones are listed with the
//! collector's reason. Sending stops at the first answer that is not about one report (the
//! token refused, the collector unreachable or not answering as itself), listing what was not
//! sent.

use std::collections::HashMap;
use std::fmt::{Display, Write as _};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use readiness::Lang;
use uuid::Uuid;

use super::audit::detect_lang;
use super::backlog::refusal_text;
use super::kit::{ReportFile, print_out, read_reports, shown_name};
use crate::cli::SendArgs;
use crate::client::{BACKOFF_BASE, BACKOFF_CAP, Backoff, Budget, Collector, Delivery, deliver};
use crate::exit;
use crate::state::enrollment::Token;
use crate::text::{Msg, render, text};

/// What became of one file.
#[derive(Debug, Clone)]
enum Fate {
    Stored,
    AlreadyThere,
    Refused(String),
    NotSent(String),
}

fn token(args: &SendArgs) -> Result<Token> {
    if let Some(path) = &args.token_file {
        return super::enroll::token_from_file(path);
    }
    match &args.token {
        Some(t) => Token::parse(t),
        None => {
            bail!("the school's token is needed: --token-file FILE, --token or ENT_AGENT_TOKEN")
        }
    }
}

/// `ent-agent send`.
pub fn run(args: &SendArgs) -> Result<u8> {
    let lang = detect_lang(args.lang.as_deref());
    if !(args.budget.is_finite() && (1.0..=3600.0).contains(&args.budget)) {
        bail!("--budget must be between 1 and 3600 seconds");
    }
    let token = token(args)?;
    let ca = match &args.ca_file {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("--ca-file {}", p.display()))?),
        None => None,
    };
    let collector = Collector::new(&args.collector, token.expose(), ca.as_deref())
        .map_err(|e| anyhow!("--collector: {e}"))?;
    if let Ok(url) = crate::client::parse_base_url(&args.collector)
        && url.scheme() == "http"
        && !matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        && !matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        && url.host_str() != Some("localhost")
    {
        eprintln!(
            "ent-agent: warning: {} is plain http: the token and the reports cross the network unencrypted",
            args.collector
        );
    }
    let (files, skipped) = read_reports(&args.paths)?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let budget = Budget::new(Duration::from_secs_f64(args.budget));
    let fates = runtime.block_on(send_all(&collector, &files, &budget));

    let mut out = String::new();
    let (mut stored, mut already, mut refused, mut not_sent) = (0, 0, 0, 0);
    for (file, fate) in files.iter().zip(&fates) {
        let name = shown_name(&file.path);
        let (counter, label, why) = match fate {
            Fate::Stored => (&mut stored, Msg::SendStored, None),
            Fate::AlreadyThere => (&mut already, Msg::SendAlreadyStored, None),
            Fate::Refused(why) => (&mut refused, Msg::SendRefused, Some(why)),
            Fate::NotSent(why) => (&mut not_sent, Msg::SendNotSent, Some(why)),
        };
        *counter += 1;
        let label = text(lang, label);
        let line = match why {
            None => format!("{label} {name}"),
            Some(why) => left_in_place(lang, label, &name, why),
        };
        let _ = writeln!(out, "  {line}");
    }
    for k in &skipped {
        let label = text(lang, Msg::SendSkipped);
        let line = left_in_place(lang, label, &shown_name(&k.path), &k.reason);
        let _ = writeln!(out, "  {line}");
    }
    let (total, skipped) = (files.len(), skipped.len());
    let totals: [(&str, &dyn Display); 6] = [
        ("total", &total),
        ("stored", &stored),
        ("already", &already),
        ("refused", &refused),
        ("not_sent", &not_sent),
        ("skipped", &skipped),
    ];
    let _ = writeln!(out, "{}", render(lang, Msg::SendTotals, &totals));
    if stored == 0 && already > 0 {
        let nothing_new = render(lang, Msg::SendNothingNew, &[("already", &already)]);
        let _ = writeln!(out, "{nothing_new}");
    }
    print_out(&out)?;
    Ok(if refused + not_sent + skipped == 0 {
        exit::READY
    } else {
        exit::NOT_READY
    })
}

/// The line of a file left where it is, and why.
fn left_in_place(lang: Lang, label: &str, name: &str, why: &dyn Display) -> String {
    render(
        lang,
        Msg::SendLeftInPlace,
        &[("label", &label), ("name", &name), ("why", why)],
    )
}

/// Send each file once (a copy of a file already sent, same bytes, shares its fate: stored
/// once, or refused for the same reason), in order, stopping at the first answer that is not
/// about one report. Two files with one report id and other bytes are both sent: the
/// collector tells a duplicate from a conflict.
async fn send_all(collector: &Collector, files: &[ReportFile], budget: &Budget) -> Vec<Fate> {
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    let mut stop: Option<String> = None;
    let mut fates: Vec<Fate> = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let id = file.report.report_id;
        if let Some(why) = &stop {
            fates.push(Fate::NotSent(why.clone()));
            continue;
        }
        if let Some(&first) = seen.get(&id)
            && files[first].bytes == file.bytes
        {
            let fate = match &fates[first] {
                Fate::Stored | Fate::AlreadyThere => Fate::AlreadyThere,
                other => other.clone(),
            };
            fates.push(fate);
            continue;
        }
        seen.entry(id).or_insert(i);
        let mut backoff = Backoff::new(BACKOFF_BASE, BACKOFF_CAP);
        let fate = match deliver(collector, id, &file.bytes, budget, &mut backoff, true).await {
            Delivery::Acked(ack) if ack.duplicate() => Fate::AlreadyThere,
            Delivery::Acked(_) => Fate::Stored,
            Delivery::Rejected(r) | Delivery::Conflict(r) => Fate::Refused(refusal_text(&r)),
            Delivery::Blocked(r) if r.code == "credential_required" => {
                Fate::Refused(refusal_text(&r))
            }
            Delivery::Blocked(r) => {
                let why = refusal_text(&r);
                stop = Some(why.clone());
                Fate::NotSent(why)
            }
            Delivery::Unacknowledged(why) | Delivery::Retry { reason: why, .. } => {
                stop = Some(why.clone());
                Fate::NotSent(why)
            }
        };
        tracing::info!(report_id = %id, fate = ?fate, "sent");
        fates.push(fate);
    }
    fates
}
