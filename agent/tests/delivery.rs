//! Delivery against a scripted collector: the client's retry policy (backoff, Retry-After,
//! budget, refusals) and the spool's flush (oldest first, removed only on acknowledgement,
//! refused and corrupt reports moved aside).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::time::Duration;

use ent_agent::client::{Backoff, Budget, Collector, Delivery, FetchError, deliver};
use ent_agent::commands::backlog::{Backlog, Stop, flush};
use ent_agent::state::enrollment::Token;
use ent_agent::state::spool::{Spool, SpoolLimits};
use readiness::api::AckStatus;
use support::fake_collector::{FakeCollector, Reply};
use tokio::time::Instant;
use uuid::Uuid;

fn fast() -> Backoff {
    Backoff::new(Duration::from_millis(10), Duration::from_millis(50))
}

fn body(id: Uuid) -> Vec<u8> {
    format!(r#"{{"report_id":"{id}"}}"#).into_bytes()
}

/// Deliver a new report within `budget`; what came of it, and how long it took.
async fn deliver_a(c: &Collector, budget: Duration, retries: bool) -> (Delivery, Duration) {
    let t0 = Instant::now();
    let a = Uuid::now_v7();
    let got = deliver(c, a, &body(a), &Budget::new(budget), &mut fast(), retries).await;
    (got, t0.elapsed())
}

/// A fake collector that answers `replies` first, and a client of it.
async fn scripted(replies: impl IntoIterator<Item = Reply>) -> (FakeCollector, Collector) {
    let fake = FakeCollector::start().await;
    fake.script(replies);
    let c = FakeCollector::client(&fake.enrollment());
    (fake, c)
}

/// A scripted answer: `status` with `body`, no `Retry-After`.
fn answer(status: u16, body: &'static str) -> Reply {
    Reply::Status {
        status,
        retry_after: None,
        body,
    }
}

/// A scripted answer with `Retry-After`.
fn busy(status: u16, retry_after: &'static str) -> Reply {
    Reply::Status {
        status,
        retry_after: Some(retry_after),
        body: "{}",
    }
}

#[tokio::test]
async fn server_errors_are_retried_until_acknowledged() {
    let (fake, c) = scripted([Reply::status(503), Reply::status(500), Reply::status(502)]).await;
    let budget = Budget::new(Duration::from_secs(10));
    let a = Uuid::now_v7();
    let got = deliver(&c, a, &body(a), &budget, &mut fast(), true).await;
    assert!(
        matches!(got, Delivery::Acked(ref a) if a.status == AckStatus::Stored),
        "{got:?}"
    );
    assert_eq!(fake.received(), vec![a.to_string(); 4]);
    // A resend is a duplicate, and still an acknowledgement.
    let got = deliver(&c, a, &body(a), &budget, &mut fast(), true).await;
    assert!(
        matches!(got, Delivery::Acked(ref a) if a.duplicate()),
        "{got:?}"
    );
    assert_eq!(fake.stored(), [a.to_string()]);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (_fake, c) = scripted([busy(429, "1")]).await;
    let (got, took) = deliver_a(&c, Duration::from_secs(10), true).await;
    assert!(matches!(got, Delivery::Acked(_)), "{got:?}");
    assert!(took >= Duration::from_secs(1), "{took:?}");
}

#[tokio::test]
async fn retry_after_beyond_the_budget_gives_up_at_once() {
    let (fake, c) = scripted([busy(503, "120")]).await;
    let (got, took) = deliver_a(&c, Duration::from_secs(5), true).await;
    assert!(matches!(got, Delivery::Retry { retry_after: Some(d), .. } if d.as_secs() == 120));
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(fake.received().len(), 1);
}

#[tokio::test]
async fn a_hanging_collector_is_bounded_by_the_budget() {
    let (_fake, c) = scripted([Reply::Hang, Reply::Hang, Reply::Hang]).await;
    let (got, took) = deliver_a(&c, Duration::from_millis(1500), true).await;
    assert!(matches!(got, Delivery::Retry { .. }), "{got:?}");
    assert!(took < Duration::from_millis(2500), "{took:?}");
}

#[tokio::test]
async fn connection_refused_is_a_retry_and_single_attempt_means_one() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let fake = FakeCollector::start().await;
    let mut e = fake.enrollment();
    e.collector = format!("http://{addr}/");
    let c = FakeCollector::client(&e);
    let (got, _) = deliver_a(&c, Duration::from_secs(5), false).await;
    let Delivery::Retry { reason, .. } = got else {
        panic!("{got:?}")
    };
    assert!(reason.contains("unreachable"), "{reason}");
}

#[tokio::test]
async fn refusals_are_not_retried() {
    let (fake, c) = scripted([Reply::status(422)]).await;
    let budget = Budget::new(Duration::from_secs(5));
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let got = deliver(&c, a, &body(a), &budget, &mut fast(), true).await;
    assert!(matches!(got, Delivery::Rejected(ref r) if r.status == Some(422)));
    let mut e = fake.enrollment();
    e.credential = Some(Token::parse("wrong").unwrap());
    let bad = FakeCollector::client(&e);
    let got = deliver(&bad, b, &body(b), &budget, &mut fast(), true).await;
    assert!(
        matches!(got, Delivery::Blocked(ref r) if r.code == "invalid_token"),
        "{got:?}"
    );
    assert_eq!(
        fake.received(),
        [a.to_string(), b.to_string()],
        "one attempt each"
    );
    assert!(fake.stored().is_empty());
}

#[tokio::test]
async fn profile_fetch_outcomes() {
    let fake = FakeCollector::start().await;
    let c = FakeCollector::client(&fake.enrollment());
    let p = c.fetch_profile(Duration::from_secs(5)).await.unwrap();
    assert!(p.toml.contains("fr-primaire"));
    fake.inner.lock().unwrap().profile = Some((200, "not json".into()));
    assert!(matches!(
        c.fetch_profile(Duration::from_secs(5)).await,
        Err(FetchError::Invalid(_))
    ));
    fake.inner.lock().unwrap().profile = Some((503, "{}".into()));
    assert!(matches!(
        c.fetch_profile(Duration::from_secs(5)).await,
        Err(FetchError::Unreachable(_))
    ));
    let mut e = fake.enrollment();
    e.credential = Some(Token::parse("wrong").unwrap());
    let bad = FakeCollector::client(&e);
    assert!(matches!(
        bad.fetch_profile(Duration::from_secs(5)).await,
        Err(FetchError::Refused(ref r)) if r.status == Some(401)
    ));
}

fn doc(id: Uuid) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "report_id": id })).unwrap()
}

async fn setup(
    n: usize,
) -> (
    tempfile::TempDir,
    Spool,
    FakeCollector,
    Collector,
    Vec<Uuid>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), SpoolLimits::default()).unwrap();
    assert!(spool.try_lock().unwrap());
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for id in ids.iter().rev() {
        spool.push(*id, &doc(*id)).unwrap();
    }
    let fake = FakeCollector::start().await;
    let c = FakeCollector::client(&fake.enrollment());
    (dir, spool, fake, c, ids)
}

/// Flush the whole spool with retries within `budget`.
async fn flush_all(spool: &Spool, c: &Collector, budget: Duration) -> Backlog {
    flush(spool, c, &Budget::new(budget), true, None)
        .await
        .unwrap()
        .0
}

fn strings(ids: &[Uuid]) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

#[tokio::test]
async fn backlog_goes_oldest_first_and_is_removed_on_ack() {
    let (_d, spool, fake, c, ids) = setup(3).await;
    let b = flush_all(&spool, &c, Duration::from_secs(10)).await;
    assert_eq!((b.sent, b.stop), (3, None));
    assert_eq!(fake.stored(), strings(&ids));
    assert!(spool.entries().unwrap().is_empty());
}

#[tokio::test]
async fn backlog_stops_at_the_first_undeliverable_and_keeps_the_rest() {
    let (_d, spool, fake, c, ids) = setup(3).await;
    // The first is stored; the second meets a collector that stays down.
    fake.script(std::iter::once(Reply::Store).chain(std::iter::repeat_n(Reply::status(503), 50)));
    let b = flush_all(&spool, &c, Duration::from_millis(1500)).await;
    assert_eq!(b.sent, 1);
    assert!(matches!(b.stop, Some(Stop::Unreachable(_))), "{b:?}");
    let left: Vec<Uuid> = spool.entries().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(left, ids[1..]);
    assert!(
        !fake.received().contains(&ids[2].to_string()),
        "stopped at the failure"
    );
}

#[tokio::test]
async fn refused_and_corrupt_reports_are_moved_aside_and_the_flush_goes_on() {
    let (_d, spool, fake, c, ids) = setup(3).await;
    fake.inner.lock().unwrap().poison.insert(ids[0].to_string());
    std::fs::write(&spool.entries().unwrap()[1].path, b"{\"report_id\": tr").unwrap();
    let b = flush_all(&spool, &c, Duration::from_secs(10)).await;
    assert_eq!((b.sent, b.rejected, b.corrupt), (1, 1, 1));
    assert_eq!(fake.stored(), [ids[2].to_string()]);
    assert!(spool.entries().unwrap().is_empty());
    assert_eq!(spool.rejected_count().unwrap(), 2);
    let reason =
        std::fs::read_to_string(spool.rejected_dir().join(format!("{}.reason.json", ids[0])))
            .unwrap();
    assert!(
        reason.contains("invalid_report") && reason.contains("400"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_refused_token_stops_sending_and_keeps_everything() {
    let (_d, spool, fake, _c, ids) = setup(2).await;
    let mut e = fake.enrollment();
    e.credential = Some(Token::parse("revoked").unwrap());
    let c = FakeCollector::client(&e);
    let b = flush_all(&spool, &c, Duration::from_secs(10)).await;
    assert!(matches!(b.stop, Some(Stop::Blocked(ref r)) if r.status == Some(401)));
    assert_eq!(
        fake.received(),
        [ids[0].to_string()],
        "one request, then stop"
    );
    assert_eq!(spool.entries().unwrap().len(), 2);
    assert_eq!(spool.rejected_count().unwrap(), 0);
}

#[tokio::test]
async fn a_conflict_is_kept_and_the_flush_goes_on() {
    let (_d, spool, fake, c, ids) = setup(3).await;
    fake.script([answer(
        409,
        r#"{"code":"report_id_conflict","message":"held by another report"}"#,
    )]);
    let b = flush_all(&spool, &c, Duration::from_secs(10)).await;
    assert_eq!((b.sent, b.rejected, b.stop), (2, 0, None));
    assert_eq!(b.conflicts.len(), 1);
    assert_eq!(b.conflicts[0].0, ids[0]);
    assert_eq!(b.conflicts[0].1.message, "held by another report");
    let left: Vec<Uuid> = spool.entries().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(left, ids[..1]);
    assert_eq!(spool.rejected_count().unwrap(), 0);
}

#[tokio::test]
async fn an_answer_that_is_not_the_ack_stops_and_keeps_everything() {
    let (_d, spool, fake, c, _ids) = setup(2).await;
    fake.script([answer(200, "{}")]);
    let b = flush_all(&spool, &c, Duration::from_secs(10)).await;
    assert_eq!(b.sent, 0);
    assert!(
        matches!(b.stop, Some(Stop::Unacknowledged(ref why)) if why.contains("no report_id")),
        "{b:?}"
    );
    assert_eq!(fake.received().len(), 1, "not retried, not the next one");
    assert_eq!(spool.entries().unwrap().len(), 2);
}
