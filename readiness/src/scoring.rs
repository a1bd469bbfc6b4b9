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

/// One check's result in the making: what every result of the check shares (its id, weight
/// and blocking flag, the report's language, the threshold text), then the value measured.
/// Each way a check ends is one call: [`Check::result`], [`Check::pass`], [`Check::warn`],
/// [`Check::fail`] or [`Check::unknown`].
struct Check {
    id: String,
    meta: CheckMeta,
    lang: Lang,
    threshold: Option<String>,
    value: Option<CheckValue>,
    unit: Option<String>,
}

impl Check {
    fn new(lang: Lang, id: &str, meta: CheckMeta) -> Self {
        Check {
            id: id.to_owned(),
            meta,
            lang,
            threshold: None,
            value: None,
            unit: None,
        }
    }

    /// The threshold text shown with every result of the check.
    fn threshold(self, threshold: String) -> Self {
        Check {
            threshold: Some(threshold),
            ..self
        }
    }

    /// The threshold text: the template `id` filled with `args`, in the check's language.
    fn threshold_text(self, id: Msg, args: &[(&str, &dyn std::fmt::Display)]) -> Self {
        let threshold = render(self.lang, id, args);
        self.threshold(threshold)
    }

    /// The value measured (none when `None`).
    fn value(self, value: impl Into<Option<CheckValue>>) -> Self {
        Check {
            value: value.into(),
            ..self
        }
    }

    /// The unit of the value (none when `None`).
    fn unit<'u>(self, unit: impl Into<Option<&'u str>>) -> Self {
        Check {
            unit: unit.into().map(str::to_owned),
            ..self
        }
    }

    /// The result: `status`, the message and what to do (dropped when the check passes).
    fn result(
        self,
        status: CheckStatus,
        message: String,
        remediation: Option<String>,
    ) -> CheckResult {
        CheckResult {
            id: self.id,
            status,
            value: self.value,
            unit: self.unit,
            threshold: self.threshold,
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

    /// Graded against `cfg`, where more is better: `value` in `unit`.
    fn more_is_better(
        self,
        cfg: &NumericCheck,
        value: f64,
        unit: &str,
        message: String,
        remediation: Msg,
    ) -> CheckResult {
        let remediation = msg(self.lang, remediation);
        self.value(CheckValue::Number(value)).unit(unit).result(
            grade_numeric(cfg, value),
            message,
            Some(remediation),
        )
    }

    fn pass(self, message: String) -> CheckResult {
        self.result(CheckStatus::Pass, message, None)
    }

    fn warn(self, message: String, remediation: String) -> CheckResult {
        self.result(CheckStatus::Warn, message, Some(remediation))
    }

    fn fail(self, message: String, remediation: String) -> CheckResult {
        self.result(CheckStatus::Fail, message, Some(remediation))
    }

    /// Could not measure: `reason` (a reason code or text; `None`, "not measured by the
    /// agent"), no value. What to do follows the cause: the agent's own reasons (an option
    /// of the command line, no collector, a deadline) each have theirs; anything else is
    /// "run it again, as administrator if possible".
    fn unknown(self, reason: Option<&str>) -> CheckResult {
        use crate::measurements::reasons::{self, Reason};
        let fix = match reason.and_then(reasons::recognise) {
            Some(Reason::NoNetwork) => Msg::UnknownNoNetworkFix,
            Some(Reason::NoBandwidth) => Msg::UnknownNoBandwidthFix,
            Some(Reason::NoCollector) => Msg::UnknownNoCollectorFix,
            Some(Reason::TimedOut { .. } | Reason::BandwidthTimedOut { .. }) => {
                Msg::UnknownTimedOutFix
            }
            None => Msg::RunAuditAgain,
        };
        let fix = msg(self.lang, fix);
        self.unknown_fix(reason, fix)
    }

    /// Could not measure, for `reason`, and what to do is `remediation` (a cause the check
    /// knows better than [`Check::unknown`] can tell).
    fn unknown_fix(self, reason: Option<&str>, remediation: String) -> CheckResult {
        let lang = self.lang;
        let reason = reason
            .map(|r| crate::measurements::reasons::localize(r, lang))
            .unwrap_or_else(|| msg(lang, Msg::NotMeasuredByAgent));
        let message = render(lang, Msg::CouldNotMeasure, &[("reason", &reason)]);
        Check {
            value: None,
            unit: None,
            ..self
        }
        .result(CheckStatus::Unknown, message, Some(remediation))
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
    let ctx = System {
        sys: measurements.system.as_ref().unwrap_or(&empty),
        area: measurements.system.as_ref(),
        profile,
        lang,
    };
    let mut out = vec![
        os_support(&ctx, today),
        ram(&ctx),
        cpu_cores(&ctx),
        disk_free(&ctx),
        architecture(&ctx),
    ];
    out.extend(browsers(measurements, profile, lang));
    out.extend(network::evaluate(measurements, profile, today, lang));
    out.extend(bandwidth::evaluate(measurements, profile, lang));
    out
}

/// What the checks of the workstation itself read: its measurements (empty when the area is
/// missing), the profile and the report's language.
struct System<'a> {
    sys: &'a SystemMeasurements,
    area: Option<&'a SystemMeasurements>,
    profile: &'a Profile,
    lang: Lang,
}

impl System<'_> {
    /// Why `field` was not measured, as the agent said; `None` gives the generic text.
    fn missing(&self, field: &str) -> Option<&str> {
        self.area?.unavailable.get(field).map(String::as_str)
    }
}

fn os_support(ctx: &System<'_>, today: Date) -> CheckResult {
    let (sys, lang) = (ctx.sys, ctx.lang);
    let cfg = &ctx.profile.checks.os_support;
    let check = Check::new(lang, "system.os_support", cfg.meta).threshold_text(
        Msg::OsThreshold,
        &[("ending_soon_months", &cfg.policy.ending_soon_months)],
    );
    let Some(os) = &sys.os else {
        return check.unknown(ctx.missing("os"));
    };
    let a = lifecycle::assess(os, today, &cfg.policy);
    let product = &a.product;
    let end = a.end_of_support.map(|d| d.to_string());
    // `with_end` when the end of support is known, else `without`.
    let dated = |with_end: Msg, without: Msg| match &end {
        Some(end) => render(lang, with_end, &[("product", product), ("end", end)]),
        None => render(lang, without, &[("product", product)]),
    };
    let ending = |id: Msg| {
        let end = end.as_deref().unwrap_or("?");
        render(lang, id, &[("product", product), ("end", &end)])
    };
    let (status, message) = match a.status {
        SupportStatus::Supported => (
            CheckStatus::Pass,
            dated(Msg::OsSupportedUntil, Msg::OsSupported),
        ),
        SupportStatus::EndingSoon => (CheckStatus::Warn, ending(Msg::OsSupportEnds)),
        SupportStatus::ExtendedSupport => (CheckStatus::Warn, ending(Msg::OsMainstreamSupportOver)),
        SupportStatus::Unsupported => (
            CheckStatus::Fail,
            dated(Msg::OsNoSecurityUpdatesSince, Msg::OsNoSecurityUpdates),
        ),
        SupportStatus::Unknown => {
            // What a browser hid (the browser probe, `crate::useragent`), else not recognised.
            let reason = match ctx
                .missing("os.version")
                .or_else(|| ctx.missing("os.build"))
            {
                Some(hidden) => format!("{product}: {hidden}"),
                None => render(lang, Msg::OsNotRecognised, &[("product", product)]),
            };
            return check.unknown(Some(&reason));
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
            (OsFamily::Ipados, _) => Msg::OsIpadosFix,
            (OsFamily::Ios, _) => Msg::OsIosFix,
            (OsFamily::Android, _) => Msg::OsAndroidFix,
            (OsFamily::Chromeos, _) => Msg::OsChromeosFix,
        },
    );
    check
        .value(CheckValue::Text(a.product.clone()))
        .result(status, message, Some(remediation))
}

/// A check where more is better, with its threshold text (`threshold_unit`: GiB, Mbit/s;
/// empty for a count).
fn numeric_check(lang: Lang, id: &str, cfg: &NumericCheck, threshold_unit: &str) -> Check {
    Check::new(lang, id, cfg.meta).threshold(numeric_threshold(lang, cfg, threshold_unit))
}

fn ram(ctx: &System<'_>) -> CheckResult {
    let (sys, lang) = (ctx.sys, ctx.lang);
    let cfg = &ctx.profile.checks.ram;
    let unit = gib_unit(lang);
    let check = numeric_check(lang, "system.ram", cfg, unit);
    let Some(bytes) = sys.memory_total_bytes else {
        return check.unknown(ctx.missing("memory_total_bytes"));
    };
    let installed = installed_ram_gib(bytes);
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
    check.more_is_better(cfg, installed, "GiB", message, Msg::RamAddMemoryAtFix)
}

fn cpu_cores(ctx: &System<'_>) -> CheckResult {
    let (sys, lang) = (ctx.sys, ctx.lang);
    let cfg = &ctx.profile.checks.cpu_cores;
    let check = numeric_check(lang, "system.cpu_cores", cfg, "");
    let Some(cpu) = &sys.cpu else {
        return check.unknown(ctx.missing("cpu"));
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
    check.more_is_better(cfg, n, "cores", message, Msg::CpuSlowModernBrowserFix)
}

fn disk_free(ctx: &System<'_>) -> CheckResult {
    let (sys, lang) = (ctx.sys, ctx.lang);
    let cfg = &ctx.profile.checks.disk_free;
    let unit = gib_unit(lang);
    let check = numeric_check(lang, "system.disk_free", cfg, unit);
    let Some(disk) = &sys.system_disk else {
        return check.unknown(ctx.missing("system_disk"));
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
    check.more_is_better(cfg, free, "GiB", message, Msg::DiskFreeSomeSpaceFix)
}

fn architecture(ctx: &System<'_>) -> CheckResult {
    let (sys, lang) = (ctx.sys, ctx.lang);
    let cfg = &ctx.profile.checks.architecture;
    let threshold = render(
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
    };
    let check = Check::new(lang, "system.architecture", cfg.meta).threshold(threshold);
    let Some(arch) = &sys.architecture else {
        return check.unknown(ctx.missing("architecture"));
    };
    let status = if cfg.pass.iter().any(|a| a == arch) {
        CheckStatus::Pass
    } else if cfg.warn.iter().any(|a| a == arch) {
        CheckStatus::Warn
    } else {
        CheckStatus::Fail
    };
    let message = render(lang, Msg::ArchSystemArchitecture, &[("arch", &arch)]);
    check.value(CheckValue::Text(arch.clone())).result(
        status,
        message,
        Some(msg(lang, Msg::ArchInstall64BitFix)),
    )
}

/// The title of check `id` for a person, in `lang`: "Mémoire vive", "Résolution DNS :
/// educonnect.education.gouv.fr", "Accès ENT : gar". Derived from the id alone (the id is
/// what reports keep); an id this crate does not build is its own title.
pub fn check_title(id: &str, lang: Lang) -> String {
    let fixed = match id {
        "system.os_support" => Some(Msg::TitleOsSupport),
        "system.ram" => Some(Msg::TitleRam),
        "system.cpu_cores" => Some(Msg::TitleCpuCores),
        "system.disk_free" => Some(Msg::TitleDiskFree),
        "system.architecture" => Some(Msg::TitleArchitecture),
        "system.clock_skew" => Some(Msg::TitleClockSkew),
        "browser.any" => Some(Msg::TitleBrowserAny),
        "network.tls_interception" => Some(Msg::TitleTlsInterception),
        "network.proxy" => Some(Msg::TitleProxy),
        "network.interface" => Some(Msg::TitleInterface),
        "bandwidth.download" => Some(Msg::TitleDownload),
        "bandwidth.upload" => Some(Msg::TitleUpload),
        "bandwidth.loaded_latency" => Some(Msg::TitleLoadedLatency),
        _ => None,
    };
    if let Some(title) = fixed {
        return msg(lang, title);
    }
    let Some((kind, rest)) = id.split_once('.').filter(|(_, rest)| !rest.is_empty()) else {
        return id.to_owned();
    };
    // Endpoint names have no dot (the profile's rule): `endpoint.<name>.tls` is the TLS check.
    match (kind, rest.strip_suffix(".tls")) {
        ("dns", _) => render(lang, Msg::TitleDns, &[("host", &rest)]),
        ("endpoint", Some(name)) => render(lang, Msg::TitleEndpointTls, &[("name", &name)]),
        ("endpoint", None) => render(lang, Msg::TitleEndpoint, &[("name", &rest)]),
        ("latency", _) => render(lang, Msg::TitleLatency, &[("target", &rest)]),
        ("browser", _) => render(
            lang,
            Msg::TitleBrowser,
            &[("browser", &browser_label(rest))],
        ),
        _ => id.to_owned(),
    }
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
    let any = Check::new(lang, "browser.any", cfg.meta).threshold(
        cfg.minimum
            .iter()
            .map(|(name, min)| format!("{} ≥ {}", browser_label(name), min.pass))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let Some(found) = &m.browsers else {
        return vec![any.unknown(None)];
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
        let label = browser_label(name);
        let sources: Vec<&str> = installs.iter().map(|b| b.source.as_str()).collect();
        let version_text = top.version.clone().unwrap_or_else(|| "?".into());
        let check = Check::new(lang, &format!("browser.{name}"), each)
            .value(CheckValue::Text(version_text.clone()))
            .unit("version");
        if *name == "internet_explorer" {
            out.push(
                check
                    .threshold_text(Msg::BrowserNotSupportedEnts, &[])
                    .fail(
                        render(
                            lang,
                            Msg::BrowserInternetExplorerDiscontinued,
                            &[("version_text", &version_text)],
                        ),
                        msg(lang, Msg::BrowserUseUpDateFix),
                    ),
            );
            continue;
        }
        let Some(min) = cfg.minimum.get(*name) else {
            out.push(check.result(
                CheckStatus::Unknown,
                render(
                    lang,
                    Msg::BrowserNoMinimumVersion,
                    &[("label", &label), ("version_text", &version_text)],
                ),
                None,
            ));
            continue;
        };
        let check = check.threshold_text(
            Msg::BrowserThreshold,
            &[("pass", &min.pass), ("warn", &min.warn)],
        );
        let Some(major) = top.major_version() else {
            let reason = render(
                lang,
                Msg::BrowserInstalledVersionUnreadable,
                &[("label", &label), ("sources", &sources.join(", "))],
            );
            out.push(check.unknown(Some(&reason)));
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
        Some(best) => any.value(CheckValue::Text(best.clone())).result(
            any_status,
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
            any.unknown(no_browser_reason)
        }
        None => any.fail(
            if best.contains_key("internet_explorer") {
                msg(lang, Msg::BrowserOnlyInternetExplorer)
            } else if found.installed.is_empty() {
                msg(lang, Msg::BrowserNoBrowserFound)
            } else {
                msg(lang, Msg::BrowserNoBrowserKnown)
            },
            msg(lang, Msg::BrowserInstallUpDateFix),
        ),
    };
    out.push(any_result);
    out
}

/// A check as the browser probe keeps it: `None` when a browser cannot measure it (left
/// out), the TLS checks `unknown` with weight 0 (a browser hides TLS), the others as they
/// are.
pub fn for_browser(c: CheckResult, lang: Lang) -> Option<CheckResult> {
    let id = c.id.as_str();
    let tls =
        id == "network.tls_interception" || (id.starts_with("endpoint.") && id.ends_with(".tls"));
    if tls {
        return Some(CheckResult {
            status: CheckStatus::Unknown,
            value: None,
            unit: None,
            message: msg(lang, Msg::NotVisibleToBrowser),
            remediation: Some(msg(lang, Msg::NotVisibleToBrowserFix)),
            weight: 0.0,
            blocking: false,
            ..c
        });
    }
    let never = matches!(
        id,
        "system.disk_free"
            | "system.architecture"
            | "system.clock_skew"
            | "network.proxy"
            | "network.interface"
    ) || id.starts_with("dns.")
        || id.starts_with("latency.");
    // Memory: only Chromium exposes it (rounded); elsewhere it is left out, not unknown.
    let hidden_ram = id == "system.ram" && c.status == CheckStatus::Unknown;
    let hidden_cores = id == "system.cpu_cores" && c.status == CheckStatus::Unknown;
    (!(never || hidden_ram || hidden_cores)).then_some(c)
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
