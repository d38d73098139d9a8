#!/usr/bin/env bash
# Runs every Fuzz* target in the module for a short time each (default 10s): `scripts/fuzz.sh 30s`.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-10s}
found=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    found=1
    echo "fuzz $pkg $target ($time)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg"
  done
done
[ "$found" = 1 ] || { echo "no fuzz targets found" >&2; exit 1; }
