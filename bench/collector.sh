#!/usr/bin/env bash
# Collector benchmark: ingest rate with durable commits, and the read API's latency (the
# whole /api/v1/schools, a page of it, the roll-ups) over 10,000 schools x 20 workstations.
# Prints figures; asserts nothing.
#
#   bash bench/collector.sh
#   bash bench/collector.sh --national     # 45,000 schools x 20 workstations
#   bash bench/collector.sh --read-only --schools 45000 --workstations 4
set -euo pipefail
cd "$(dirname "$0")/.."
ENT_TESTS_RELEASE=1 cargo bench -q -p ent-tests --bench collector -- "$@"
