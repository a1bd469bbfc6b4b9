# Sourced by the packaging scripts (dist/*/package.sh) from the workspace root: their common
# options and the workspace version. Sets `profile` (release, or debug with --debug), `out`
# (--out DIR, default target/dist) and `version` (from Cargo.toml).
profile=release
out=target/dist
while [ $# -gt 0 ]; do
    case "$1" in
        --debug) profile=debug ;;
        --out) out="$2"; shift ;;
        *) echo "usage: $0 [--debug] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
[ -n "$version" ] || { echo "error: no version in Cargo.toml" >&2; exit 1; }
