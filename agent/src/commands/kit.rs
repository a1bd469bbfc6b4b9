//! `ent-agent kit summary DIR`: every PC whose report file is in DIR (school, label, verdict,
//! score, what fails), printed for the technician and written as a self-contained HTML page
//! for the school's director. Also the reading of report files that `send` shares.
//!
//! Report files are hostile input (a key goes from hand to hand): each is read only up to
//! [`MAX_REPORT_FILE`], parsed as a report of this schema, checked against the report's
//! bounds, and skipped otherwise with the reason; at most [`MAX_FILES`] files per directory
//! and [`MAX_TOTAL_BYTES`] in all.
//! Every text taken from a file is made printable for the console ([`printable`]) and
//! HTML-escaped for the page, which has inline CSS only, no script, no external resource,
//! and a Content-Security-Policy forbidding both.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use readiness::report::{CheckResult, CheckStatus, SCHEMA_VERSION};
use readiness::{Lang, Profile, Report};
use uuid::Uuid;

use crate::cli::{KitArgs, KitCommand};
use crate::client::printable;
use crate::exit;
use crate::state::durable;
use crate::state::kit::KIT_FILE;
use crate::text::{Msg, msg, render, text};

/// Largest report file read: the collector's default body limit (a larger report would be
/// refused there anyway).
pub const MAX_REPORT_FILE: u64 = 1024 * 1024;
/// Most report files read from one directory.
pub const MAX_FILES: usize = 5_000;
/// Most bytes of report files read in one run (what they hold stays in memory): beyond,
/// files are skipped with the reason.
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// The summary page's default name, in DIR.
pub const DEFAULT_HTML: &str = "synthese.html";
/// Most failures per PC on the console (the page has them all).
const CONSOLE_FAILURES: usize = 3;

/// A report file that was read and parsed.
#[derive(Debug)]
pub struct ReportFile {
    pub path: PathBuf,
    /// Exactly the file's bytes (what `send` sends).
    pub bytes: Vec<u8>,
    pub report: Report,
}

/// A file that was not read as a report, and why.
#[derive(Debug)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// A file's name as shown: printable, bounded.
pub fn shown_name(path: &Path) -> String {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    printable(&name, 120)
}

/// The report files named by `paths`: files as they are, directories' `*.json` files (not
/// their subdirectories, nor names starting with `.`, nor the kit's own `kit.json`), in
/// name order. A path that cannot be listed is an error; a file that is not a readable report
/// is skipped with the reason.
pub fn read_reports(paths: &[PathBuf]) -> Result<(Vec<ReportFile>, Vec<Skipped>)> {
    let mut candidates = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
            {
                let entry = entry.with_context(|| format!("cannot list {}", path.display()))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || name == KIT_FILE || !name.ends_with(".json") {
                    continue;
                }
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    found.push(entry.path());
                }
                if found.len() > MAX_FILES {
                    bail!(
                        "{}: more than {MAX_FILES} report files; split them",
                        path.display()
                    );
                }
            }
            found.sort();
            candidates.extend(found);
        } else if path.is_file() {
            candidates.push(path.clone());
        } else if path.exists() {
            bail!("{}: not a file nor a directory", path.display());
        } else {
            bail!("{}: no such file or directory", path.display());
        }
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut total: u64 = 0;
    for path in candidates {
        let size = std::fs::metadata(&path).map_or(0, |m| m.len().min(MAX_REPORT_FILE + 1));
        if total + size > MAX_TOTAL_BYTES {
            skipped.push(Skipped {
                path,
                reason: format!(
                    "more than {} MiB of reports in one run: not read (give fewer files)",
                    MAX_TOTAL_BYTES >> 20
                ),
            });
            continue;
        }
        total += size;
        match read_one(&path) {
            Ok((bytes, report)) => files.push(ReportFile {
                path,
                bytes,
                report,
            }),
            Err(reason) => skipped.push(Skipped { path, reason }),
        }
    }
    Ok((files, skipped))
}

/// One file: bounded read, a report of this schema within the report's bounds.
fn read_one(path: &Path) -> Result<(Vec<u8>, Report), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_REPORT_FILE {
        return Err(format!(
            "larger than {} KiB: not a report",
            MAX_REPORT_FILE / 1024
        ));
    }
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "not a report of schema v{SCHEMA_VERSION}: {}",
            printable(&e.to_string(), 200)
        )
    })?;
    if report.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "schema version {} (this agent reads {SCHEMA_VERSION})",
            report.schema_version
        ));
    }
    report.check_bounds().map_err(|e| {
        format!(
            "beyond a report's bounds: {}",
            printable(&e.to_string(), 200)
        )
    })?;
    Ok((bytes, report))
}

/// `ent-agent kit ...`.
pub fn run(args: &KitArgs) -> Result<u8> {
    match &args.command {
        KitCommand::Summary { dir, html, lang } => {
            let lang: Lang = lang.parse().unwrap_or(Lang::Fr);
            summary(dir, html.as_deref(), lang)
        }
    }
}

/// One PC: its latest report, and how many files it has.
#[derive(Debug)]
struct Pc<'a> {
    latest: &'a ReportFile,
    audits: usize,
    /// The checks to act on, worst first, in the summary's language.
    failures: Vec<CheckResult>,
}

/// Schools (`None`: reports without a school) -> their PCs, in display order.
type BySchool<'a> = BTreeMap<Option<String>, Vec<Pc<'a>>>;

fn group(files: &[ReportFile], lang: Lang) -> BySchool<'_> {
    let mut by_pc: BTreeMap<(Option<String>, Uuid), Vec<&ReportFile>> = BTreeMap::new();
    for f in files {
        let school = f.report.school.as_ref().map(|s| s.as_str().to_owned());
        by_pc
            .entry((school, f.report.workstation.id))
            .or_default()
            .push(f);
    }
    let mut schools: BySchool = BTreeMap::new();
    for ((school, _), reports) in by_pc {
        let audits = reports.len();
        let Some(latest) = reports.into_iter().max_by_key(|f| f.report.finished_at) else {
            continue;
        };
        schools.entry(school).or_default().push(Pc {
            latest,
            audits,
            failures: failures(&latest.report, lang),
        });
    }
    for pcs in schools.values_mut() {
        pcs.sort_by(|a, b| {
            let key = |p: &Pc| {
                let w = &p.latest.report.workstation;
                (w.label.clone(), w.hostname.clone(), w.id)
            };
            key(a).cmp(&key(b))
        });
    }
    schools
}

/// The checks that fail or warn, blocking failures first, then by weight; their texts in
/// `lang`. A report written in another language is scored again with the built-in profile
/// when it was scored with it (same measurements, same day: the same checks), and a
/// check's text taken from there when its status is the same; otherwise it stays as the
/// report has it.
fn failures(report: &Report, lang: Lang) -> Vec<CheckResult> {
    let mut out: Vec<CheckResult> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn))
        .cloned()
        .collect();
    if report.lang != lang {
        let profile = Profile::default_profile();
        if report.profile == profile.name {
            let day = report
                .finished_at
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            let again = readiness::assess(&report.measurements, &profile, day, lang);
            for c in &mut out {
                if let Some(t) = again
                    .checks
                    .iter()
                    .find(|t| t.id == c.id && t.status == c.status)
                {
                    c.message.clone_from(&t.message);
                    c.remediation.clone_from(&t.remediation);
                }
            }
        }
    }
    out.sort_by(|a, b| {
        let rank = |c: &CheckResult| (c.status != CheckStatus::Fail, !c.blocking);
        rank(a)
            .cmp(&rank(b))
            .then(b.weight.total_cmp(&a.weight))
            .then(a.id.cmp(&b.id))
    });
    out
}

fn summary(dir: &Path, html: Option<&Path>, lang: Lang) -> Result<u8> {
    if !dir.is_dir() {
        bail!("{}: not a directory", dir.display());
    }
    let (files, skipped) = read_reports(&[dir.to_owned()])?;
    let schools = group(&files, lang);
    let mut out = console(&schools, &skipped, dir, lang);
    if schools.is_empty() {
        out.push_str(text(lang, Msg::KitNoReport));
        out.push('\n');
        print_out(&out)?;
        return Ok(exit::NOT_READY);
    }
    let page = page(&schools, &skipped, lang);
    let html_path = html.map_or_else(|| dir.join(DEFAULT_HTML), Path::to_owned);
    let (parent, name) = durable::dir_and_name(&html_path)
        .with_context(|| format!("--html {}: not a file name", html_path.display()))?;
    durable::write(parent, &name, page.as_bytes())
        .with_context(|| format!("cannot write {}", html_path.display()))?;
    let path = html_path.display();
    let _ = writeln!(
        out,
        "{}",
        render(lang, Msg::KitSummaryPage, &[("path", &path)])
    );
    print_out(&out)?;
    Ok(exit::READY)
}

/// Everything at once on stdout; a closed pipe is an error, not a panic.
pub(crate) fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// A text from a report file, for the console.
fn p(s: &str) -> String {
    printable(s, 200)
}

fn count_line(pcs: &[Pc], lang: Lang) -> String {
    let mut by_verdict: BTreeMap<&'static str, usize> = BTreeMap::new();
    for pc in pcs {
        *by_verdict
            .entry(pc.latest.report.verdict.label(lang))
            .or_default() += 1;
    }
    let parts: Vec<String> = by_verdict.iter().map(|(v, n)| format!("{n} {v}")).collect();
    let (count, verdicts) = (pcs.len(), parts.join(", "));
    render(
        lang,
        Msg::KitPcCount,
        &[("count", &count), ("verdicts", &verdicts)],
    )
}

fn school_title(school: Option<&str>, lang: Lang) -> String {
    match school {
        Some(school) => render(lang, Msg::KitSchool, &[("school", &school)]),
        None => msg(lang, Msg::KitNoSchool),
    }
}

fn pc_name(pc: &Pc, lang: Lang) -> String {
    let w = &pc.latest.report.workstation;
    w.label
        .clone()
        .or_else(|| w.hostname.clone())
        .unwrap_or_else(|| msg(lang, Msg::KitNoLabel))
}

/// A host name as the page shows it: a hashed one (`sha256:...`) cut to its first 8 hex.
fn shown_host(host: Option<&str>) -> String {
    match host {
        None => "—".into(),
        Some(h) if h.starts_with("sha256:") && h.chars().count() > 15 => {
            format!("{}…", h.chars().take(15).collect::<String>())
        }
        Some(h) => h.to_owned(),
    }
}

fn when(report: &Report) -> String {
    report
        .finished_at
        .strftime("%Y-%m-%d %H:%M UTC")
        .to_string()
}

fn short_id(id: Uuid) -> String {
    id.simple().to_string()[..8].to_owned()
}

fn console(schools: &BySchool, skipped: &[Skipped], dir: &Path, lang: Lang) -> String {
    let mut s = String::new();
    let pcs: usize = schools.values().map(Vec::len).sum();
    let (dir, count) = (dir.display(), schools.len());
    let title = render(
        lang,
        Msg::KitConsoleTitle,
        &[("dir", &dir), ("pcs", &pcs), ("schools", &count)],
    );
    let _ = writeln!(s, "{title}");
    for (school, pcs) in schools {
        let _ = writeln!(
            s,
            "\n{} : {}",
            school_title(school.as_deref(), lang),
            count_line(pcs, lang)
        );
        for pc in pcs {
            let r = &pc.latest.report;
            let again = if pc.audits > 1 {
                let audits = render(lang, Msg::KitAudits, &[("count", &pc.audits)]);
                format!(" ({audits})")
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  {}  [{}]  {}  {}  {} {}{again}",
                p(&pc_name(pc, lang)),
                short_id(r.workstation.id),
                when(r),
                r.verdict.label(lang),
                text(lang, Msg::KitScore),
                r.score,
            );
            for c in pc.failures.iter().take(CONSOLE_FAILURES) {
                let blocking = blocking(c, lang);
                let _ = writeln!(
                    s,
                    "      - {}{blocking} {} : {}",
                    c.status.label(lang),
                    p(&c.id),
                    p(&c.message)
                );
            }
            if pc.failures.len() > CONSOLE_FAILURES {
                let more = pc.failures.len() - CONSOLE_FAILURES;
                let more = render(lang, Msg::KitMore, &[("count", &more)]);
                let _ = writeln!(s, "      ... {more}");
            }
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            s,
            "\n{} : {}",
            text(lang, Msg::KitFilesSkipped),
            skipped.len()
        );
        for k in skipped {
            let _ = writeln!(s, "  {} : {}", shown_name(&k.path), p(&k.reason));
        }
    }
    s
}

/// " (blocking)" after a blocking check that failed, else nothing.
fn blocking(c: &CheckResult, lang: Lang) -> String {
    if c.blocking && c.status == CheckStatus::Fail {
        format!(" ({})", text(lang, Msg::KitBlocking))
    } else {
        String::new()
    }
}

/// A text from a report file, for the page.
fn h(s: &str) -> String {
    html_escape::encode_safe(s).into_owned()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4em;\
text-align:left;vertical-align:top}th{background:#f0f0f0}\
.v{font-weight:bold;padding:.1em .4em;border-radius:.3em;white-space:nowrap}\
.ready{background:#d4edda}.ready_with_warnings{background:#fff3cd}\
.not_ready{background:#f8d7da}.incomplete{background:#e2e3e5}\
li.fail{color:#8a1c1c}li.warn{color:#7a5b00}.meta,.fix{color:#555;font-size:.9em}\
code{font-size:.9em}";

fn page(schools: &BySchool, skipped: &[Skipped], lang: Lang) -> String {
    let lang_code = match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    let title = text(lang, Msg::KitPageTitle);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{lang_code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    let pcs: usize = schools.values().map(Vec::len).sum();
    let date = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC");
    let written = render(
        lang,
        Msg::KitWrittenOn,
        &[
            ("date", &date),
            ("version", &env!("CARGO_PKG_VERSION")),
            ("pcs", &pcs),
        ],
    );
    let _ = writeln!(s, "<p class=\"meta\">{written}</p>");
    let headers = [
        Msg::KitColumnPc,
        Msg::KitColumnHost,
        Msg::KitColumnId,
        Msg::KitColumnAudit,
        Msg::KitColumnVerdict,
        Msg::KitColumnScore,
        Msg::KitColumnFix,
    ]
    .map(|id| text(lang, id));
    for (school, pcs) in schools {
        let _ = writeln!(
            s,
            "<section>\n<h2>{}</h2>\n<p>{}</p>\n<table>\n<thead><tr>{}</tr></thead>\n<tbody>",
            h(&school_title(school.as_deref(), lang)),
            h(&count_line(pcs, lang)),
            headers
                .iter()
                .map(|t| format!("<th>{}</th>", h(t)))
                .collect::<String>()
        );
        for pc in pcs {
            let r = &pc.latest.report;
            let mut fixes = String::new();
            for c in &pc.failures {
                let class = if c.status == CheckStatus::Fail {
                    "fail"
                } else {
                    "warn"
                };
                let blocking = blocking(c, lang);
                let _ = write!(
                    fixes,
                    "<li class=\"{class}\"><b>{}{}</b> <code>{}</code> : {}",
                    h(c.status.label(lang)),
                    h(&blocking),
                    h(&c.id),
                    h(&c.message)
                );
                if let Some(fix) = &c.remediation {
                    let _ = write!(fixes, "<br><span class=\"fix\">{}</span>", h(fix));
                }
                fixes.push_str("</li>");
            }
            let fixes = if fixes.is_empty() {
                "—".to_owned()
            } else {
                format!("<ul>{fixes}</ul>")
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td>\
                 <td><span class=\"v {}\">{}</span></td><td>{}</td><td>{fixes}</td></tr>",
                h(&pc_name(pc, lang)),
                h(&shown_host(r.workstation.hostname.as_deref())),
                short_id(r.workstation.id),
                h(&when(r)),
                r.verdict.as_str(),
                h(r.verdict.label(lang)),
                r.score,
            );
        }
        s.push_str("</tbody>\n</table>\n</section>\n");
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            s,
            "<section>\n<h2>{}</h2>\n<ul>",
            h(text(lang, Msg::KitFilesSkippedPage))
        );
        for k in skipped {
            let _ = writeln!(
                s,
                "<li><code>{}</code> : {}</li>",
                h(&shown_name(&k.path)),
                h(&k.reason)
            );
        }
        s.push_str("</ul>\n</section>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_come_worst_first_in_the_asked_language() {
        let profile = Profile::default_profile();
        let now = jiff::Timestamp::now();
        let mut m = readiness::samples::good_pc(&profile, now);
        if let Some(sys) = m.system.as_mut() {
            sys.memory_total_bytes = Some(1 << 30);
            sys.os = None;
        }
        let report = readiness::samples::report(&profile, None, Uuid::nil(), m, now);
        assert_eq!(report.lang, Lang::En);
        let en = failures(&report, Lang::En);
        let fr = failures(&report, Lang::Fr);
        assert_eq!(
            en.iter().map(|c| &c.id).collect::<Vec<_>>(),
            fr.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        let ram = |v: &[CheckResult]| v.iter().find(|c| c.id == "system.ram").cloned().unwrap();
        assert!(ram(&en).message.starts_with("Memory"), "{:?}", ram(&en));
        assert!(ram(&fr).message.starts_with("Mémoire"), "{:?}", ram(&fr));
        assert!(fr[0].status == CheckStatus::Fail, "{fr:?}");
        assert!(
            fr.iter()
                .position(|c| c.status == CheckStatus::Warn)
                .unwrap_or(usize::MAX)
                > fr.iter()
                    .rposition(|c| c.status == CheckStatus::Fail)
                    .unwrap_or(0)
        );
    }

    #[test]
    fn escaping_leaves_no_markup() {
        let e = h("<script>alert('x')</script>&\"");
        assert!(
            !e.contains('<') && !e.contains('>') && !e.contains('"'),
            "{e}"
        );
    }
}
