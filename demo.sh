#!/usr/bin/env bash
# The whole flow on this machine, nothing else contacted: a collector on embedded SQLite with
# the sample school directory and a demo profile whose endpoint and latency checks point at
# the collector itself; this PC enrolled for a sample school, audited and its report sent;
# then the verdict and the school's aggregated JSON.
#
#   ./demo.sh            (or: bash demo.sh)
set -euo pipefail
cd "$(dirname "$0")"

school=0690101K   # École élémentaire Jean Moulin, Villeurbanne (dist/annuaire-sample.csv)

# DEMO_BUILD=debug reuses the test build (the end-to-end test of this script does).
build=${DEMO_BUILD:-release}
echo "== building ($build)"
if [ "$build" = release ]; then
    cargo build --release --quiet -p ent-agent -p ent-collector
else
    cargo build --quiet -p ent-agent -p ent-collector
fi
bin=$PWD/target/$build
work=$(mktemp -d)
collector_pid=
cleanup() {
    local status=$?
    if [ -n "$collector_pid" ]; then
        kill "$collector_pid" 2>/dev/null || true
        wait "$collector_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
db=$work/collector.db
collector() { "$bin/ent-collector" --database "$db" "$@"; }

echo "== collector: school directory, demo profile, start"
collector schools import dist/annuaire-sample.csv
# The built-in profile, with its network part aimed at the collector itself.
demo_profile() {
    "$bin/ent-agent" default-profile \
        | sed -e 's/^name = "fr-primaire"/name = "demo-local"/' -e '/^\[network\]/,$d'
    cat <<TOML
[network]
# Demo: nothing leaves this machine. No host to resolve through the system resolver; the
# only endpoint (and latency target) is the collector on loopback.
hosts = []
system_resolver = false

[[network.endpoints]]
name = "collecteur"
url = "http://127.0.0.1:$1/healthz"
TOML
}
for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    demo_profile "$port" > "$work/demo.toml"
    "$bin/ent-collector" --database "$db" serve --listen "127.0.0.1:$port" --profile "$work/demo.toml" \
        > "$work/collector.out" 2> "$work/collector.log" &
    collector_pid=$!
    for _ in $(seq 50); do
        grep -q listening "$work/collector.out" 2>/dev/null && break
        kill -0 "$collector_pid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q listening "$work/collector.out" 2>/dev/null && break
    wait "$collector_pid" 2>/dev/null || true
    collector_pid=
done
[ -n "$collector_pid" ] || { cat "$work/collector.log" >&2; echo "demo: the collector did not start" >&2; exit 1; }
url=http://127.0.0.1:$port
echo "collector on $url (database $db)"

school_token=$(collector token create --school "$school" 2>/dev/null)
read_token=$(collector token create --read 2>/dev/null)

echo
echo "== agent: enrol this PC for school $school, audit, send"
agent() { "$bin/ent-agent" --state-dir "$work/agent" "$@"; }
ENT_AGENT_TOKEN=$school_token agent enroll --collector "$url" --school "$school" --label "poste de démonstration"
set +e
agent run --lang "${DEMO_LANG:-fr}"
verdict_code=$?
set -e

echo
echo "== the school as the département sees it: GET /api/v1/schools/$school"
fetch() {
    if command -v curl >/dev/null; then
        curl -fsS -H "Authorization: Bearer $read_token" "$url$1"
    else
        python3 - "$url$1" "$read_token" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
print(urllib.request.urlopen(req).read().decode())
PY
    fi
}
if command -v python3 >/dev/null; then
    fetch "/api/v1/schools/$school" | python3 -m json.tool --no-ensure-ascii
else
    fetch "/api/v1/schools/$school"; echo
fi
echo
echo "(agent exit code $verdict_code: 0 ready, 1 not ready or incomplete; dashboard at $url/ while this runs)"
