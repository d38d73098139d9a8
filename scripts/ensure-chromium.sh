#!/usr/bin/env bash
# Installs a headless-capable Chromium for the web console's browser test (server/console_browser_test.go)
# and `make screenshots`, when it is missing. Uses apt-get (Debian's chromium package) when run as
# root; otherwise says what to install. $AIOS_CHROMIUM, when set, names the browser to use instead.
set -euo pipefail
if [ -n "${AIOS_CHROMIUM:-}" ]; then
  [ -x "$AIOS_CHROMIUM" ] && exit 0
  echo "AIOS_CHROMIUM=$AIOS_CHROMIUM is not an executable file" >&2
  exit 1
fi
for b in chromium chromium-browser google-chrome-stable google-chrome; do
  command -v "$b" >/dev/null 2>&1 && exit 0
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "the web console's browser test needs Chromium: install the chromium package (or set AIOS_CHROMIUM to a Chrome or Chromium binary)" >&2
  exit 1
fi
