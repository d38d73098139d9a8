#!/usr/bin/env bash
# The demo behind `make demo`: real agents (the Go samples) on the built-in echo core, then on a
# local OpenAI-compatible LLM server (llm-d-inference-sim on loopback), then a hostile module
# being refused. Expects bin/aios, bin/samples/*.wasm and bin/llm-d-inference-sim (make demo
# builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
aios=bin/aios
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. hello on the built-in echo core (no LLM configured)"
$aios run bin/samples/hello.wasm --input "What is WebAssembly?"

step "2. fanout: one agent, three LLM calls in flight at once"
$aios run bin/samples/fanout.wasm --input $'What is a kernel?\nWhat is a scheduler?\nWhat is a sandbox?'

step "3. the same agents on an OpenAI-compatible server (llm-d-inference-sim on 127.0.0.1)"
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18731)
bin/llm-d-inference-sim --model sim-model --port "$port" --mode random \
  --time-to-first-token 50ms --inter-token-latency 5ms --max-num-seqs 8 >"$tmp/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break
  sleep 0.1
done
cat >"$tmp/aios.toml" <<TOML
[[cores]]
name = "sim"
kind = "openai"
base_url = "http://127.0.0.1:$port/v1"
models = ["sim-model"]
capacity = 8

[scheduler]
default_max_tokens = 256   # the simulator's context is 1024 tokens
TOML
$aios run --config "$tmp/aios.toml" bin/samples/hello.wasm --input "Tell me about operating systems."
$aios run --config "$tmp/aios.toml" --replicas 3 bin/samples/fanout.wasm

step "4. a module importing a host function outside the ABI is refused before it runs"
set +e
$aios run testdata/forbidden.wasm
code=$?
set -e
echo "exit status $code (65: module refused)"
[ "$code" = 65 ]
