#!/usr/bin/env bash
# The demo behind `make demo`: real agents (the Go samples) on the built-in echo core, then on a
# local OpenAI-compatible LLM server (llm-d-inference-sim on loopback), then a signed bundle,
# then a hostile module being refused. Expects bin/aios, bin/samples/*.wasm and bin/llm-d-inference-sim (make demo
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
# A free loopback port, found with bash alone (no python, no curl on a fresh machine).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 20000))
while listening "$port"; do port=$((port + 1)); done
bin/llm-d-inference-sim --model sim-model --port "$port" --mode random \
  --time-to-first-token 50ms --inter-token-latency 5ms --max-num-seqs 8 >"$tmp/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  listening "$port" && break
  sleep 0.1
done
listening "$port" || { echo "the simulator did not start; its log:" >&2; cat "$tmp/sim.log" >&2; exit 1; }
cat >"$tmp/aios.toml" <<TOML
[[cores]]
name = "sim"
kind = "openai"
base_url = "http://127.0.0.1:$port/v1"
models = ["sim-model"]
capacity = 8
TOML
$aios run --config "$tmp/aios.toml" bin/samples/hello.wasm --input "Tell me about operating systems."
$aios run --config "$tmp/aios.toml" --replicas 3 bin/samples/fanout.wasm

step "4. a signed bundle: pack the hello agent with its manifest, sign it, run it"
$aios keygen -o "$tmp/demo" >/dev/null
$aios pack bin/samples/hello.wasm --manifest samples/hello/agent.toml -o "$tmp/hello-1.0.0.wasm"
$aios sign "$tmp/hello-1.0.0.wasm" --key "$tmp/demo.key"
$aios run "$tmp/hello-1.0.0.wasm" --trust-key "$tmp/demo.pub" --input "What is a bundle?"

step "5. a module importing a host function outside the ABI is refused before it runs"
set +e
$aios run testdata/forbidden.wasm
code=$?
set -e
echo "exit status $code (65: module refused)"
[ "$code" = 65 ]
