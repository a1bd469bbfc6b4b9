#!/usr/bin/env bash
# Benchmark of `ent-agent audit` on this machine: wall time and peak memory over N runs,
# and the release binary's size. Prints figures; asserts nothing (goals are in the README).
#
#   bash bench/audit.sh [RUNS]          (default 20 runs)
set -euo pipefail
runs=${1:-20}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ent-agent
exec python3 - "$runs" target/release/ent-agent <<'PY'
import os, statistics as st, subprocess, sys, tempfile, time

runs, binary = int(sys.argv[1]), sys.argv[2]
state = tempfile.mkdtemp()
# --no-network: the built-in profile lists real hosts, which benchmarks never contact (the
# network probes are measured against a local world by bench/network.sh).
cmd = [binary, "--state-dir", state, "audit", "--json", "--no-network"]
subprocess.run(cmd, stdout=subprocess.DEVNULL)  # warm the page cache, create the state
walls, rss, codes = [], [], set()
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    walls.append(time.perf_counter() - t0)
    rss.append(usage.ru_maxrss / 1024)  # KiB -> MiB
    codes.add(os.waitstatus_to_exitcode(status))
size = os.path.getsize(binary) / 1024 / 1024
q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]
print(f"ent-agent audit --json --no-network (system + browsers), {runs} runs, exit codes {sorted(codes)}")
print(f"  wall time  median {st.median(walls)*1000:.1f} ms  p90 {q(walls, .9)*1000:.1f} ms  max {max(walls)*1000:.1f} ms   (goal: < 3 s without bandwidth)")
print(f"  peak RSS   median {st.median(rss):.1f} MiB  max {max(rss):.1f} MiB   (goal: tens of MiB)")
print(f"  binary     {size:.1f} MiB (release, stripped)")
PY
