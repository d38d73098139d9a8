#!/usr/bin/env bash
# Installs what building and testing aios needs beyond Go, when it is missing: a C compiler for
# the wasmtime engine (cgo), tmux and script(1) for the tests that drive aios in a real terminal.
# Uses apt-get when run as root; otherwise says what to install.
set -euo pipefail
missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "aios needs: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
