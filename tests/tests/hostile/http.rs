//! What anyone without a token can send: error bodies, metrics labels, logs, file modes, CSV
//! cells, half-open connections.

use std::time::Duration;

use ent_tests::hostile::{Options, Server, raw};

const SCHOOL: &str = "0690101K";

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes()
}

/// Every error is the API's JSON `{code, message}`: unknown routes, wrong methods, bad query
/// strings, bad bodies, timeouts. Before: 404, 405 and 408 had an empty body, query
/// rejections were plain text.
#[test]
fn every_error_is_json() {
    let s = Server::start(Options {
        args: vec!["--request-timeout".into(), "2".into()],
        ..Options::default()
    });
    let token = s.token(&["--school", SCHOOL]);
    let t = Duration::from_secs(10);
    let mut cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("unknown route", get("/nope"), 404),
        ("unknown API route", get("/api/v1/nope?x=1"), 404),
        (
            "wrong method",
            b"DELETE /api/v1/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            405,
        ),
        (
            "unknown method",
            b"BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            405,
        ),
        (
            "query string without its field",
            get("/api/v1/speedtest/ping"),
            400,
        ),
        (
            "query string of the wrong type",
            get("/api/v1/speedtest/download?session=x&bytes=lots"),
            400,
        ),
    ];
    let post = |path: &str, ct: &str, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    cases.push((
        "bad JSON",
        post(
            "/api/v1/reports",
            "application/json",
            "{\"schema_version\":",
        ),
        400,
    ));
    cases.push((
        "wrong content type",
        post("/api/v1/reports", "text/plain", "hello"),
        400,
    ));
    let big = "x".repeat(2 << 20);
    cases.push((
        "body too large",
        post("/api/v1/reports", "application/json", &big),
        413,
    ));
    let mut wrong = Vec::new();
    for (what, request, status) in &cases {
        let a = raw(s.addr, request, t);
        let json = std::panic::catch_unwind(|| a.error_body());
        match json {
            Ok(e) if a.status == *status => eprintln!("{what}: {} {e:?}", a.status),
            _ => wrong.push(format!(
                "{what}: {} {:?} {:?}",
                a.status,
                a.header("content-type"),
                a.text()
            )),
        }
    }
    assert!(wrong.is_empty(), "not JSON errors: {wrong:#?}");

    // A request that takes longer than the request timeout: a speed-test upload whose body
    // never ends.
    let (_, id) = ent_tests::collector::open_speedtest(&s.url, &token);
    let id = id.unwrap();
    let slow = format!(
        "POST /api/v1/speedtest/upload?session={id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Length: 1000000\r\n\r\nabc"
    );
    let a = raw(s.addr, slow.as_bytes(), t);
    assert_eq!(a.status, 408, "timeout: {:?}", a.text());
    let e = a.error_body();
    assert_eq!(e.code, "timeout", "{e:?}");
}

/// A few hundred requests with long random method names: the metrics stay the same size
/// (every label from a closed set). Before: each method became a label value, kept for good.
#[test]
fn metrics_labels_come_from_a_closed_set() {
    let s = Server::start(Options::default());
    let read = s.token(&["--read"]);
    let scrape = || {
        Server::http()
            .get(format!("{}/metrics", s.url))
            .bearer_auth(&read)
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let odd_requests = |seed: u64| {
        for i in 0..300u64 {
            let method: String = (0..200)
                .map(|k| char::from(b'A' + ((i * 7919 + k * 31 + seed) % 26) as u8))
                .collect();
            let path = if i % 2 == 0 { "/healthz" } else { "/nope" };
            let a = raw(
                s.addr,
                format!("{method} {path}?x={i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
                Duration::from_secs(10),
            );
            assert!(a.status >= 400, "{}", a.status);
        }
    };
    let before = scrape().len();
    odd_requests(1);
    let after = scrape();
    odd_requests(2);
    let again = scrape();
    eprintln!(
        "scrape: {before} bytes, {} after 300 odd methods, {} after 300 more",
        after.len(),
        again.len()
    );
    assert!(
        !after.contains("AAAA") && !after.contains("?x="),
        "client text in the labels"
    );
    assert!(after.contains("method=\"other\""), "no `other` method");
    assert!(
        after.len() < before + 8 * 1024,
        "the scrape grew from {before} to {} bytes",
        after.len()
    );
    // The same series, counted again: a few digits more at most.
    assert!(
        again.len() <= after.len() + 64,
        "{} -> {}",
        after.len(),
        again.len()
    );
}

/// Trace logging of every crate, and requests of every kind: neither the client's address
/// nor its port is written. Before: trace logs had the peer's address.
#[test]
fn no_client_address_in_the_logs() {
    let s = Server::start(Options {
        log: Some("trace".into()),
        sample_directory: true,
        ..Options::default()
    });
    let token = s.token(&["--school", SCHOOL]);
    let mut ports = Vec::new();
    let mut send = |req: String| {
        let mut c = std::net::TcpStream::connect(s.addr).unwrap();
        ports.push(c.local_addr().unwrap().port());
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        std::io::Write::write_all(&mut c, req.as_bytes()).unwrap();
        ent_tests::hostile::read_answer(&mut c)
    };
    send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into());
    send("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into());
    send("GARBAGE\r\n\r\n".into());
    let report = serde_json::to_string(&ent_tests::collector::sample_report(
        SCHOOL,
        uuid::Uuid::new_v4(),
    ))
    .unwrap();
    let a = send(format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{report}",
        report.len()
    ));
    assert_eq!(a.status, 201, "{}", a.text());
    // A connection closed mid-header.
    drop(std::net::TcpStream::connect(s.addr).unwrap());
    std::thread::sleep(Duration::from_millis(500));
    let out = s.output();
    let server_port = s.addr.port().to_string();
    // The first line is the collector's own listening address.
    let logs: String = out
        .lines()
        .filter(|l| !l.starts_with("ent-collector listening on"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(logs.len() > 1000, "trace logging is on: {logs}");
    let leaks: Vec<&str> = logs
        .lines()
        .filter(|l| {
            l.contains("127.0.0.1")
                || ports.iter().any(|p| {
                    let p = p.to_string();
                    p != server_port && l.contains(&format!(":{p}"))
                })
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{} log lines with the client's address, e.g. {:#?}",
        leaks.len(),
        &leaks[..leaks.len().min(5)]
    );
}

/// The database, its WAL and its shared memory are 0600, whether created now or left wider
/// by an older collector. Before: 0644 (the umask's).
#[test]
fn database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let check = |s: &Server| {
        let token = s.token(&["--school", SCHOOL]);
        let report = serde_json::to_string(&ent_tests::collector::sample_report(
            SCHOOL,
            uuid::Uuid::new_v4(),
        ))
        .unwrap();
        let r = Server::http()
            .post(format!("{}/api/v1/reports", s.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(report)
            .send()
            .unwrap();
        assert_eq!(r.status(), 201);
        let mut modes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let p = std::path::PathBuf::from(format!("{}{suffix}", s.db.display()));
            modes.push(format!("{suffix}:{:o}", mode(&p)));
        }
        eprintln!("modes: {modes:?}");
        assert!(
            modes.iter().all(|m| m.ends_with(":600")),
            "database files: {modes:?}"
        );
    };
    // Created by the collector.
    let s = Server::start(Options::default());
    check(&s);
    drop(s);
    // Left 0644 by an older collector: tightened at start.
    let s = Server::start(Options {
        prepare: Some(|db| {
            ent_tests::stdout_of(
                ent_tests::collector::admin(db).args(["token", "list"]),
                "token list",
            );
            for suffix in ["", "-wal", "-shm"] {
                let p = format!("{}{suffix}", db.display());
                if std::path::Path::new(&p).exists() {
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
                }
            }
        }),
        ..Options::default()
    });
    check(&s);
}

/// Directory values that a spreadsheet would run as formulas come out of the CSV export
/// neutralised (a `'` before them, the OWASP rule); ordinary values and the collector's own
/// numbers are unchanged. Before: written as they came.
#[test]
fn csv_cells_are_not_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("annuaire.csv");
    std::fs::write(
        &csv,
        "identifiant_de_l_etablissement;nom_etablissement;nom_commune;code_circonscription;nom_circonscription;code_departement\n\
         0690101K;\"=HYPERLINK(\"\"http://x\"\")\";+Lyon;@SUM(1);-2+3;069\n\
         0690102L;École Les Tilleuls;Villeurbanne;0690900D;Villeurbanne Nord;069\n",
    )
    .unwrap();
    let s = Server::start(Options {
        directory: Some(csv),
        ..Options::default()
    });
    let read = s.token(&["--read"]);
    // A report whose label and browser name are formulas: the school's row must not hold
    // them as formulas either.
    let token = s.token(&["--school", SCHOOL]);
    let mut report = ent_tests::collector::sample_report(SCHOOL, uuid::Uuid::new_v4());
    report.workstation.label = Some("@SUM(1)".into());
    if let Some(b) = report.measurements.browsers.as_mut() {
        b.installed[0].name = "=cmd|' /C calc'!A0".into();
        b.installed[0].version = Some("52.0".into());
    }
    let r = Server::http()
        .post(format!("{}/api/v1/reports", s.url))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::to_string(&report).unwrap())
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    let text = Server::http()
        .get(format!("{}/api/v1/export.csv", s.url))
        .bearer_auth(&read)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let mut rows = csv_rows(&text);
    let header = rows.remove(0);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = |uai: &str| rows.iter().find(|r| r[0] == uai).unwrap().clone();
    let hostile = row("0690101K");
    eprintln!("{hostile:?}");
    let mut wrong = Vec::new();
    for (name, want) in [
        ("nom", "'=HYPERLINK(\"http://x\")"),
        ("commune", "'+Lyon"),
        ("code_circonscription", "'@SUM(1)"),
        ("circonscription", "'-2+3"),
        ("postes", "1"),
    ] {
        if hostile[col(name)] != want {
            wrong.push(format!("{name}: {:?}, want {want:?}", hostile[col(name)]));
        }
    }
    for r in &rows {
        for cell in r {
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                wrong.push(format!("a formula cell: {cell:?}"));
            }
        }
    }
    let plain = row("0690102L");
    if plain[col("nom")] != "École Les Tilleuls"
        || plain[col("circonscription")] != "Villeurbanne Nord"
    {
        wrong.push(format!("ordinary row changed: {plain:?}"));
    }
    assert!(wrong.is_empty(), "{wrong:#?}\n{text}");
}

/// The rows of a `;`-separated CSV with `"` quoting.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (';', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => cell.push(c),
        }
    }
    rows
}

/// Whether the peer closed `s` (EOF or reset), without blocking.
fn closed_by_peer(mut s: &std::net::TcpStream) -> bool {
    use std::io::Read;
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// Open `n` connections that each send half a request head.
fn half_open(addr: std::net::SocketAddr, n: usize) -> Vec<std::net::TcpStream> {
    (0..n)
        .map(|_| {
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            std::io::Write::write_all(&mut c, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ")
                .unwrap();
            c
        })
        .collect()
}

/// 600 connections that send half a request head and sit there, against a collector under
/// the 1024 descriptors of a default unit: a legitimate request is still answered at once,
/// and the server closes all 600 within 30 s. Before: none was ever closed.
#[test]
fn half_open_connections_are_closed() {
    let soft = ent_tests::hostile::raise_nofile(4096);
    assert!(
        soft >= 700,
        "this test needs 700 descriptors, the limit is {soft}"
    );
    let s = Server::start(Options {
        nofile: Some(1024),
        ..Options::default()
    });
    let started = std::time::Instant::now();
    let idle = half_open(s.addr, 600);
    let answered = healthz(&s, Duration::from_secs(5));
    assert!(
        answered < Duration::from_secs(2),
        "answered in {answered:?}"
    );
    // Keep-alive still works: two requests on one connection.
    let mut c = std::net::TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    for _ in 0..2 {
        std::io::Write::write_all(&mut c, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(ent_tests::hostile::read_answer(&mut c).status, 200);
    }
    let deadline = started + Duration::from_secs(30);
    let mut open = idle.len();
    while open > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        open = idle.iter().filter(|c| !closed_by_peer(c)).count();
    }
    eprintln!(
        "legitimate request answered in {answered:?}; {open} of 600 half-open connections \
         still open after {:?}",
        started.elapsed()
    );
    assert_eq!(open, 0, "half-open connections still open after 30 s");
}

/// `GET /healthz`, given `timeout`: it answers 200; how long it took.
fn healthz(s: &Server, timeout: Duration) -> Duration {
    let t = std::time::Instant::now();
    let r = Server::http()
        .get(format!("{}/healthz", s.url))
        .timeout(timeout)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    t.elapsed()
}

/// With `--max-connections 100`, 300 half-open connections hold at most 100 sockets of the
/// collector; once the head timeout frees them, a legitimate request is answered. A
/// kept-alive connection left idle is closed after the head timeout too.
#[test]
fn connections_are_capped_and_idle_ones_closed() {
    let s = Server::start(Options {
        args: ["--max-connections", "100", "--header-timeout", "2"]
            .map(String::from)
            .to_vec(),
        ..Options::default()
    });
    let _idle = half_open(s.addr, 300);
    std::thread::sleep(Duration::from_millis(500));
    let held = s.open_sockets();
    let answered = healthz(&s, Duration::from_secs(20));
    eprintln!(
        "collector sockets with 300 half-open connections: {held}; a request answered in {answered:?}"
    );
    // The connections, the listener, the signal handler's socket pair.
    assert!(held <= 110, "{held} sockets held");

    let mut c = std::net::TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    std::io::Write::write_all(&mut c, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(ent_tests::hostile::read_answer(&mut c).status, 200);
    let t = std::time::Instant::now();
    while !closed_by_peer(&c) {
        assert!(
            t.elapsed() < Duration::from_secs(8),
            "an idle kept-alive connection is still open"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A request body that stops coming is answered (JSON, 4xx) after the body timeout, not
/// held until the request timeout.
#[test]
fn a_stalled_body_is_answered() {
    let s = Server::start(Options {
        args: ["--body-timeout", "2"].map(String::from).to_vec(),
        ..Options::default()
    });
    let token = s.token(&["--school", SCHOOL]);
    let t = std::time::Instant::now();
    let a = raw(
        s.addr,
        format!(
            "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{{\"schema"
        )
        .as_bytes(),
        Duration::from_secs(20),
    );
    let took = t.elapsed();
    assert!(
        (400..500).contains(&a.status),
        "{} {:?}",
        a.status,
        a.text()
    );
    a.error_body();
    assert!(took < Duration::from_secs(6), "answered after {took:?}");
}

/// The Debian unit gives the collector room for its default connection cap.
#[test]
fn the_unit_raises_the_descriptor_limit() {
    let unit = std::fs::read_to_string(
        ent_tests::workspace_root().join("dist/debian/ent-collector.service"),
    )
    .unwrap();
    let limit: u64 = unit
        .lines()
        .find_map(|l| l.strip_prefix("LimitNOFILE="))
        .expect("LimitNOFILE in the unit")
        .trim()
        .parse()
        .unwrap();
    assert!(limit >= 4096 + 64, "LimitNOFILE={limit}");
}
