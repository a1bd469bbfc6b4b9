//! The audit: validate the inputs, run the probes concurrently under one deadline (each with
//! its own), score with the profile, print, write the report.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use readiness::limits::{MAX_DNS_LOOKUPS, MAX_ENDPOINTS};
use readiness::measurements::{BrowserMeasurements, SystemMeasurements, reasons};
use readiness::report::{SCHEMA_VERSION, Workstation};
use readiness::{Lang, Measurements, Profile, Report, Uai};

use crate::cli::{AuditArgs, Cli, validate_label};
use crate::client;
use crate::probe::bandwidth::{self, Settings, Target};
use crate::probe::network::{NetworkConfig, NetworkOptions};
use crate::probe::{self, timed_out, with_deadline};
use crate::state::enrollment::{Enrollment, Token};
use crate::state::{self, StateDir, durable};
use crate::{exit, output};

/// Per-probe deadlines (each is also bounded by the audit's).
const SYSTEM_DEADLINE: Duration = Duration::from_secs(8);
const BROWSERS_DEADLINE: Duration = Duration::from_secs(8);
/// All network probes together (DNS, endpoints, latency, proxy, clock, interface).
const NETWORK_DEADLINE: Duration = Duration::from_secs(15);

/// Everything the audit needs, validated.
#[derive(Debug)]
pub struct AuditConfig {
    pub profile: Profile,
    pub school: Option<Uai>,
    pub label: Option<String>,
    pub lang: Lang,
    pub deadline: Duration,
    /// What the command line adds to the profile's `[network]` (or `--no-network`).
    pub network: NetworkOptions,
    /// The bandwidth test: skipped, against `--collector`, or (`Unset`) against the
    /// enrolled collector when there is one.
    pub bandwidth: BandwidthPlan,
    /// Draw the bandwidth test's progress bar (stderr is a terminal, no `--json`).
    pub progress: bool,
    /// The deployment's secret salt for hashed host names (from the enrolment), used
    /// instead of the profile's public one.
    pub hostname_salt: Option<String>,
}

pub fn load_profile(path: Option<&Path>) -> Result<Profile> {
    match path {
        None => Ok(Profile::default_profile()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read profile {}", p.display()))?;
            Ok(Profile::from_toml_str(&text, &p.display().to_string())?)
        }
    }
}

/// Language: `--lang`, else the system locale (French for any `fr*` locale), else English.
pub fn detect_lang(explicit: Option<&str>) -> Lang {
    if let Some(l) = explicit.and_then(|l| l.parse().ok()) {
        return l;
    }
    match sys_locale::get_locale() {
        Some(loc) if loc.to_ascii_lowercase().starts_with("fr") => Lang::Fr,
        _ => Lang::En,
    }
}

impl AuditConfig {
    pub fn from_args(args: &AuditArgs) -> Result<AuditConfig> {
        let profile = load_profile(args.profile.as_deref())?;
        let school = args
            .school
            .as_deref()
            .map(|s| s.parse::<Uai>().map_err(|e| anyhow!("--school: {e}")))
            .transpose()?;
        if !(args.deadline.is_finite() && args.deadline > 0.0 && args.deadline <= 600.0) {
            bail!("--deadline must be between 0 and 600 seconds");
        }
        let network = network_options(args)?;
        check_network_size(&profile, &network)?;
        Ok(AuditConfig {
            profile,
            school,
            label: validate_label(args.label.as_deref())?,
            lang: detect_lang(args.lang.as_deref()),
            deadline: Duration::from_secs_f64(args.deadline),
            network,
            bandwidth: bandwidth_plan(args)?,
            progress: !args.json && std::io::stderr().is_terminal(),
            hostname_salt: None,
        })
    }

    /// Measure bandwidth against the enrolled collector, unless the command line decided
    /// otherwise (`--collector`, `--no-bandwidth`, `--no-network`).
    pub fn use_enrollment(&mut self, enrollment: &Enrollment, ca_pem: Option<Vec<u8>>) {
        self.hostname_salt = enrollment
            .hostname_salt
            .as_ref()
            .map(|s| s.expose().to_owned());
        if !matches!(self.bandwidth, BandwidthPlan::Unset) {
            return;
        }
        match client::parse_base_url(&enrollment.collector) {
            Ok(base) => {
                self.bandwidth = BandwidthPlan::Run(Target {
                    base,
                    token: enrollment.secret().expose().to_owned(),
                    ca_pem,
                });
            }
            Err(e) => tracing::warn!("enrolled collector: {e}"),
        }
    }
}

/// Why the bandwidth checks are unknown when there is no collector to measure against.
pub use readiness::measurements::reasons::NO_COLLECTOR;

/// How the bandwidth test is chosen.
#[derive(Debug, Clone)]
pub enum BandwidthPlan {
    /// Not run, for this reason.
    Skip(String),
    /// Run against this collector.
    Run(Target),
    /// Against the enrolled collector if there is one (decided once the state directory is
    /// known), else not run.
    Unset,
}

/// `--no-bandwidth`, `--no-network`, `--collector`, `--token`.
fn bandwidth_plan(args: &AuditArgs) -> Result<BandwidthPlan> {
    if args.no_network {
        return Ok(BandwidthPlan::Skip(reasons::NO_NETWORK.into()));
    }
    if args.no_bandwidth {
        return Ok(BandwidthPlan::Skip(reasons::NO_BANDWIDTH.into()));
    }
    let Some(url) = args.collector.as_deref() else {
        return Ok(BandwidthPlan::Unset);
    };
    let base = client::parse_base_url(url).map_err(|e| anyhow!("--collector: {e}"))?;
    let token = args.token.as_deref().ok_or_else(|| {
        anyhow!("--collector needs the school's token: --token TOKEN or ENT_AGENT_TOKEN")
    })?;
    let token = Token::parse(token)?;
    let mut ca = Vec::new();
    for path in &args.ca_file {
        ca.extend(
            std::fs::read(path)
                .with_context(|| format!("--ca-file {}: cannot read it", path.display()))?,
        );
        ca.push(b'\n');
    }
    Ok(BandwidthPlan::Run(Target {
        base,
        token: token.expose().to_owned(),
        ca_pem: (!ca.is_empty()).then_some(ca),
    }))
}

/// `--endpoint`, `--dns-server`, `--no-system-resolver`, `--ca-file`, `--no-network`.
fn network_options(args: &AuditArgs) -> Result<NetworkOptions> {
    let endpoints = args
        .endpoint
        .iter()
        .map(|spec| {
            let (name, url) = spec
                .split_once('=')
                .ok_or_else(|| anyhow!("--endpoint {spec:?}: expected NAME=URL"))?;
            readiness::profile::Endpoint::new(name.trim(), url.trim())
                .map_err(|e| anyhow!("--endpoint {spec:?}: {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let resolvers = args
        .dns_server
        .iter()
        .map(|s| readiness::profile::parse_resolver(s).map_err(|e| anyhow!("--dns-server: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let mut extra_roots = Vec::new();
    for path in &args.ca_file {
        extra_roots.extend(probe::tls::read_ca_file(path).map_err(|e| anyhow!("--ca-file: {e}"))?);
    }
    Ok(NetworkOptions {
        skip: args.no_network,
        endpoints,
        resolvers,
        no_system_resolver: args.no_system_resolver,
        extra_roots,
    })
}

/// The profile's network and the command line's additions within the report's bounds: a
/// valid profile always is, but `--endpoint` and `--dns-server` are repeatable.
fn check_network_size(profile: &Profile, options: &NetworkOptions) -> Result<()> {
    let cfg = NetworkConfig::new(&profile.network, options);
    if cfg.endpoints.len() > MAX_ENDPOINTS {
        bail!(
            "{} endpoints (the profile's and --endpoint), at most {MAX_ENDPOINTS}",
            cfg.endpoints.len()
        );
    }
    let hosts = cfg.dns_hosts().len();
    let resolvers = cfg.resolvers.len() + usize::from(cfg.system_resolver);
    if hosts * resolvers > MAX_DNS_LOOKUPS {
        bail!(
            "{hosts} hosts x {resolvers} resolvers make {} DNS lookups (the profile's, \
             --endpoint and --dns-server), at most {MAX_DNS_LOOKUPS}",
            hosts * resolvers
        );
    }
    Ok(())
}

/// The `--output` file, checked before the audit runs: written at the end through a
/// temporary file in the same directory, then renamed ([`durable::Pending`]). A directory
/// (existing, or a path ending with `/`) gets one file per PC, named by [`report_file_name`].
#[derive(Debug)]
pub(crate) enum OutputFile {
    File(durable::Pending),
    Dir(std::path::PathBuf),
}

/// Whether `--output` names a directory: an existing one, or a path ending with a separator.
fn names_a_directory(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR)
}

impl OutputFile {
    pub(crate) fn prepare(path: &Path) -> Result<OutputFile> {
        if names_a_directory(path) {
            std::fs::create_dir_all(path)
                .with_context(|| format!("--output {}: cannot create it", path.display()))?;
            // Found unwritable now, not after the audit.
            durable::Pending::new(path, "probe")
                .with_context(|| format!("--output {}: cannot write there", path.display()))?;
            return Ok(OutputFile::Dir(path.to_owned()));
        }
        let (parent, name) = durable::dir_and_name(path)
            .with_context(|| format!("--output {}: not a file name", path.display()))?;
        let pending = durable::Pending::new(parent, &name)
            .with_context(|| format!("--output {}: cannot write there", path.display()))?;
        Ok(OutputFile::File(pending))
    }

    /// Write the report; returns the file written.
    fn write(self, report: &Report, bytes: &[u8]) -> Result<std::path::PathBuf> {
        let pending = match self {
            OutputFile::File(p) => p,
            OutputFile::Dir(dir) => {
                let mut name = report_file_name(report);
                // Another audit of this PC within the same second: never replaced.
                if dir.join(&name).exists() {
                    let id = report.report_id.simple().to_string();
                    name = format!("{}_{}.json", name.trim_end_matches(".json"), &id[24..]);
                }
                durable::Pending::new(&dir, &name)
                    .with_context(|| format!("--output {}: cannot write there", dir.display()))?
            }
        };
        let path = pending.path().to_owned();
        pending
            .commit(bytes)
            .with_context(|| format!("cannot write --output {}", path.display()))
    }
}

/// The name of a PC's report file in an `--output` directory, so that a school's files sort
/// together, then each PC's: `<UAI>_<label, else host name>_<workstation id, 8 hex>_<UTC
/// date and time>.json`, every part reduced to `[a-z0-9-]` (`sans-uai`, `poste` when
/// missing; a hashed host name as `h-` and its first 8 hex). E.g.
/// `0751234J_salle-2-poste-5_1f3a9c2e_20261201T144915Z.json`.
pub fn report_file_name(report: &Report) -> String {
    let school = report
        .school
        .as_ref()
        .map_or_else(|| "sans-uai".to_owned(), |s| s.as_str().to_owned());
    let who = report
        .workstation
        .label
        .as_deref()
        .map(slug)
        .or_else(|| {
            // A hashed host name (`sha256:<hex>`): its first 8 hex are enough to tell PCs apart.
            report
                .workstation
                .hostname
                .as_deref()
                .map(|h| match h.strip_prefix("sha256:") {
                    Some(hex) => format!("h-{}", slug(hex).chars().take(8).collect::<String>()),
                    None => slug(h),
                })
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "poste".into());
    let id = report.workstation.id.simple().to_string();
    format!(
        "{school}_{who}_{}_{}.json",
        &id[..8],
        report.finished_at.strftime("%Y%m%dT%H%M%SZ")
    )
}

/// `text` as a file-name part: lower-case ASCII letters and digits, French accents folded,
/// anything else one `-`, at most 40 characters.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'â' | 'ä' | 'á' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ö' | 'ó' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ç' => "c",
            'œ' => "oe",
            'æ' => "ae",
            'ÿ' => "y",
            'ñ' => "n",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if folded == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(folded);
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.truncate(40);
    out.trim_end_matches('-').to_owned()
}

pub fn run(cli: &Cli, args: &AuditArgs) -> Result<u8> {
    let mut config = AuditConfig::from_args(args)?;
    // On a USB key, reports go to the kit directory unless --output says otherwise.
    let output = args.output.clone().or_else(|| {
        super::kit_dir(cli).map(|k| {
            let mut dir = k.into_os_string();
            dir.push(std::path::MAIN_SEPARATOR_STR);
            dir.into()
        })
    });
    let output_file = output.as_deref().map(OutputFile::prepare).transpose()?;
    let state = super::state_dir(cli)?;
    tracing::info!(state_dir = %state.path.display(), "state directory");
    // An enrolled PC measures bandwidth against its collector, with its school's token.
    if let Ok(enrollment) = Enrollment::load(&state) {
        config.use_enrollment(&enrollment, Enrollment::ca_pem(&state).ok().flatten());
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(audit(&config, &state))?;
    // Probes stuck in a blocking call past their deadline must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));

    emit(&report, args.json, cli.verbose > 0, output_file)?;
    Ok(verdict_exit_code(&report))
}

/// Exit code of a finished audit: 0 ready (warnings allowed), 1 not ready or incomplete.
pub fn verdict_exit_code(report: &Report) -> u8 {
    if report.verdict.is_ready() {
        exit::READY
    } else {
        exit::NOT_READY
    }
}

/// Write the `--output` file, then print the report: JSON (`--json`) or the verdict screen
/// (with the check ids when `ids`: `--verbose`).
pub(crate) fn emit(
    report: &Report,
    json: bool,
    ids: bool,
    output_file: Option<OutputFile>,
) -> Result<()> {
    let text = serde_json::to_string_pretty(report).context("cannot serialise the report")?;
    if let Some(out) = output_file {
        let written = out.write(report, text.as_bytes())?;
        tracing::info!(file = %written.display(), "report written");
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{text}")?;
    } else {
        write!(
            stdout,
            "{}",
            output::human(report, &output::Screen::for_stdout(ids))
        )?;
    }
    stdout.flush()?;
    Ok(())
}

/// Run every probe under the deadline and score the result.
pub async fn audit(config: &AuditConfig, state: &StateDir) -> Result<Report> {
    let started_at = jiff::Timestamp::now();
    let fingerprint = state::Fingerprint::current();
    let (workstation_id, _) = state::workstation_id(state, &fingerprint)?;
    let mut measurements = collect(config).await;
    // What servers and the PC said, within the collector's bounds before scoring.
    probe::bounds::measurements(&mut measurements);
    let finished_at = jiff::Timestamp::now();

    let today = finished_at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let assessment = readiness::assess(&measurements, &config.profile, today, config.lang);
    let hostname = sysinfo::System::host_name().ok();
    let mut privacy = config.profile.privacy.clone();
    if let Some(salt) = &config.hostname_salt {
        privacy.hostname_salt.clone_from(salt);
    }
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        report_id: uuid::Uuid::now_v7(),
        agent_version: env!("CARGO_PKG_VERSION").to_owned(),
        profile: config.profile.name.clone(),
        lang: config.lang,
        school: config.school.clone(),
        workstation: Workstation {
            id: workstation_id,
            label: config.label.clone(),
            hostname: readiness::privacy::report_hostname(hostname.as_deref(), &privacy),
        },
        started_at,
        finished_at,
        verdict: assessment.verdict,
        score: assessment.score,
        checks: assessment.checks,
        measurements,
        probe: None,
    };
    within_bounds(&mut report);
    Ok(report)
}

/// The last guard before a report leaves the audit: its texts cut to the collector's
/// bounds (a check's message may quote what a server sent), then the bounds checked. A
/// report still beyond them (a bound this agent does not know) is kept, for the technician
/// to read, and the log says which field the collector will refuse.
fn within_bounds(report: &mut Report) {
    let cut = probe::bounds::report(report);
    if !cut.is_empty() {
        tracing::warn!(cut = %cut.join("; "), "report texts cut to the collector's bounds");
    }
    if let Err(e) = report.check_bounds() {
        tracing::error!("the collector will refuse this report: {e}");
    }
}

/// All probes, concurrently; each bounded by its own deadline and by the audit's.
pub async fn collect(config: &AuditConfig) -> Measurements {
    let deadline = config.deadline;
    let system_deadline = SYSTEM_DEADLINE.min(deadline);
    let system = with_deadline(
        system_deadline,
        async {
            match tokio::task::spawn_blocking(probe::system::collect).await {
                Ok(m) => m,
                Err(e) => unmeasured_system(format!("system probe failed: {e}")),
            }
        },
        |d| unmeasured_system(timed_out(d)),
    );
    let browsers_deadline = BROWSERS_DEADLINE.min(deadline);
    let browsers = with_deadline(
        browsers_deadline,
        probe::browsers::detect(browsers_deadline),
        |d| {
            let mut b = BrowserMeasurements::default();
            b.unavailable.insert("scan".into(), timed_out(d));
            b
        },
    );
    let network_deadline = NETWORK_DEADLINE.min(deadline);
    let network_config = NetworkConfig::new(&config.profile.network, &config.network);
    let network = async {
        if config.network.skip {
            return probe::network::skipped(reasons::NO_NETWORK);
        }
        with_deadline(
            network_deadline,
            probe::network::collect(&network_config, network_deadline),
            |d| probe::network::skipped(&timed_out(d)),
        )
        .await
    };
    let (system, browsers, network) = tokio::join!(system, browsers, network);
    // After the other probes, so that their latency readings are not taken under our own
    // load; it has its own deadline (both directions' caps, the collector's admission).
    let bandwidth = match &config.bandwidth {
        BandwidthPlan::Skip(reason) => bandwidth::skipped(reason),
        BandwidthPlan::Unset => bandwidth::skipped(NO_COLLECTOR),
        BandwidthPlan::Run(target) => {
            let settings = Settings::from_profile(&config.profile.bandwidth);
            with_deadline(
                settings.deadline(),
                bandwidth::measure(target, settings, config.progress),
                |d| bandwidth::timed_out(d, &target.base),
            )
            .await
        }
    };
    Measurements {
        system: Some(system),
        browsers: Some(browsers),
        network: Some(network),
        bandwidth: Some(bandwidth),
    }
}

fn unmeasured_system(reason: String) -> SystemMeasurements {
    let mut m = SystemMeasurements::default();
    for field in [
        "os",
        "cpu",
        "memory_total_bytes",
        "system_disk",
        "architecture",
    ] {
        m.unavailable.insert(field.into(), reason.clone());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_file_names_sort_by_school_and_stay_plain() {
        assert_eq!(slug("Salle É/3, poste 5 "), "salle-e-3-poste-5");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("<>:\"|?*"), "");
        assert_eq!(slug(&"ü".repeat(100)).len(), 40);
        let profile = Profile::default_profile();
        let now: jiff::Timestamp = "2026-12-01T14:49:15Z".parse().unwrap();
        let id: uuid::Uuid = "1f3a9c2e-0000-4000-8000-000000000000".parse().unwrap();
        let m = readiness::samples::good_pc(&profile, now);
        let mut r =
            readiness::samples::report(&profile, Some("0751234J".parse().unwrap()), id, m, now);
        r.workstation.label = Some("salle 2, poste 5".into());
        r.finished_at = now;
        assert_eq!(
            report_file_name(&r),
            "0751234J_salle-2-poste-5_1f3a9c2e_20261201T144915Z.json"
        );
        r.workstation.label = None;
        r.workstation.hostname = Some(format!("sha256:{}", "ab".repeat(32)));
        r.school = None;
        assert_eq!(
            report_file_name(&r),
            "sans-uai_h-abababab_1f3a9c2e_20261201T144915Z.json"
        );
        r.workstation.hostname = None;
        assert!(report_file_name(&r).starts_with("sans-uai_poste_"));
    }

    #[test]
    fn explicit_lang_wins() {
        assert_eq!(detect_lang(Some("en")), Lang::En);
        assert_eq!(detect_lang(Some("fr")), Lang::Fr);
    }

    #[test]
    fn command_line_cannot_push_the_network_past_the_bounds() {
        let profile = Profile::default_profile();
        let endpoint = |i: usize| {
            readiness::profile::Endpoint::new(&format!("e{i}"), &format!("https://h{i}.test/"))
                .unwrap()
        };
        let mut options = NetworkOptions {
            endpoints: (0..MAX_ENDPOINTS + 1).map(endpoint).collect(),
            ..NetworkOptions::default()
        };
        let err = check_network_size(&profile, &options)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 64"), "{err}");
        options.endpoints.truncate(40);
        options.resolvers = (0..20)
            .map(|i| std::net::SocketAddr::from(([127, 0, 0, 1], 5300 + i)))
            .collect();
        let err = check_network_size(&profile, &options)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("DNS lookups") && err.contains("at most 512"),
            "{err}"
        );
        options.resolvers.truncate(2);
        check_network_size(&profile, &options).unwrap();
    }

    #[test]
    fn output_into_missing_directory_is_refused() {
        let err = OutputFile::prepare(Path::new("/nonexistent-dir/report.json")).unwrap_err();
        assert!(format!("{err:#}").contains("--output"), "{err:#}");
    }
}
