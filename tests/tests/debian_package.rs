#![allow(clippy::unwrap_used)]
//! The Debian packages (`dist/debian/package.sh --debug`): their control data, their files,
//! their maintainer scripts, and the programs they carry, run from the unpacked tree (the
//! collector started the way its service starts it, with the settings file it ships).
//! Needs dpkg-deb (every Debian system has it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use ent_tests::collector::listening_url;
use ent_tests::{stdout_of, workspace_root};

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    stdout_of(
        Command::new("dpkg-deb").args(args).arg(deb),
        &format!("dpkg-deb {args:?}"),
    )
}

/// Unpack `deb`'s files and its control area into `dir`/root and `dir`/DEBIAN.
fn unpack(deb: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let root = dir.join("root");
    let control = dir.join("DEBIAN");
    for (flag, to) in [("-x", &root), ("-e", &control)] {
        let st = Command::new("dpkg-deb")
            .arg(flag)
            .arg(deb)
            .arg(to)
            .status()
            .unwrap();
        assert!(st.success(), "dpkg-deb {flag} {}", deb.display());
    }
    (root, control)
}

/// Killed on drop: a failed assertion does not leave the collector running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn assert_scripts_parse(control: &Path, scripts: &[&str]) {
    for s in scripts {
        let path = control.join(s);
        let mode = std::os::unix::fs::PermissionsExt::mode(&path.metadata().unwrap().permissions());
        assert_eq!(mode & 0o111, 0o111, "{s} is not executable");
        let st = Command::new("sh").arg("-n").arg(&path).status().unwrap();
        assert!(st.success(), "{s} does not parse");
    }
}

#[test]
fn debian_packages() {
    if Command::new("dpkg-deb").arg("--version").output().is_err() {
        eprintln!("skipped: dpkg-deb is not installed (not a Debian system)");
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let stdout = stdout_of(
        Command::new("bash")
            .arg(workspace_root().join("dist/debian/package.sh"))
            .args(["--debug", "--out"])
            .arg(out_dir.path()),
        "package.sh",
    );
    let debs: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
    assert_eq!(debs.len(), 2, "{stdout}");
    let version = env!("CARGO_PKG_VERSION");

    // ent-agent: the binary and its documentation; nothing runs at install.
    let agent = &debs[0];
    assert!(
        agent
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&format!("ent-agent_{version}_")),
        "{}",
        agent.display()
    );
    let fields = dpkg_deb(&["--field"], agent);
    assert!(fields.contains("Package: ent-agent\n"), "{fields}");
    assert!(
        fields.contains(&format!("Version: {version}\n")),
        "{fields}"
    );
    // The glibc the binaries need, read from their symbol versions.
    assert!(fields.contains("Depends: libc6 (>= 2."), "{fields}");
    let dir = tempfile::tempdir().unwrap();
    let (root, control) = unpack(agent, dir.path());
    assert_scripts_parse(&control, &["postinst", "prerm", "postrm"]);
    // Removing the package removes the timer `ent-agent schedule install` wrote; purging
    // removes the state (id, enrolment with its token, spool).
    let prerm = std::fs::read_to_string(control.join("prerm")).unwrap();
    assert!(prerm.contains("ent-agent schedule remove"), "{prerm}");
    let postrm = std::fs::read_to_string(control.join("postrm")).unwrap();
    assert!(postrm.contains("rm -rf /var/lib/ent-agent"), "{postrm}");
    let v = Command::new(root.join("usr/bin/ent-agent"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(v.status.success());
    assert!(String::from_utf8_lossy(&v.stdout).contains(version));
    for doc in ["README.md", "copyright", "fr-primaire.toml"] {
        assert!(
            root.join("usr/share/doc/ent-agent").join(doc).is_file(),
            "{doc}"
        );
    }
    assert_shell_and_man(&root, "ent-agent", &["audit", "enroll", "run", "schedule"]);

    // ent-collector: a service with its settings file (a conffile) and a system user.
    let collector = &debs[1];
    let fields = dpkg_deb(&["--field"], collector);
    assert!(fields.contains("Package: ent-collector\n"), "{fields}");
    assert!(
        fields
            .lines()
            .any(|l| l.starts_with("Depends: libc6 (>= 2.") && l.ends_with("), adduser")),
        "{fields}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (root, control) = unpack(collector, dir.path());
    assert_scripts_parse(&control, &["postinst", "prerm", "postrm"]);
    assert_eq!(
        std::fs::read_to_string(control.join("conffiles")).unwrap(),
        "/etc/default/ent-collector\n"
    );
    let unit =
        std::fs::read_to_string(root.join("usr/lib/systemd/system/ent-collector.service")).unwrap();
    let unit_lines: Vec<&str> = unit.lines().collect();
    for line in [
        "ExecStart=/usr/bin/ent-collector serve",
        "User=ent-collector",
        "StateDirectory=ent-collector",
        "EnvironmentFile=-/etc/default/ent-collector",
        "Environment=ENT_COLLECTOR_DATABASE=/var/lib/ent-collector/collector.db",
    ] {
        assert!(
            unit_lines.contains(&line),
            "no {line:?} in the unit:\n{unit}"
        );
    }
    let postinst = std::fs::read_to_string(control.join("postinst")).unwrap();
    assert!(postinst.contains("adduser --system"), "{postinst}");
    // An upgrade never starts a service the administrator stopped.
    assert!(
        postinst.contains("try-restart ent-collector.service"),
        "{postinst}"
    );
    assert!(!postinst.contains("systemctl restart"), "{postinst}");
    // A purge keeps the audits and the user that owns them.
    let postrm = std::fs::read_to_string(control.join("postrm")).unwrap();
    assert!(!postrm.contains("rm -"), "{postrm}");
    assert!(!postrm.contains("deluser"), "{postrm}");
    for f in ["annuaire-sample.csv", "fr-primaire.toml"] {
        assert!(
            root.join("usr/share/ent-collector").join(f).is_file(),
            "{f}"
        );
    }
    assert_shell_and_man(
        &root,
        "ent-collector",
        &["serve", "token", "workstations", "purge"],
    );

    // Started as the service starts it: the unit's environment, then the settings file
    // (only the address is changed, to a free port; the database to a temporary file).
    let settings = std::fs::read_to_string(root.join("etc/default/ent-collector")).unwrap();
    let env: BTreeMap<&str, &str> = settings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .collect();
    assert_eq!(env.get("ENT_COLLECTOR_LISTEN"), Some(&"127.0.0.1:8080"));
    let child = Command::new(root.join("usr/bin/ent-collector"))
        .arg("serve")
        .envs(&env)
        .env("ENT_COLLECTOR_LISTEN", "127.0.0.1:0")
        .env("ENT_COLLECTOR_DATABASE", dir.path().join("collector.db"))
        .env("ENT_COLLECTOR_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let url = listening_url(&mut child.0).trim_end_matches('/').to_owned();
    let health = reqwest::blocking::get(format!("{url}/healthz")).unwrap();
    // SIGTERM, as systemd stops it: a clean exit.
    let _ = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    let status = child.0.wait().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert!(status.success(), "{status}");
}

/// The completions of bash, zsh and fish and the manual page, where Debian's shells and
/// `man` look for them, generated from the command line: each names the subcommands.
fn assert_shell_and_man(root: &Path, bin: &str, subcommands: &[&str]) {
    let share = root.join("usr/share");
    for file in [
        format!("bash-completion/completions/{bin}"),
        format!("zsh/vendor-completions/_{bin}"),
        format!("fish/vendor_completions.d/{bin}.fish"),
    ] {
        let text = std::fs::read_to_string(share.join(&file)).unwrap_or_default();
        for sub in subcommands {
            assert!(text.contains(sub), "{file} does not complete `{sub}`");
        }
    }
    let gz = share.join(format!("man/man1/{bin}.1.gz"));
    let man = Command::new("gzip").arg("-dc").arg(&gz).output().unwrap();
    assert!(man.status.success(), "{}", gz.display());
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(man.contains(&format!(".TH {bin} 1")), "{man}");
    for sub in subcommands {
        assert!(man.contains(sub), "the manual page does not name `{sub}`");
    }
}
