//! `ent-collector`: parse, set up logging, run the command, map errors to exit code 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use ent_collector::store::{self, ReadScope, Store, TokenScope};
use ent_collector::{ApiConfig, AppState, directory, tokens};

/// The département's ENT readiness collector.
#[derive(Debug, Parser)]
#[command(name = "ent-collector", version, about, long_about = None)]
struct Cli {
    /// Database: a SQLite file path (or sqlite://PATH), created with its schema if missing;
    /// or PostgreSQL, postgres://USER[:PASSWORD]@HOST:PORT/DB (the database must exist; its
    /// schema is brought up to date at start). A password is never printed.
    #[arg(
        long,
        global = true,
        env = "ENT_COLLECTOR_DATABASE",
        hide_env_values = true,
        default_value = "ent-collector.db"
    )]
    database: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "ENT_COLLECTOR_LISTEN")]
        listen: String,
        /// Readiness profile (TOML) to score with and serve to agents. Default: built-in.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// Keep reports this many days (older ones are purged at start and daily).
        #[arg(long, default_value_t = 730)]
        retention_days: u32,
        /// Language of the check messages the collector writes: fr or en.
        #[arg(long, default_value = "fr", value_parser = ["fr", "en"])]
        lang: String,
        /// Largest accepted request body, in bytes.
        #[arg(long, default_value_t = 1024 * 1024)]
        max_body: usize,
        /// Speed tests served at once (others are told to retry shortly).
        #[arg(long, default_value_t = 2)]
        max_speedtests: usize,
        /// Seconds a speed-test session lasts: transfers still running then are cut.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        speedtest_seconds: u64,
        /// Bytes one speed-test session may move, both directions together.
        #[arg(long, value_name = "BYTES", default_value_t = 3 << 30)]
        speedtest_max_bytes: u64,
        /// This node's own base URL, as agents reach it (e.g.
        /// https://collecteur.example/noeud/a/): with several nodes behind a load balancer,
        /// each speed-test session names it, so its transfers and counters stay on this node.
        #[arg(long, value_name = "URL", env = "ENT_COLLECTOR_PUBLIC_URL", value_parser = public_url)]
        public_url: Option<String>,
        /// Seconds between full recomputes of the school summaries (one node of those on
        /// one database does each).
        #[arg(long, value_name = "SECONDS", default_value_t = 300, hide = true)]
        summary_refresh_seconds: u64,
        #[command(flatten)]
        limits: Limits,
    },
    /// Create or revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The school directory.
    #[command(subcommand)]
    Schools(SchoolsCommand),
    /// Enrolled workstations: list, revoke a credential.
    #[command(subcommand)]
    Workstations(ent_collector::workstations::Command),
    /// Browser probe links for devices without the agent (tablets...): `--school UAI` creates
    /// one and prints its URL (and QR code); `list`, `revoke ID`.
    ProbeLink(ent_collector::probe_links::Args),
    /// Apply the database's schema migrations and exit (`serve` applies them at start too;
    /// this runs them alone, e.g. before starting several nodes).
    Migrate,
    /// Copy a database's contents into another, of either backend (e.g. --from
    /// sqlite://old.db --to postgres://ent@db/ent): directory, tokens, credentials, every
    /// report, the workstations' latest states. Run again, it adds nothing; killed, run it
    /// again. Start the destination's collectors once it is done.
    Copy {
        /// The database to read (a path, sqlite://PATH or postgres://...), left unchanged.
        #[arg(long, value_name = "DATABASE")]
        from: String,
        /// The database to write (its schema is brought up to date first).
        #[arg(long, value_name = "DATABASE")]
        to: String,
        /// Rows per batch (one transaction each on the destination).
        #[arg(long, default_value_t = 500)]
        batch: usize,
    },
    /// Delete reports older than the retention.
    Purge {
        #[arg(long, default_value_t = 730)]
        retention_days: u32,
    },
    /// Print the completion script of a shell (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for packaging.
    #[command(hide = true)]
    Manual,
}

/// How long a client may take, and how many may be connected: what keeps clients that send
/// nothing, or send slowly, from holding the collector.
#[derive(Debug, clap::Args)]
struct Limits {
    /// Seconds to answer a whole request, its body included (else 408).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    request_timeout: u64,
    /// Seconds to wait for each next piece of a request body (else 408).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    body_timeout: u64,
    /// Seconds for a request's head (line and headers) to arrive, from the connection or the
    /// previous answer on it: also how long a kept-alive connection may wait idle.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds without a byte moving either way after which a connection is closed (a
    /// stalled upload, a download nobody reads).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    idle_timeout: u64,
    /// Connections at once; beyond, new ones wait for a free slot. Kept under the
    /// descriptor limit (the collector raises its soft limit to the hard one).
    #[arg(long, default_value_t = 4096)]
    max_connections: usize,
    /// Browser probe reports, and speed-test sessions, one probe link may make in an hour
    /// (on this node); beyond, 429 with Retry-After. A device reports at most once a minute.
    #[arg(long, value_name = "N", default_value_t = 120)]
    probe_reports_per_hour: u32,
}

impl Limits {
    fn apply(&self, config: &mut ApiConfig) {
        let secs = |s: u64| std::time::Duration::from_secs(s.max(1));
        config.request_timeout = secs(self.request_timeout);
        config.body_timeout = secs(self.body_timeout);
        config.connections.header_timeout = secs(self.header_timeout);
        config.connections.idle_timeout = secs(self.idle_timeout);
        config.connections.max_connections =
            ent_collector::connections::fit_descriptor_limit(self.max_connections.max(1));
        config.probe_reports_per_hour = self.probe_reports_per_hour.max(1);
    }
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once on stdout and stored hashed.
    Create {
        /// An enrollment token that submits reports for this school only.
        #[arg(
            long,
            value_name = "UAI",
            conflicts_with = "read",
            required_unless_present = "read"
        )]
        school: Option<String>,
        /// A token to read the aggregated API.
        #[arg(long)]
        read: bool,
        /// What the read token sees: all (the default), departement:CODE (069, 2A, 971),
        /// circonscription:CODE (its code in the directory, e.g. 0690900D) or
        /// ecoles:UAI,UAI,... (at most 1000 schools, e.g. a mairie's).
        #[arg(long, value_name = "SCOPE", conflicts_with = "school")]
        scope: Option<String>,
    },
    /// Revoke a token by its id (see `token list`).
    Revoke { id: String },
    /// List tokens (ids, scopes, dates; never the secrets).
    List,
}

#[derive(Debug, Subcommand)]
enum SchoolsCommand {
    /// Import the "annuaire de l'éducation" CSV (semicolon separated).
    Import { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENT_COLLECTOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ent-collector: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn open(database: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::from(store::open(database)?))
}

/// `--public-url`: the one node URL rule of `readiness::api`.
fn public_url(s: &str) -> Result<String, String> {
    readiness::api::check_node_url(s)
        .map(|()| s.to_owned())
        .map_err(|why| format!("not a node base URL: {why}"))
}

fn retention_cutoff(days: u32) -> jiff::Timestamp {
    jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * i64::from(days))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve {
            listen,
            profile,
            retention_days,
            lang,
            max_body,
            max_speedtests,
            speedtest_seconds,
            speedtest_max_bytes,
            public_url,
            summary_refresh_seconds,
            limits,
        } => {
            let profile = ent_collector::load_profile(profile.as_deref())?;
            let store = open(&cli.database)?;
            tracing::info!(database = %store::display_name(&cli.database), "storage open");
            let purged = store.purge(retention_cutoff(retention_days))?;
            tracing::info!(
                reports = purged.reports,
                workstations = purged.workstations,
                "retention purge"
            );
            let mut config = ApiConfig {
                max_body,
                max_speedtests: max_speedtests.max(1),
                speedtest_ttl: std::time::Duration::from_secs(speedtest_seconds.clamp(2, 3600)),
                speedtest_max_bytes: speedtest_max_bytes.max(1 << 20),
                lang: lang.parse().map_err(anyhow::Error::msg)?,
                public_url,
                summary_refresh: std::time::Duration::from_secs(summary_refresh_seconds.max(1)),
                ..ApiConfig::default()
            };
            limits.apply(&mut config);
            let state = AppState::new(Arc::clone(&store), profile, config);
            let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let addr = listener.local_addr()?;
                println!("ent-collector listening on http://{addr}");
                std::io::stdout().flush()?;
                tokio::spawn(daily_purge(Arc::clone(&store), retention_days));
                ent_collector::serve(listener, state, shutdown_signal()).await?;
                tracing::info!("stopped");
                Ok(())
            })
        }
        Command::Token(TokenCommand::Create {
            school,
            read,
            scope,
        }) => {
            let scope = match (school, read) {
                (Some(s), false) => {
                    TokenScope::School(s.parse().map_err(|e| anyhow::anyhow!("--school: {e}"))?)
                }
                (None, true) => TokenScope::Read(match scope {
                    None => ReadScope::All,
                    Some(s) => s.parse().map_err(|e| anyhow::anyhow!("--scope: {e}"))?,
                }),
                _ => bail!("give either --school UAI or --read"),
            };
            let store = open(&cli.database)?;
            if let TokenScope::Read(ReadScope::Circonscription(code)) = &scope {
                circonscription_is_one_area(store.as_ref(), code)?;
            }
            let token = tokens::generate(&scope);
            store.create_token(&token.id, &tokens::hash(&token.secret), &scope)?;
            eprintln!(
                "token {} created ({}); it is shown once, store it safely:",
                token.id,
                match &scope {
                    TokenScope::School(u) => format!("submits for school {u}"),
                    TokenScope::Read(ReadScope::All) =>
                        "reads the aggregated API, scope all: every school".into(),
                    TokenScope::Read(r) => format!("reads the aggregated API, scope {r}"),
                }
            );
            println!("{}", token.secret);
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let store = open(&cli.database)?;
            if !store.revoke_token(&id)? {
                bail!("no active token with id {id:?} (see `ent-collector token list`)");
            }
            eprintln!("token {id} revoked");
            Ok(())
        }
        Command::Token(TokenCommand::List) => {
            let store = open(&cli.database)?;
            for t in store.tokens()? {
                let scope = match &t.scope {
                    TokenScope::School(u) => format!("school {u}"),
                    TokenScope::Read(r) => format!("read {r}"),
                };
                let state = match t.revoked_at {
                    Some(r) => format!("revoked {r}"),
                    None => "active".into(),
                };
                println!("{}\t{scope}\tcreated {}\t{state}", t.id, t.created_at);
            }
            Ok(())
        }
        Command::Schools(SchoolsCommand::Import { file }) => {
            let origin = file.display().to_string();
            let reader =
                std::fs::File::open(&file).with_context(|| format!("cannot open {origin}"))?;
            let parsed = directory::parse(std::io::BufReader::new(reader), &origin)?;
            for e in parsed.errors.iter().take(20) {
                eprintln!("{origin}:{}: skipped: {}", e.line, e.message);
            }
            if parsed.errors.len() > 20 {
                eprintln!("... and {} more skipped rows", parsed.errors.len() - 20);
            }
            let store = open(&cli.database)?;
            let n = store.upsert_schools(&parsed.schools)?;
            println!(
                "imported {n} schools from {origin} ({} rows skipped)",
                parsed.errors.len()
            );
            Ok(())
        }
        Command::Workstations(cmd) => {
            print!(
                "{}",
                ent_collector::workstations::run(&cmd, &*open(&cli.database)?)?
            );
            Ok(())
        }
        Command::ProbeLink(args) => {
            print!(
                "{}",
                ent_collector::probe_links::run(&args, &*open(&cli.database)?)?
            );
            Ok(())
        }
        Command::Migrate => {
            let (version, applied) = store::migrate(&cli.database)?;
            println!(
                "database {}: schema version {version} ({applied} migrations applied)",
                store::display_name(&cli.database)
            );
            Ok(())
        }
        Command::Copy { from, to, batch } => {
            let (from_name, to_name) = (store::display_name(&from), store::display_name(&to));
            if from_name == to_name {
                bail!("--from and --to name the same database");
            }
            let source = open(&from).with_context(|| format!("--from {from_name}"))?;
            let destination = open(&to).with_context(|| format!("--to {to_name}"))?;
            let mut last = std::time::Instant::now();
            let stats = store::copy::copy(&*source, &*destination, batch, &mut |line| {
                // A line a second at most (the totals follow on stdout).
                if last.elapsed() >= std::time::Duration::from_secs(1) || !line.contains("rows") {
                    eprintln!("copy: {line}");
                    last = std::time::Instant::now();
                }
            })?;
            for (table, read, written) in &stats.tables {
                println!("{table}: {read} rows read, {written} written");
            }
            println!(
                "copied {from_name} to {to_name}: {} rows written",
                stats.written()
            );
            Ok(())
        }
        Command::Purge { retention_days } => {
            let store = open(&cli.database)?;
            let p = store.purge(retention_cutoff(retention_days))?;
            println!(
                "purged {} reports and {} workstations older than {retention_days} days",
                p.reports, p.workstations
            );
            Ok(())
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into a buffer: the generator panics on a write error (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "ent-collector", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script)?;
            Ok(())
        }
        Command::Manual => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut std::io::stdout())?;
            Ok(())
        }
    }
}

async fn daily_purge(store: Arc<dyn Store>, days: u32) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    tick.tick().await; // the first tick is immediate; the start already purged
    loop {
        tick.tick().await;
        let store = Arc::clone(&store);
        let cutoff = retention_cutoff(days);
        match tokio::task::spawn_blocking(move || store.purge(cutoff)).await {
            Ok(Ok(p)) => tracing::info!(reports = p.reports, "retention purge"),
            Ok(Err(e)) => tracing::error!("retention purge failed: {e}"),
            Err(e) => tracing::error!("retention purge task: {e}"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A circonscription scope names one circonscription of the directory, in one département.
/// When the directory has no circonscription code, the collector makes one (`commune:NAME`,
/// or the name in capitals) that two départements may share: such a scope would show both,
/// so it is refused, as is a code no school of the directory has.
fn circonscription_is_one_area(store: &dyn Store, code: &str) -> anyhow::Result<()> {
    let departements: std::collections::BTreeSet<String> = store
        .schools()?
        .into_iter()
        .filter(|s| s.circonscription_code == code)
        .map(|s| s.departement)
        .collect();
    match departements.len() {
        0 => bail!(
            "--scope: no school of the directory is in circonscription {code:?} (import the directory first: `ent-collector schools import`; codes as in its code_circonscription column)"
        ),
        1 => Ok(()),
        _ => bail!(
            "--scope: circonscription {code:?} is in several départements ({}): the directory gives it no code of its own; use ecoles:UAI,... or departement:CODE",
            departements.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}
