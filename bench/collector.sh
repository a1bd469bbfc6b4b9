#!/usr/bin/env bash
# Collector benchmark: ingest rate with durable commits, and /api/v1/schools latency over
# 10,000 schools x 20 workstations. Prints figures; asserts nothing.
#
#   bash bench/collector.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ENT_TESTS_RELEASE=1 cargo bench -q -p ent-tests --bench collector
