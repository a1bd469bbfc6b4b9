//! The lab's forward proxies: open, asking for credentials, re-signing TLS.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::certs::TestCa;
use super::http::{Behaviour, Reply, serve_http};

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

/// The request head (up to the blank line, at most 16 KiB), read byte by byte so that
/// nothing of the tunnel after it is consumed; `None` when the client stops first.
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

/// Serve one proxy client: its `CONNECT` as `mode` says.
pub(super) async fn proxy_connection(mut tcp: TcpStream, mode: ProxyMode) {
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
