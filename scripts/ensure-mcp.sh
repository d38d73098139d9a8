#!/usr/bin/env bash
# Installs the MCP servers the tests run as real peers (tools/mcp/package.json, pinned by its
# package-lock.json) into tools/mcp/node_modules, when they are missing or older than the lock
# file. Needs node and npm; uses apt-get for them when run as root.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/tools/mcp"
installed="$dir/node_modules/.package-lock.json" # npm writes it on every install
if [ -f "$installed" ] && [ ! "$dir/package-lock.json" -nt "$installed" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nodejs npm ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "the MCP tests need node and npm (install them with your package manager)" >&2
    exit 1
  fi
fi
echo "installing MCP test servers into tools/mcp/node_modules ..."
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
