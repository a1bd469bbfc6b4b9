#!/usr/bin/env bash
# Bandwidth benchmark (prints figures; the accuracy assertions live in the tests):
# 1. Shaped links (root: network namespaces and tc): for each case of
#    tests/tests/bandwidth_shaped.rs, the shaped rate, the payload capacity, the agent's and
#    iperf3's figures, their ratios and the test's duration; release binaries.
# 2. Loopback ceiling (tests/benches/bandwidth.rs): the agent against a local collector vs
#    iperf3 single stream, with the agent's CPU time.
#
#   bash bench/bandwidth.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export ENT_TESTS_RELEASE=1
command -v iperf3 >/dev/null || { echo "iperf3 is needed (apt-get install iperf3)" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then
    echo "== shaped links (down/up)"
    cargo test --quiet -p ent-tests --test bandwidth_shaped -- --nocapture --test-threads 1 2>&1 \
        | grep -oE -A1 'bandwidth case .*|panicked at .*|test result.*' | sed 's/^bandwidth case /  /' || true
else
    echo "== shaped links: skipped (network namespaces and tc need root)"
fi
echo "== loopback ceiling"
cargo bench --quiet -p ent-tests --bench bandwidth 2>&1 | grep -vE '^(running|test result)'
