//! A throwaway PostgreSQL cluster for the tests: `initdb` in a temporary directory, the
//! server on a free loopback port (and its socket inside that directory), a database per
//! test. As root (CI), the cluster belongs to a system user (`postgres` when the package
//! made it, else one made here), since PostgreSQL refuses to run as root.
//!
//! One cluster per test binary ([`Cluster::shared`]): a watchdog beside the server stops it
//! and removes its directory when the test process is gone, since statics are never
//! dropped. A [`Cluster::start`]ed one is stopped and removed on drop as well.
//!
//! The tests' cluster trades durability for speed (`fsync = off`): they kill collectors,
//! never the database server. Benchmarks start a durable one ([`Cluster::start_durable`]).

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The role the tests connect as (no password on loopback: `trust`).
pub const USER: &str = "ent";

/// The system user the cluster runs as when the tests run as root.
const TEST_USER: &str = "ent-tests-pg";

/// A running PostgreSQL server of its own.
#[derive(Debug)]
pub struct Cluster {
    /// Holds the data directory, the socket and the log; owned by the cluster's user.
    root: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    /// The watchdog shell, the server's parent.
    child: Child,
    next_db: AtomicU32,
}

/// The directory of PostgreSQL's server binaries: 15's Debian directory, else another
/// version's, else the one of `initdb` on the PATH.
pub fn bin_dir() -> Option<PathBuf> {
    let debian = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(debian)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    versions.sort();
    if let Some(v15) = versions.iter().find(|b| b.starts_with(debian.join("15"))) {
        return Some(v15.clone());
    }
    if let Some(last) = versions.pop() {
        return Some(last);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file())
    })
}

/// (uid, gid) of a user of /etc/passwd.
fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[0] == name).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

/// Whether the tests run as root (the owner of /proc/self).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The user to run the cluster as, when running as root: `postgres`, else a system user
/// made for the tests, else `nobody`.
fn cluster_user() -> Option<(u32, u32)> {
    if !is_root() {
        return None;
    }
    lookup_user("postgres")
        .or_else(|| {
            let _ = Command::new("useradd")
                .args([
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                ])
                .arg(TEST_USER)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            lookup_user(TEST_USER)
        })
        .or_else(|| lookup_user("nobody"))
}

/// A free port on loopback (as free as can be known before the server binds it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The watchdog: starts the server, then waits for it or for the test process to go; stops
/// the server then (fast shutdown) and removes the cluster's directory.
const WATCHDOG: &str = r#"
"$BIN/postgres" -D "$ROOT/data" -p "$PORT" -k "$ROOT" -c listen_addresses=127.0.0.1 \
    -c fsync="$FSYNC" -c full_page_writes="$FSYNC" -c max_connections=300 -c shared_buffers=32MB \
    >>"$ROOT/server.log" 2>&1 &
pg=$!
while [ -e "/proc/$OWNER" ] && kill -0 "$pg" 2>/dev/null; do sleep 0.3; done
kill -INT "$pg" 2>/dev/null
wait "$pg"
[ -e "/proc/$OWNER" ] || rm -rf "$ROOT"
"#;

impl Cluster {
    /// The cluster of this test process, started on first use.
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(Cluster::start)
    }

    /// A new cluster; the test fails when PostgreSQL is not installed.
    pub fn start() -> Cluster {
        Cluster::start_with(false)
    }

    /// A new cluster that syncs its commits to disk, as a deployment's does (benchmarks).
    pub fn start_durable() -> Cluster {
        Cluster::start_with(true)
    }

    fn start_with(durable: bool) -> Cluster {
        let bin = bin_dir().expect(
            "PostgreSQL's server binaries (initdb, postgres) are needed: apt-get install postgresql-15",
        );
        let user = cluster_user();
        // As root, in /tmp: the cluster's user must reach it (a TMPDIR under /root would not
        // do), and the socket's path must stay short.
        let parent = match user {
            Some(_) => PathBuf::from("/tmp"),
            None => std::env::temp_dir(),
        };
        let root = tempfile::Builder::new()
            .prefix("ent-pg-")
            .tempdir_in(parent)
            .expect("a temporary directory");
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(root.path(), Some(uid), Some(gid))
                .expect("give the cluster's directory to its user");
        }
        let as_user = |cmd: &mut Command| {
            if let Some((uid, gid)) = user {
                // As root, std drops the supplementary groups too.
                cmd.uid(uid).gid(gid);
            }
            cmd.env_remove("PGDATA")
                .env("LC_ALL", "C")
                .current_dir(root.path());
        };
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(root.path().join("data"))
            .args(["-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8"])
            .args(["--locale=C", "--no-instructions"]);
        as_user(&mut initdb);
        crate::checked_output(&mut initdb, "initdb").unwrap_or_else(|e| panic!("{e}"));

        let port = free_port();
        let mut watchdog = Command::new("sh");
        watchdog
            .args(["-c", WATCHDOG])
            .env("BIN", &bin)
            .env("ROOT", root.path())
            .env("PORT", port.to_string())
            .env("FSYNC", if durable { "on" } else { "off" })
            .env("OWNER", std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        as_user(&mut watchdog);
        let child = watchdog.spawn().expect("start the PostgreSQL server");
        let mut cluster = Cluster {
            root,
            bin,
            port,
            child,
            next_db: AtomicU32::new(0),
        };
        cluster.wait_ready();
        cluster
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            let gone = matches!(self.child.try_wait(), Ok(Some(_)));
            if gone || Instant::now() > deadline {
                panic!(
                    "the PostgreSQL server did not start:\n{}",
                    std::fs::read_to_string(self.root.path().join("server.log"))
                        .unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The URL of database `db` for the collector.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{db}", self.port)
    }

    /// A new, empty database: its name.
    pub fn create_database(&self) -> String {
        let name = format!("t_{}", self.next_db.fetch_add(1, Ordering::SeqCst));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Run `sql` with psql on database `db`: what it printed (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        crate::stdout_of(
            Command::new(self.bin.join("psql"))
                .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
                .args(["-d", db, "-c", sql])
                .env_remove("PGPASSWORD")
                .env_remove("PGSERVICE"),
            &format!("psql {sql}"),
        )
        .trim()
        .to_owned()
    }

    /// A psql session on database `db` reading its SQL from the child's stdin, for what must
    /// stay open while the test goes on (a transaction holding a lock): closing stdin ends
    /// the session, and rolls back what it left open.
    pub fn psql_session(&self, db: &str) -> Child {
        Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
            .args(["-d", db])
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start psql")
    }

    /// The cluster's directory (its log is `server.log` there).
    pub fn dir(&self) -> &Path {
        self.root.path()
    }

    /// The postmaster's pid, from its pid file.
    fn server_pid(&self) -> Option<OsString> {
        let text = std::fs::read_to_string(self.root.path().join("data/postmaster.pid")).ok()?;
        text.lines().next().map(|l| OsString::from(l.trim()))
    }
}

impl Drop for Cluster {
    /// Fast shutdown, wait for it (10 s at most), then the directory goes with `root`.
    fn drop(&mut self) {
        if let Some(pid) = self.server_pid() {
            let _ = Command::new("kill").arg("-INT").arg(pid).status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
