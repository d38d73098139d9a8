#!/usr/bin/env bash
# Runs cargo for aios's Rust crates (sdk-rust, samples/hello-rust) with a toolchain that has the
# wasm32-wasi and wasm32-unknown-unknown targets: Debian's (/usr/bin/cargo and /usr/bin/rustc,
# which scripts/ensure-rust.sh installs) when present, else the cargo and rustc on PATH.
#
# Where Debian's Rust crates are installed (/usr/share/cargo/registry) it builds offline, with
# them as a local registry standing in for crates.io; nothing in the crates' own files says so,
# and AIOS_CARGO_ONLINE=1, or a machine without them, builds the same crates from crates.io.
#
# Usage: scripts/cargo.sh CARGO-ARGS...   e.g. scripts/cargo.sh test --manifest-path sdk-rust/Cargo.toml
set -euo pipefail
has_wasm() {
  local sysroot
  sysroot=$("$1" --print sysroot 2>/dev/null) &&
    [ -d "$sysroot/lib/rustlib/wasm32-wasi" ] && [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]
}
if [ -x /usr/bin/cargo ] && has_wasm /usr/bin/rustc; then
  # A rustup toolchain first on PATH must not stand in for Debian's compiler or rustdoc.
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
  cargo=/usr/bin/cargo
elif command -v cargo >/dev/null 2>&1 && has_wasm "${RUSTC:-rustc}"; then
  cargo=cargo
else
  echo "no Rust toolchain with the wasm32-wasi and wasm32-unknown-unknown targets:" \
    "run scripts/ensure-rust.sh (make deps does), or rustup target add wasm32-wasi wasm32-unknown-unknown" >&2
  exit 1
fi
registry=/usr/share/cargo/registry
flags=()
if [ -z "${AIOS_CARGO_ONLINE:-}" ] && compgen -G "$registry/serde_json-*" >/dev/null; then
  flags=(--offline --config 'source.crates-io.replace-with="debian"' --config "source.debian.directory=\"$registry\"")
fi
exec "$cargo" "${flags[@]}" "$@"
