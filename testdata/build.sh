#!/bin/sh
# build.sh rebuilds every .wasm in this directory and in agents/ from its .wat source (wat2wasm, from wabt),
# plus the two fixtures that have no source: truncated.wasm (minimal.wasm cut short) and
# malformed.wasm (garbage bytes). Run it from anywhere after editing a .wat file.
set -eu
cd "$(dirname "$0")"
for wat in *.wat agents/*.wat; do
	wat2wasm "$wat" -o "${wat%.wat}.wasm"
done
size=$(wc -c < minimal.wasm)
head -c $((size - 7)) minimal.wasm > truncated.wasm
printf 'this is not a WebAssembly module\n' > malformed.wasm
