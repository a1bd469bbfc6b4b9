//! A real `ent-collector` for end-to-end tests: its own database (a SQLite file, or a
//! database of the test process's PostgreSQL cluster), port 0 on loopback, tokens made with
//! its CLI, killed (SIGKILL) on drop.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use jiff::Timestamp;
use readiness::{Profile, Report, Uai};

/// The `ent-collector` binary.
pub fn collector_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| crate::binary("ent-collector", "ent-collector"))
}

/// A storage backend of the collector, for the suites that run on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database of a backend, and a temporary directory beside it (which holds
/// the SQLite file). The PostgreSQL database lives until the cluster goes, at the end of
/// the test process.
#[derive(Debug)]
pub struct TestDb {
    pub backend: Backend,
    dir: tempfile::TempDir,
    database: OsString,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database = match backend {
            Backend::Sqlite => dir.path().join("collector.db").into_os_string(),
            Backend::Postgres => {
                let cluster = crate::postgres::Cluster::shared();
                cluster.url(&cluster.create_database()).into()
            }
        };
        TestDb {
            backend,
            dir,
            database,
        }
    }

    /// The `--database` value.
    pub fn database(&self) -> &OsStr {
        &self.database
    }

    /// The temporary directory (for other files of the test).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Define each listed test function (taking a [`Backend`]) as two tests, `sqlite::NAME` and
/// `postgres::NAME`: one suite run on each backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name($crate::collector::Backend::Sqlite)
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name($crate::collector::Backend::Postgres)
            })*
        }
    };
}

/// `ent-collector --database DB ...`, for the admin commands.
pub fn admin(db: &(impl AsRef<OsStr> + ?Sized)) -> Command {
    let mut cmd = Command::new(collector_bin());
    cmd.arg("--database")
        .arg(db)
        .env_remove("ENT_COLLECTOR_DATABASE");
    cmd
}

/// Create a token in the database `db` with the admin CLI (`token create ARGS`) and return
/// its secret.
pub fn create_token(db: &(impl AsRef<OsStr> + ?Sized), args: &[&str]) -> String {
    crate::stdout_of(
        admin(db).args(["token", "create"]).args(args),
        "token create",
    )
    .trim()
    .to_owned()
}

/// `POST /api/v1/speedtest/sessions` on the collector at `url` with `token`: the status and
/// the session id (if any).
pub fn open_speedtest(url: &str, token: &str) -> (u16, Option<String>) {
    let r = Collector::http()
        .post(format!("{url}/api/v1/speedtest/sessions"))
        .bearer_auth(token)
        .send()
        .expect("open a speed-test session");
    let status = r.status().as_u16();
    let v: serde_json::Value = r.json().unwrap_or_default();
    (status, v["session"].as_str().map(str::to_owned))
}

/// `DELETE /api/v1/speedtest/sessions/{id}` on the collector at `url`, with `token` or none:
/// the status.
pub fn close_speedtest(url: &str, id: &str, token: Option<&str>) -> u16 {
    let req = Collector::http().delete(format!("{url}/api/v1/speedtest/sessions/{id}"));
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    req.send()
        .expect("close a speed-test session")
        .status()
        .as_u16()
}

/// The URL a just-started `ent-collector serve` (stdout piped) prints on its first line.
pub fn listening_url(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the collector's first line");
    line.trim()
        .strip_prefix("ent-collector listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned()
}

/// A running collector.
#[derive(Debug)]
pub struct Collector {
    child: Child,
    pub url: String,
    /// The `--database` value.
    pub db: OsString,
}

impl Collector {
    /// Start on `db` (created if missing) with extra `serve` arguments; waits until it
    /// listens.
    pub fn start(db: &(impl AsRef<OsStr> + ?Sized), extra: &[&str]) -> Collector {
        Self::start_on(db, "127.0.0.1:0", extra)
    }

    pub fn start_on(db: &(impl AsRef<OsStr> + ?Sized), listen: &str, extra: &[&str]) -> Collector {
        let db = db.as_ref();
        let mut child = admin(db)
            .args(["serve", "--listen", listen])
            .args(extra)
            .env("ENT_COLLECTOR_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start ent-collector");
        let url = listening_url(&mut child);
        Collector {
            child,
            url,
            db: db.to_owned(),
        }
    }

    /// Create a token with the admin CLI and return its secret.
    pub fn token(&self, args: &[&str]) -> String {
        create_token(&self.db, args)
    }

    pub fn school_token(&self, uai: &str) -> String {
        self.token(&["--school", uai])
    }

    pub fn read_token(&self) -> String {
        self.token(&["--read"])
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then wait for the exit (at most `within`); returns the exit code.
    pub fn terminate(&mut self, within: Duration) -> Option<i32> {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGKILL, no chance to flush anything.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn http() -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .no_proxy()
            .build()
            .expect("http client")
    }

    /// The entry of school `uai` in `GET /api/v1/schools` (read with `read`).
    pub fn listed_school(&self, read: &str, uai: &str) -> serde_json::Value {
        let (status, body) = self.get("/api/v1/schools", Some(read));
        assert_eq!(status, 200, "{body}");
        crate::find_in(&body["schools"], "uai", uai).clone()
    }

    /// `GET path` (with `token` as bearer when given): the status and the body, as JSON
    /// when it is JSON, else as a JSON string.
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        answer(Self::http().get(format!("{}{path}", self.url)), token)
    }

    /// `GET /api/v1/export.csv` with a read token: the CSV text.
    pub fn export_csv(&self, read_token: &str) -> String {
        Self::http()
            .get(format!("{}/api/v1/export.csv", self.url))
            .bearer_auth(read_token)
            .send()
            .expect("GET export.csv")
            .text()
            .expect("the CSV")
    }

    /// `GET /metrics` with a new read token of scope all: the Prometheus text.
    pub fn metrics(&self) -> String {
        Self::http()
            .get(format!("{}/metrics", self.url))
            .bearer_auth(self.read_token())
            .send()
            .expect("GET /metrics")
            .text()
            .expect("the metrics")
    }

    /// `POST /api/v1/reports` of `body` (with `token` as bearer when given): the status and
    /// the body, as JSON when it is JSON, else as a JSON string.
    pub fn post_report(
        &self,
        token: Option<&str>,
        body: impl Into<reqwest::blocking::Body>,
    ) -> (u16, serde_json::Value) {
        answer(
            Self::http()
                .post(format!("{}/api/v1/reports", self.url))
                .header("content-type", "application/json")
                .body(body),
            token,
        )
    }

    /// Number of stored reports, from /healthz.
    pub fn report_count(&self) -> u64 {
        let (status, body) = self.get("/healthz", None);
        assert_eq!(status, 200, "{body}");
        body["reports"].as_u64().expect("reports count")
    }
}

/// Send `req` (with `token` as bearer when given): the status and the body, as JSON when it
/// is JSON, else as a JSON string.
fn answer(req: reqwest::blocking::RequestBuilder, token: Option<&str>) -> (u16, serde_json::Value) {
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let resp = req.send().expect("send the request to the collector");
    let status = resp.status().as_u16();
    let text = resp.text().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A collector on a fresh SQLite database holding the sample school directory
/// (`dist/annuaire-sample.csv`); the directory holds the database (`collector.db`).
pub fn with_sample_directory() -> (tempfile::TempDir, Collector) {
    let (db, c) = with_sample_directory_on(Backend::Sqlite);
    (db.dir, c)
}

/// [`with_sample_directory`] on a fresh database of `backend`.
pub fn with_sample_directory_on(backend: Backend) -> (TestDb, Collector) {
    let db = TestDb::new(backend);
    import_sample_directory(db.database());
    let c = Collector::start(db.database(), &[]);
    (db, c)
}

/// [`with_sample_directory`], scoring with `dist/profiles/fr-primaire.toml` where each
/// `(from, to)` of `edits` is replaced (each must be there), e.g. a lower workstation cap.
pub fn with_profile_edits(edits: &[(&str, &str)]) -> (tempfile::TempDir, Collector) {
    let db = TestDb::new(Backend::Sqlite);
    import_sample_directory(db.database());
    let mut profile =
        std::fs::read_to_string(crate::workspace_root().join("dist/profiles/fr-primaire.toml"))
            .expect("read the sample profile");
    for (from, to) in edits {
        assert!(profile.contains(from), "the sample profile has no {from:?}");
        profile = profile.replace(from, to);
    }
    let path = db.dir.path().join("profile.toml");
    std::fs::write(&path, profile).expect("write the profile");
    let c = Collector::start(db.database(), &["--profile", &path.to_string_lossy()]);
    (db.dir, c)
}

/// Import the sample school directory into the database `db`.
pub fn import_sample_directory(db: &(impl AsRef<OsStr> + ?Sized)) {
    crate::stdout_of(
        admin(db)
            .args(["schools", "import"])
            .arg(crate::workspace_root().join("dist/annuaire-sample.csv")),
        "schools import",
    );
}

/// A plausible report of a good Debian 12 PC, scored with the built-in profile.
pub fn sample_report(school: &str, workstation: uuid::Uuid) -> Report {
    let profile = Profile::default_profile();
    let now = Timestamp::now();
    let school = school.parse::<Uai>().expect("valid UAI");
    let measurements = readiness::samples::good_pc(&profile, now);
    let mut report =
        readiness::samples::report(&profile, Some(school), workstation, measurements, now);
    report.report_id = uuid::Uuid::now_v7();
    report
}
