//! `dist/release.sh --debug`: every artifact in one directory, named with the workspace's
//! version (Cargo.toml), and a `SHA256SUMS` that `sha256sum -c` accepts, and rejects once an
//! artifact changes. The packages' contents are the business of `debian_package.rs` and
//! `windows_msi.rs`; here only their names, versions and checksums.
//!
//! Needs what the packaging scripts need: dpkg-deb, the Rust target `x86_64-pc-windows-gnu`
//! with `x86_64-w64-mingw32-gcc`, zip (or python3), wixl, and sha256sum. With `CI` or
//! `ENT_TESTS_REQUIRE_WINE` set (`.ci/run`), a missing tool is a failure; elsewhere the test
//! says what is missing and stops.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use ent_tests::{stdout_of, workspace_root};

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

fn missing_tool() -> Option<String> {
    for (tool, package) in [
        ("dpkg-deb", "dpkg"),
        ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
        ("wixl", "wixl"),
        ("sha256sum", "coreutils"),
    ] {
        if !on_path(tool) {
            return Some(format!(
                "{tool} is not installed (apt-get install {package})"
            ));
        }
    }
    if !on_path("zip") && !on_path("python3") {
        return Some("neither zip nor python3 is installed (apt-get install zip)".into());
    }
    None
}

fn sha256sum_check(dir: &std::path::Path) -> std::process::Output {
    Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn release_artifacts_and_checksums() {
    if let Some(why) = missing_tool() {
        if std::env::var_os("ENT_TESTS_REQUIRE_WINE").is_some() || std::env::var_os("CI").is_some()
        {
            panic!("CI or ENT_TESTS_REQUIRE_WINE is set, but: {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let printed = stdout_of(
        Command::new("bash")
            .arg(workspace_root().join("dist/release.sh"))
            .args(["--debug", "--out"])
            .arg(out.path()),
        "release.sh",
    );
    eprintln!(
        "release.sh --debug: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let version = env!("CARGO_PKG_VERSION");
    let arch = String::from_utf8(
        Command::new("dpkg")
            .arg("--print-architecture")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let artifacts = [
        format!("ent-agent_{version}_{arch}.deb"),
        format!("ent-collector_{version}_{arch}.deb"),
        format!("ent-agent-{version}-windows-x86_64.zip"),
        format!("ent-agent-{version}-windows-x86_64.msi"),
    ];
    let mut expected: Vec<PathBuf> = artifacts.iter().map(|a| out.path().join(a)).collect();
    expected.push(out.path().join("SHA256SUMS"));
    let listed: Vec<PathBuf> = printed.lines().map(PathBuf::from).collect();
    assert_eq!(listed, expected, "release.sh printed:\n{printed}");
    let mut present: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    let mut wanted: Vec<String> = artifacts.to_vec();
    wanted.push("SHA256SUMS".into());
    wanted.sort();
    assert_eq!(present, wanted, "nothing else in the directory");
    for a in &expected {
        assert!(a.metadata().unwrap().len() > 0, "{} is empty", a.display());
    }

    // The versions inside match the names: the Debian control data, the zip's folder.
    for (deb, package) in [
        (&artifacts[0], "ent-agent"),
        (&artifacts[1], "ent-collector"),
    ] {
        let fields = stdout_of(
            Command::new("dpkg-deb")
                .arg("--field")
                .arg(out.path().join(deb))
                .args(["Package", "Version"]),
            "dpkg-deb --field",
        );
        assert_eq!(
            fields,
            format!("Package: {package}\nVersion: {version}\n"),
            "{deb}"
        );
    }
    let zip = std::fs::read(out.path().join(&artifacts[2])).unwrap();
    for file in ["ent-agent.exe", "ent-agent.ps1"] {
        let entry = format!("ent-agent-{version}-windows-x86_64/{file}");
        assert!(
            zip.windows(entry.len()).any(|w| w == entry.as_bytes()),
            "no {entry} in the zip"
        );
    }

    // One checksum line per artifact, and sha256sum agrees.
    let sums = std::fs::read_to_string(out.path().join("SHA256SUMS")).unwrap();
    let named: Vec<&str> = sums
        .lines()
        .map(|l| {
            let (hash, name) = l.split_once("  ").unwrap();
            assert_eq!(hash.len(), 64, "{l}");
            assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{l}");
            name
        })
        .collect();
    assert_eq!(
        named,
        artifacts.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let check = sha256sum_check(out.path());
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // A changed artifact is caught.
    let msi = out.path().join(&artifacts[3]);
    let mut bytes = std::fs::read(&msi).unwrap();
    bytes.push(0);
    std::fs::write(&msi, bytes).unwrap();
    let check = sha256sum_check(out.path());
    assert!(!check.status.success());
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(
        said.contains(&format!("{}: FAILED", artifacts[3])),
        "{said}"
    );
}
