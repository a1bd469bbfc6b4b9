//! The lab's DNS server: an answer per name.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

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
