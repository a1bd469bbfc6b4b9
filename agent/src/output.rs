//! Human output: a table of checks (status, check, result, threshold), what to do for each
//! check that did not pass, then the verdict and the score. Colour only on a terminal.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use readiness::{CheckStatus, Lang, Report, Verdict};

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

/// Render the report for a technician.
pub fn human(report: &Report, colour: bool) -> String {
    let lang = report.lang;
    let fr = lang == Lang::Fr;
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !colour {
        table.force_no_tty();
        table.set_width(110);
    }
    table.set_header(if fr {
        vec!["Statut", "Contrôle", "Résultat", "Seuil"]
    } else {
        vec!["Status", "Check", "Result", "Threshold"]
    });
    for c in &report.checks {
        let mut status = Cell::new(c.status.label(lang));
        if colour {
            status = status.fg(status_colour(c.status));
        }
        let id = if c.blocking {
            format!("{} *", c.id)
        } else {
            c.id.clone()
        };
        table.add_row(vec![
            status,
            Cell::new(id),
            Cell::new(&c.message),
            Cell::new(c.threshold.as_deref().unwrap_or("")),
        ]);
    }

    let mut out = String::new();
    let school = report
        .school
        .as_ref()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "-".into());
    let label = report.workstation.label.as_deref().unwrap_or("-");
    out.push_str(&if fr {
        format!(
            "Audit ENT : école {school}, poste {label}, profil {}\n",
            report.profile
        )
    } else {
        format!(
            "ENT audit: school {school}, workstation {label}, profile {}\n",
            report.profile
        )
    });
    out.push_str(&table.to_string());
    out.push('\n');
    out.push_str(if fr {
        "* contrôle bloquant\n"
    } else {
        "* blocking check\n"
    });

    let todo: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .filter_map(|c| c.remediation.as_ref().map(|r| (c, r)))
        .collect();
    if !todo.is_empty() {
        out.push_str(if fr {
            "\nÀ faire :\n"
        } else {
            "\nWhat to do:\n"
        });
        for (c, r) in todo {
            let tag = c.status.label(lang);
            out.push_str(&format!("  - [{tag}] {}: {r}\n", c.id));
        }
    }

    let verdict = report.verdict.label(lang);
    let verdict = if colour {
        format!("\x1b[1;{}m{verdict}\x1b[0m", verdict_ansi(report.verdict))
    } else {
        verdict.to_owned()
    };
    out.push_str(&if fr {
        format!("\nVerdict : {verdict} (score {}/100)\n", report.score)
    } else {
        format!("\nVerdict: {verdict} (score {}/100)\n", report.score)
    });
    out
}
