//! The `CONNECT` tunnel through an HTTP proxy, with `Proxy-Authorization: Basic` when the
//! proxy URL carries credentials. The credentials are sent to the proxy only: the errors
//! name the proxy as the report shows it, without them.

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use super::shown;

/// Why a tunnel could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    #[error("the proxy {proxy} asks for authentication (407)")]
    AuthRequired { proxy: String },
    #[error("the proxy {proxy} answered {status} to CONNECT {target}")]
    Refused {
        proxy: String,
        status: u16,
        target: String,
    },
    #[error("the proxy {proxy} sent an unreadable answer to CONNECT: {detail}")]
    Malformed { proxy: String, detail: String },
    #[error("no answer from the proxy {proxy} to CONNECT within {secs:.1} s")]
    Timeout { proxy: String, secs: f64 },
    #[error("connection to the proxy {proxy} failed during CONNECT: {source}")]
    Io {
        proxy: String,
        source: std::io::Error,
    },
}

/// The `Proxy-Authorization` value for a proxy URL with credentials.
pub fn authorization(proxy: &Url) -> Option<String> {
    if proxy.username().is_empty() {
        return None;
    }
    let user = percent_decode(proxy.username());
    let pass = percent_decode(proxy.password().unwrap_or(""));
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    Some(format!("Basic {token}"))
}

/// A URL's user name or password as it was meant: percent-decoded as userinfo is, where a
/// `+` is a plus (form decoding would make it a space) and `&` or `=` are plain characters.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Ask the proxy on `stream` to open a tunnel to `target` (`host:port`).
pub async fn connect_tunnel(
    stream: &mut TcpStream,
    proxy: &Url,
    target: &str,
    timeout: Duration,
) -> Result<(), TunnelError> {
    let name = shown(proxy);
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: ent-agent/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(auth) = authorization(proxy) {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    let exchange = async {
        stream.write_all(request.as_bytes()).await?;
        // Read the answer's head byte by byte: what follows belongs to the tunnel.
        let mut head = Vec::with_capacity(256);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the proxy closed the connection",
                ));
            }
            head.push(byte[0]);
            if head.len() > 16 * 1024 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "answer head over 16 KiB",
                ));
            }
        }
        Ok(head)
    };
    let head = match tokio::time::timeout(timeout, exchange).await {
        Err(_) => {
            return Err(TunnelError::Timeout {
                proxy: name,
                secs: timeout.as_secs_f64(),
            });
        }
        Ok(Err(source)) => {
            return Err(TunnelError::Io {
                proxy: name,
                source,
            });
        }
        Ok(Ok(head)) => head,
    };
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(TunnelError::Malformed {
                proxy: name,
                detail: String::from_utf8_lossy(&head[..head.len().min(80)]).into_owned(),
            });
        }
    }
    match response.code.unwrap_or(0) {
        200..=299 => Ok(()),
        407 => Err(TunnelError::AuthRequired { proxy: name }),
        status => Err(TunnelError::Refused {
            proxy: name,
            status,
            target: target.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_percent_decoded_as_userinfo() {
        let basic = |url: &str| {
            let token = authorization(&Url::parse(url).unwrap()).unwrap();
            let token = token.strip_prefix("Basic ").unwrap();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .unwrap(),
            )
            .unwrap()
        };
        // A `+` in a password is a plus, not a space; `%2B` and `%40` are `+` and `@`.
        assert_eq!(basic("http://eleve:a+b@proxy:3128"), "eleve:a+b");
        assert_eq!(
            basic("http://pr%C3%A9nom.nom:p%2Bss%40w0rd&x=y@proxy:3128"),
            "prénom.nom:p+ss@w0rd&x=y"
        );
        assert_eq!(basic("http://eleve@proxy:3128"), "eleve:");
        assert_eq!(
            authorization(&Url::parse("http://proxy:3128").unwrap()),
            None
        );
    }
}
