#!/usr/bin/env bash
# The runtime benchmarks behind `make bench`: agent start, no-op system call, compilation,
# density (wazero and wasmtime side by side) and the no-op system call with policy, as tables of
# medians with ratios against a baseline measured in the same run. Raw `go test -bench` output
# is kept in bin/bench/.
#   COUNT=5 scripts/bench.sh            (repetitions per benchmark; default 5)
#   DENSITY_MINIMAL=10000 DENSITY_GO=1000 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-5}
out=bin/bench
mkdir -p "$out"
table() { go run ./internal/benchtable/cmd "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== start, no-op system call, compilation (baseline: wazero)"
{
  go test -tags wasmtime -run '^$' -bench 'Start|NoopSyscall' -benchtime 200x -count "$count" ./runtime/
  go test -tags wasmtime -run '^$' -bench 'Compile' -benchtime 3x -count "$count" ./runtime/
} | tee "$out/runtime.txt" >/dev/null
table -units 'ns/first-syscall,ns/syscall,ns/op' -base '/wasmtime=/wazero' <"$out/runtime.txt"

echo
echo "== host memory per idle agent blocked in llm_generate (baseline: wazero)"
# wasmtime runs at most 2048 agents at once (an agent blocked in a system call holds an OS thread
# through cgo), so it is measured with 1,000 of each.
{
  go test -run '^$' -bench Density -benchtime 1x -count 1 -density.engine wazero \
    -density.minimal "${DENSITY_MINIMAL:-10000}" -density.go "${DENSITY_GO:-1000}" .
  go test -tags wasmtime -run '^$' -bench Density -benchtime 1x -count 1 -density.engine wasmtime \
    -density.minimal 1000 -density.go 1000 .
} | tee "$out/density.txt" >/dev/null
table -units 'rss-B/agent,heap-B/agent' <"$out/density.txt"

echo
echo "== system call decided by policy, full System with audit log (baseline: abi_version, not decided)"
go test -run '^$' -bench PolicySyscall -benchtime 5x -count "$count" . | tee "$out/policy.txt" >/dev/null
table -units 'ns/syscall' -base '/cached-noaudit=/nopolicy' -base '/uncached-noaudit=/nopolicy' \
  -base '/cached=/nopolicy' -base '/uncached=/nopolicy' <"$out/policy.txt"

echo
echo "== latency of one decided call (kernel path, no wasm), full System"
go test -run '^$' -bench PolicyCallLatency -benchtime 1s -count "$count" . | tee "$out/policy-latency.txt" >/dev/null
table -units 'p50-ns,p99-ns,ns/op' <"$out/policy-latency.txt"
