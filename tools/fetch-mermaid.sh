#!/bin/sh
# Fetch Mermaid's browser bundle (mermaid.min.js) for the test that draws every .mmd file in Chromium, as
# GitHub does. Needs npm; without it the test is skipped with a reason. Usage: fetch-mermaid.sh DEST_FILE
set -eu
dest=$1
version=11.17.2
[ -f "$dest" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
    echo "warning: npm is not installed, so the Mermaid drawing test will be skipped" >&2
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "mermaid@$version" --silent >/dev/null && tar -xzf "mermaid-$version.tgz" package/dist/mermaid.min.js)
mkdir -p "$(dirname "$dest")"
mv "$tmp/package/dist/mermaid.min.js" "$dest"
