//! Scoring: measurements + profile -> check results -> score and verdict. Pure functions,
//! used by the agent (for the technician) and by the collector (authoritative).
//!
//! `unknown` (could not measure) is never `fail`: it is left out of the score and counted
//! towards `incomplete` instead.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::lifecycle::{self, SupportStatus};
use crate::measurements::{BrowserInfo, Measurements, OsFamily, SystemMeasurements};
use crate::profile::{CheckMeta, NumericCheck, Profile, Scoring};
use crate::report::{CheckResult, CheckStatus, CheckValue, Lang, Verdict};
use crate::text::{Msg, msg, num, render, text};

mod bandwidth;
mod grade;
mod network;

pub use grade::{Better, grade};
pub use network::{RttStats, clock_skew_s, rtt_stats};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn gib_unit(lang: Lang) -> &'static str {
    text(lang, Msg::GibUnit)
}

struct Check {
    id: String,
    meta: CheckMeta,
}

impl Check {
    fn new(id: &str, meta: CheckMeta) -> Self {
        Check {
            id: id.to_owned(),
            meta,
        }
    }

    fn result(
        self,
        status: CheckStatus,
        value: Option<CheckValue>,
        unit: Option<&str>,
        threshold: Option<String>,
        message: String,
        remediation: Option<String>,
    ) -> CheckResult {
        CheckResult {
            id: self.id,
            status,
            value,
            unit: unit.map(str::to_owned),
            threshold,
            message,
            remediation: if status == CheckStatus::Pass {
                None
            } else {
                remediation
            },
            weight: self.meta.weight,
            blocking: self.meta.blocking,
        }
    }

    fn unknown(self, lang: Lang, reason: Option<&str>, threshold: Option<String>) -> CheckResult {
        let reason = reason
            .map(|r| crate::measurements::reasons::localize(r, lang))
            .unwrap_or_else(|| msg(lang, Msg::NotMeasuredByAgent));
        let message = render(lang, Msg::CouldNotMeasure, &[("reason", &reason)]);
        let remediation = msg(lang, Msg::RunAuditAgain);
        self.result(
            CheckStatus::Unknown,
            None,
            None,
            threshold,
            message,
            Some(remediation),
        )
    }
}

/// Grade a value against a check where more is better.
fn grade_numeric(check: &NumericCheck, value: f64) -> CheckStatus {
    grade(value, Better::Higher, check.pass, check.warn)
}

fn numeric_threshold(lang: Lang, check: &NumericCheck, unit: &str) -> String {
    let (pass, warn) = (num(lang, check.pass), num(lang, check.warn));
    let id = if unit.is_empty() {
        Msg::ThresholdMoreIsBetterNoUnit
    } else {
        Msg::ThresholdMoreIsBetter
    };
    render(
        lang,
        id,
        &[("pass", &pass), ("warn", &warn), ("unit", &unit)],
    )
}

/// Installed memory as a technician would name it: what the OS reports, rounded up to the
/// next 0.5 GiB (firmware and integrated graphics hide part of the module).
pub fn installed_ram_gib(total_bytes: u64) -> f64 {
    ((total_bytes as f64 / GIB) * 2.0).ceil() / 2.0
}

/// Score every check of the profile against the measurements. `today` is the audit's date
/// (the OS support check depends on it), `lang` the language of the texts.
pub fn evaluate(
    measurements: &Measurements,
    profile: &Profile,
    today: Date,
    lang: Lang,
) -> Vec<CheckResult> {
    let empty = SystemMeasurements::default();
    let system = measurements.system.as_ref();
    let sys = system.unwrap_or(&empty);
    let missing = |field: &str| -> Option<&str> {
        match system {
            None => None,
            Some(s) => s.unavailable.get(field).map(String::as_str),
        }
    };

    let mut out = vec![
        os_support(sys, profile, today, lang, missing("os")),
        ram(sys, profile, lang, missing("memory_total_bytes")),
        cpu_cores(sys, profile, lang, missing("cpu")),
        disk_free(sys, profile, lang, missing("system_disk")),
        architecture(sys, profile, lang, missing("architecture")),
    ];
    out.extend(browsers(measurements, profile, lang));
    out.extend(network::evaluate(measurements, profile, today, lang));
    out.extend(bandwidth::evaluate(measurements, profile, lang));
    out
}

fn os_support(
    sys: &SystemMeasurements,
    profile: &Profile,
    today: Date,
    lang: Lang,
    reason: Option<&str>,
) -> CheckResult {
    let cfg = &profile.checks.os_support;
    let check = Check::new("system.os_support", cfg.meta);
    let threshold = Some(render(
        lang,
        Msg::OsThreshold,
        &[("ending_soon_months", &cfg.policy.ending_soon_months)],
    ));
    let Some(os) = &sys.os else {
        return check.unknown(lang, reason, threshold);
    };
    let a = lifecycle::assess(os, today, &cfg.policy);
    let end = a.end_of_support.map(|d| d.to_string());
    let (status, message) = match a.status {
        SupportStatus::Supported => (
            CheckStatus::Pass,
            match &end {
                Some(end) => render(
                    lang,
                    Msg::OsSupportedUntil,
                    &[("product", &a.product), ("end", end)],
                ),
                None => render(lang, Msg::OsSupported, &[("product", &a.product)]),
            },
        ),
        SupportStatus::EndingSoon => (
            CheckStatus::Warn,
            render(
                lang,
                Msg::OsSupportEnds,
                &[
                    ("product", &a.product),
                    ("end", &end.as_deref().unwrap_or("?")),
                ],
            ),
        ),
        SupportStatus::ExtendedSupport => (
            CheckStatus::Warn,
            render(
                lang,
                Msg::OsMainstreamSupportOver,
                &[
                    ("product", &a.product),
                    ("end", &end.as_deref().unwrap_or("?")),
                ],
            ),
        ),
        SupportStatus::Unsupported => (
            CheckStatus::Fail,
            match &end {
                Some(end) => render(
                    lang,
                    Msg::OsNoSecurityUpdatesSince,
                    &[("product", &a.product), ("end", end)],
                ),
                None => render(lang, Msg::OsNoSecurityUpdates, &[("product", &a.product)]),
            },
        ),
        SupportStatus::Unknown => {
            let reason = render(lang, Msg::OsNotRecognised, &[("product", &a.product)]);
            return check.unknown(lang, Some(&reason), threshold);
        }
    };
    let message = match &a.basis {
        Some(basis) => format!("{message} ({basis})"),
        None => message,
    };
    let windows10 = os.family == OsFamily::Windows && a.product.starts_with("Windows 10");
    let remediation = msg(
        lang,
        match (os.family, windows10) {
            (OsFamily::Windows, true) => Msg::OsWindows10Fix,
            (OsFamily::Windows, false) => Msg::OsWindowsFix,
            (OsFamily::Linux, _) => Msg::OsLinuxFix,
            (OsFamily::Macos, _) => Msg::OsMacosFix,
            (OsFamily::Other, _) => Msg::OsOtherFix,
        },
    );
    check.result(
        status,
        Some(CheckValue::Text(a.product.clone())),
        None,
        threshold,
        message,
        Some(remediation),
    )
}

fn ram(
    sys: &SystemMeasurements,
    profile: &Profile,
    lang: Lang,
    reason: Option<&str>,
) -> CheckResult {
    let cfg = &profile.checks.ram;
    let check = Check::new("system.ram", cfg.meta);
    let unit = gib_unit(lang);
    let threshold = Some(numeric_threshold(lang, cfg, unit));
    let Some(bytes) = sys.memory_total_bytes else {
        return check.unknown(lang, reason, threshold);
    };
    let installed = installed_ram_gib(bytes);
    let status = grade_numeric(cfg, installed);
    let seen = num(lang, bytes as f64 / GIB);
    let message = render(
        lang,
        Msg::RamMemoryInstalledVisible,
        &[
            ("installed", &num(lang, installed)),
            ("unit", &unit),
            ("seen", &seen),
        ],
    );
    let remediation = msg(lang, Msg::RamAddMemoryAtFix);
    check.result(
        status,
        Some(CheckValue::Number(installed)),
        Some("GiB"),
        threshold,
        message,
        Some(remediation),
    )
}

fn cpu_cores(
    sys: &SystemMeasurements,
    profile: &Profile,
    lang: Lang,
    reason: Option<&str>,
) -> CheckResult {
    let cfg = &profile.checks.cpu_cores;
    let check = Check::new("system.cpu_cores", cfg.meta);
    let threshold = Some(numeric_threshold(lang, cfg, ""));
    let Some(cpu) = &sys.cpu else {
        return check.unknown(lang, reason, threshold);
    };
    let n = f64::from(cpu.logical_cores);
    let model = cpu.model.as_deref().unwrap_or("?");
    let message = match cpu.physical_cores {
        Some(p) => render(
            lang,
            Msg::CpuCoresPhysicalModel,
            &[
                ("logical", &cpu.logical_cores),
                ("physical", &p),
                ("model", &model),
            ],
        ),
        None => render(
            lang,
            Msg::CpuCoresModel,
            &[("logical", &cpu.logical_cores), ("model", &model)],
        ),
    };
    let remediation = msg(lang, Msg::CpuSlowModernBrowserFix);
    check.result(
        grade_numeric(cfg, n),
        Some(CheckValue::Number(n)),
        Some("cores"),
        threshold,
        message,
        Some(remediation),
    )
}

fn disk_free(
    sys: &SystemMeasurements,
    profile: &Profile,
    lang: Lang,
    reason: Option<&str>,
) -> CheckResult {
    let cfg = &profile.checks.disk_free;
    let check = Check::new("system.disk_free", cfg.meta);
    let unit = gib_unit(lang);
    let threshold = Some(numeric_threshold(lang, cfg, unit));
    let Some(disk) = &sys.system_disk else {
        return check.unknown(lang, reason, threshold);
    };
    // Round down to 0.1 GiB so that the value shown never reads better than the truth.
    let free = (disk.available_bytes as f64 / GIB * 10.0).floor() / 10.0;
    let total = disk.total_bytes as f64 / GIB;
    let message = render(
        lang,
        Msg::DiskSystemDiskFree,
        &[
            ("mount_point", &disk.mount_point),
            ("free", &num(lang, free)),
            ("unit", &unit),
            ("total", &num(lang, total)),
        ],
    );
    let remediation = msg(lang, Msg::DiskFreeSomeSpaceFix);
    check.result(
        grade_numeric(cfg, free),
        Some(CheckValue::Number(free)),
        Some("GiB"),
        threshold,
        message,
        Some(remediation),
    )
}

fn architecture(
    sys: &SystemMeasurements,
    profile: &Profile,
    lang: Lang,
    reason: Option<&str>,
) -> CheckResult {
    let cfg = &profile.checks.architecture;
    let check = Check::new("system.architecture", cfg.meta);
    let threshold = Some(
        render(
            lang,
            Msg::ArchThresholdPass,
            &[("pass", &cfg.pass.join(", "))],
        ) + &if cfg.warn.is_empty() {
            String::new()
        } else {
            render(
                lang,
                Msg::ArchThresholdWarn,
                &[("warn", &cfg.warn.join(", "))],
            )
        },
    );
    let Some(arch) = &sys.architecture else {
        return check.unknown(lang, reason, threshold);
    };
    let status = if cfg.pass.iter().any(|a| a == arch) {
        CheckStatus::Pass
    } else if cfg.warn.iter().any(|a| a == arch) {
        CheckStatus::Warn
    } else {
        CheckStatus::Fail
    };
    let message = render(lang, Msg::ArchSystemArchitecture, &[("arch", &arch)]);
    let remediation = msg(lang, Msg::ArchInstall64BitFix);
    check.result(
        status,
        Some(CheckValue::Text(arch.clone())),
        None,
        threshold,
        message,
        Some(remediation),
    )
}

fn browser_label(name: &str) -> &str {
    match name {
        "firefox" => "Firefox",
        "chrome" => "Google Chrome",
        "chromium" => "Chromium",
        "edge" => "Microsoft Edge",
        "safari" => "Safari",
        "internet_explorer" => "Internet Explorer",
        "opera" => "Opera",
        "brave" => "Brave",
        "vivaldi" => "Vivaldi",
        other => other,
    }
}

/// `browser.<name>` per installed browser (best installation of each name) and `browser.any`.
fn browsers(m: &Measurements, profile: &Profile, lang: Lang) -> Vec<CheckResult> {
    let cfg = &profile.checks.browser_any;
    let any_threshold = Some(
        cfg.minimum
            .iter()
            .map(|(name, min)| format!("{} ≥ {}", browser_label(name), min.pass))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let any = Check::new("browser.any", cfg.meta);
    let Some(found) = &m.browsers else {
        return vec![any.unknown(lang, None, any_threshold)];
    };

    // Best (highest major version) installation of each browser name.
    let mut best: BTreeMap<&str, Vec<&BrowserInfo>> = BTreeMap::new();
    for b in &found.installed {
        best.entry(b.name.as_str()).or_default().push(b);
    }
    let mut out = Vec::new();
    let mut any_status = CheckStatus::Fail;
    let mut any_best: Option<String> = None;
    let each = CheckMeta {
        weight: cfg.each_weight,
        blocking: false,
    };
    for (name, installs) in &best {
        let top = installs
            .iter()
            .max_by_key(|b| b.major_version())
            .copied()
            .unwrap_or(installs[0]);
        let check = Check::new(&format!("browser.{name}"), each);
        let label = browser_label(name);
        let sources: Vec<&str> = installs.iter().map(|b| b.source.as_str()).collect();
        let version_text = top.version.clone().unwrap_or_else(|| "?".into());
        if *name == "internet_explorer" {
            out.push(check.result(
                CheckStatus::Fail,
                Some(CheckValue::Text(version_text.clone())),
                Some("version"),
                Some(msg(lang, Msg::BrowserNotSupportedEnts)),
                render(
                    lang,
                    Msg::BrowserInternetExplorerDiscontinued,
                    &[("version_text", &version_text)],
                ),
                Some(msg(lang, Msg::BrowserUseUpDateFix)),
            ));
            continue;
        }
        let Some(min) = cfg.minimum.get(*name) else {
            out.push(check.result(
                CheckStatus::Unknown,
                Some(CheckValue::Text(version_text.clone())),
                Some("version"),
                None,
                render(
                    lang,
                    Msg::BrowserNoMinimumVersion,
                    &[("label", &label), ("version_text", &version_text)],
                ),
                None,
            ));
            continue;
        };
        let threshold = Some(render(
            lang,
            Msg::BrowserThreshold,
            &[("pass", &min.pass), ("warn", &min.warn)],
        ));
        let Some(major) = top.major_version() else {
            let reason = render(
                lang,
                Msg::BrowserInstalledVersionUnreadable,
                &[("label", &label), ("sources", &sources.join(", "))],
            );
            out.push(check.unknown(lang, Some(&reason), threshold));
            continue;
        };
        let status = grade(
            f64::from(major),
            Better::Higher,
            f64::from(min.pass),
            f64::from(min.warn),
        );
        if status < any_status {
            any_status = status;
            any_best = Some(format!("{label} {version_text}"));
        }
        out.push(check.result(
            status,
            Some(CheckValue::Text(version_text.clone())),
            Some("version"),
            threshold,
            render(
                lang,
                Msg::BrowserVersionAndSources,
                &[
                    ("label", &label),
                    ("version_text", &version_text),
                    ("sources", &sources.join(", ")),
                ],
            ),
            Some(render(
                lang,
                Msg::BrowserUpdateVersionLaterFix,
                &[("label", &label), ("pass", &min.pass)],
            )),
        ));
    }

    // The whole scan failed (timed out, crashed): nothing can be said. A few unreadable
    // places among many do not make "no browser found" unknown.
    let no_browser_reason = found.unavailable.get("scan").map(String::as_str);
    let any_result = match any_best {
        Some(best) => any.result(
            any_status,
            Some(CheckValue::Text(best.clone())),
            None,
            any_threshold,
            render(
                lang,
                if any_status == CheckStatus::Pass {
                    Msg::BrowserCompatible
                } else {
                    Msg::BrowserBestOutdated
                },
                &[("best", &best)],
            ),
            Some(msg(lang, Msg::BrowserInstallUpdateFirefoxFix)),
        ),
        None if found.installed.is_empty() && no_browser_reason.is_some() => {
            any.unknown(lang, no_browser_reason, any_threshold)
        }
        None => any.result(
            CheckStatus::Fail,
            None,
            None,
            any_threshold,
            if best.contains_key("internet_explorer") {
                msg(lang, Msg::BrowserOnlyInternetExplorer)
            } else if found.installed.is_empty() {
                msg(lang, Msg::BrowserNoBrowserFound)
            } else {
                msg(lang, Msg::BrowserNoBrowserKnown)
            },
            Some(msg(lang, Msg::BrowserInstallUpDateFix)),
        ),
    };
    out.push(any_result);
    out
}

/// Score (0-100) and verdict from check results.
///
/// Score: weighted mean of pass = 1, warn = 0.5, fail = 0 over the checks that could be
/// measured (unknowns are left out); 100 when nothing could be measured, since the verdict
/// is then `incomplete` anyway. Verdict, first match wins: a blocking failure -> `not_ready`;
/// more than `max_unknown_share` of the weight unknown -> `incomplete`; score below
/// `not_ready_below` -> `not_ready`; any warn or fail -> `ready_with_warnings`; else `ready`.
pub fn summarize(checks: &[CheckResult], scoring: &Scoring) -> (u8, Verdict) {
    let weight = |c: &CheckResult| c.weight.max(0.0);
    let total: f64 = checks.iter().map(weight).sum();
    let unknown: f64 = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Unknown)
        .map(weight)
        .sum();
    let known = total - unknown;
    let earned: f64 = checks
        .iter()
        .map(|c| {
            weight(c)
                * match c.status {
                    CheckStatus::Pass => 1.0,
                    CheckStatus::Warn => 0.5,
                    CheckStatus::Fail | CheckStatus::Unknown => 0.0,
                }
        })
        .sum();
    let score = if known > 0.0 {
        (earned / known * 100.0).round().clamp(0.0, 100.0) as u8
    } else {
        100
    };

    let blocking_fail = checks
        .iter()
        .any(|c| c.blocking && c.status == CheckStatus::Fail);
    let any_problem = checks
        .iter()
        .any(|c| matches!(c.status, CheckStatus::Warn | CheckStatus::Fail));
    let unknown_share = if total > 0.0 { unknown / total } else { 0.0 };
    let too_many_unknown = unknown_share > scoring.max_unknown_share;

    let verdict = if blocking_fail {
        Verdict::NotReady
    } else if too_many_unknown {
        Verdict::Incomplete
    } else if score < scoring.not_ready_below {
        Verdict::NotReady
    } else if any_problem {
        Verdict::ReadyWithWarnings
    } else {
        Verdict::Ready
    };
    (score, verdict)
}
