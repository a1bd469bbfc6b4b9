//! The scheduled job's definitions: the systemd service and timer, the Windows Task Scheduler
//! task and the launchd daemon, each rendered from its template in `templates/` (the same
//! files, rendered with the defaults, are shipped in `dist/`; a test keeps them equal).
//!
//! A template holds the file as installed, with `{name}` where a value goes, filled in one
//! pass by the same function as the report texts ([`readiness::text::fill`]); a test checks
//! that every name of every template gets a value.

use std::fmt::Write as _;

use readiness::profile::Schedule;

use super::{LAUNCHD_LABEL, Target, WINDOWS_TASK};

const SERVICE: &str = include_str!("templates/ent-agent.service");
const TIMER: &str = include_str!("templates/ent-agent.timer");
const TASK: &str = include_str!("templates/ent-agent-task.xml");
const PLIST: &str = include_str!("templates/fr.ent-readiness.agent.plist");

/// `template` filled with `values` ([`readiness::text::fill`]: one pass, other braces kept).
fn render(template: &str, values: &[(&str, &str)]) -> String {
    let args: Vec<(&str, &dyn std::fmt::Display)> = values
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    readiness::text::fill(template, &args)
}

/// A command line argument for systemd's `ExecStart=`: quoted when needed, `%` and `$`
/// escaped (systemd expands both).
fn systemd_quote(arg: &str) -> String {
    let escaped = arg.replace('%', "%%").replace('$', "$$");
    if escaped.is_empty() || escaped.contains([' ', '\t', '"', '\'', '\\', ';']) {
        format!("\"{}\"", escaped.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        escaped
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `ent-agent.service`.
pub fn systemd_service(t: &Target) -> String {
    let mut exec = systemd_quote(&t.binary.display().to_string());
    for a in t.run_args(false) {
        exec.push(' ');
        exec.push_str(&systemd_quote(&a));
    }
    let read_write = t
        .state_dir
        .as_ref()
        .map(|d| {
            format!(
                "ReadWritePaths={}\n",
                systemd_quote(&d.display().to_string())
            )
        })
        .unwrap_or_default();
    render(
        SERVICE,
        &[("exec_start", &exec), ("read_write_paths", &read_write)],
    )
}

/// `ent-agent.timer`: a calendar expression when the interval has one (then `Persistent`
/// replays a run missed while the PC was off), else a monotonic timer from boot.
pub fn systemd_timer(s: &Schedule) -> String {
    let h = s.interval_hours;
    let calendar = match h {
        24 => Some("*-*-* 09:00:00".to_owned()),
        168 => Some("Mon *-*-* 09:00:00".to_owned()),
        1 => Some("*-*-* *:00:00".to_owned()),
        h if h < 24 && 24u32.is_multiple_of(h) => Some(format!("*-*-* 00/{h}:00:00")),
        _ => None,
    };
    let when = match calendar {
        Some(c) => format!("OnCalendar={c}\nPersistent=true"),
        None => format!("OnBootSec=15min\nOnUnitActiveSec={h}h"),
    };
    render(
        TIMER,
        &[
            ("hours", &h.to_string()),
            ("jitter", &s.jitter_minutes.to_string()),
            ("when", &when),
        ],
    )
}

/// ISO 8601 duration in hours and minutes (`PT4H`, `PT1H30M`, `PT45M`).
fn iso_minutes(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

/// The Task Scheduler definition: as SYSTEM, on the interval with a random delay, at
/// start-up when a run was missed (`StartWhenAvailable`), and unless `t.at_logon` is off,
/// at logon (`--if-due` makes it a catch-up only).
pub fn windows_task(s: &Schedule, t: &Target) -> String {
    let h = s.interval_hours;
    let random = match s.jitter_minutes {
        0 => String::new(),
        j => format!("\n      <RandomDelay>{}</RandomDelay>", iso_minutes(j)),
    };
    let trigger = if h.is_multiple_of(168) {
        format!(
            "<CalendarTrigger>\n      <StartBoundary>2026-01-05T09:00:00</StartBoundary>{random}\n      <ScheduleByWeek>\n        <DaysOfWeek><Monday /></DaysOfWeek>\n        <WeeksInterval>{}</WeeksInterval>\n      </ScheduleByWeek>\n    </CalendarTrigger>",
            h / 168
        )
    } else if h >= 24 {
        format!(
            "<CalendarTrigger>\n      <StartBoundary>2026-01-05T09:00:00</StartBoundary>{random}\n      <ScheduleByDay>\n        <DaysInterval>{}</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>",
            h.div_ceil(24).min(365)
        )
    } else {
        format!(
            "<TimeTrigger>\n      <StartBoundary>2026-01-05T00:00:00</StartBoundary>{random}\n      <Repetition>\n        <Interval>PT{h}H</Interval>\n      </Repetition>\n    </TimeTrigger>"
        )
    };
    let args = t
        .run_args(false)
        .iter()
        .map(|a| {
            if a.contains([' ', '"']) {
                format!("\"{}\"", a.replace('"', "\\\""))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let logon = if t.at_logon {
        "\n    <LogonTrigger>\n      <Delay>PT15M</Delay>\n    </LogonTrigger>"
    } else {
        ""
    };
    render(
        TASK,
        &[
            ("hours", &h.to_string()),
            ("jitter", &s.jitter_minutes.to_string()),
            ("task", &xml_escape(WINDOWS_TASK)),
            ("trigger", &trigger),
            ("logon", logon),
            ("command", &xml_escape(&t.binary.display().to_string())),
            ("arguments", &xml_escape(&args)),
        ],
    )
}

/// The launchd daemon: every interval, and at load (boot) as a catch-up; the agent sleeps
/// the random delay itself (`--jitter`).
pub fn launchd_plist(s: &Schedule, t: &Target) -> String {
    let mut argv = format!(
        "    <string>{}</string>\n",
        xml_escape(&t.binary.display().to_string())
    );
    for a in t.run_args(true) {
        let _ = writeln!(argv, "    <string>{}</string>", xml_escape(&a));
    }
    render(
        PLIST,
        &[
            ("hours", &s.interval_hours.to_string()),
            ("jitter", &s.jitter_minutes.to_string()),
            ("label", LAUNCHD_LABEL),
            ("program_arguments", &argv),
            ("seconds", &(u64::from(s.interval_hours) * 3600).to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The `{name}`s left in `text`.
    fn names_left(text: &str) -> Vec<String> {
        text.split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n))
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn values_are_not_scanned_again_and_unknown_names_stay() {
        assert_eq!(
            render("a {x} b {y} {", &[("x", "{y}"), ("y", "2")]),
            "a {y} b 2 {"
        );
        assert_eq!(render("{unknown}", &[]), "{unknown}");
    }

    #[test]
    fn every_name_of_every_template_gets_a_value() {
        for (name, template) in [
            ("service", SERVICE),
            ("timer", TIMER),
            ("task", TASK),
            ("plist", PLIST),
        ] {
            assert!(
                !names_left(template).is_empty(),
                "{name} has no value to fill"
            );
        }
        let t = Target {
            binary: PathBuf::from("/opt/ent agent/ent-agent"),
            state_dir: Some(PathBuf::from("/srv/state")),
            at_logon: true,
        };
        for s in [
            Schedule {
                interval_hours: 168,
                jitter_minutes: 240,
            },
            Schedule {
                interval_hours: 7,
                jitter_minutes: 0,
            },
        ] {
            for (name, text) in [
                ("service", systemd_service(&t)),
                ("timer", systemd_timer(&s)),
                ("task", windows_task(&s, &t)),
                ("plist", launchd_plist(&s, &t)),
            ] {
                assert_eq!(names_left(&text), Vec::<String>::new(), "{name}: {text}");
            }
        }
    }
}
