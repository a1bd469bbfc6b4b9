//! A local network of faults for the network probes: a test CA and certificates (rcgen),
//! HTTPS servers with scripted behaviours (good, slow, 5xx, redirects, silence, resets, a
//! skewed clock), a DNS server answering per name (addresses, NXDOMAIN, SERVFAIL, REFUSED,
//! silence, slowness, a filter's 0.0.0.0), forward proxies (open, asking for credentials,
//! re-signing TLS like a filtering proxy), a TLS 1.0-only server (Debian's
//! `openssl s_server`), and, as root, a black-holed address in network namespaces the test
//! creates (198.18.0.0/15, SYN and ICMP echo dropped by nftables).
//!
//! Everything listens on loopback or inside those namespaces; the proxies only connect to
//! loopback. No test traffic goes anywhere else. Servers run on the runtime that [`Lab`]
//! owns and stop with it.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// How long a silent server keeps a connection open (longer than any probe's limit).
const SILENCE: Duration = Duration::from_secs(120);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

// ---------------------------------------------------------------------------------------
// Certificates

/// A test certificate authority.
#[derive(Debug)]
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

/// A server certificate and its key.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
    pub pem: String,
    pub key_pem: String,
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

impl TestCa {
    /// A root CA named `cn`.
    pub fn new(cn: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "ENT Readiness tests");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = now() - time::Duration::days(1);
        params.not_after = now() + time::Duration::days(3650);
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Write the CA certificate to `path` and return the path.
    pub fn write_pem(&self, path: &Path) -> std::path::PathBuf {
        std::fs::write(path, &self.pem).expect("write the CA file");
        path.to_owned()
    }

    /// A certificate for `names` (DNS names or IP addresses), valid from yesterday for 90 days.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_valid(
            names,
            now() - time::Duration::days(1),
            now() + time::Duration::days(90),
        )
    }

    /// A certificate for `names` valid between the two dates.
    pub fn leaf_valid(
        &self,
        names: &[&str],
        not_before: time::OffsetDateTime,
        not_after: time::OffsetDateTime,
    ) -> Leaf {
        let (params, key) = leaf_params(names, not_before, not_after);
        let cert = params.signed_by(&key, &self.issuer).expect("sign the leaf");
        Leaf::new(cert, &key)
    }
}

fn leaf_params(
    names: &[&str],
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> (CertificateParams, KeyPair) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("leaf params");
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("test"));
    params.not_before = not_before;
    params.not_after = not_after;
    (params, KeyPair::generate().expect("leaf key"))
}

/// A self-signed certificate for `names` (no CA).
pub fn self_signed(names: &[&str]) -> Leaf {
    let (params, key) = leaf_params(
        names,
        now() - time::Duration::days(1),
        now() + time::Duration::days(90),
    );
    let cert = params.self_signed(&key).expect("self-signed certificate");
    Leaf::new(cert, &key)
}

impl Leaf {
    fn new(cert: rcgen::Certificate, key: &KeyPair) -> Leaf {
        Leaf {
            chain: vec![cert.der().clone()],
            pem: cert.pem(),
            key: key.serialize_der(),
            key_pem: key.serialize_pem(),
        }
    }

    fn server_config(&self) -> rustls::ServerConfig {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)
            .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }
}

// ---------------------------------------------------------------------------------------
// HTTP(S) servers

/// One scripted HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Seconds added to the `Date` header (a server whose clock is ahead).
    pub clock_offset_s: i64,
}

impl Reply {
    pub fn ok(body: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.to_owned(),
            delay: Duration::ZERO,
            clock_offset_s: 0,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::ok("status page")
        }
    }

    pub fn redirect(location: &str) -> Reply {
        let mut r = Reply::status(302);
        r.headers.push(("location".into(), location.to_owned()));
        r
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn clock_ahead(mut self, seconds: i64) -> Reply {
        self.clock_offset_s = seconds;
        self
    }
}

/// What a server does with each connection.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answer every request with this.
    Reply(Reply),
    /// Answer by path; other paths get 404.
    Routes(Vec<(String, Reply)>),
    /// Accept the TCP connection and say nothing at all.
    Silent,
    /// Accept, then reset the connection (TCP RST).
    Reset,
}

fn http_date(offset_s: i64) -> String {
    let now = SystemTime::now();
    let t = if offset_s >= 0 {
        now + Duration::from_secs(offset_s.unsigned_abs())
    } else {
        now - Duration::from_secs(offset_s.unsigned_abs())
    };
    httpdate::fmt_http_date(t)
}

async fn respond(
    req: hyper::Request<hyper::body::Incoming>,
    behaviour: Arc<Behaviour>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let reply = match &*behaviour {
        Behaviour::Reply(r) => r.clone(),
        Behaviour::Routes(routes) => routes
            .iter()
            .find(|(p, _)| p == req.uri().path())
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| Reply::status(404)),
        Behaviour::Silent | Behaviour::Reset => Reply::status(500),
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut builder = hyper::Response::builder()
        .status(reply.status)
        .header("date", http_date(reply.clock_offset_s));
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    Ok(builder
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()))))
}

async fn serve_http<S>(io: S, behaviour: Arc<Behaviour>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| respond(req, behaviour.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

async fn handle(tcp: TcpStream, tls: Option<tokio_rustls::TlsAcceptor>, behaviour: Arc<Behaviour>) {
    match &*behaviour {
        Behaviour::Silent => {
            tokio::time::sleep(SILENCE).await;
            drop(tcp);
        }
        Behaviour::Reset => {
            let _ = tcp.set_zero_linger();
            drop(tcp);
        }
        _ => match tls {
            Some(acceptor) => {
                if let Ok(stream) = acceptor.accept(tcp).await {
                    serve_http(stream, behaviour).await;
                }
            }
            None => serve_http(tcp, behaviour).await,
        },
    }
}

// ---------------------------------------------------------------------------------------
// DNS

/// What the DNS server answers for a name.
#[derive(Debug, Clone)]
pub enum DnsAnswer {
    /// These addresses (A for IPv4 ones, AAAA for IPv6 ones; none of a type: no answer).
    Addr(Vec<IpAddr>),
    Nxdomain,
    Servfail,
    Refused,
    /// Never answer.
    Silent,
    /// Answer with these addresses after a delay.
    Slow(Duration, Vec<IpAddr>),
}

fn dns_reply(request: &Message, zone: &BTreeMap<String, DnsAnswer>) -> Option<(Vec<u8>, Duration)> {
    let query = request.queries.first()?;
    let name = query
        .name()
        .to_ascii()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let answer = zone.get(&name).cloned().unwrap_or(DnsAnswer::Nxdomain);
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.add_query(query.clone());
    let (code, addresses, delay) = match answer {
        DnsAnswer::Silent => return None,
        DnsAnswer::Addr(a) => (ResponseCode::NoError, a, Duration::ZERO),
        DnsAnswer::Slow(d, a) => (ResponseCode::NoError, a, d),
        DnsAnswer::Nxdomain => (ResponseCode::NXDomain, vec![], Duration::ZERO),
        DnsAnswer::Servfail => (ResponseCode::ServFail, vec![], Duration::ZERO),
        DnsAnswer::Refused => (ResponseCode::Refused, vec![], Duration::ZERO),
    };
    response.metadata.response_code = code;
    for ip in addresses {
        let data = match (ip, query.query_type()) {
            (IpAddr::V4(v4), RecordType::A) => RData::A(A(v4)),
            (IpAddr::V6(v6), RecordType::AAAA) => RData::AAAA(AAAA(v6)),
            _ => continue,
        };
        response.add_answer(Record::from_rdata(query.name().clone(), 60, data));
    }
    Some((response.to_vec().ok()?, delay))
}

// ---------------------------------------------------------------------------------------
// Proxies

/// What a forward proxy does with `CONNECT`.
#[derive(Debug, Clone)]
pub enum ProxyMode {
    /// Open the tunnel.
    Open,
    /// Ask for `user:pass` (407 without them), then open the tunnel.
    Auth { user: String, pass: String },
    /// Like a filtering proxy with HTTPS inspection: open the "tunnel", then terminate TLS
    /// with a certificate for the requested host issued by its own CA, and answer itself.
    Resign(Arc<TestCa>),
}

async fn read_head(tcp: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await.ok()? == 0 || head.len() > 16 * 1024 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

async fn proxy_connection(mut tcp: TcpStream, mode: ProxyMode) {
    let Some(head) = read_head(&mut tcp).await else {
        return;
    };
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(&head), Ok(httparse::Status::Complete(_))) {
        return;
    }
    let target = req.path.unwrap_or("").to_owned();
    if req.method != Some("CONNECT") {
        let _ = tcp
            .write_all(b"HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    }
    let auth = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("proxy-authorization"))
        .map(|h| String::from_utf8_lossy(h.value).into_owned());
    if let ProxyMode::Auth { user, pass } = &mode {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        let expected = format!("Basic {token}");
        if auth.as_deref() != Some(expected.as_str()) {
            let _ = tcp
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"lab\"\r\ncontent-length: 0\r\n\r\n",
                )
                .await;
            return;
        }
    }
    let (host, port) = match target.rsplit_once(':') {
        Some((h, p)) => (
            h.trim_matches(['[', ']']).to_owned(),
            p.parse::<u16>().unwrap_or(443),
        ),
        None => (target.clone(), 443),
    };
    match mode {
        ProxyMode::Resign(ca) => {
            if tcp
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .is_err()
            {
                return;
            }
            let leaf = ca.leaf(&[host.as_str()]);
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(leaf.server_config()));
            if let Ok(stream) = acceptor.accept(tcp).await {
                serve_http(
                    stream,
                    Arc::new(Behaviour::Reply(Reply::ok(
                        "<h1>Page filtrée par le proxy</h1>",
                    ))),
                )
                .await;
            }
        }
        ProxyMode::Open | ProxyMode::Auth { .. } => {
            // The lab's proxies only reach loopback.
            let ip: Option<IpAddr> = host.parse().ok();
            let Some(ip) = ip.filter(IpAddr::is_loopback) else {
                let _ = tcp
                    .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                    .await;
                return;
            };
            let Ok(mut upstream) = TcpStream::connect(SocketAddr::new(ip, port)).await else {
                let _ = tcp
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                    .await;
                return;
            };
            if tcp
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .is_ok()
            {
                let _ = tokio::io::copy_bidirectional(&mut tcp, &mut upstream).await;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The lab

/// The servers' runtime and child processes. Dropping the lab stops every server.
#[derive(Debug)]
pub struct Lab {
    runtime: Option<tokio::runtime::Runtime>,
    children: Mutex<Vec<Child>>,
}

impl Default for Lab {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Ok(mut children) = self.children.lock() {
            for child in children.iter_mut() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Lab {
    pub fn new() -> Lab {
        Lab {
            runtime: Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("start the lab's runtime"),
            ),
            children: Mutex::new(Vec::new()),
        }
    }

    fn rt(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the lab is running")
    }

    fn listen(&self, addr: &str) -> TcpListener {
        self.rt()
            .block_on(TcpListener::bind(addr))
            .unwrap_or_else(|e| panic!("bind {addr}: {e}"))
    }

    fn serve(
        &self,
        listener: TcpListener,
        tls: Option<tokio_rustls::TlsAcceptor>,
        behaviour: Behaviour,
    ) -> SocketAddr {
        let local = listener.local_addr().expect("local address");
        let behaviour = Arc::new(behaviour);
        self.rt().spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(handle(tcp, tls.clone(), behaviour.clone()));
            }
        });
        local
    }

    /// An HTTPS server on loopback with this certificate.
    pub fn https(&self, cert: &Leaf, behaviour: Behaviour) -> SocketAddr {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cert.server_config()));
        self.serve(self.listen("127.0.0.1:0"), Some(acceptor), behaviour)
    }

    /// A plain HTTP server on loopback.
    pub fn http(&self, behaviour: Behaviour) -> SocketAddr {
        self.serve(self.listen("127.0.0.1:0"), None, behaviour)
    }

    /// A loopback port with nothing listening (connections are refused).
    pub fn closed_port(&self) -> SocketAddr {
        let listener = self.listen("127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        drop(listener);
        addr
    }

    /// A DNS server (UDP) on loopback answering from `zone` (other names: NXDOMAIN).
    pub fn dns(&self, zone: BTreeMap<String, DnsAnswer>) -> SocketAddr {
        let socket = self
            .rt()
            .block_on(UdpSocket::bind("127.0.0.1:0"))
            .expect("bind the DNS server");
        let local = socket.local_addr().expect("local address");
        let socket = Arc::new(socket);
        let zone = Arc::new(zone);
        self.rt().spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
                let Ok(request) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let Some((bytes, delay)) = dns_reply(&request, &zone) else {
                    continue;
                };
                let socket = socket.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = socket.send_to(&bytes, peer).await;
                });
            }
        });
        local
    }

    /// A forward proxy on loopback.
    pub fn proxy(&self, mode: ProxyMode) -> SocketAddr {
        let listener = self.listen("127.0.0.1:0");
        let local = listener.local_addr().expect("local address");
        self.rt().spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(proxy_connection(tcp, mode.clone()));
            }
        });
        local
    }

    /// A TLS 1.0-only HTTPS server (`openssl s_server -tls1`), or why there is none.
    pub fn tls10(&self, cert: &Leaf, dir: &Path) -> Result<SocketAddr, String> {
        let cert_path = dir.join("tls10-cert.pem");
        let key_path = dir.join("tls10-key.pem");
        std::fs::write(&cert_path, &cert.pem).map_err(|e| e.to_string())?;
        std::fs::write(&key_path, &cert.key_pem).map_err(|e| e.to_string())?;
        let addr = self.closed_port();
        let child = Command::new("openssl")
            .args([
                "s_server",
                "-quiet",
                "-www",
                "-tls1",
                "-cipher",
                "DEFAULT:@SECLEVEL=0",
            ])
            .arg("-accept")
            .arg(addr.to_string())
            .arg("-cert")
            .arg(&cert_path)
            .arg("-key")
            .arg(&key_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run openssl s_server: {e}"))?;
        self.children
            .lock()
            .map_err(|_| "lab poisoned".to_owned())?
            .push(child);
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if std::net::TcpStream::connect(addr).is_ok() {
                return Ok(addr);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("openssl s_server did not listen on {addr}"))
    }
}

// ---------------------------------------------------------------------------------------
// Network namespaces (root)

/// Whether the tests run as root (network namespaces, nftables, raw ICMP).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Two network namespaces joined by a veth pair: the client side (198.18.0.1/30, default
/// route via the server side) and the server side (198.18.0.2/30), where nftables drops
/// TCP SYNs to port 443 and ICMP echo requests: a black-holed address. Removed on drop.
#[derive(Debug)]
pub struct BlackHole {
    pub client_ns: String,
    server_ns: String,
    /// The black-holed address.
    pub address: Ipv4Addr,
}

/// `ip ARGS`: Ok, or what it said on stderr.
pub(crate) fn ip_cmd(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl BlackHole {
    pub fn create() -> Result<BlackHole, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let hole = BlackHole {
            client_ns: format!("entlab-c-{id}"),
            server_ns: format!("entlab-s-{id}"),
            address: Ipv4Addr::new(198, 18, 0, 2),
        };
        let (c, s) = (hole.client_ns.as_str(), hole.server_ns.as_str());
        ip_cmd(&["netns", "add", c])?;
        ip_cmd(&["netns", "add", s])?;
        ip_cmd(&[
            "-n", c, "link", "add", "vc", "type", "veth", "peer", "name", "vs", "netns", s,
        ])?;
        ip_cmd(&["-n", c, "addr", "add", "198.18.0.1/30", "dev", "vc"])?;
        ip_cmd(&["-n", s, "addr", "add", "198.18.0.2/30", "dev", "vs"])?;
        for (ns, dev) in [(c, "vc"), (s, "vs"), (c, "lo"), (s, "lo")] {
            ip_cmd(&["-n", ns, "link", "set", dev, "up"])?;
        }
        ip_cmd(&["-n", c, "route", "add", "default", "via", "198.18.0.2"])?;
        let rules = "table inet entlab {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 443 drop\n  icmp type echo-request drop\n }\n}\n";
        let mut nft = Command::new("ip")
            .args(["netns", "exec", s, "nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run nft: {e}"))?;
        if let Some(mut stdin) = nft.stdin.take() {
            use std::io::Write;
            stdin
                .write_all(rules.as_bytes())
                .map_err(|e| format!("nft: {e}"))?;
        }
        let out = nft.wait_with_output().map_err(|e| format!("nft: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "nft (is nftables installed?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(hole)
    }

    /// `cmd` run inside the client namespace.
    pub fn exec(&self, cmd: &Command) -> Command {
        let mut wrapped = Command::new("ip");
        wrapped
            .args(["netns", "exec", &self.client_ns])
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        wrapped
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        let _ = ip_cmd(&["netns", "del", &self.client_ns]);
        let _ = ip_cmd(&["netns", "del", &self.server_ns]);
    }
}

// ---------------------------------------------------------------------------------------
// Measurements of a healthy network

/// Network measurements under which every network check of `profile` passes: each host and
/// endpoint host answered in 12 ms, each endpoint 200 in 250 ms over TLS 1.3 with a public
/// chain valid for a year, 11 ms round trips, no proxy, the clock right, a wired gigabit
/// link. For tests that need a report (the collector's) without probing anything.
pub fn healthy_network(
    profile: &readiness::Profile,
) -> readiness::measurements::NetworkMeasurements {
    use readiness::measurements::network::*;
    let server: IpAddr = "192.0.2.10".parse().expect("address");
    let now = jiff::Timestamp::now();
    let year = jiff::SignedDuration::from_hours(24 * 365);
    let answered = |ms: f64| DnsQuery {
        outcome: DnsOutcome::Answered,
        elapsed_ms: ms,
        addresses: vec![server],
        detail: None,
    };
    let no_aaaa = DnsQuery {
        outcome: DnsOutcome::NoAnswer,
        elapsed_ms: 11.0,
        addresses: vec![],
        detail: None,
    };
    let valid = Verification {
        valid: true,
        error: None,
        detail: None,
    };
    let mut hosts: Vec<String> = profile.network.hosts.clone();
    for e in &profile.network.endpoints {
        let h = e.host();
        if h.parse::<IpAddr>().is_err() && !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    NetworkMeasurements {
        dns: hosts
            .iter()
            .map(|h| DnsLookup {
                host: h.clone(),
                resolver: "system".into(),
                a: answered(12.0),
                aaaa: no_aaaa.clone(),
            })
            .collect(),
        endpoints: profile
            .network
            .endpoints
            .iter()
            .map(|e| EndpointMeasurement {
                name: e.name.clone(),
                url: e.url.clone(),
                proxy: None,
                attempt: EndpointAttempt {
                    route: Route::Direct,
                    hops: vec![Hop {
                        url: e.url.clone(),
                        addresses: vec![server],
                        connected_to: Some(format!("{server}:443")),
                        dns_ms: Some(12.0),
                        connect_ms: Some(11.0),
                        proxy_ms: None,
                        tls_ms: Some(30.0),
                        ttfb_ms: Some(150.0),
                        status: Some(200),
                        location: None,
                    }],
                    total_ms: 250.0,
                    error: None,
                    tls: e.url.starts_with("https://").then(|| TlsInfo {
                        server_name: e.host(),
                        version: "TLSv1.3".into(),
                        cipher: "TLS13_AES_256_GCM_SHA384".into(),
                        chain: vec![CertInfo {
                            subject: format!("CN={}", e.host()),
                            issuer: "CN=Public Test CA".into(),
                            not_before: now.checked_sub(year).unwrap_or(now),
                            not_after: now.checked_add(year).unwrap_or(now),
                            names: vec![e.host()],
                        }],
                        public_roots: valid.clone(),
                        os_roots: Some(valid.clone()),
                        extra_roots: None,
                    }),
                    expected_text_found: e.expect_text.as_ref().map(|_| true),
                },
                direct: None,
            })
            .collect(),
        proxy: Some(ProxySettings {
            source: ProxySource::None,
            https_proxy: None,
            http_proxy: None,
            no_proxy: vec![],
            pac_url: None,
            credentials_configured: false,
        }),
        latency: profile
            .network
            .endpoints
            .iter()
            .map(|e| LatencyMeasurement {
                target: e.name.clone(),
                host: e.host(),
                address: Some(server),
                method: Some(LatencyMethod::IcmpRaw),
                samples_ms: vec![Some(11.0), Some(12.0), Some(11.5)],
                notes: vec![],
                error: None,
            })
            .collect(),
        clock: profile
            .network
            .endpoints
            .first()
            .map(|e| ClockSample {
                source: e.name.clone(),
                server_time: now,
                local_time: now,
            })
            .into_iter()
            .collect(),
        interface: Some(InterfaceInfo {
            name: "eth0".into(),
            kind: InterfaceKind::Wired,
            speed_mbps: Some(1000),
            wifi_signal_dbm: None,
        }),
        unavailable: Default::default(),
    }
}
