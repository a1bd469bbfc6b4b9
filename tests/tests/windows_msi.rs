//! The agent's Windows Installer package (`dist/windows/msi.sh`, built with wixl) installed,
//! upgraded and removed by Wine's `msiexec`, in one Wine prefix of the test's own:
//!
//! - refusals first, leaving nothing behind: COLLECTOR and SCHOOL without TOKENFILE (a
//!   launch condition), and a token the collector refuses (the enrolment fails, the
//!   installation is rolled back);
//! - `msiexec /i … /qn COLLECTOR=… SCHOOL=… TOKENFILE=… LABEL=…`: the binary, the default
//!   profile and the PowerShell completion under Program Files, `ent-agent.exe --version`,
//!   the enrolment checked against a local collector (the agent reads the token file itself:
//!   a label with `%PATH%` is kept as it is, no cmd.exe expands it), the scheduled task
//!   registered, one product in Add/Remove Programs with the Cargo.toml version; a `run`
//!   delivers a report;
//! - a second package of the same binary with a higher version, installed without
//!   properties: an upgrade in place (one product, the new version, the state directory
//!   byte for byte, a second `run` from the same workstation id); the older package is then
//!   refused (no downgrade);
//! - `msiexec /x`: the binary, its folder, the task and the product gone, the state kept;
//! - a school's own package (`msi.sh --property`: the properties in its Property table, as
//!   a transform puts them) installed without a command line enrols with them; removed
//!   with `PURGE=1`: the state gone too.
//!
//! What Wine cannot show: its Task Scheduler keeps a task's name, description and settings
//! but drops its triggers, principal and command (`C:\windows\system32\tasks\…` holds an
//! empty `<Exec/>`), and `schtasks /Query` and `/Run` are stubs that answer 0. So the test
//! sees that `ent-agent schedule install` and `schedule remove` ran through `schtasks`
//! and created and deleted the task (Wine passes the actions' output through); the task's contents are checked by the agent's own
//! tests against `dist/windows/ent-agent-task.xml`. SYSTEM, ACLs, GPO deployment and
//! transforms (`.mst`: Wine's msi cannot generate them) are not exercised.
//!
//! Needs Wine, `x86_64-w64-mingw32-gcc`, the Rust target `x86_64-pc-windows-gnu` (as
//! `windows_wine.rs`) and `wixl` (Debian's package of that name). With `CI` or
//! `ENT_TESTS_REQUIRE_WINE` set (`.ci/run` sets the latter and installs them), a missing
//! tool is a failure; elsewhere the test says what is missing and stops.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use ent_tests::collector::with_sample_directory;
use ent_tests::wine::{self, Wine, windows_path};
use ent_tests::{stdout_of, workspace_root};

/// A school of `dist/annuaire-sample.csv`.
const SCHOOL: &str = "0690101K";
const PRODUCT: &str = "ENT Readiness agent";
const TASK: &str = r"\ENT Readiness\ent-agent";

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What this test asks of its Wine prefix beyond the shared helper.
trait Installer {
    /// `msiexec ARGS` (timed).
    fn msiexec(&self, args: &[&str]) -> Output;
    /// The installed products named [`PRODUCT`] (Add/Remove Programs): each one's values.
    fn products(&self) -> Vec<BTreeMap<String, String>>;

    /// `msiexec ARGS`, which must succeed and print `said` on stdout.
    fn msiexec_saying(&self, args: &[&str], said: &str) {
        let out = self.msiexec(args);
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(said),
            "no {said:?}: {}",
            text(&out)
        );
    }
}

impl Installer for Wine {
    fn msiexec(&self, args: &[&str]) -> Output {
        let started = Instant::now();
        let out = self.run(&[&["msiexec"], args].concat());
        eprintln!(
            "msiexec {} -> {:?} in {:.1} s",
            args.join(" "),
            out.status.code(),
            started.elapsed().as_secs_f64()
        );
        out
    }

    fn products(&self) -> Vec<BTreeMap<String, String>> {
        let out = self.run(&[
            "reg",
            "query",
            r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall",
            "/s",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let mut keys: Vec<BTreeMap<String, String>> = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if line.starts_with("HKEY_") {
                keys.push(BTreeMap::from([("key".to_owned(), line.trim().to_owned())]));
            } else if let (Some(key), Some((name, rest))) =
                (keys.last_mut(), line.trim().split_once("    "))
            {
                let value = rest.split_once("    ").map_or("", |(_, v)| v);
                key.insert(name.to_owned(), value.trim().to_owned());
            }
        }
        keys.retain(|k| k.get("DisplayName").map(String::as_str) == Some(PRODUCT));
        keys
    }
}

/// Wine's loader, the Windows build and the Linux one (for the completion script), once the
/// tools are all there; or why not.
fn setup() -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let (loader, exe) = wine::setup(&[("wixl", "wixl")])?;
    let linux = ent_tests::build_binary("ent-agent", "ent-agent", None)?;
    Ok((loader, exe, linux))
}

/// `dist/windows/msi.sh` for `exe` (the completion script written by `linux`) at `version`,
/// with `properties` inside (`--property`): the package's path.
fn build_msi(
    (exe, linux): (&Path, &Path),
    version: &str,
    properties: &[String],
    out: &Path,
) -> PathBuf {
    let started = Instant::now();
    let mut cmd = Command::new("bash");
    cmd.arg(workspace_root().join("dist/windows/msi.sh"))
        .arg("--exe")
        .arg(exe)
        .arg("--completions-from")
        .arg(linux)
        .args(["--version", version, "--out"])
        .arg(out);
    for p in properties {
        cmd.args(["--property", p]);
    }
    let printed = stdout_of(&mut cmd, "msi.sh");
    let msi = PathBuf::from(printed.lines().last().unwrap_or_default());
    let suffix = if properties.is_empty() {
        String::new()
    } else {
        format!("-{SCHOOL}")
    };
    assert_eq!(
        msi.file_name().unwrap().to_str().unwrap(),
        format!("ent-agent-{version}-windows-x86_64{suffix}.msi")
    );
    assert!(msi.is_file(), "{}", msi.display());
    eprintln!(
        "{} built in {:.1} s",
        msi.display(),
        started.elapsed().as_secs_f64()
    );
    msi
}

/// The state directory's files and their bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    files
}

#[test]
fn msi_installs_upgrades_and_uninstalls_under_wine() {
    let test_started = Instant::now();
    let (loader, exe, linux) = match setup() {
        Ok(ready) => ready,
        Err(why)
            if std::env::var_os("ENT_TESTS_REQUIRE_WINE").is_some()
                || std::env::var_os("CI").is_some() =>
        {
            panic!("CI or ENT_TESTS_REQUIRE_WINE is set, but: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let work = tempfile::tempdir().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let (major_minor, patch) = version.rsplit_once('.').unwrap();
    let next = format!("{major_minor}.{}", patch.parse::<u32>().unwrap() + 1);
    let (_db_dir, collector) = with_sample_directory();
    let token = collector.school_token(SCHOOL);
    let token_file = work.path().join("school.token");
    std::fs::write(&token_file, format!("{token}\r\n")).unwrap();
    let wrong_token = work.path().join("wrong.token");
    std::fs::write(&wrong_token, "not-the-school-token\n").unwrap();
    let collector_prop = format!("COLLECTOR={}", collector.url);
    let school_prop = format!("SCHOOL={SCHOOL}");
    let good = format!("TOKENFILE={}", windows_path(&token_file));

    // The packages are built while Wine creates its prefix: this version, the next one, and
    // the next one for this school (its properties inside, as a transform would add them).
    let school = [
        collector_prop.clone(),
        school_prop.clone(),
        good.clone(),
        "LABEL=salle 3".to_owned(),
    ];
    let bins = (exe.as_path(), linux.as_path());
    let (wine, v1, v2, v2_school) = std::thread::scope(|s| {
        let v1 = s.spawn(|| build_msi(bins, version, &[], &work.path().join("v1")));
        let v2 = s.spawn(|| build_msi(bins, &next, &[], &work.path().join("v2")));
        let v2_school = s.spawn(|| build_msi(bins, &next, &school, &work.path().join("v2s")));
        let wine = Wine::new(loader).unwrap_or_else(|e| panic!("{e}"));
        let [v1, v2, v2_school] = [v1, v2, v2_school].map(|t| windows_path(&t.join().unwrap()));
        (wine, v1, v2, v2_school)
    });

    let install_dir = wine.c("Program Files/ENT Readiness");
    let installed_exe = install_dir.join("ent-agent.exe");
    let state = wine.c("ProgramData/ent-agent");
    let task = wine.c("windows/system32/tasks/ENT Readiness/ent-agent");
    let nothing_installed = |what: &str| {
        assert!(
            !install_dir.exists(),
            "{what}: {} exists",
            install_dir.display()
        );
        assert!(!task.exists(), "{what}: the task exists");
        assert!(!state.join("enrollment.json").exists(), "{what}: enrolled");
        assert!(wine.products().is_empty(), "{what}: {:?}", wine.products());
    };

    // Enrolment properties come together or not at all.
    let out = wine.msiexec(&["/i", &v1, "/qn", &collector_prop, &school_prop]);
    assert!(!out.status.success(), "{}", text(&out));
    nothing_installed("without TOKENFILE");

    // A token the collector refuses: the enrolment fails, everything is rolled back.
    let wrong = format!("TOKENFILE={}", windows_path(&wrong_token));
    let out = wine.msiexec(&["/i", &v1, "/qn", &collector_prop, &school_prop, &wrong]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refused this token"),
        "{}",
        text(&out)
    );
    nothing_installed("with a refused token");

    // The install a GPO does, with a verbose log.
    let log = work.path().join("install.log");
    let out = wine.msiexec(&[
        "/i",
        &v1,
        "/qn",
        "/l*v",
        &windows_path(&log),
        &collector_prop,
        &school_prop,
        &good,
        "LABEL=salle 2, poste 5 %PATH%",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    for step in [
        "accepted the token",
        "Enrolled",
        "Scheduled re-audits installed",
    ] {
        assert!(said.contains(step), "no {step:?}: {}", text(&out));
    }
    let log = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    assert!(log.contains("COLLECTOR"), "not the verbose log:\n{log}");
    assert!(!log.contains(&token), "the token is in the installer's log");
    assert!(installed_exe.is_file());
    assert!(install_dir.join("fr-primaire.toml").is_file());
    // The completion script, as the Linux agent writes it, CRLF.
    let completion = std::fs::read_to_string(install_dir.join("ent-agent.ps1")).unwrap();
    assert!(
        completion.contains("Register-ArgumentCompleter -Native -CommandName 'ent-agent'")
            && completion.contains("'--token-file'")
            && completion.contains("\r\n")
            && !completion.replace("\r\n", "").contains('\n'),
        "{completion}"
    );
    let out = wine.run(&[r"C:\Program Files\ENT Readiness\ent-agent.exe", "--version"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ent-agent {version}")
    );
    let enrollment: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("enrollment.json")).unwrap()).unwrap();
    assert_eq!(enrollment["school"], SCHOOL, "{enrollment:#}");
    assert_eq!(
        enrollment["label"], "salle 2, poste 5 %PATH%",
        "{enrollment:#}"
    );
    assert!(
        enrollment["collector"]
            .as_str()
            .unwrap()
            .starts_with(&collector.url),
        "{enrollment:#}"
    );
    let task_xml = std::fs::read_to_string(&task).unwrap();
    assert!(
        task_xml.contains(&format!("<URI>{TASK}</URI>")),
        "{task_xml}"
    );
    let products = wine.products();
    assert_eq!(products.len(), 1, "{products:#?}");
    assert_eq!(products[0]["DisplayVersion"], version, "{products:#?}");

    // The agent as its task runs it (the system state directory): a report delivered.
    let run = |n: u64| {
        let out = wine.run(&[
            r"C:\Program Files\ENT Readiness\ent-agent.exe",
            "run",
            "--no-network",
            "--no-bandwidth",
            "--lang",
            "en",
        ]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("report sent to the collector"),
            "{}",
            text(&out)
        );
        assert_eq!(collector.report_count(), n);
    };
    run(1);
    let kept = snapshot(&state);
    assert!(kept.contains_key("workstation.json"), "{:?}", kept.keys());

    // Upgrade in place: no properties, the enrolment and the workstation id kept. Wine
    // passes the actions' output through: nothing enrols, and the task is registered
    // after anything removed it. (Windows sets UPGRADINGPRODUCTCODE in the old version's
    // removal, which then keeps the task; Wine's RemoveExistingProducts runs
    // `msiexec /qn /i {product} REMOVE=ALL` without it, so there the old version removes
    // the task and the new one registers it again.)
    let out = wine.msiexec(&["/i", &v2, "/qn"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!said.contains("Enrolled"), "{}", text(&out));
    let installed = said.rfind("Scheduled re-audits installed");
    assert!(
        installed.is_some() && said.rfind("Scheduled re-audits removed") < installed,
        "{}",
        text(&out)
    );
    let products = wine.products();
    assert_eq!(products.len(), 1, "{products:#?}");
    assert_eq!(products[0]["DisplayVersion"], next, "{products:#?}");
    assert!(installed_exe.is_file());
    assert!(task.is_file(), "the task is gone after the upgrade");
    assert_eq!(snapshot(&state), kept, "the upgrade changed the state");
    run(2);
    let read = collector.read_token();
    let (status, school) = collector.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(status, 200, "{school}");
    assert_eq!(
        school["workstations"].as_array().unwrap().len(),
        1,
        "two workstations after an upgrade: {school:#}"
    );

    // No downgrade.
    let out = wine.msiexec(&["/i", &v1, "/qn"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(wine.products()[0]["DisplayVersion"], next);

    // Uninstall: the program and the task go, the state stays.
    let kept = snapshot(&state);
    wine.msiexec_saying(&["/x", &v2, "/qn"], "Scheduled re-audits removed");
    assert!(!install_dir.exists(), "{} is left", install_dir.display());
    assert!(!task.exists(), "the task is left");
    assert!(wine.products().is_empty(), "{:?}", wine.products());
    assert_eq!(snapshot(&state), kept, "the uninstall changed the state");

    // The school's own package, installed without a command line (a GPO assignment): it
    // enrols from the properties inside. Then removed with PURGE=1: the state goes too.
    wine.msiexec_saying(&["/i", &v2_school, "/qn"], "accepted the token");
    let enrollment: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("enrollment.json")).unwrap()).unwrap();
    assert_eq!(enrollment["label"], "salle 3", "{enrollment:#}");
    assert!(task.is_file());
    let out = wine.msiexec(&["/x", &v2_school, "/qn", "PURGE=1"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!install_dir.exists());
    assert!(!task.exists());
    assert!(!state.exists(), "PURGE=1 left {}", state.display());
    eprintln!(
        "MSI test done in {:.1} s",
        test_started.elapsed().as_secs_f64()
    );
}

/// `msi.sh` refuses what Windows Installer or cmd.exe would get wrong, before building
/// anything (no Wine, no wixl needed).
#[test]
fn msi_sh_refuses_bad_versions_and_properties() {
    let refused = |args: &[&str], code: i32, says: &str| {
        let out = Command::new("bash")
            .arg(workspace_root().join("dist/windows/msi.sh"))
            .args(["--exe", "/nonexistent/ent-agent.exe", "--out"])
            .arg(std::env::temp_dir())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    for v in ["0.2.0-rc.1", "1.2", "256.0.0", "1.2.65536"] {
        refused(&["--version", v], 1, "is not an MSI version");
    }
    for p in [r#"LABEL=salle "2""#, "LABEL=", "LABEL", "COLLECTOR=a\tb"] {
        refused(&["--property", p], 2, "a value is needed, without");
    }
    refused(
        &["--property", "ALLUSERS=2"],
        2,
        "not a property of the package",
    );
    refused(&["--property", "SCHOOL=../x"], 2, "not a UAI");
}
