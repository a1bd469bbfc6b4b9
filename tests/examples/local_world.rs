//! A healthy local world for benchmarks (`bench/network.sh`): a test CA, a DNS server for
//! `*.lab.test`, two HTTPS endpoints (one by address, one by name with a redirect), and a
//! local profile. Prints one JSON line with the `ent-agent audit` arguments that reach it,
//! then serves until its standard input closes. Everything is on loopback.

#![allow(clippy::unwrap_used)] // a benchmark helper: a failure is a crash with its reason

use std::collections::BTreeMap;
use std::io::Read;

use ent_tests::netlab::{Behaviour, DnsAnswer, Lab, Reply, TestCa};
use ent_tests::workspace_root;

fn main() {
    let lab = Lab::new();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("ENT Lab Root CA");
    let ca_file = ca.write_pem(&dir.path().join("ca.pem"));
    let leaf = ca.leaf(&["127.0.0.1", "ent.lab.test"]);
    let loopback = "127.0.0.1".parse().unwrap();
    let zone: BTreeMap<String, DnsAnswer> = [("ent.lab.test", DnsAnswer::Addr(vec![loopback]))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let dns = lab.dns(zone);
    let portal = lab.https(&leaf, Behaviour::Reply(Reply::ok("<h1>ENT</h1>")));
    let sso = lab.https(
        &leaf,
        Behaviour::Routes(vec![
            ("/".into(), Reply::redirect("/login")),
            ("/login".into(), Reply::ok("<form>EduConnect</form>")),
        ]),
    );
    // The fault-matrix profile, with only healthy hosts.
    let fixture =
        std::fs::read_to_string(workspace_root().join("tests/tests/fixtures/local-network.toml"))
            .unwrap();
    let start = fixture.find("hosts = [").unwrap();
    let end = start + fixture[start..].find(']').unwrap() + 1;
    let profile_text = format!(
        "{}hosts = [\"ent.lab.test\"]{}",
        &fixture[..start],
        &fixture[end..]
    );
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, profile_text).unwrap();
    let args = serde_json::json!([
        "--profile",
        profile,
        "--ca-file",
        ca_file,
        "--dns-server",
        dns.to_string(),
        "--endpoint",
        format!("ent=https://{portal}/"),
        "--endpoint",
        format!("educonnect=https://ent.lab.test:{}/", sso.port()),
    ]);
    println!("{args}");
    // Serve until the benchmark closes our standard input.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}
