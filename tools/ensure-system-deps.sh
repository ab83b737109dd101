#!/bin/sh
# Make sure the system programs archcase uses are present: Graphviz (`dot`) for PNG/SVG diagrams.
# Installs them with apt-get when running as root on a Debian-like system; otherwise says how to.
set -eu

missing=""
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    exit 0
fi

cat >&2 <<MSG
warning: Graphviz is not installed, so PNG and SVG diagrams cannot be drawn (Mermaid and DOT still work).
Install it and run make again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
MSG
