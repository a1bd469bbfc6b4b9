//! The speed-test sessions against the real binary: byte and time caps on transfers
//! already streaming, stalled downloads, fairness between schools, closing with the token
//! that opened the session.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ent_tests::collector::{close_speedtest, open_speedtest};
use ent_tests::hostile::{Options, Server};

const A: &str = "0690101K";
const B: &str = "0690102L";

fn serve(args: &[&str]) -> Server {
    Server::start(Options {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..Options::default()
    })
}

fn counters(s: &Server, id: &str) -> (u16, serde_json::Value) {
    let r = Server::http()
        .get(format!("{}/api/v1/speedtest/sessions/{id}", s.url))
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap_or_default())
}

/// Start `GET download?bytes=N` on a raw socket; returns the socket after the head.
fn start_download(s: &Server, id: &str, bytes: u64) -> TcpStream {
    let mut c = TcpStream::connect(s.addr).unwrap();
    write!(
        c,
        "GET /api/v1/speedtest/download?session={id}&bytes={bytes} HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    c
}

/// Read `c` until the server ends it or `within` passes (sleeping `pause` between reads
/// to read slowly); the bytes read (head included) and whether the server ended it.
fn drain(c: &mut TcpStream, within: Duration, pause: Duration) -> (u64, bool) {
    c.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + within;
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    while Instant::now() < deadline {
        match c.read(&mut buf) {
            Ok(0) => return (total, true),
            Ok(n) => total += n as u64,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return (total, true),
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    (total, false)
}

/// A session moves at most `--speedtest-max-bytes`: a download asking for more gets no more,
/// nor do two at once, and an upload beyond the cap is cut. Before: a session moved what it
/// asked for (50 MB down, 30 MB up, with a 10 MB cap).
#[test]
fn a_session_moves_at_most_its_byte_cap() {
    let cap: u64 = 10_000_000;
    let s = serve(&["--speedtest-max-bytes", &cap.to_string()]);
    let token = s.token(&["--school", A]);
    let (_, id) = open_speedtest(&s.url, &token);
    let id = id.unwrap();
    // Two downloads at once, 8 MB each: together past the cap.
    let mut d1 = start_download(&s, &id, 8_000_000);
    let mut d2 = start_download(&s, &id, 8_000_000);
    let h1 = std::thread::spawn(move || drain(&mut d1, Duration::from_secs(20), Duration::ZERO));
    let (n2, _) = drain(&mut d2, Duration::from_secs(20), Duration::ZERO);
    let (n1, _) = h1.join().unwrap();
    let (_, c) = counters(&s, &id);
    let down = c["downloaded_bytes"].as_u64().unwrap();
    eprintln!("downloads: {n1} + {n2} bytes received, {down} counted (cap {cap})");
    assert!(n1 + n2 <= cap + 4096, "{n1} + {n2} bytes received");
    assert!(down <= cap, "{down} bytes sent");

    // A fresh session: one upload of 30 MB.
    let (_, id) = open_speedtest(&s.url, &token);
    let id = id.unwrap();
    let mut up = TcpStream::connect(s.addr).unwrap();
    write!(
        up,
        "POST /api/v1/speedtest/upload?session={id} HTTP/1.1\r\nHost: x\r\nContent-Length: 30000000\r\n\r\n"
    )
    .unwrap();
    let chunk = vec![7u8; 64 * 1024];
    let mut sent = 0u64;
    up.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    while sent < 30_000_000 {
        if up.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len() as u64;
    }
    let (status, c) = counters(&s, &id);
    let got = c["uploaded_bytes"].as_u64().unwrap_or(0);
    eprintln!("upload: {sent} bytes written, {got} counted (session answers {status})");
    assert!(got <= cap, "{got} bytes received");
    assert!(sent < 30_000_000, "the upload was not cut");
}

/// A session ends at its expiry: a download still streaming is cut then. Before: it went on
/// to its end.
#[test]
fn a_download_stops_at_the_session_expiry() {
    let s = serve(&["--speedtest-seconds", "3"]);
    let token = s.token(&["--school", A]);
    let (_, id) = open_speedtest(&s.url, &token);
    let id = id.unwrap();
    let t = Instant::now();
    let mut d = start_download(&s, &id, 1 << 30);
    // Read about 6 MB/s: 1 GiB would take minutes.
    let (n, ended) = drain(&mut d, Duration::from_secs(12), Duration::from_millis(10));
    eprintln!(
        "download: {n} bytes, ended by the server: {ended}, after {:?}",
        t.elapsed()
    );
    assert!(ended, "the download went on past the session's 3 s");
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
    assert_eq!(counters(&s, &id).0, 404, "the session is over");
}

/// A download whose client stopped reading frees its slot and its connection. Before: the
/// slot was held until the session's 60 s expiry, the connection for good.
#[test]
fn a_stalled_download_frees_its_slot() {
    let s = serve(&["--max-speedtests", "1", "--idle-timeout", "3"]);
    let a = s.token(&["--school", A]);
    let b = s.token(&["--school", B]);
    let (_, id) = open_speedtest(&s.url, &a);
    let id = id.unwrap();
    let mut d = start_download(&s, &id, 500_000_000);
    let mut buf = vec![0u8; 100_000];
    d.read_exact(&mut buf).unwrap();
    // Now it reads nothing more.
    assert_eq!(open_speedtest(&s.url, &b).0, 429, "the slot is taken");
    let t = Instant::now();
    let admitted = loop {
        std::thread::sleep(Duration::from_millis(500));
        if open_speedtest(&s.url, &b).0 == 201 {
            break Some(t.elapsed());
        }
        if t.elapsed() > Duration::from_secs(15) {
            break None;
        }
    };
    eprintln!("another school admitted after the stall: {admitted:?}");
    assert!(
        admitted.is_some(),
        "the stalled session still holds the slot"
    );
    // And the collector closed the stalled connection.
    let (_, ended) = drain(&mut d, Duration::from_secs(10), Duration::ZERO);
    assert!(ended, "the stalled connection is still open");
}

/// While another school waits, a school that just ended a session cannot take the slot
/// again at once: the waiting school gets it. Before: the first school took it back.
#[test]
fn slots_go_to_waiting_schools_in_turn() {
    let s = serve(&["--max-speedtests", "2"]);
    let a = s.token(&["--school", A]);
    let b = s.token(&["--school", B]);
    let (s1, a1) = open_speedtest(&s.url, &a);
    let (s2, _a2) = open_speedtest(&s.url, &a);
    assert_eq!(
        (s1, s2),
        (201, 201),
        "nobody waits: a school may use both slots"
    );
    assert_eq!(open_speedtest(&s.url, &b).0, 429, "all slots taken");
    assert_eq!(close_speedtest(&s.url, &a1.unwrap(), Some(&a)), 204);
    let again = open_speedtest(&s.url, &a).0;
    let other = open_speedtest(&s.url, &b).0;
    eprintln!("after a slot freed: the holder's school {again}, the waiting school {other}");
    assert_eq!(
        again, 429,
        "the school holding a slot took the freed one too"
    );
    assert_eq!(other, 201, "the waiting school did not get the freed slot");
}

/// Only the token that opened a session closes it. Before: anybody who knew the id did.
#[test]
fn closing_a_session_needs_the_token_that_opened_it() {
    let s = serve(&[]);
    let a = s.token(&["--school", A]);
    let a_other = s.token(&["--school", A]);
    let b = s.token(&["--school", B]);
    let (_, id) = open_speedtest(&s.url, &a);
    let id = id.unwrap();
    let none = close_speedtest(&s.url, &id, None);
    let other_school = close_speedtest(&s.url, &id, Some(&b));
    let other_token = close_speedtest(&s.url, &id, Some(&a_other));
    eprintln!("close: no token {none}, another school {other_school}, another token {other_token}");
    assert_eq!(none, 401);
    assert_eq!(other_school, 403);
    assert_eq!(other_token, 403);
    assert_eq!(counters(&s, &id).0, 200, "the session goes on");
    assert_eq!(close_speedtest(&s.url, &id, Some(&a)), 204);
    assert_eq!(counters(&s, &id).0, 404);
}
