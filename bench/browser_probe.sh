#!/usr/bin/env bash
# Browser probe benchmark (root: network namespaces and tc; Chromium): on one shaped link per
# case (5/5, 20/20, 20/5 Mbit/s), the browser probe (headless Chromium on `/sonde/{code}`,
# inside the client namespace), the agent and iperf3 (-P 4 -O 2), each against the link's
# payload capacity, with the probe's time to its stored report. Goal (issue 12): the probe
# within -5 %/+3 % of the payload capacity in at most 25 s.
#
#   bash bench/browser_probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v iperf3 >/dev/null || { echo "iperf3 is needed (apt-get install iperf3)" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium is needed (apt-get install chromium)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "network namespaces and tc need root" >&2; exit 2; }
cargo test --quiet -p ent-tests --test browser_probe bench_browser_probe -- --ignored --nocapture --test-threads 1 2>&1 \
    | grep -oE 'browser probe bench .*|panicked at .*|test result.*' | sed 's/^browser probe bench /  /'
