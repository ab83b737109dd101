#!/bin/sh
# Make sure the system programs archcase uses are present. Arguments are program:package pairs, e.g.
#   sh tools/ensure-system-deps.sh dot:graphviz chromium:chromium
# Graphviz (`dot`) draws PNG/SVG diagrams; Chromium opens the HTML reports in the browser tests.
# Installs what is missing with apt-get when running as root on a Debian-like system; otherwise says how to.
set -eu

missing=""
for pair in "$@"; do
    program=${pair%%:*}
    package=${pair#*:}
    command -v "$program" >/dev/null 2>&1 || missing="$missing $package"
done

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
warning: missing system packages:$missing
  graphviz: PNG and SVG diagrams cannot be drawn (Mermaid and DOT still work)
  chromium: the browser tests of the HTML report are skipped
Install them and run make again:
  Debian/Ubuntu:  sudo apt-get install$missing
  Fedora:         sudo dnf install$missing
  macOS:          brew install$missing
MSG
