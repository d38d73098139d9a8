#!/usr/bin/env bash
# The memory manager's benchmarks behind `make bench-memory` (docs/BENCHMARKS.md, section
# Memory): memory_add throughput, and memory_search p50/p99 at 10 000 and 100 000 entries per
# space by keyword, vector (384 dimensions, from a deterministic synthetic embedder) and hybrid,
# each beside its baseline measured in the same run; then exact vector search beside an HNSW
# graph (github.com/coder/hnsw) with recall@10. Raw `go test -bench` output is kept in bin/bench/.
#   COUNT=3 scripts/bench-memory.sh   (repetitions of add and search; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-3}
out=bin/bench
mkdir -p "$out"
pkg=./kernel/memory/
bench() { go test -run '^$' -timeout 60m "$@" "$pkg"; }
table() { go run ./internal/benchtable/cmd "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== memory_add: one durable Add (a transaction, an fsync, a 384-dimension embedding)"
bench -bench '^BenchmarkAdd$' -benchtime 2000x -count "$count" | tee "$out/memory-add.txt" >/dev/null
table -units 'adds/s,ns/op' <"$out/memory-add.txt"

echo
echo "== memory_search: 10k and 100k entries in the space (baseline: the search before issue #10)"
bench -bench '^BenchmarkSearch$' -benchtime 200x -count "$count" | tee "$out/memory-search.txt" >/dev/null
table -units 'p50-ms,p99-ms' -base '/store=/baseline' <"$out/memory-search.txt"

echo
echo "== vector index: exact search beside HNSW (baseline: one serial exact pass)"
bench -bench '^BenchmarkVectorIndex$' -benchtime 200x -count 1 | tee "$out/memory-index.txt" >/dev/null
table -units 'p50-ms,p99-ms,recall@10,build-s' -base '/exact-parallel=/exact-serial' \
  -base '/hnsw-ef20=/exact-serial' -base '/hnsw-ef100=/exact-serial' <"$out/memory-index.txt"

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
