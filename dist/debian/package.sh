#!/usr/bin/env bash
# Build the Debian packages (amd64): ent-agent (for PrimTux, Debian and Ubuntu workstations)
# and ent-collector (the département's server, as a systemd service).
#
#   dist/debian/package.sh [--debug] [--out DIR]
#
# Writes DIR/ent-agent_VERSION_ARCH.deb and DIR/ent-collector_VERSION_ARCH.deb (DIR defaults
# to target/dist) and prints their paths. --debug packages the debug builds, uncompressed (a
# quick check in tests and CI); releases use the default, optimised builds. Needs dpkg-deb
# (Debian's dpkg) and cargo.
#
# ent-agent: /usr/bin/ent-agent and its documentation. Nothing runs at install: the
#   technician enrols the PC (`ent-agent enroll ...`), then `ent-agent schedule install`
#   writes the systemd timer on the collector's schedule. Removing the package removes that
#   timer; purging it also removes /var/lib/ent-agent (the workstation id, the enrolment and
#   the spool).
# ent-collector: /usr/bin/ent-collector, the service (a system user ent-collector, its
#   database in /var/lib/ent-collector), its settings in /etc/default/ent-collector (a
#   conffile: listen address), the sample school directory and the default profile. The
#   service is enabled and started at first install, on loopback; an upgrade restarts it
#   only if it runs, and leaves it disabled if the administrator disabled it. Purging keeps
#   the database (the département's audits) and the system user.
set -euo pipefail
cd "$(dirname "$0")/../.."

. dist/package-args.sh
command -v dpkg-deb >/dev/null || { echo "error: dpkg-deb is needed (Debian's dpkg)" >&2; exit 1; }
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

# One package at a time: built together their features would unify differently from the
# builds of the tests, and everything would be built twice.
build=(cargo build --locked)
compress=(-Znone)
if [ "$profile" = release ]; then
    build+=(--release)
    compress=(-Zxz)
fi
"${build[@]}" -p ent-agent
"${build[@]}" -p ent-collector
for bin in ent-agent ent-collector; do
    [ -x "target/$profile/$bin" ] || { echo "error: target/$profile/$bin was not built" >&2; exit 1; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The oldest glibc the binaries accept: the highest GLIBC_ symbol version they use.
glibc=$(objdump -T "target/$profile/ent-agent" "target/$profile/ent-collector" |
    grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1)
[ -n "$glibc" ] || { echo "error: no GLIBC_ symbol versions in the binaries (objdump)" >&2; exit 1; }

# control NAME DESCRIPTION DEPENDS: the common part of a control file.
control() {
    cat <<CTRL
Package: $1
Version: $version
Architecture: $arch
Maintainer: ENT Readiness <ent-readiness@example.invalid>
Section: net
Priority: optional
Homepage: https://example.invalid/ent-readiness
Installed-Size: $(du -sk "$stage/$1" --exclude=DEBIAN | cut -f1)
CTRL
    echo "Depends: libc6 (>= $glibc)${3:+, $3}"
    echo "Description: $2"
}

# doc NAME: copyright and the README.
doc() {
    local d="$stage/$1/usr/share/doc/$1"
    mkdir -p "$d"
    cp README.md "$d/README.md"
    cat >"$d/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ent-readiness
Source: https://example.invalid/ent-readiness

Files: *
License: EUPL-1.2
COPY
}

# shell_and_man NAME: the completions (bash, zsh, fish) and the manual page, generated from
# the binary's own command line.
shell_and_man() {
    local bin="target/$profile/$1" d="$stage/$1/usr/share"
    mkdir -p "$d/bash-completion/completions" "$d/zsh/vendor-completions" \
        "$d/fish/vendor_completions.d" "$d/man/man1"
    "$bin" completions bash >"$d/bash-completion/completions/$1"
    "$bin" completions zsh >"$d/zsh/vendor-completions/_$1"
    "$bin" completions fish >"$d/fish/vendor_completions.d/$1.fish"
    "$bin" manual | gzip -9n >"$d/man/man1/$1.1.gz"
}

# --- ent-agent
p="$stage/ent-agent"
install -D -m 0755 "target/$profile/ent-agent" "$p/usr/bin/ent-agent"
doc ent-agent
shell_and_man ent-agent
install -D -m 0644 dist/profiles/fr-primaire.toml "$p/usr/share/doc/ent-agent/fr-primaire.toml"
mkdir -p "$p/DEBIAN"
cat >"$p/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
# Remove the scheduled re-audit that `ent-agent schedule install` wrote (if any).
if [ "$1" = remove ] && [ -x /usr/bin/ent-agent ]; then
    /usr/bin/ent-agent schedule remove >/dev/null 2>&1 || true
fi
exit 0
SH
cat >"$p/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
# Purge: the workstation id, the enrolment (with the school's token) and the spool.
if [ "$1" = purge ]; then
    rm -rf /var/lib/ent-agent
fi
exit 0
SH
cat >"$p/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -z "$2" ]; then
    echo "ent-agent installed. Audit this PC: ent-agent audit"
    echo "Enrol it and schedule re-audits: sudo ENT_AGENT_TOKEN=... ent-agent enroll --collector URL --school UAI && sudo ent-agent schedule install"
fi
exit 0
SH
chmod 0755 "$p/DEBIAN/prerm" "$p/DEBIAN/postrm" "$p/DEBIAN/postinst"
control ent-agent "ENT readiness audit of a school workstation
 Checks that this PC is ready for the school's ENT (espace numérique de travail):
 operating system support, memory, processor, disk, browsers, DNS, the ENT and its identity
 services (HTTP, TLS, interception, proxy), latency, clock, bandwidth against the
 département's collector; prints a verdict with a fix for each failure and sends the report
 to the collector, keeping it in an offline spool until acknowledged." "" >"$p/DEBIAN/control"

# --- ent-collector
p="$stage/ent-collector"
install -D -m 0755 "target/$profile/ent-collector" "$p/usr/bin/ent-collector"
install -D -m 0644 dist/debian/ent-collector.service "$p/usr/lib/systemd/system/ent-collector.service"
install -D -m 0644 dist/debian/ent-collector.default "$p/etc/default/ent-collector"
doc ent-collector
shell_and_man ent-collector
install -D -m 0644 dist/profiles/fr-primaire.toml "$p/usr/share/ent-collector/fr-primaire.toml"
install -D -m 0644 dist/annuaire-sample.csv "$p/usr/share/ent-collector/annuaire-sample.csv"
mkdir -p "$p/DEBIAN"
echo /etc/default/ent-collector >"$p/DEBIAN/conffiles"
cat >"$p/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    mkdir -p /var/lib/ent-collector
    if ! getent passwd ent-collector >/dev/null; then
        adduser --system --group --home /var/lib/ent-collector --no-create-home \
            ent-collector >/dev/null
    fi
    # Recursively: a database left by an earlier install may belong to an older uid.
    chown -R ent-collector:ent-collector /var/lib/ent-collector
    chmod 0750 /var/lib/ent-collector
    state="installed, not started (no systemd running: ent-collector serve)"
    # First install: enable (works offline too, in a chroot or an image being built).
    if [ -z "$2" ] && command -v systemctl >/dev/null 2>&1; then
        systemctl enable ent-collector.service >/dev/null 2>&1 || true
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null 2>&1 || true
        if [ -z "$2" ]; then
            if systemctl start ent-collector.service >/dev/null 2>&1; then
                state="installed and started as ent-collector.service"
            else
                state="installed; ent-collector.service did not start: journalctl -u ent-collector"
            fi
        else
            # An upgrade: restart it if it runs, never start one the administrator stopped.
            systemctl try-restart ent-collector.service >/dev/null 2>&1 || true
        fi
    fi
    if [ -z "$2" ]; then
        echo "ent-collector $state (settings: /etc/default/ent-collector)."
        echo "Tokens: sudo -u ent-collector ent-collector --database /var/lib/ent-collector/collector.db token create --school UAI"
    fi
fi
exit 0
SH
cat >"$p/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    systemctl disable --now ent-collector.service >/dev/null 2>&1 || true
fi
exit 0
SH
cat >"$p/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
fi
# Purge keeps the database (the département's audits) and the system user that owns it:
# delete /var/lib/ent-collector yourself when it is no longer needed.
exit 0
SH
chmod 0755 "$p/DEBIAN/postinst" "$p/DEBIAN/prerm" "$p/DEBIAN/postrm"
control ent-collector "ENT readiness collector for a département
 Receives the readiness reports of the schools' workstations (per-school tokens), stores
 them in SQLite, re-scores them with its own profile, and serves readiness per school,
 circonscription and département as JSON, CSV, Prometheus metrics and a dashboard, with
 the speed-test endpoints the agents measure bandwidth against." "adduser" >"$p/DEBIAN/control"

for pkg in ent-agent ent-collector; do
    deb="$out/${pkg}_${version}_${arch}.deb"
    dpkg-deb --root-owner-group "${compress[@]}" --build "$stage/$pkg" "$deb" >/dev/null
    echo "$deb"
done
