//! A real nginx (Debian's `nginx` package) as the load balancer in front of several
//! collector nodes: started by the test with its own configuration in a temporary directory
//! (one process, no daemon, no access log), killed on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// nginx's binary: on the PATH, else Debian's location (`/usr/sbin` is not on every PATH).
pub fn nginx_bin() -> Option<PathBuf> {
    crate::wine::on_path("nginx")
        .or_else(|| Some(PathBuf::from("/usr/sbin/nginx")).filter(|p| p.is_file()))
}

/// nginx, or why the test stops: with `CI` or `ENT_TESTS_REQUIRE_NGINX` set a missing nginx
/// is a failure (`.ci/run` installs it), elsewhere the test says so and returns.
pub fn nginx_or_skip() -> Option<PathBuf> {
    let found = nginx_bin();
    if found.is_none() {
        let why = "nginx is not installed (apt-get install nginx)";
        if std::env::var_os("CI").is_some() || std::env::var_os("ENT_TESTS_REQUIRE_NGINX").is_some()
        {
            panic!("{why}");
        }
        eprintln!("skipped: {why}");
    }
    found
}

/// A free TCP port on loopback now (bound, then released: the caller binds it next).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// The balancer's settings a collector needs, as the README documents them: HTTP/1.1 to
/// the nodes with keep-alive, bodies streamed both ways (the speed test's upload is counted
/// by the collector as it arrives, its download read as it is sent), no size limit of
/// nginx's own (the collector bounds every body itself), no access log (no client
/// address is kept anywhere).
pub const PROXY_SETTINGS: &str = "
        proxy_http_version 1.1;
        proxy_set_header Connection \"\";
        proxy_request_buffering off;
        proxy_buffering off;
        client_max_body_size 0;
        proxy_read_timeout 60s;
        proxy_send_timeout 60s;";

/// The `http { … }` content of a round-robin balancer listening on `listen` over `nodes`
/// (host:port), each node also reachable by its own prefix `/noeud/{i}/` (the URL it
/// advertises with `--public-url`; `i` from 0).
pub fn balancer_config(listen: &str, nodes: &[String]) -> String {
    let servers: String = nodes
        .iter()
        .map(|n| format!("        server {n};\n"))
        .collect();
    let prefixes: String = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| format!("        location /noeud/{i}/ {{ proxy_pass http://{n}/; }}\n"))
        .collect();
    format!(
        "    upstream collectors {{\n{servers}        keepalive 16;\n    }}\n    server {{\n        listen {listen};\n{PROXY_SETTINGS}\n        location / {{ proxy_pass http://collectors; }}\n{prefixes}    }}\n"
    )
}

/// A running nginx, killed on drop.
#[derive(Debug)]
pub struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Start `nginx` with `http` as the content of its `http { … }` block; `wrap` turns the
    /// program into the command to run (e.g. inside a network namespace). Waits until it
    /// listens (it writes its pid file once its sockets are bound).
    pub fn start(nginx: &Path, http: &str, wrap: impl Fn(&Path) -> Command) -> Nginx {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path().display();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nevents {{ worker_connections 1024; }}\nhttp {{\n    access_log off;\n    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n    fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n{http}}}\n"
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config).unwrap_or_else(|e| panic!("{e}"));
        let child = wrap(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start nginx: {e}"));
        let mut nginx = Nginx { child, dir };
        let started = Instant::now();
        while !nginx.dir.path().join("nginx.pid").is_file() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!("nginx exited ({status}): {}", nginx.error_log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not start within 10 s: {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    /// What nginx wrote to its error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
