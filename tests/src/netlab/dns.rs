//! The lab's DNS server: an answer per name.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};

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

/// The response to `request` from `zone` (other names: NXDOMAIN) and how long to wait
/// before sending it; `None`: send nothing.
pub(super) fn dns_reply(
    request: &Message,
    zone: &BTreeMap<String, DnsAnswer>,
) -> Option<(Vec<u8>, Duration)> {
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

/// The largest answer sent over UDP (no EDNS): bigger ones are truncated, for the client
/// to ask again over TCP.
pub(super) const MAX_UDP_ANSWER: usize = 512;

/// The empty, truncated (TC) answer to `request`.
pub(super) fn truncated(request: &Message) -> Option<Vec<u8>> {
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.truncation = true;
    response.add_queries(request.queries.iter().cloned());
    response.to_vec().ok()
}

/// Answer the queries of one TCP connection (each message prefixed by its length).
pub(super) async fn dns_over_tcp(mut stream: TcpStream, zone: Arc<BTreeMap<String, DnsAnswer>>) {
    loop {
        let Ok(len) = stream.read_u16().await else {
            return;
        };
        let mut buf = vec![0u8; usize::from(len)];
        if stream.read_exact(&mut buf).await.is_err() {
            return;
        }
        let Ok(request) = Message::from_vec(&buf) else {
            return;
        };
        let Some((bytes, delay)) = dns_reply(&request, &zone) else {
            continue;
        };
        tokio::time::sleep(delay).await;
        let Ok(len) = u16::try_from(bytes.len()) else {
            return;
        };
        if stream.write_u16(len).await.is_err() || stream.write_all(&bytes).await.is_err() {
            return;
        }
    }
}
