#!/usr/bin/env bash
# The demo behind `make demo`: real agents (the Go samples) on the built-in echo core, then on a
# local OpenAI-compatible LLM server (llm-d-inference-sim on loopback, a simulator whose answers
# are placeholder text, as the demo says), then a signed bundle,
# then a hostile module being refused. Expects bin/aios, bin/samples/*.wasm and bin/llm-d-inference-sim (make demo
# builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
aios=bin/aios
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. hello on the built-in echo core (no LLM configured)"
$aios run bin/samples/hello.wasm --input "What is WebAssembly?"

step "1b. hello-rust: the same agent written in Rust (sdk-rust, samples/hello-rust)"
$aios run bin/samples/hello-rust.wasm --input "What is WebAssembly?"

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

[scheduler]
# Only to keep the placeholder answers short. Without it, aios learns the simulator's 1024-token
# context from its model list and fits the default of 2048 into it.
default_max_tokens = 96
TOML
cat <<'NOTE'
note: this server is llm-d-inference-sim, a simulator. In --mode random it answers every prompt
with placeholder sentences chosen at random (such as "Give a man a fish..."), not with a model's
reply: what the demo shows is aios scheduling and streaming, not the answers' quality.
NOTE
$aios run --config "$tmp/aios.toml" bin/samples/hello.wasm --input "Tell me about operating systems."
$aios run --config "$tmp/aios.toml" --replicas 3 bin/samples/fanout.wasm
cat <<'NOTE'
note: the answers above are the simulator's placeholder text. For a real model, use one of these
lines as aios.toml (each is a whole file; every key is in docs/CONFIG.md) and run with
--config aios.toml; the API key stays in the environment variable that api_key_env names:
  OpenAI:    cores = [{ name = "openai", kind = "openai", base_url = "https://api.openai.com/v1", api_key_env = "OPENAI_API_KEY", models = ["gpt-4o-mini"] }]
  Anthropic: cores = [{ name = "claude", kind = "anthropic", api_key_env = "ANTHROPIC_API_KEY", models = ["claude-3-5-haiku-latest"] }]
  Ollama:    cores = [{ name = "ollama", kind = "ollama", base_url = "http://127.0.0.1:11434", models = ["llama3.2"] }]
  vLLM:      cores = [{ name = "vllm", kind = "openai", base_url = "http://127.0.0.1:8000/v1", models = ["Qwen/Qwen2.5-7B-Instruct"] }]
NOTE

step "4. react: an agent that acts (an MCP server's and an Extism plugin's tools) and remembers"
cat >"$tmp/react.toml" <<TOML
data_dir = "$tmp/data"

[[cores]]
name = "sim"
kind = "openai"
base_url = "http://127.0.0.1:$port/v1"
models = ["sim-model"]
capacity = 8

[[tools]]
name = "everything"          # the reference MCP server, over stdio
kind = "mcp"
command = ["node", "$PWD/tools/mcp/node_modules/.bin/mcp-server-everything", "stdio"]
tools = ["echo", "get-sum"]

[[tools]]
name = "textkit"             # an Extism plugin built from plugins/textkit
kind = "extism"
path = "$PWD/bin/plugins/textkit.wasm"

[[tools.functions]]
name = "word_count"
description = "Count the words, characters and lines of a text"
parameters = '{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}'
TOML
cat <<'NOTE'
note: the simulator answers a request that carries tools with calls of those tools, with
arguments its schemas accept; the agent runs each call through aios (policy, schema check,
audit), keeps what it observed in its memory, searches it, and stores its answer.
NOTE
$aios run --config "$tmp/react.toml" bin/samples/react.wasm --input "Add 2 and 3, then count the words of the result."
echo "the stored answer, as an operator sees it:"
$aios storage history --config "$tmp/react.toml" --agent react answers/latest
$aios memory ls --config "$tmp/react.toml" --agent react

step "4a. a research team: a Rust planner starts Go researchers (a tool, memory) and a writer (samples/research)"
cat >"$tmp/research.toml" <<TOML
data_dir = "$tmp/data"

[[cores]]
name = "sim"
kind = "openai"
base_url = "http://127.0.0.1:$port/v1"
models = ["sim-model"]
capacity = 8

[scheduler]
default_max_tokens = 96

[agents]
dir = "$PWD/bin/samples"     # the modules agents may start: researcher.wasm, writer.wasm

[[tools]]
name = "textkit"
kind = "extism"
path = "$PWD/bin/plugins/textkit.wasm"

[[tools.functions]]
name = "word_count"
description = "Count the words, characters and lines of a text"
parameters = '{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}'

[policy]
[[policy.grants]]
agent = "*"
models = ["*"]
tools = ["word_count"]
calls = ["agent_spawn"]      # the planner's manifest declares it; its children inherit it
TOML
cat <<'NOTE'
note: the planner asks the LLM for sub-questions; the simulator's placeholder text holds none, so
it derives them from the topic. The run's summary ends with the process tree.
NOTE
$aios pack bin/samples/planner.wasm --manifest samples/research/planner/agent.toml -o "$tmp/planner.bundle.wasm" >/dev/null
$aios run --config "$tmp/research.toml" "$tmp/planner.bundle.wasm" --input "WebAssembly sandboxes" -- --researchers 3

step "4b. a workflow: three checks side by side, then build and deploy (samples/pipeline)"
$aios run samples/pipeline/pipeline.toml --dry-run
$aios run --config "$tmp/aios.toml" samples/pipeline/pipeline.toml --input "$(cat samples/pipeline/service.md)" --yes

step "5. a signed bundle: pack the hello agent with its manifest, sign it, run it"
$aios keygen -o "$tmp/demo" >/dev/null
$aios pack bin/samples/hello.wasm --manifest samples/hello/agent.toml -o "$tmp/hello-1.0.0.wasm"
$aios sign "$tmp/hello-1.0.0.wasm" --key "$tmp/demo.key"
$aios run "$tmp/hello-1.0.0.wasm" --trust-key "$tmp/demo.pub" --input "What is a bundle?"

step "6. a module importing a host function outside the ABI is refused before it runs"
set +e
$aios run testdata/forbidden.wasm
code=$?
set -e
echo "exit status $code (65: module refused)"
[ "$code" = 65 ]
