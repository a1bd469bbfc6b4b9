#!/usr/bin/env bash
# Web app benchmark: the pages' render time in headless Chromium (through chromedriver) over
# 2,000 schools x 20 workstations, warm collector. Prints figures; asserts nothing.
#
#   bash bench/webapp.sh
#   bash bench/webapp.sh --schools 5000 --workstations 20 --runs 9
#
# Without a release build: cargo test -p ent-tests --bench webapp -- [same flags]
set -euo pipefail
cd "$(dirname "$0")/.."
ENT_TESTS_RELEASE=1 cargo bench -q -p ent-tests --bench webapp -- "$@"
