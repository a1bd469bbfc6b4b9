//! The technician's USB key end to end, with the real `ent-agent` (and the real
//! `ent-collector` on 127.0.0.1 port 0 for `send`): one workstation id per PC on one key
//! (machines simulated with `ENT_AGENT_MACHINE_ID`), one report file per PC in a directory,
//! the summary and its HTML page from hostile files, and `send` delivering exactly once.
//! Network probes are off (`--no-network`): nothing but loopback is contacted.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use ent_tests::collector::with_sample_directory;
use ent_tests::{Run, agent_bin, neutral_env, run};

const SCHOOL: &str = "0690101K";
const OTHER_SCHOOL: &str = "0690102L";

/// `ent-agent` with nothing inherited: no state directory, no kit, no token.
fn agent_cmd(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    neutral_env(&mut cmd);
    for v in [
        "ENT_AGENT_STATE_DIR",
        "ENT_AGENT_KIT",
        "ENT_AGENT_TOKEN",
        "ENT_AGENT_MACHINE_ID",
    ] {
        cmd.env_remove(v);
    }
    cmd
}

/// `ent-agent --kit KEY audit --no-network --json` on the simulated machine `machine`.
fn audit_on(key: &Path, machine: &str, school: &str, label: &str) -> serde_json::Value {
    let r = run(agent_cmd(agent_bin())
        .env("ENT_AGENT_MACHINE_ID", machine)
        .arg("--kit")
        .arg(key)
        .args(["audit", "--no-network", "--json", "--lang", "en"])
        .args(["--school", school, "--label", label]));
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r:?}"))
}

fn ws_id(report: &serde_json::Value) -> String {
    report["workstation"]["id"].as_str().unwrap().to_owned()
}

/// The report files (`*.json`, not `kit.json`) directly in `dir`, sorted.
fn report_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| e == "json")
                && p.file_name().unwrap() != "kit.json"
        })
        .collect();
    v.sort();
    v
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn two_machines_on_one_key_get_two_ids_and_each_pc_keeps_its_own() {
    let key = tempfile::tempdir().unwrap();
    let a1 = audit_on(key.path(), "machine-a", SCHOOL, "salle 1, poste A");
    let b = audit_on(key.path(), "machine-b", SCHOOL, "salle 1, poste B");
    let a2 = audit_on(key.path(), "machine-a", SCHOOL, "salle 1, poste A");
    assert_ne!(ws_id(&a1), ws_id(&b), "two PCs, two ids");
    assert_eq!(ws_id(&a1), ws_id(&a2), "the same PC twice, one id");

    // One state directory per machine on the key, none named by or holding a machine id.
    let machines: Vec<PathBuf> = std::fs::read_dir(key.path().join("machines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(machines.len(), 2, "{machines:?}");
    for m in &machines {
        let text = std::fs::read_to_string(m.join("workstation.json")).unwrap();
        assert!(
            !text.contains("machine-a") && !text.contains("machine-b"),
            "{text}"
        );
    }

    // With --kit and no --output, each audit's report is in the kit directory, named so
    // that a school's files sort together.
    let files = report_files(key.path());
    assert_eq!(files.len(), 3, "{files:?}");
    let short = |r: &serde_json::Value| ws_id(r).replace('-', "")[..8].to_owned();
    for (report, label) in [(&a1, "salle-1-poste-a"), (&b, "salle-1-poste-b")] {
        let prefix = format!("{SCHOOL}_{label}_{}_", short(report));
        assert!(
            files.iter().any(|f| name(f).starts_with(&prefix)),
            "{prefix} among {files:?}"
        );
    }
    assert!(files.iter().all(|f| name(f).starts_with(SCHOOL)));
}

#[test]
fn audit_output_to_a_directory_writes_one_named_file_per_pc() {
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // A directory that does not exist yet, named with a trailing separator.
    let dir = format!("{}/reports/", out.path().display());
    let r = run(agent_cmd(agent_bin())
        .arg("--state-dir")
        .arg(state.path())
        .args(["audit", "--no-network", "--json", "--school", SCHOOL])
        .args(["--label", "Salle É/3", "--output", &dir]));
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let files = report_files(&out.path().join("reports"));
    assert_eq!(files.len(), 1, "{files:?}");
    let n = name(&files[0]);
    let finished = report["finished_at"].as_str().unwrap();
    let date = finished[..10].replace('-', "");
    assert!(
        n.starts_with(&format!(
            "{SCHOOL}_salle-e-3_{}_{date}T",
            &ws_id(&report).replace('-', "")[..8]
        )) && n.ends_with("Z.json"),
        "{n}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(written["report_id"], report["report_id"]);

    // A plain file path keeps working as before.
    let file = out.path().join("one.json");
    let r = run(agent_cmd(agent_bin())
        .arg("--state-dir")
        .arg(state.path())
        .args(["audit", "--no-network", "--school", SCHOOL, "--output"])
        .arg(&file));
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    assert!(file.is_file());
}

/// A report file of `dir` edited as JSON.
fn edit(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn kit_summary_lists_every_pc_escapes_hostile_texts_and_skips_bad_files() {
    let key = tempfile::tempdir().unwrap();
    audit_on(key.path(), "machine-a", SCHOOL, "salle 1, poste A");
    let b = audit_on(key.path(), "machine-b", SCHOOL, "salle 2, poste B");
    // Labels are validated by the agent: the hostility comes from an edited file.
    let b_file = report_files(key.path())
        .into_iter()
        .find(|f| name(f).contains("salle-2"))
        .unwrap();
    let hostile = "<script>alert(1)</script>";
    edit(&b_file, |v| {
        v["workstation"]["label"] = hostile.into();
        let checks = v["checks"].as_array_mut().unwrap();
        checks[0]["status"] = "fail".into();
        checks[0]["message"] = "<img src=x onerror=alert(2)>".into();
    });
    std::fs::write(key.path().join("garbage.json"), b"{\"not\": \"a report\"}").unwrap();
    std::fs::write(
        key.path().join("huge.json"),
        vec![b' '; 2 * 1024 * 1024 + 10],
    )
    .unwrap();

    let html = key.path().join("page.html");
    let r = run(agent_cmd(agent_bin())
        .args(["kit", "summary"])
        .arg(key.path())
        .arg("--html")
        .arg(&html));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("salle 1, poste A"), "{r:?}");
    assert!(r.stdout.contains(hostile), "printed as text: {r:?}");
    assert!(r.stdout.contains(&format!("École {SCHOOL}")), "{r:?}");
    assert!(r.stdout.contains("2 poste(s)"), "{r:?}");
    assert!(r.stdout.contains(&ws_id(&b).replace('-', "")[..8]), "{r:?}");
    for (file, why) in [
        ("garbage.json", "not a report"),
        ("huge.json", "larger than 1024 KiB"),
    ] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(file) && l.contains(why)),
            "{file}: {why}: {r:?}"
        );
    }

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("salle 1, poste A"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"), "{page}");
    assert!(page.contains("&lt;img src"), "{page}");
    for forbidden in ["<script", "<img", "<link", "http://", "https://", "@import"] {
        assert!(!page.contains(forbidden), "{forbidden} in {page}");
    }
    assert!(page.contains("default-src 'none'"), "{page}");
    assert!(page.contains("garbage.json") && page.contains("huge.json"));

    // English, and the default page name.
    let r = run(agent_cmd(agent_bin())
        .args(["kit", "summary", "--lang", "en"])
        .arg(key.path()));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains(&format!("School {SCHOOL}")), "{r:?}");
    assert!(r.stdout.contains("Files skipped"), "{r:?}");
    let page = std::fs::read_to_string(key.path().join("synthese.html")).unwrap();
    assert!(page.contains("<html lang=\"en\">"), "{page}");
}

fn send(paths: &[&Path], url: &str, token_file: &Path) -> Run {
    run(agent_cmd(agent_bin())
        .arg("send")
        .args(paths)
        .args(["--collector", url, "--lang", "en", "--budget", "20"])
        .arg("--token-file")
        .arg(token_file))
}

#[test]
fn send_delivers_exactly_once_and_refused_files_stay_with_their_reason() {
    let (dir, c) = with_sample_directory();
    let token_file = dir.path().join("token.txt");
    std::fs::write(&token_file, format!("{}\n", c.school_token(SCHOOL))).unwrap();
    let key = tempfile::tempdir().unwrap();
    audit_on(key.path(), "machine-a", SCHOOL, "poste A");
    audit_on(key.path(), "machine-b", SCHOOL, "poste B");
    let files = report_files(key.path());
    assert_eq!(files.len(), 2);

    let first = send(&[key.path()], &c.url, &token_file);
    assert_eq!(first.code, Some(0), "{first:?}");
    assert_eq!(
        first.stdout.matches("stored          ").count(),
        2,
        "{first:?}"
    );
    assert!(
        first.stdout.contains("2 stored, 0 already there"),
        "{first:?}"
    );
    assert_eq!(c.report_count(), 2);
    let read = c.read_token();
    let (status, school) = c.get(&format!("/api/v1/schools/{SCHOOL}"), Some(&read));
    assert_eq!(status, 200, "{school}");
    assert_eq!(
        school["workstations"].as_array().unwrap().len(),
        2,
        "{school}"
    );

    // Again: the collector holds both; nothing new is stored, and the agent says so.
    let second = send(&[key.path()], &c.url, &token_file);
    assert_eq!(second.code, Some(0), "{second:?}");
    assert!(
        second.stdout.contains("0 stored, 2 already there"),
        "{second:?}"
    );
    assert!(second.stdout.contains("Nothing new"), "{second:?}");
    assert_eq!(c.report_count(), 2);
    assert_eq!(
        report_files(key.path()),
        files,
        "delivered files stay in place"
    );

    // Refused: another school's report (the token is SCHOOL's) and a tampered one.
    let other = tempfile::tempdir().unwrap();
    audit_on(other.path(), "machine-c", OTHER_SCHOOL, "poste C");
    audit_on(other.path(), "machine-d", SCHOOL, "poste D");
    let tampered = report_files(other.path())
        .into_iter()
        .find(|f| name(f).starts_with(SCHOOL))
        .unwrap();
    edit(&tampered, |v| {
        v["finished_at"] = "2025-01-01T00:00:00Z".into();
        v["started_at"] = "2025-01-01T00:10:00Z".into();
    });
    // A copy of the other school's file (same bytes, another name) shares its fate: refused
    // for the same reason, not "already stored".
    let wrong = report_files(other.path())
        .into_iter()
        .find(|f| name(f).starts_with(OTHER_SCHOOL))
        .unwrap();
    std::fs::copy(&wrong, other.path().join("zz-copie.json")).unwrap();
    let refused = send(&[other.path()], &c.url, &token_file);
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        refused.stdout.lines().any(|l| l.contains("zz-copie.json")
            && l.contains("REFUSED")
            && l.contains("wrong_school")),
        "{refused:?}"
    );
    for (file_prefix, code) in [
        (OTHER_SCHOOL, "wrong_school"),
        (SCHOOL, "invalid_timestamps"),
    ] {
        assert!(
            refused.stdout.lines().any(|l| l.contains("REFUSED")
                && l.contains(&format!("{file_prefix}_"))
                && l.contains(code)
                && l.contains("left in place")),
            "{code}: {refused:?}"
        );
    }
    assert_eq!(report_files(other.path()).len(), 3, "refused files stay");
    assert_eq!(c.report_count(), 2);

    // A token the collector does not know stops sending: nothing is lost or moved.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "ents_not_a_real_token").unwrap();
    let r = send(&[key.path()], &c.url, &bad);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("not sent"), "{r:?}");
    assert_eq!(report_files(key.path()), files);
}

#[test]
fn a_kit_folder_beside_the_binary_turns_key_mode_on() {
    let place = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let bin = place.path().join("ent-agent");
    if std::fs::hard_link(agent_bin(), &bin).is_err() {
        std::fs::copy(agent_bin(), &bin).unwrap();
    }
    let kit = place.path().join("ent-kit");
    std::fs::create_dir(&kit).unwrap();
    let mut ids = Vec::new();
    for machine in ["machine-a", "machine-b"] {
        let r = run(agent_cmd(&bin).env("ENT_AGENT_MACHINE_ID", machine).args([
            "audit",
            "--no-network",
            "--json",
            "--school",
            SCHOOL,
        ]));
        assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        ids.push(ws_id(&v));
    }
    assert_ne!(ids[0], ids[1]);
    assert_eq!(report_files(&kit).len(), 2);
    assert_eq!(std::fs::read_dir(kit.join("machines")).unwrap().count(), 2);
}

/// `send` works within the school's cap: with room for one workstation, the second PC's
/// report is refused (`409 workstation_limit`) and left in place with the reason.
#[test]
fn send_stays_within_the_school_s_workstation_cap() {
    let (dir, c) = ent_tests::collector::with_profile_edits(&[
        ("max_workstations = 200", "max_workstations = 1"),
        ("min_workstations = 2", "min_workstations = 1"),
    ]);
    let token_file = dir.path().join("token.txt");
    std::fs::write(&token_file, c.school_token(SCHOOL)).unwrap();

    let key = tempfile::tempdir().unwrap();
    audit_on(key.path(), "machine-a", SCHOOL, "poste A");
    audit_on(key.path(), "machine-b", SCHOOL, "poste B");
    let r = send(&[key.path()], &c.url, &token_file);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("1 stored"), "{r:?}");
    assert!(
        r.stdout.lines().any(|l| l.contains("REFUSED")
            && l.contains("workstation_limit")
            && l.contains("left in place")),
        "{r:?}"
    );
    assert_eq!(c.report_count(), 1);
    assert_eq!(report_files(key.path()).len(), 2);
}

/// A key keeps reports, never a workstation's credential: `enroll` and `run` (and
/// `schedule`) refuse key mode, and nothing is written for them on the key.
#[test]
fn key_mode_refuses_to_enrol_or_run() {
    let key = tempfile::tempdir().unwrap();
    for args in [
        &[
            "enroll",
            "--collector",
            "http://127.0.0.1:9",
            "--school",
            SCHOOL,
            "--token",
            "ents_x",
        ][..],
        &["run", "--collector", "http://127.0.0.1:9"][..],
        &["schedule", "show"][..],
    ] {
        let r = run(agent_cmd(agent_bin())
            .env("ENT_AGENT_MACHINE_ID", "machine-a")
            .arg("--kit")
            .arg(key.path())
            .args(args));
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(r.stderr.contains("not in USB key mode"), "{args:?}: {r:?}");
    }
    let on_key: Vec<_> = walk(key.path());
    assert!(
        !on_key.iter().any(|p| p.ends_with("enrollment.json")),
        "{on_key:?}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
