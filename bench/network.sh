#!/usr/bin/env bash
# Benchmark of `ent-agent audit` with every network probe (DNS, endpoints with TLS and a
# redirect, latency, proxy, clock, interface; no bandwidth) against a local world on
# loopback (tests/examples/local_world.rs): wall time and peak memory over N runs. Prints
# figures; asserts nothing (goal in the README: under 3 s).
#
#   bash bench/network.sh [RUNS]          (default 20 runs)
set -euo pipefail
runs=${1:-20}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ent-agent
cargo build --release --quiet -p ent-tests --example local_world
exec python3 - "$runs" target/release/ent-agent target/release/examples/local_world <<'PY'
import json, os, statistics as st, subprocess, sys, tempfile, time

runs, binary, world = int(sys.argv[1]), sys.argv[2], sys.argv[3]
env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
lab = subprocess.Popen([world], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
args = json.loads(lab.stdout.readline())
state = tempfile.mkdtemp()
cmd = [binary, "--state-dir", state, "audit", "--json", *args]
first = json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env).stdout)
walls, rss, codes = [], [], set()
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    walls.append(time.perf_counter() - t0)
    rss.append(usage.ru_maxrss / 1024)
    codes.add(os.waitstatus_to_exitcode(status))
lab.stdin.close()
lab.wait()
q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]
net = first["measurements"]["network"]
print(f"ent-agent audit --json with network probes against a local world, {runs} runs, exit codes {sorted(codes)}")
print(f"  checks     " + ", ".join(f"{c['id']}={c['status']}" for c in first["checks"] if not c["id"].startswith(("system.", "browser."))))
print(f"  probes     {len(net['dns'])} DNS lookups, {len(net['endpoints'])} endpoints, {len(net['latency'])} latency targets ({', '.join(l.get('method', '?') for l in net['latency'])})")
print(f"  wall time  median {st.median(walls)*1000:.0f} ms  p90 {q(walls, .9)*1000:.0f} ms  max {max(walls)*1000:.0f} ms   (goal: < 3 s without bandwidth)")
print(f"  peak RSS   median {st.median(rss):.1f} MiB  max {max(rss):.1f} MiB   (goal: tens of MiB)")
PY
