#!/usr/bin/env bash
# Build the Windows Installer package of the agent (per machine, x64) from
# dist/windows/ent-agent.wxs with wixl (Debian: apt-get install wixl).
#
#   dist/windows/msi.sh [--debug] [--out DIR] [--version N.N.N] [--exe FILE]
#                       [--completions-from FILE] [--property NAME=VALUE]...
#
# Writes DIR/ent-agent-VERSION-windows-x86_64.msi (DIR defaults to target/dist) and prints
# its path. The version is the workspace's (Cargo.toml) unless --version gives another one
# (the upgrade test builds a second, higher version of the same binary). --exe packages that
# ent-agent.exe instead of building one. The package installs the agent's PowerShell
# completion (ent-agent.ps1) next to it, written by a Linux agent's `completions
# powershell`: the one --completions-from names, else one built here in the same profile.
# --debug packages the debug builds (a quick check in tests and CI); releases use the
# default, optimised builds.
#
# --property builds a school's own package, with the installer's properties inside (what a
# transform adds; see ent-agent.wxs): COLLECTOR, SCHOOL, TOKENFILE, LABEL, CAFILE, NOCHECK,
# NOLOGON, FIRSTRUN. It is written as ent-agent-VERSION-windows-x86_64-SCHOOL.msi (or
# -custom.msi without SCHOOL), for a GPO that assigns it without a transform:
#   dist/windows/msi.sh --property COLLECTOR=https://collecteur.ac-exemple.fr \
#       --property SCHOOL=0751234J --property 'TOKENFILE=\\srv\ent$\0751234J.token'
#
# An MSI version is three numbers (at most 255.255.65535): a Cargo.toml version with a
# pre-release or build suffix (0.2.0-rc.1) is refused, as Windows Installer would compare
# only its numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-pc-windows-gnu
msi_version=
exe=
completions_from=
props=()
suffix=
rest=()
while [ $# -gt 0 ]; do
    case "$1" in
        --version) msi_version="${2:?--version needs a value}"; shift ;;
        --exe) exe="${2:?--exe needs a file}"; shift ;;
        --completions-from) completions_from="${2:?--completions-from needs a file}"; shift ;;
        --property)
            p="${2:?--property needs NAME=VALUE}"
            name="${p%%=*}" value="${p#*=}"
            case "$name" in
                COLLECTOR | SCHOOL | TOKENFILE | LABEL | CAFILE | NOCHECK | NOLOGON | FIRSTRUN) ;;
                *) echo "error: --property $name: not a property of the package" >&2; exit 2 ;;
            esac
            # The values reach the agent's command line in double quotes (see ent-agent.wxs).
            if [ "$p" = "$name" ] || [ -z "$value" ] || [[ "$value" == *[\"[:cntrl:]]* ]]; then
                echo "error: --property $name: a value is needed, without \" or control characters" >&2
                exit 2
            fi
            props+=(-D "$name=$value")
            if [ "$name" = SCHOOL ]; then
                [[ "$value" =~ ^[A-Za-z0-9]+$ ]] || { echo "error: SCHOOL=$value: not a UAI" >&2; exit 2; }
                suffix="-$value"
            fi
            shift
            ;;
        *) rest+=("$1") ;;
    esac
    shift
done
set -- "${rest[@]+"${rest[@]}"}"
. dist/package-args.sh
version="${msi_version:-$version}"

if ! [[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] ||
    [ "${BASH_REMATCH[1]}" -gt 255 ] || [ "${BASH_REMATCH[2]}" -gt 255 ] ||
    [ "${BASH_REMATCH[3]}" -gt 65535 ]; then
    echo "error: version $version is not an MSI version (N.N.N, at most 255.255.65535)" >&2
    exit 1
fi
command -v wixl >/dev/null || { echo "error: wixl is needed (Debian: apt-get install wixl)" >&2; exit 1; }

[ -n "$exe" ] || build_windows_agent
[ -f "$exe" ] || { echo "error: $exe was not built" >&2; exit 1; }

mkdir -p "$out"
[ "${#props[@]}" -gt 0 ] && suffix="${suffix:--custom}"
msi="$(cd "$out" && pwd)/ent-agent-$version-windows-x86_64$suffix.msi"
rm -f "$msi"
# The ProductCode follows the version (a name-based UUID): a rebuild of the same version is
# the same product (Windows Installer never installs it twice), a new version
# is a new product that upgrades the old one (the UpgradeCode in ent-agent.wxs never changes).
h=$(printf 'ent-agent msi product %s' "$version" | sha256sum | cut -c1-32)
product_code="${h:0:8}-${h:8:4}-5${h:13:3}-$(printf %x $(( (0x${h:16:1} & 3) | 8 )))${h:17:3}-${h:20:12}"
product_code=${product_code^^}

# wixl looks sources up relative to its working directory only: stage them.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$exe" "$stage/ent-agent.exe"
cp dist/profiles/fr-primaire.toml dist/windows/ent-agent.wxs "$stage/"
powershell_completion "$stage/ent-agent.ps1" "$completions_from"
(cd "$stage" && wixl --arch x64 -o "$msi" -D Version="$version" -D ProductCode="$product_code" \
    -D AgentExe=ent-agent.exe -D Profile=fr-primaire.toml -D Completion=ent-agent.ps1 \
    "${props[@]+"${props[@]}"}" ent-agent.wxs)
echo "$msi"
