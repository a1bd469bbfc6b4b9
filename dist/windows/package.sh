#!/usr/bin/env bash
# Build the Windows release zip: ent-agent.exe (x86_64-pc-windows-gnu), the install and
# uninstall scripts, the scheduled task XML, the default profile, the PowerShell completion
# (ent-agent.ps1, written by the Linux agent's `completions powershell`) and the README's
# Windows section (README.txt, CRLF for Notepad).
#
#   dist/windows/package.sh [--debug] [--out DIR]
#
# Writes DIR/ent-agent-VERSION-windows-x86_64.zip (DIR defaults to target/dist) and prints
# its contents. --debug packages the debug build (a quick check in CI); releases use the
# default, optimised build. Needs the Rust target (rustup target add x86_64-pc-windows-gnu),
# gcc-mingw-w64-x86-64, and zip or python3.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-pc-windows-gnu
. dist/package-args.sh

build_windows_agent

name="ent-agent-$version-windows-x86_64"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$exe" dist/windows/install.ps1 dist/windows/uninstall.ps1 dist/windows/ent-agent-task.xml \
    dist/profiles/fr-primaire.toml "$stage/$name/"
powershell_completion "$stage/$name/ent-agent.ps1"
# The README's "Windows" section, up to the next second-level heading.
awk '/^## Windows/ { on = 1 } /^## / && !/^## Windows/ { on = 0 } on' README.md |
    sed 's/$/\r/' >"$stage/$name/README.txt"
[ -s "$stage/$name/README.txt" ] || { echo "error: no '## Windows' section in README.md" >&2; exit 1; }

mkdir -p "$out"
zipfile="$(cd "$out" && pwd)/$name.zip"
rm -f "$zipfile"
if command -v zip >/dev/null 2>&1; then
    (cd "$stage" && zip -q -r -X "$zipfile" "$name")
else
    (cd "$stage" && python3 -m zipfile -c "$zipfile" "$name")
fi
echo "$zipfile"
if command -v zip >/dev/null 2>&1; then
    zip -sf "$zipfile"
else
    python3 -m zipfile -l "$zipfile"
fi
