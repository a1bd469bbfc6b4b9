#!/usr/bin/env bash
# Benchmark of `ent-agent audit` on this machine: wall time and peak memory over N runs,
# and the release binary's size. Prints figures; asserts nothing (goals are in the README).
#
#   bash bench/audit.sh [RUNS]          (default 10 runs)
set -euo pipefail
runs=${1:-10}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ent-agent
bin=target/release/ent-agent
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

"$bin" --state-dir "$state" audit --json >/dev/null || true   # warm the page cache
walls=(); rss=()
for _ in $(seq "$runs"); do
  out=$({ /usr/bin/time -f '%e %M' "$bin" --state-dir "$state" audit --json >/dev/null; } 2>&1 | tail -n1)
  walls+=("${out% *}"); rss+=("${out#* }")
done
python3 - "$runs" "$(stat -c %s "$bin")" "${walls[*]}" "${rss[*]}" <<'PY'
import sys, statistics as st
runs, size = int(sys.argv[1]), int(sys.argv[2])
walls = [float(x) for x in sys.argv[3].split()]
rss = [int(x) for x in sys.argv[4].split()]
print(f"ent-agent audit --json, {runs} runs on this machine")
print(f"  wall time   median {st.median(walls)*1000:.0f} ms   min {min(walls)*1000:.0f} ms   max {max(walls)*1000:.0f} ms   (goal < 3000 ms without bandwidth)")
print(f"  peak RSS    median {st.median(rss)/1024:.1f} MiB   max {max(rss)/1024:.1f} MiB   (goal: tens of MiB)")
print(f"  binary size {size/1024/1024:.1f} MiB (release, stripped)")
PY
