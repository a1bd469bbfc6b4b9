#!/usr/bin/env bash
# Build every release artifact into one directory, with their checksums:
#
#   dist/release.sh [--debug] [--out DIR]
#
#   DIR/ent-agent_VERSION_ARCH.deb                  dist/debian/package.sh
#   DIR/ent-collector_VERSION_ARCH.deb              dist/debian/package.sh
#   DIR/ent-agent-VERSION-windows-x86_64.zip        dist/windows/package.sh
#   DIR/ent-agent-VERSION-windows-x86_64.msi        dist/windows/msi.sh
#   DIR/SHA256SUMS                                  sha256sum of those four
#
# VERSION is the workspace's (Cargo.toml), DIR defaults to target/dist. --debug packages the
# debug builds (a quick check in tests and CI); releases use the default, optimised builds.
# Each binary is built once (the scripts share target/). Needs what the three scripts need:
# dpkg-deb, the Rust target x86_64-pc-windows-gnu with gcc-mingw-w64-x86-64, zip (or
# python3) and wixl. Prints the artifacts' paths, then the checksums. Verify a download with
# `sha256sum -c SHA256SUMS` in its directory.
set -euo pipefail
cd "$(dirname "$0")/.."

. dist/package-args.sh
mkdir -p "$out"
out=$(cd "$out" && pwd)
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

# The same options for every script (--debug, --out DIR); their own output on stderr.
opts=(--out "$out")
[ "$profile" = debug ] && opts+=(--debug)
rm -f "$out/SHA256SUMS"
dist/debian/package.sh "${opts[@]}" >&2
dist/windows/package.sh "${opts[@]}" >&2
dist/windows/msi.sh "${opts[@]}" >&2

artifacts=(
    "ent-agent_${version}_${arch}.deb"
    "ent-collector_${version}_${arch}.deb"
    "ent-agent-$version-windows-x86_64.zip"
    "ent-agent-$version-windows-x86_64.msi"
)
for a in "${artifacts[@]}"; do
    [ -s "$out/$a" ] || { echo "error: $out/$a was not built" >&2; exit 1; }
done
(cd "$out" && sha256sum "${artifacts[@]}" >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
for a in "${artifacts[@]}" SHA256SUMS; do
    echo "$out/$a"
done
cat "$out/SHA256SUMS" >&2
