#!/usr/bin/env bash
# Installs what the Rust SDK (sdk-rust) and the Rust sample agents need when it is missing:
# rustc and cargo with the wasm32-wasi and wasm32-unknown-unknown targets, and the crates they
# use (serde, serde_derive, serde_json), all from Debian, so they build offline
# (scripts/cargo.sh). Uses apt-get when run as root; otherwise says what to install.
set -euo pipefail
packages=(rustc cargo libstd-rust-dev-wasm32 librust-serde-dev librust-serde-derive-dev librust-serde-json-dev)
registry=/usr/share/cargo/registry
sysroot=$(/usr/bin/rustc --print sysroot 2>/dev/null || true)
if [ -x /usr/bin/cargo ] && [ -n "$sysroot" ] && [ -d "$sysroot/lib/rustlib/wasm32-wasi" ] &&
  [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ] && compgen -G "$registry/serde_json-*" >/dev/null &&
  compgen -G "$registry/serde_derive-*" >/dev/null; then
  exit 0
fi
# A rustup toolchain with both wasm targets does as well (it fetches the crates from crates.io).
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-wasi &&
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${packages[*]} ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  exit 0
fi
echo "the Rust SDK needs rustc and cargo with the wasm32-wasi and wasm32-unknown-unknown targets:" >&2
echo "  Debian or Ubuntu: sudo apt-get install ${packages[*]}" >&2
echo "  rustup:           rustup target add wasm32-wasi wasm32-unknown-unknown" >&2
exit 1
