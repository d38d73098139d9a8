#!/bin/sh
# build-sim.sh builds the llm-d inference simulator that aios's integration tests run as an
# OpenAI-compatible server. The version is pinned in tools/go.mod; the binary goes to bin/ at the
# repository root. The simulator is pure Go: its own Makefile builds it with CGO_ENABLED=0. It is
# stripped (-s -w) like bin/aios: tests run it, nobody debugs it.
set -eu
cd "$(dirname "$0")"
mkdir -p ../bin
CGO_ENABLED=0 go build -ldflags="-s -w" -o ../bin/llm-d-inference-sim \
	github.com/llm-d/llm-d-inference-sim/cmd/llm-d-inference-sim
echo "built $(cd .. && pwd)/bin/llm-d-inference-sim"
