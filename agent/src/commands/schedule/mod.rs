//! Scheduled re-audits: the unit files for systemd, the Windows Task Scheduler and launchd,
//! rendered from the profile's `[schedule]` (`interval_hours`, `jitter_minutes`), their
//! installation (`ent-agent schedule install|remove|show`), and the `--if-due` rule.
//!
//! Schedulers wake the agent with `ent-agent run --if-due`. systemd and the Task Scheduler
//! add the random delay themselves (`RandomizedDelaySec`, `RandomDelay`); launchd has none,
//! so its job also passes `--jitter` and the agent sleeps the delay itself. `--if-due` skips
//! the audit (the spool is still flushed) when the last one is more recent than
//! `interval - jitter - 1 h`: it makes catch-up triggers (boot, logon, a missed run replayed
//! at start-up) harmless, and lets systemd wake the agent more often than the interval where
//! a calendar expression cannot say it (every 48 h).
//!
//! The files shipped in `dist/` are these renderings for the default schedule (168 h, 240 min)
//! and the default install paths; a test keeps them identical.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use readiness::profile::Schedule;

use crate::cli::{Cli, ScheduleArgs, ScheduleCommand};
use crate::exit;
use crate::state::last_run::last_run;
use crate::state::profile_cache;

mod units;

pub use units::{launchd_plist, systemd_service, systemd_timer, windows_task};

pub const SYSTEMD_DIR: &str = "/etc/systemd/system";
pub const SERVICE: &str = "ent-agent.service";
pub const TIMER: &str = "ent-agent.timer";
pub const WINDOWS_TASK: &str = r"ENT Readiness\ent-agent";
pub const LAUNCHD_LABEL: &str = "fr.ent-readiness.agent";
pub const LAUNCHD_PLIST: &str = "/Library/LaunchDaemons/fr.ent-readiness.agent.plist";

/// What the scheduled job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub binary: PathBuf,
    /// `--state-dir` to pass, when not the default one.
    pub state_dir: Option<PathBuf>,
    /// Windows: also run at each logon (a catch-up that `--if-due` makes cheap).
    pub at_logon: bool,
}

impl Target {
    fn run_args(&self, jitter: bool) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(d) = &self.state_dir {
            a.push("--state-dir".to_owned());
            a.push(d.display().to_string());
        }
        a.push("run".to_owned());
        if jitter {
            a.push("--jitter".to_owned());
        }
        a.push("--if-due".to_owned());
        a
    }
}

/// Time since the last audit after which `--if-due` audits again.
pub fn due_after(s: &Schedule) -> Duration {
    let interval = Duration::from_secs(u64::from(s.interval_hours) * 3600);
    interval.saturating_sub(Duration::from_secs(u64::from(s.jitter_minutes) * 60 + 3600))
}

/// Whether a scheduled run should audit now. A last run in the future (clock moved back)
/// counts as due.
pub fn is_due(last: Option<jiff::Timestamp>, now: jiff::Timestamp, s: &Schedule) -> bool {
    let Some(last) = last else { return true };
    let elapsed = now.duration_since(last);
    elapsed.is_negative() || elapsed.unsigned_abs() >= due_after(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Systemd,
    Windows,
    Launchd,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::Launchd
        } else {
            Platform::Systemd
        }
    }
}

/// One step of an installation, printed before it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Write {
        path: PathBuf,
        contents: String,
        /// The Task Scheduler reads its XML in UTF-16.
        utf16: bool,
    },
    Remove {
        path: PathBuf,
    },
    Exec {
        argv: Vec<String>,
        /// Failure expected when there is nothing to undo (removing an absent task).
        may_fail: bool,
    },
}

fn exec(argv: &[&str], may_fail: bool) -> Step {
    Step::Exec {
        argv: argv.iter().map(|s| (*s).to_owned()).collect(),
        may_fail,
    }
}

pub fn install_plan(p: Platform, s: &Schedule, t: &Target) -> Vec<Step> {
    match p {
        Platform::Systemd => vec![
            Step::Write {
                path: Path::new(SYSTEMD_DIR).join(SERVICE),
                contents: systemd_service(t),
                utf16: false,
            },
            Step::Write {
                path: Path::new(SYSTEMD_DIR).join(TIMER),
                contents: systemd_timer(s),
                utf16: false,
            },
            exec(&["systemctl", "daemon-reload"], false),
            exec(&["systemctl", "enable", "--now", TIMER], false),
        ],
        Platform::Windows => {
            let xml = std::env::temp_dir().join("ent-agent-task.xml");
            let xml_s = xml.display().to_string();
            vec![
                Step::Write {
                    path: xml.clone(),
                    contents: windows_task(s, t),
                    utf16: true,
                },
                exec(
                    &[
                        "schtasks",
                        "/Create",
                        "/TN",
                        WINDOWS_TASK,
                        "/XML",
                        &xml_s,
                        "/F",
                    ],
                    false,
                ),
                Step::Remove { path: xml },
            ]
        }
        Platform::Launchd => vec![
            launchd_bootout(),
            Step::Write {
                path: PathBuf::from(LAUNCHD_PLIST),
                contents: launchd_plist(s, t),
                utf16: false,
            },
            exec(&["launchctl", "bootstrap", "system", LAUNCHD_PLIST], false),
        ],
    }
}

/// Unload the launchd daemon; it may not be loaded.
fn launchd_bootout() -> Step {
    exec(
        &["launchctl", "bootout", &format!("system/{LAUNCHD_LABEL}")],
        true,
    )
}

pub fn remove_plan(p: Platform) -> Vec<Step> {
    match p {
        Platform::Systemd => vec![
            exec(&["systemctl", "disable", "--now", TIMER], true),
            Step::Remove {
                path: Path::new(SYSTEMD_DIR).join(TIMER),
            },
            Step::Remove {
                path: Path::new(SYSTEMD_DIR).join(SERVICE),
            },
            exec(&["systemctl", "daemon-reload"], false),
        ],
        Platform::Windows => vec![exec(
            &["schtasks", "/Delete", "/TN", WINDOWS_TASK, "/F"],
            true,
        )],
        Platform::Launchd => vec![
            launchd_bootout(),
            Step::Remove {
                path: PathBuf::from(LAUNCHD_PLIST),
            },
        ],
    }
}

fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.contains([' ', '\\', '"']) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe(step: &Step) -> String {
    match step {
        Step::Write { path, .. } => format!("write {}", path.display()),
        Step::Remove { path } => format!("rm -f {}", path.display()),
        Step::Exec { argv, .. } => shell_words(argv),
    }
}

fn permission_hint() -> &'static str {
    if cfg!(windows) {
        "run it from an administrator prompt"
    } else {
        "run it as root (sudo)"
    }
}

/// Carry out the steps, printing each (`+ command`); with `dry_run`, only print them (and
/// the files' contents).
pub fn apply(steps: &[Step], dry_run: bool) -> Result<()> {
    for step in steps {
        println!(
            "{} {}",
            if dry_run { "would run:" } else { "+" },
            describe(step)
        );
        if dry_run {
            if let Step::Write { contents, .. } = step {
                println!("{contents}");
            }
            continue;
        }
        match step {
            Step::Write {
                path,
                contents,
                utf16,
            } => {
                let bytes = if *utf16 {
                    let mut b = vec![0xFF, 0xFE];
                    b.extend(contents.encode_utf16().flat_map(u16::to_le_bytes));
                    b
                } else {
                    contents.clone().into_bytes()
                };
                std::fs::write(path, bytes).map_err(|e| {
                    let hint = if e.kind() == std::io::ErrorKind::PermissionDenied {
                        format!(" ({})", permission_hint())
                    } else {
                        String::new()
                    };
                    anyhow::anyhow!("cannot write {}: {e}{hint}", path.display())
                })?;
            }
            Step::Remove { path } => match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => bail!(
                    "cannot remove {}: {e} ({})",
                    path.display(),
                    permission_hint()
                ),
            },
            Step::Exec { argv, may_fail } => {
                let status = Command::new(&argv[0]).args(&argv[1..]).status();
                match status {
                    Ok(s) if s.success() => {}
                    _ if *may_fail => {}
                    Ok(s) => bail!("`{}` failed ({s})", shell_words(argv)),
                    Err(e) => bail!("cannot run `{}`: {e}", argv[0]),
                }
            }
        }
    }
    Ok(())
}

/// Where the scheduled job is installed, for `show`.
fn installed_at(p: Platform) -> Option<String> {
    match p {
        Platform::Systemd => {
            let t = Path::new(SYSTEMD_DIR).join(TIMER);
            t.exists().then(|| t.display().to_string())
        }
        Platform::Launchd => Path::new(LAUNCHD_PLIST)
            .exists()
            .then(|| LAUNCHD_PLIST.to_owned()),
        Platform::Windows => Command::new("schtasks")
            .args(["/Query", "/TN", WINDOWS_TASK])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            .then(|| format!("task {WINDOWS_TASK}")),
    }
}

/// `ent-agent schedule install|remove|show`.
pub fn run(cli: &Cli, args: &ScheduleArgs) -> Result<u8> {
    let platform = Platform::current();
    let state = super::installed_state_dir(cli, "schedule")?;
    let chosen = profile_cache::last_known(&state);
    if let Some(w) = &chosen.warning {
        eprintln!("ent-agent: warning: {w}");
    }
    let s = &chosen.profile.schedule;
    let describe_schedule = || {
        println!(
            "Schedule: every {} h, random delay up to {} min (profile {:?}, {}).",
            s.interval_hours, s.jitter_minutes, chosen.profile.name, chosen.source
        );
    };
    match &args.command {
        ScheduleCommand::Show => {
            describe_schedule();
            match installed_at(platform) {
                Some(at) => println!("Installed: {at}."),
                None => {
                    println!("Not installed: run `ent-agent schedule install` as administrator.")
                }
            }
            if let Some(last) = last_run(&state) {
                println!(
                    "Last audit: {:.0} (report {}); the next one is due {} after it.",
                    last.finished_at,
                    last.report_id,
                    humanize(due_after(s))
                );
            }
            Ok(exit::READY)
        }
        ScheduleCommand::Install {
            dry_run,
            binary,
            no_logon,
        } => {
            if platform == Platform::Systemd
                && !Path::new("/run/systemd/system").exists()
                && !dry_run
            {
                bail!(
                    "systemd is not running on this machine: schedule the agent with cron instead, e.g. `0 9 * * 1 root {} run --jitter --if-due` in /etc/cron.d/ent-agent",
                    binary_path(binary.as_deref())?.display()
                );
            }
            if crate::state::enrollment::Enrollment::load(&state).is_err() {
                eprintln!(
                    "ent-agent: warning: this workstation is not enrolled yet: scheduled runs will fail until `ent-agent enroll` is run"
                );
            }
            let target = Target {
                binary: binary_path(binary.as_deref())?,
                state_dir: cli.state_dir.clone(),
                at_logon: !no_logon,
            };
            describe_schedule();
            apply(&install_plan(platform, s, &target), *dry_run)?;
            if !dry_run {
                println!("Scheduled re-audits installed.");
            }
            Ok(exit::READY)
        }
        ScheduleCommand::Remove { dry_run } => {
            apply(&remove_plan(platform), *dry_run)?;
            if !dry_run {
                println!("Scheduled re-audits removed.");
            }
            Ok(exit::READY)
        }
    }
}

fn binary_path(explicit: Option<&Path>) -> Result<PathBuf> {
    let p = match explicit {
        Some(p) => p.to_owned(),
        None => std::env::current_exe().context("cannot find this program's path")?,
    };
    let p = std::path::absolute(&p).with_context(|| format!("--binary {}", p.display()))?;
    if !p.is_file() {
        bail!("--binary {}: no such file", p.display());
    }
    Ok(p)
}

fn humanize(d: Duration) -> String {
    let m = d.as_secs() / 60;
    match (m / 60, m % 60) {
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where install.ps1 and the packages put the binary (the shipped files use them).
    const WINDOWS_BINARY: &str = r"C:\Program Files\ENT Readiness\ent-agent.exe";
    const UNIX_BINARY: &str = "/usr/local/bin/ent-agent";

    fn sched(interval_hours: u32, jitter_minutes: u32) -> Schedule {
        Schedule {
            interval_hours,
            jitter_minutes,
        }
    }

    fn unix_target() -> Target {
        Target {
            binary: PathBuf::from(UNIX_BINARY),
            state_dir: None,
            at_logon: true,
        }
    }

    fn windows_target() -> Target {
        Target {
            binary: PathBuf::from(WINDOWS_BINARY),
            state_dir: None,
            at_logon: true,
        }
    }

    /// A shipped file, compared with `rendered`; `ENT_UPDATE_DIST=1` rewrites it instead.
    fn check_dist(path: &str, rendered: &str) {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../dist")
            .join(path);
        if std::env::var_os("ENT_UPDATE_DIST").is_some() {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, rendered).unwrap();
        }
        let shipped =
            std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(
            shipped,
            rendered,
            "{} differs from the rendering: run with ENT_UPDATE_DIST=1",
            p.display()
        );
    }

    #[test]
    fn shipped_unit_files_are_the_default_rendering() {
        let d = readiness::Profile::default_profile().schedule;
        check_dist(
            "systemd/ent-agent.service",
            &systemd_service(&unix_target()),
        );
        check_dist("systemd/ent-agent.timer", &systemd_timer(&d));
        check_dist(
            "windows/ent-agent-task.xml",
            &windows_task(&d, &windows_target()),
        );
        check_dist(
            "launchd/fr.ent-readiness.agent.plist",
            &launchd_plist(&d, &unix_target()),
        );
    }

    #[test]
    fn systemd_timer_follows_the_interval() {
        let weekly = systemd_timer(&sched(168, 240));
        assert!(
            weekly.contains("\nOnCalendar=Mon *-*-* 09:00:00\n"),
            "{weekly}"
        );
        assert!(weekly.contains("\nPersistent=true\n"));
        assert!(weekly.contains("\nRandomizedDelaySec=240min\n"));
        assert!(weekly.contains("\nWantedBy=timers.target"));
        assert!(systemd_timer(&sched(24, 30)).contains("OnCalendar=*-*-* 09:00:00\n"));
        assert!(systemd_timer(&sched(6, 30)).contains("OnCalendar=*-*-* 00/6:00:00\n"));
        assert!(systemd_timer(&sched(1, 10)).contains("OnCalendar=*-*-* *:00:00\n"));
        let two_days = systemd_timer(&sched(48, 60));
        assert!(
            two_days.contains("\nOnBootSec=15min\nOnUnitActiveSec=48h\n"),
            "{two_days}"
        );
        assert!(
            !two_days.contains("Persistent"),
            "no effect without OnCalendar"
        );
        assert!(!two_days.contains("OnCalendar"));
        assert!(systemd_timer(&sched(5, 0)).contains("OnUnitActiveSec=5h"));
    }

    #[test]
    fn systemd_service_quotes_and_passes_the_state_dir() {
        let t = Target {
            binary: PathBuf::from("/opt/ent agent/ent-agent"),
            state_dir: Some(PathBuf::from("/srv/ent 100%")),
            at_logon: true,
        };
        let s = systemd_service(&t);
        assert!(
            s.contains(
                "\nExecStart=\"/opt/ent agent/ent-agent\" --state-dir \"/srv/ent 100%%\" run --if-due\n"
            ),
            "{s}"
        );
        assert!(s.contains("\nReadWritePaths=\"/srv/ent 100%%\"\n"));
        let plain = systemd_service(&unix_target());
        assert!(plain.contains("\nExecStart=/usr/local/bin/ent-agent run --if-due\n"));
        assert!(!plain.contains("ReadWritePaths"));
        assert!(!plain.contains("--jitter"), "systemd adds the delay itself");
    }

    /// `systemd-analyze verify` on the rendered units, when this machine has it.
    #[test]
    fn systemd_analyze_accepts_the_units() {
        let Ok(v) = Command::new("systemd-analyze").arg("--version").output() else {
            eprintln!("systemd-analyze not available: skipped");
            return;
        };
        assert!(v.status.success());
        let dir = tempfile::tempdir().unwrap();
        let exe = std::env::current_exe().unwrap();
        let t = Target {
            binary: exe,
            state_dir: Some(dir.path().to_owned()),
            at_logon: true,
        };
        for (interval, jitter) in [(168, 240), (48, 60), (6, 0)] {
            std::fs::write(dir.path().join(SERVICE), systemd_service(&t)).unwrap();
            std::fs::write(
                dir.path().join(TIMER),
                systemd_timer(&sched(interval, jitter)),
            )
            .unwrap();
            let out = Command::new("systemd-analyze")
                .args(["verify", "--man=no"])
                .arg(dir.path().join(TIMER))
                .arg(dir.path().join(SERVICE))
                .env("SYSTEMD_LOG_LEVEL", "warning")
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            // Lines about the test machine's own units are not ours to judge.
            let ours: Vec<&str> = err.lines().filter(|l| l.contains("ent-agent")).collect();
            assert!(
                out.status.success() && ours.is_empty(),
                "{interval} h: {err}"
            );
        }
    }

    #[test]
    fn windows_task_logon_trigger_is_optional() {
        let s = sched(168, 240);
        let with = windows_task(&s, &windows_target());
        assert!(with.contains("<LogonTrigger>"));
        let without = windows_task(
            &s,
            &Target {
                at_logon: false,
                ..windows_target()
            },
        );
        assert!(!without.contains("LogonTrigger"), "{without}");
        assert!(without.contains("<RandomDelay>PT4H</RandomDelay>"));
        assert_eq!(
            with.replace(
                "\n    <LogonTrigger>\n      <Delay>PT15M</Delay>\n    </LogonTrigger>",
                ""
            ),
            without
        );
    }

    #[test]
    fn windows_task_triggers() {
        let t = windows_target();
        let weekly = windows_task(&sched(168, 240), &t);
        assert!(weekly.contains("<WeeksInterval>1</WeeksInterval>"));
        assert!(weekly.contains("<RandomDelay>PT4H</RandomDelay>"));
        assert!(weekly.contains("<UserId>S-1-5-18</UserId>"));
        assert!(weekly.contains("<StartWhenAvailable>true</StartWhenAvailable>"));
        assert!(weekly.contains("<Arguments>run --if-due</Arguments>"));
        assert!(
            weekly.contains("<Command>C:\\Program Files\\ENT Readiness\\ent-agent.exe</Command>")
        );
        assert!(weekly.contains("<LogonTrigger>"));
        let fortnight = windows_task(&sched(336, 90), &t);
        assert!(fortnight.contains("<WeeksInterval>2</WeeksInterval>"));
        assert!(fortnight.contains("<RandomDelay>PT1H30M</RandomDelay>"));
        let days = windows_task(&sched(72, 0), &t);
        assert!(days.contains("<DaysInterval>3</DaysInterval>"));
        assert!(!days.contains("RandomDelay"));
        let hours = windows_task(&sched(8, 45), &t);
        assert!(hours.contains("<Interval>PT8H</Interval>"));
        assert!(hours.contains("<RandomDelay>PT45M</RandomDelay>"));
        // Balanced tags: every opened element is closed.
        for tag in [
            "Task",
            "Triggers",
            "Settings",
            "Actions",
            "Exec",
            "Principals",
        ] {
            assert_eq!(
                weekly.matches(&format!("<{tag}>")).count()
                    + weekly.matches(&format!("<{tag} ")).count(),
                weekly.matches(&format!("</{tag}>")).count(),
                "{tag}"
            );
        }
        let odd = Target {
            binary: PathBuf::from(r"C:\A&B\ent-agent.exe"),
            state_dir: Some(PathBuf::from(r"D:\ent state")),
            at_logon: true,
        };
        let x = windows_task(&sched(24, 0), &odd);
        assert!(
            x.contains(r"<Command>C:\A&amp;B\ent-agent.exe</Command>"),
            "{x}"
        );
        assert!(
            x.contains(
                r#"<Arguments>--state-dir &quot;D:\ent state&quot; run --if-due</Arguments>"#
            ),
            "{x}"
        );
    }

    #[test]
    fn launchd_plist_sleeps_its_own_jitter() {
        let p = launchd_plist(&sched(168, 240), &unix_target());
        assert!(p.contains("<integer>604800</integer>"));
        assert!(p.contains(
            "<string>/usr/local/bin/ent-agent</string>\n    <string>run</string>\n    <string>--jitter</string>\n    <string>--if-due</string>\n"
        ), "{p}");
        assert!(p.contains(&format!("<string>{LAUNCHD_LABEL}</string>")));
    }

    #[test]
    fn plans_name_the_exact_commands() {
        let s = sched(168, 240);
        let linux = install_plan(Platform::Systemd, &s, &unix_target());
        let cmds: Vec<String> = linux.iter().map(describe).collect();
        assert_eq!(
            cmds,
            [
                "write /etc/systemd/system/ent-agent.service",
                "write /etc/systemd/system/ent-agent.timer",
                "systemctl daemon-reload",
                "systemctl enable --now ent-agent.timer"
            ]
        );
        let win: Vec<String> = install_plan(Platform::Windows, &s, &windows_target())
            .iter()
            .map(describe)
            .collect();
        assert!(
            win[1].starts_with("schtasks /Create /TN \"ENT Readiness\\ent-agent\" /XML "),
            "{win:?}"
        );
        let rm: Vec<String> = remove_plan(Platform::Systemd)
            .iter()
            .map(describe)
            .collect();
        assert_eq!(rm[0], "systemctl disable --now ent-agent.timer");
        assert!(matches!(
            remove_plan(Platform::Launchd)[0],
            Step::Exec { may_fail: true, .. }
        ));
    }

    #[test]
    fn apply_writes_utf16_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("task.xml");
        apply(
            &[Step::Write {
                path: p.clone(),
                contents: "<é/>".into(),
                utf16: true,
            }],
            false,
        )
        .unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            [0xFF, 0xFE, b'<', 0, 0xE9, 0, b'/', 0, b'>', 0]
        );
        apply(
            &[
                Step::Remove { path: p.clone() },
                Step::Remove { path: p.clone() },
            ],
            false,
        )
        .unwrap();
        assert!(!p.exists());
        let err = apply(
            &[Step::Exec {
                argv: vec!["false".into()],
                may_fail: false,
            }],
            false,
        );
        assert!(err.is_err());
    }

    #[test]
    fn due_rule_tolerates_the_random_delay() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let weekly = sched(168, 240);
        assert_eq!(due_after(&weekly), Duration::from_secs(163 * 3600));
        // Latest delay one week, earliest the next: still due.
        assert!(is_due(
            Some(t("2026-03-02T13:00:00Z")),
            t("2026-03-09T09:00:00Z"),
            &weekly
        ));
        // A catch-up trigger the day after an audit: skipped.
        assert!(!is_due(
            Some(t("2026-03-02T13:00:00Z")),
            t("2026-03-03T09:00:00Z"),
            &weekly
        ));
        assert!(is_due(None, t("2026-03-03T09:00:00Z"), &weekly));
        // Clock moved back.
        assert!(is_due(
            Some(t("2026-03-09T09:00:00Z")),
            t("2026-03-02T09:00:00Z"),
            &weekly
        ));
        // Daily tick for a 48 h interval: skip day 1, run day 2.
        let two_days = sched(48, 240);
        let last = t("2026-03-02T13:00:00Z");
        assert!(!is_due(Some(last), t("2026-03-03T13:00:00Z"), &two_days));
        assert!(is_due(Some(last), t("2026-03-04T09:00:00Z"), &two_days));
        // Jitter as large as the interval: always due.
        assert_eq!(due_after(&sched(2, 120)), Duration::ZERO);
    }
}
