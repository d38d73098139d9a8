#!/usr/bin/env bash
# The tool-call benchmarks behind `make bench-tools` (docs/BENCHMARKS.md, section Tool calls):
# what the kernel's tool_call path adds over a direct go-sdk MCP client (server-everything's
# echo over stdio) and over a direct Extism call (textkit's word_count), with the audit log on
# and off, and the layers below the kernel (the source alone, tools.Manager), each against its
# baseline in the same run, with calls back to back and spaced 2 ms apart. Raw `go test -bench`
# output is kept in bin/bench/tools.txt.
#   COUNT=5 scripts/bench-tools.sh        (repetitions; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-3}
out=bin/bench
mkdir -p "$out"

scripts/ensure-mcp.sh
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), node $(node --version)"
echo "uptime before: $(uptime)"
go test -run '^$' -bench 'ToolCall' -benchtime 1x -count "$count" -timeout 30m ./internal/toolbench/ | tee "$out/tools.txt" >/dev/null
go run ./internal/toolbench/cmd <"$out/tools.txt"
echo "uptime after: $(uptime)"
