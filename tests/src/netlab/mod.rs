//! A local network of faults for the network probes: a test CA and certificates (rcgen),
//! HTTPS servers with scripted behaviours (good, slow, 5xx, redirects, silence, resets, a
//! skewed clock), a DNS server answering per name (addresses, NXDOMAIN, SERVFAIL, REFUSED,
//! silence, slowness, a filter's 0.0.0.0; over TCP when too big for UDP), forward proxies (open, asking for credentials,
//! re-signing TLS like a filtering proxy), a TLS 1.0-only server (Debian's
//! `openssl s_server`), and, as root, a black-holed address in network namespaces the test
//! creates (198.18.0.0/15, SYN and ICMP echo dropped by nftables).
//!
//! Everything listens on loopback or inside those namespaces; the proxies only connect to
//! loopback. No test traffic goes anywhere else. Servers run on the runtime that [`Lab`]
//! owns and stop with it.

mod certs;
mod dns;
mod healthy;
mod http;
mod netns;
mod proxy;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::Message;
use tokio::net::{TcpListener, UdpSocket};

pub use certs::{Leaf, TestCa, self_signed};
pub use dns::DnsAnswer;
pub use healthy::healthy_network;
pub use http::{Behaviour, Reply};
pub(crate) use netns::ip_cmd;
pub use netns::{BlackHole, is_root};
pub use proxy::ProxyMode;

use dns::{MAX_UDP_ANSWER, dns_over_tcp, dns_reply, truncated};
use http::handle;
use proxy::proxy_connection;

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
    /// A lab with its own runtime (two worker threads) and no server yet.
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

    /// The runtime the servers run on.
    fn rt(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the lab is running")
    }

    /// A TCP listener bound to `addr` on the lab's runtime.
    fn listen(&self, addr: &str) -> TcpListener {
        self.rt()
            .block_on(TcpListener::bind(addr))
            .unwrap_or_else(|e| panic!("bind {addr}: {e}"))
    }

    /// Serve every connection to `listener` (over TLS with `tls`) as `behaviour` says;
    /// returns the listener's address.
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
        let (socket, tcp) = self.dns_sockets();
        let local = socket.local_addr().expect("local address");
        let socket = Arc::new(socket);
        let zone = Arc::new(zone);
        let tcp_zone = zone.clone();
        self.rt().spawn(async move {
            while let Ok((stream, _)) = tcp.accept().await {
                tokio::spawn(dns_over_tcp(stream, tcp_zone.clone()));
            }
        });
        self.rt().spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
                let Ok(request) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let Some((bytes, delay)) = dns_reply(&request, &zone) else {
                    continue;
                };
                let bytes = if bytes.len() > MAX_UDP_ANSWER {
                    match truncated(&request) {
                        Some(t) => t,
                        None => continue,
                    }
                } else {
                    bytes
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

    /// A UDP socket on loopback and a TCP listener on the same port (answers too big for
    /// UDP go over TCP); a few ports are tried, as the TCP one may be taken.
    fn dns_sockets(&self) -> (UdpSocket, TcpListener) {
        for _ in 0..20 {
            let udp = self
                .rt()
                .block_on(UdpSocket::bind("127.0.0.1:0"))
                .expect("bind the DNS server");
            let local = udp.local_addr().expect("local address");
            if let Ok(tcp) = self.rt().block_on(TcpListener::bind(local)) {
                return (udp, tcp);
            }
        }
        panic!("no loopback port free for both UDP and TCP");
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
