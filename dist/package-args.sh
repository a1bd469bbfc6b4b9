# Sourced by the packaging scripts (dist/*/package.sh) from the workspace root: their common
# options and the workspace version. Sets `profile` (release, or debug with --debug), `out`
# (--out DIR, default target/dist) and `version` (from Cargo.toml).
# Defines build_windows_agent (for the Windows scripts, which set `target`) and
# powershell_completion.
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

# build_windows_agent: ent-agent.exe for $target in this profile; sets `exe` to its path.
build_windows_agent() {
    if [ "$profile" = release ]; then
        cargo build --locked --release --target "$target" -p ent-agent
    else
        cargo build --locked --target "$target" -p ent-agent
    fi
    exe="target/$target/$profile/ent-agent.exe"
    [ -f "$exe" ] || { echo "error: $exe was not built" >&2; exit 1; }
}

# powershell_completion DEST [AGENT]: the agent's PowerShell completion script into DEST,
# written by AGENT (a Linux ent-agent; default: the one built here in this profile), with
# CRLF line ends. The script is the same whatever platform the binary is for: both come from
# the same clap definitions.
powershell_completion() {
    local dest="$1" agent="${2:-}"
    if [ -z "$agent" ]; then
        if [ "$profile" = release ]; then
            cargo build --locked --release -p ent-agent
        else
            cargo build --locked -p ent-agent
        fi
        agent="target/$profile/ent-agent"
    fi
    [ -x "$agent" ] || { echo "error: $agent is not an executable" >&2; exit 1; }
    "$agent" completions powershell | sed 's/\r*$/\r/' >"$dest"
    grep -q "Register-ArgumentCompleter" "$dest" ||
        { echo "error: $agent completions powershell wrote no completer" >&2; exit 1; }
}
