//! The `Store` trait's behaviour, the same on each backend: each scenario runs on a fresh
//! SQLite file (`sqlite::NAME`) and a fresh PostgreSQL database (`postgres::NAME`), through
//! `ent_collector::store::open` as the collector opens them.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;

use ent_collector::store::{
    self, Area, CheckSummary, EnrolOutcome, InsertOutcome, LinkFigures, NewEnrolment, NewReport,
    ProbeLink, ReadScope, School, Store, Submitter, TokenScope,
};
use ent_tests::collector::{Backend, TestDb};
use ent_tests::on_both_backends;
use jiff::{SignedDuration, Timestamp};
use readiness::{Uai, Verdict};
use uuid::Uuid;

on_both_backends!(
    bandwidth_figures_survive_reports_without_them,
    a_late_old_report_does_not_overwrite_a_newer_state,
    concurrent_inserts_are_all_committed,
    enrolments_are_capped_rate_limited_and_replace_credentials,
    the_same_id_with_other_content_is_a_conflict,
    directory_tokens_paging_purge_and_salt,
    read_scopes_round_trip,
    probe_links_and_browser_devices,
);

/// Each kind of read scope comes back as stored (migration 0007 on both), by hash and in
/// the list; a school token stays a school token.
fn read_scopes_round_trip(backend: Backend) {
    let (_db, store) = open(backend);
    let many: String = (0..ent_collector::store::READ_SCOPE_MAX_SCHOOLS)
        .map(|n| {
            let d = format!("{:07}", 690_000 + n);
            format!("{d}{}", Uai::check_letter(&d).unwrap())
        })
        .collect::<Vec<_>>()
        .join(",");
    let scopes: Vec<TokenScope> = [
        "all",
        "departement:069",
        "departement:2A",
        "circonscription:0690900D",
        "circonscription:commune:SAINT-ÉTIENNE",
        "ecoles:0690101K,0690102L",
        &format!("ecoles:{many}"),
    ]
    .iter()
    .map(|s| TokenScope::Read(s.parse().unwrap()))
    .chain([TokenScope::School(school())])
    .collect();
    for (i, scope) in scopes.iter().enumerate() {
        store
            .create_token(&format!("t{i}"), &format!("hash{i}"), scope)
            .unwrap();
    }
    for (i, scope) in scopes.iter().enumerate() {
        let t = store.token_by_hash(&format!("hash{i}")).unwrap().unwrap();
        assert_eq!(&t.scope, scope, "token {i}");
    }
    let listed: Vec<TokenScope> = store
        .tokens()
        .unwrap()
        .into_iter()
        .map(|t| t.scope)
        .collect();
    let mut expected = scopes.clone();
    let mut got = listed;
    let key = |s: &TokenScope| format!("{s:?}");
    expected.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, expected);
    match &scopes[6] {
        TokenScope::Read(ReadScope::Schools(set)) => assert_eq!(set.len(), 1000),
        other => panic!("{other:?}"),
    }
}

/// A fresh store of `backend` (and the database's guard).
fn open(backend: Backend) -> (TestDb, Arc<dyn Store>) {
    let db = TestDb::new(backend);
    let s = store::open(db.database().to_str().unwrap()).unwrap();
    (db, Arc::from(s))
}

fn school() -> Uai {
    "0751234J".parse().unwrap()
}

fn report(ws: Uuid, finished_at: Timestamp, verdict: Verdict) -> NewReport {
    NewReport {
        report_id: Uuid::now_v7(),
        school: school(),
        workstation_id: ws,
        label: None,
        hostname: None,
        finished_at,
        received_at: Timestamp::now(),
        verdict,
        score: 50,
        agent_verdict: verdict,
        agent_score: 50,
        checks: vec![CheckSummary {
            id: "browser.any".into(),
            status: readiness::CheckStatus::Fail,
            blocking: true,
            message: "none".into(),
        }],
        body: "{}".into(),
        bandwidth: None,
        admission: Default::default(),
    }
}

fn bandwidth_figures_survive_reports_without_them(backend: Backend) {
    let (_db, store) = open(backend);
    let ws = Uuid::new_v4();
    let now = Timestamp::now();
    let hours = |h| now - SignedDuration::from_hours(h);
    let mut measured = report(ws, hours(72), Verdict::Ready);
    measured.bandwidth = Some(LinkFigures {
        download_mbps: Some(42.5),
        upload_mbps: Some(4.25),
        measured_at: hours(72),
    });
    store.insert_report(measured).unwrap();
    store
        .insert_report(report(ws, hours(24), Verdict::Ready))
        .unwrap();
    let b = store.workstation_briefs(None).unwrap()[0]
        .bandwidth
        .unwrap();
    assert_eq!((b.download_mbps, b.upload_mbps), (Some(42.5), Some(4.25)));
    assert_eq!(b.measured_at.as_millisecond(), hours(72).as_millisecond());
    let mut newer = report(ws, now, Verdict::Ready);
    newer.bandwidth = Some(LinkFigures {
        download_mbps: Some(18.0),
        upload_mbps: None,
        measured_at: now,
    });
    store.insert_report(newer).unwrap();
    let b = store.workstations(None).unwrap()[0].bandwidth.unwrap();
    assert_eq!((b.download_mbps, b.upload_mbps), (Some(18.0), None));
}

fn a_late_old_report_does_not_overwrite_a_newer_state(backend: Backend) {
    let (_db, store) = open(backend);
    let ws = Uuid::new_v4();
    let now = Timestamp::now();
    let newer = report(ws, now, Verdict::Ready);
    let older = report(ws, now - SignedDuration::from_hours(48), Verdict::NotReady);
    assert_eq!(
        store.insert_report(newer.clone()).unwrap(),
        InsertOutcome::Stored
    );
    assert_eq!(store.insert_report(older).unwrap(), InsertOutcome::Stored);
    let rows = store.workstations(None).unwrap();
    assert_eq!(
        (rows.len(), rows[0].report_id, rows[0].verdict),
        (1, newer.report_id, Verdict::Ready)
    );
    assert_eq!(store.report_count().unwrap(), 2);
    let briefs = store.workstation_briefs(Some(&school())).unwrap();
    assert_eq!(briefs[0].failing, vec![("browser.any".to_owned(), true)]);
    assert_eq!(
        store.insert_report(newer.clone()).unwrap(),
        InsertOutcome::Duplicate {
            verdict: Verdict::Ready,
            score: 50
        }
    );
    // The history, oldest first, and the body as received.
    let history = store
        .school_reports(&school(), now - SignedDuration::from_hours(72), 10)
        .unwrap();
    let verdicts: Vec<Verdict> = history.iter().map(|r| r.verdict).collect();
    assert_eq!(verdicts, [Verdict::NotReady, Verdict::Ready]);
    assert_eq!(
        store
            .report_body(&school(), &newer.report_id)
            .unwrap()
            .as_deref(),
        Some("{}")
    );
    assert_eq!(store.report_body(&school(), &Uuid::nil()).unwrap(), None);
}

fn concurrent_inserts_are_all_committed(backend: Backend) {
    let (_db, store) = open(backend);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let ws = Uuid::new_v4();
                for _ in 0..25 {
                    store
                        .insert_report(report(ws, Timestamp::now(), Verdict::Ready))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.report_count().unwrap(), 200);
    assert_eq!(store.workstations(None).unwrap().len(), 8);
}

fn enrolments_are_capped_rate_limited_and_replace_credentials(backend: Backend) {
    let (_db, store) = open(backend);
    let at = Timestamp::now();
    let enrolment = |ws: u128, hash: &str| NewEnrolment {
        school: school(),
        workstation_id: Uuid::from_u128(ws),
        label: Some("salle 1".into()),
        credential_hash: hash.into(),
        at,
        max_workstations: 3,
        rate: (5, 60),
    };
    for ws in 1..=3 {
        assert_eq!(
            store.enrol(enrolment(ws, &format!("h{ws}"))).unwrap(),
            EnrolOutcome::Enrolled { replaced: false }
        );
    }
    assert_eq!(
        store.enrol(enrolment(4, "h4")).unwrap(),
        EnrolOutcome::Full { max: 3 }
    );
    assert_eq!(
        store.enrol(enrolment(1, "h1b")).unwrap(),
        EnrolOutcome::Enrolled { replaced: true }
    );
    assert_eq!(store.credential_by_hash("h1").unwrap(), None);
    assert_eq!(
        store
            .credential_by_hash("h1b")
            .unwrap()
            .unwrap()
            .workstation_id,
        Uuid::from_u128(1)
    );
    assert_eq!(store.revoke_enrolment(&Uuid::from_u128(3)).unwrap(), 1);
    assert_eq!(store.revoke_enrolment(&Uuid::from_u128(3)).unwrap(), 0);
    assert!(store.credential_by_hash("h3").unwrap().unwrap().revoked);
    assert_eq!(
        store.enrol(enrolment(4, "h4")).unwrap(),
        EnrolOutcome::Enrolled { replaced: false }
    );
    assert!(matches!(
        store.enrol(enrolment(2, "h2b")).unwrap(),
        EnrolOutcome::RateLimited { retry_after } if (1..=60).contains(&retry_after)
    ));
    let rows = store.enrolments(Some(&school())).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows.iter().filter(|r| r.revoked_at.is_some()).count(), 1);

    let mut r = report(Uuid::from_u128(1), Timestamp::now(), Verdict::Ready);
    r.admission.submitter = Submitter::SchoolToken {
        max_workstations: 3,
    };
    assert_eq!(
        store.insert_report(r.clone()).unwrap(),
        InsertOutcome::CredentialRequired
    );
    r.workstation_id = Uuid::from_u128(9);
    assert_eq!(
        store.insert_report(r).unwrap(),
        InsertOutcome::WorkstationLimit { max: 3 }
    );
}

fn the_same_id_with_other_content_is_a_conflict(backend: Backend) {
    let (_db, store) = open(backend);
    let mut r = report(Uuid::new_v4(), Timestamp::now(), Verdict::Ready);
    r.admission.content_hash = "a".into();
    assert_eq!(
        store.insert_report(r.clone()).unwrap(),
        InsertOutcome::Stored
    );
    assert!(matches!(
        store.insert_report(r.clone()).unwrap(),
        InsertOutcome::Duplicate { .. }
    ));
    let mut other_school = r.clone();
    other_school.school = "0690101K".parse().unwrap();
    assert_eq!(
        store.insert_report(other_school).unwrap(),
        InsertOutcome::Stored,
        "report ids are per school"
    );
    r.admission.content_hash = "b".into();
    assert_eq!(store.insert_report(r).unwrap(), InsertOutcome::Conflict);
}

fn directory_tokens_paging_purge_and_salt(backend: Backend) {
    let (db, store) = open(backend);
    let sch = |uai: &str, name: &str| School {
        uai: uai.parse().unwrap(),
        name: name.into(),
        commune: "Paris".into(),
        circonscription_code: "C1".into(),
        circonscription_name: "Paris 1".into(),
        departement: "075".into(),
        academie: Area {
            code: "01".into(),
            name: format!("Académie de {name}"),
        },
        region: Area {
            code: "11".into(),
            name: "Île-de-France".into(),
        },
    };
    // A UAI given twice: its last row wins; every row given counts.
    let n = store
        .upsert_schools(&[
            sch("0751234J", "A"),
            sch("0690101K", "B"),
            sch("0751234J", "A2"),
        ])
        .unwrap();
    assert_eq!(n, 3);
    let stored = store.schools().unwrap();
    let names: Vec<(String, String)> = stored
        .iter()
        .map(|s| (s.uai.to_string(), s.name.clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("0690101K".into(), "B".into()),
            ("0751234J".into(), "A2".into())
        ]
    );
    // The académie and the région come back as written (migration 0006 on both).
    assert_eq!(stored[1].academie.name, "Académie de A2");
    assert_eq!(stored[1].region, sch("0751234J", "A2").region);

    store
        .create_token("t1", "hash1", &TokenScope::School(school()))
        .unwrap();
    store
        .create_token("t2", "hash2", &TokenScope::Read(ReadScope::All))
        .unwrap();
    let t = store.token_by_hash("hash1").unwrap().unwrap();
    assert_eq!(
        (t.id.as_str(), t.scope),
        ("t1", TokenScope::School(school()))
    );
    assert!(store.revoke_token("t1").unwrap());
    assert!(!store.revoke_token("t1").unwrap());
    assert!(!store.revoke_token("nope").unwrap());
    let tokens = store.tokens().unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(tokens[0].revoked_at.is_some() && tokens[1].revoked_at.is_none());

    for i in 0..5u128 {
        store
            .insert_report(report(
                Uuid::from_u128(i + 1),
                Timestamp::now(),
                Verdict::Ready,
            ))
            .unwrap();
    }
    let (page, total) = store.school_workstations(&school(), 1, 2).unwrap();
    let ids: Vec<Uuid> = page.iter().map(|w| w.workstation_id).collect();
    assert_eq!(
        (ids, total),
        (vec![Uuid::from_u128(2), Uuid::from_u128(3)], 5)
    );

    let salt = store.hostname_salt().unwrap();
    assert_eq!(salt.len(), 64);
    // Reopened: the same salt, the same data.
    drop(store);
    let store = store::open(db.database().to_str().unwrap()).unwrap();
    assert_eq!(store.hostname_salt().unwrap(), salt);
    assert_eq!(store.report_count().unwrap(), 5);

    let kept = store
        .purge(Timestamp::now() - SignedDuration::from_hours(1))
        .unwrap();
    assert_eq!((kept.reports, kept.workstations), (0, 0));
    let purged = store
        .purge(Timestamp::now() + SignedDuration::from_hours(1))
        .unwrap();
    assert_eq!((purged.reports, purged.workstations), (5, 5));
    assert_eq!(store.report_count().unwrap(), 0);
}

/// Browser probe links: stored by hash, listed per school, revoked once; a browser probe's
/// report makes its workstation a browser device (`kind`), an agent's does not.
fn probe_links_and_browser_devices(backend: Backend) {
    let (_db, s) = open(backend);
    let now = Timestamp::from_millisecond(Timestamp::now().as_millisecond()).unwrap();
    let link = |id: &str, school: &str| ProbeLink {
        id: id.into(),
        hash: format!("hash-{id}"),
        school: school.parse().unwrap(),
        label_prefix: Some("tablette".into()),
        created_at: now,
        expires_at: now + SignedDuration::from_hours(24),
        revoked_at: None,
    };
    s.create_probe_link(&link("a", "0751234J")).unwrap();
    s.create_probe_link(&link("b", "0330001X")).unwrap();
    assert_eq!(
        s.probe_link_by_hash("hash-a").unwrap(),
        Some(link("a", "0751234J"))
    );
    assert_eq!(s.probe_link_by_hash("hash-x").unwrap(), None);
    assert_eq!(s.probe_links(None).unwrap().len(), 2);
    let mine = s.probe_links(Some(&school())).unwrap();
    assert_eq!(
        mine.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    assert!(s.revoke_probe_link("a").unwrap());
    assert!(!s.revoke_probe_link("a").unwrap(), "revoked once");
    assert!(!s.revoke_probe_link("nope").unwrap());
    assert!(
        s.probe_link_by_hash("hash-a")
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );

    let tablet = Uuid::from_u128(7);
    let mut r = report(tablet, Timestamp::now(), Verdict::Ready);
    r.admission.browser = true;
    assert_eq!(s.insert_report(r).unwrap(), InsertOutcome::Stored);
    let pc = Uuid::from_u128(8);
    s.insert_report(report(pc, Timestamp::now(), Verdict::Ready))
        .unwrap();
    let briefs = s.workstation_briefs(Some(&school())).unwrap();
    assert_eq!(briefs.len(), 2);
    assert_eq!(briefs.iter().filter(|b| b.browser).count(), 1);

    // Browser devices have a cap of their own, and never take a workstation's place.
    let browser = |ws: u128, max_devices: u32| {
        let mut r = report(Uuid::from_u128(ws), Timestamp::now(), Verdict::Ready);
        r.admission.browser = true;
        r.admission.submitter = Submitter::Browser { max_devices };
        r
    };
    assert_eq!(
        s.insert_report(browser(9, 1)).unwrap(),
        InsertOutcome::WorkstationLimit { max: 1 }
    );
    assert_eq!(
        s.insert_report(browser(7, 1)).unwrap(),
        InsertOutcome::Stored,
        "a known device under the cap"
    );
    let mut agent = report(Uuid::from_u128(10), Timestamp::now(), Verdict::Ready);
    agent.admission.submitter = Submitter::SchoolToken {
        max_workstations: 2,
    };
    assert_eq!(
        s.insert_report(agent).unwrap(),
        InsertOutcome::Stored,
        "the tablet took no workstation's place"
    );
}
