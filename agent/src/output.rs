//! The technician's verdict screen: a table of the checks (status, title, result, and the
//! threshold on a wide screen), what to do, then the verdict and the score.
//!
//! - Each check is shown by its title ("Mémoire vive", "Accès ENT : gar"), from
//!   [`readiness::scoring::check_title`]; its id (what the JSON report and the collector
//!   keep) is added under the title with `--verbose`.
//! - "What to do" lists blocking failures first, then the other failures, then warnings;
//!   checks that could not be measured come last, one line per cause ("16 checks not
//!   measured: network probes not run (--no-network). Run the audit again without
//!   --no-network.").
//! - The width is the terminal's when it is known, else `COLUMNS`, else 80 (a pipe, a file,
//!   `script`, a serial console): never a width guessed from nothing. Colour only on a
//!   terminal, and never with `NO_COLOR` set or `TERM=dumb`.

use std::io::IsTerminal;

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets};
use readiness::scoring::check_title;
use readiness::text::{Msg, captures, render, text};
use readiness::{CheckResult, CheckStatus, Lang, Report, Verdict};

/// The width when the terminal does not say (or there is none).
pub const FALLBACK_WIDTH: usize = 80;
/// Narrower than this, a terminal's width is taken as unknown (a serial console says 0).
const MIN_WIDTH: usize = 40;
/// Wider than this, lines get too long to read: the table stops there.
const MAX_WIDTH: usize = 160;
/// From this width on, the table has the threshold column.
const THRESHOLD_FROM: usize = 120;

/// How the screen is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// ANSI colours (a terminal, no `NO_COLOR`).
    pub colour: bool,
    /// Columns available.
    pub width: usize,
    /// The check ids too (`--verbose`).
    pub ids: bool,
}

impl Screen {
    /// No colour, `width` columns: files, pipes, tests.
    pub fn plain(width: usize, ids: bool) -> Screen {
        Screen {
            colour: false,
            width: width.clamp(MIN_WIDTH, MAX_WIDTH),
            ids,
        }
    }

    /// For the standard output as it is now: a terminal's width and colours, or plain at
    /// `COLUMNS` or 80 columns.
    pub fn for_stdout(ids: bool) -> Screen {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        let detected = terminal
            .then(|| terminal_size::terminal_size_of(&stdout))
            .flatten()
            .map(|(w, _)| usize::from(w.0));
        let env = |name| std::env::var(name).ok();
        Screen {
            colour: terminal && wants_colour(env("NO_COLOR").as_deref(), env("TERM").as_deref()),
            width: choose_width(detected, env("COLUMNS").as_deref()),
            ids,
        }
    }
}

/// Colour unless `NO_COLOR` is set to anything but the empty string (no-color.org) or the
/// terminal is `dumb`.
fn wants_colour(no_color: Option<&str>, term: Option<&str>) -> bool {
    no_color.is_none_or(str::is_empty) && term != Some("dumb")
}

/// The terminal's width when it says one that makes sense, else `COLUMNS`, else
/// [`FALLBACK_WIDTH`]; at most [`MAX_WIDTH`].
fn choose_width(detected: Option<usize>, columns: Option<&str>) -> usize {
    let sane = |w: usize| (w >= MIN_WIDTH).then_some(w.min(MAX_WIDTH));
    detected
        .and_then(sane)
        .or_else(|| columns.and_then(|c| c.trim().parse().ok()).and_then(sane))
        .unwrap_or(FALLBACK_WIDTH)
}

fn status_colour(status: CheckStatus) -> Color {
    match status {
        CheckStatus::Pass => Color::Green,
        CheckStatus::Warn => Color::Yellow,
        CheckStatus::Fail => Color::Red,
        CheckStatus::Unknown => Color::Magenta,
    }
}

/// ANSI colour code of a verdict: green, yellow, red, magenta.
fn verdict_ansi(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "32",
        Verdict::ReadyWithWarnings => "33",
        Verdict::NotReady => "31",
        Verdict::Incomplete => "35",
    }
}

/// The check's title, " *" when it is blocking.
fn title(c: &CheckResult, lang: Lang) -> String {
    let title = check_title(&c.id, lang);
    if c.blocking {
        format!("{title} *")
    } else {
        title
    }
}

/// Render the report for a technician.
pub fn human(report: &Report, screen: &Screen) -> String {
    let lang = report.lang;
    let width = screen.width.clamp(MIN_WIDTH, MAX_WIDTH);
    let mut out = String::new();
    let school = report
        .school
        .as_ref()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "-".into());
    let label = report.workstation.label.as_deref().unwrap_or("-");
    let header = render(
        lang,
        Msg::ScreenHeader,
        &[
            ("school", &school),
            ("label", &label),
            ("profile", &report.profile),
        ],
    );
    out.push_str(&wrap(&header, width, "", ""));
    out.push_str(&table(report, screen, width));
    out.push('\n');
    out.push_str(text(lang, Msg::ScreenBlockingLegend));
    out.push('\n');

    let todo = todo(report, screen.ids);
    if !todo.is_empty() {
        out.push('\n');
        out.push_str(text(lang, Msg::ScreenTodo));
        out.push('\n');
        for line in todo {
            out.push_str(&wrap(&line, width, "  - ", "    "));
        }
    }

    let verdict = report.verdict.label(lang);
    let verdict = if screen.colour {
        format!("\x1b[1;{}m{verdict}\x1b[0m", verdict_ansi(report.verdict))
    } else {
        verdict.to_owned()
    };
    out.push('\n');
    out.push_str(&render(
        lang,
        Msg::ScreenVerdict,
        &[("verdict", &verdict), ("score", &report.score)],
    ));
    out.push('\n');
    out
}

/// The checks' table, `width` columns wide at most.
fn table(report: &Report, screen: &Screen, width: usize) -> String {
    let lang = report.lang;
    let threshold = width >= THRESHOLD_FROM;
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX));
    // Never the terminal's own idea of its width, nor of colours: ours.
    if screen.colour {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let mut header = vec![
        text(lang, Msg::ScreenStatus),
        text(lang, Msg::ScreenCheck),
        text(lang, Msg::ScreenResult),
    ];
    if threshold {
        header.push(text(lang, Msg::ScreenThreshold));
    }
    table.set_header(header);
    for c in &report.checks {
        let mut status = Cell::new(c.status.label(lang));
        if screen.colour {
            status = status.fg(status_colour(c.status));
        }
        let check = if screen.ids {
            format!("{}\n{}", title(c, lang), c.id)
        } else {
            title(c, lang)
        };
        let mut row = vec![status, Cell::new(check), Cell::new(&c.message)];
        if threshold {
            row.push(Cell::new(c.threshold.as_deref().unwrap_or("")));
        }
        table.add_row(row);
    }
    // The title column takes what its longest title needs, up to 38 % of the width:
    // the result column is what the technician reads.
    if let Some(column) = table.column_mut(1) {
        column.set_constraint(ColumnConstraint::UpperBoundary(Width::Percentage(38)));
    }
    table.to_string()
}

/// What the technician can act on, most urgent first: blocking failures, other failures,
/// warnings, then one line per cause of what could not be measured.
fn todo(report: &Report, ids: bool) -> Vec<String> {
    let lang = report.lang;
    let named = |c: &CheckResult| {
        if ids {
            format!("{} ({})", title(c, lang), c.id)
        } else {
            title(c, lang)
        }
    };
    let item = |c: &CheckResult, fix: &str| {
        render(
            lang,
            Msg::ScreenTodoItem,
            &[
                ("status", &c.status.label(lang)),
                ("check", &named(c)),
                ("fix", &fix),
            ],
        )
    };
    let actionable = |c: &&CheckResult| c.remediation.is_some();
    let mut lines = Vec::new();
    let failures = || {
        report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .filter(actionable)
    };
    let warnings = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Warn)
        .filter(actionable);
    let ordered = failures()
        .filter(|c| c.blocking)
        .chain(failures().filter(|c| !c.blocking))
        .chain(warnings);
    for c in ordered {
        lines.push(item(c, c.remediation.as_deref().unwrap_or("")));
    }

    // Unknown checks, grouped by their cause (the reason and what to do about it), in the
    // order of the first check of each.
    let template = text(lang, Msg::CouldNotMeasure);
    let mut groups: Vec<((&str, &str), Vec<&CheckResult>)> = Vec::new();
    let unknown = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Unknown);
    for c in unknown {
        let Some(fix) = c.remediation.as_deref() else {
            continue;
        };
        let reason = captures(template, &c.message)
            .and_then(|values| values.into_iter().find(|(name, _)| name == "reason"))
            .map_or(c.message.as_str(), |(_, reason)| reason);
        let key = (reason, fix);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, checks)) => checks.push(c),
            None => groups.push((key, vec![c])),
        }
    }
    for ((reason, fix), checks) in groups {
        let who = match checks.as_slice() {
            [one] => named(one),
            many => {
                let count = render(lang, Msg::ScreenUnknownChecks, &[("count", &many.len())]);
                if ids {
                    let list: Vec<&str> = many.iter().map(|c| c.id.as_str()).collect();
                    format!("{count} ({})", list.join(", "))
                } else {
                    count
                }
            }
        };
        lines.push(render(
            lang,
            Msg::ScreenTodoUnknown,
            &[
                ("status", &CheckStatus::Unknown.label(lang)),
                ("checks", &who),
                ("reason", &reason.trim_end_matches('.')),
                ("fix", &fix),
            ],
        ));
    }
    lines
}

/// `text` wrapped at `width` columns, the first line after `first`, the others after
/// `rest`; words are not cut at their hyphens (`--no-network` stays whole), and French
/// punctuation stays with the word before it (no line starts with " :").
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    const NBSP: char = '\u{a0}';
    let mut glued = text.to_owned();
    for mark in [" :", " ;", " ?", " !", " »"] {
        glued = glued.replace(mark, &mark.replacen(' ', "\u{a0}", 1));
    }
    glued = glued.replace("« ", "«\u{a0}");
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = String::new();
    for line in textwrap::wrap(&glued, options) {
        out.push_str(&line.trim_end().replace(NBSP, " "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_is_the_terminals_or_columns_or_80() {
        assert_eq!(choose_width(Some(132), None), 132);
        // A serial console or `script` without a size says 0: unknown.
        assert_eq!(choose_width(Some(0), None), FALLBACK_WIDTH);
        assert_eq!(choose_width(Some(0), Some("100")), 100);
        assert_eq!(choose_width(None, Some(" 90 ")), 90);
        assert_eq!(choose_width(None, Some("wide")), FALLBACK_WIDTH);
        assert_eq!(choose_width(None, Some("10")), FALLBACK_WIDTH);
        assert_eq!(choose_width(None, None), FALLBACK_WIDTH);
        assert_eq!(choose_width(Some(400), None), MAX_WIDTH);
    }

    #[test]
    fn colour_follows_no_color_and_term() {
        assert!(wants_colour(None, Some("xterm-256color")));
        assert!(wants_colour(Some(""), None));
        assert!(!wants_colour(Some("1"), Some("xterm")));
        assert!(!wants_colour(None, Some("dumb")));
    }

    #[test]
    fn wrapping_keeps_options_whole() {
        let text = "16 checks not measured: network probes not run (--no-network). Run the audit again without --no-network.";
        let wrapped = wrap(text, 40, "  - ", "    ");
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 40),
            "{wrapped}"
        );
        assert_eq!(wrapped.matches("--no-network").count(), 2, "{wrapped}");
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("    ")));
        let french =
            "3 contrôles non mesurés : pas de collecteur pour mesurer le débit : inscrire ce poste";
        let wrapped = wrap(french, 50, "", "");
        assert!(!wrapped.lines().any(|l| l.starts_with(':')), "{wrapped}");
        assert_eq!(wrapped.replace('\n', " ").trim_end(), french);
    }
}
