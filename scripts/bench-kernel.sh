#!/usr/bin/env bash
# The kernel benchmarks behind `make bench-kernel` (docs/BENCHMARKS.md, section Kernel): the
# kernel's LLM path against the llm-d inference simulator on loopback, each scenario with its
# baseline in the same run, as tables of medians with ratios to that baseline. Raw
# `go test -bench` output is kept in bin/bench/.
#   COUNT=5 scripts/bench-kernel.sh        (repetitions of the short scenarios; default 3)
#   CONTENTION_COUNT=3 scripts/bench-kernel.sh  (repetitions of contention; default 1, ~90 s each)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-3}
contention_count=${CONTENTION_COUNT:-1}
out=bin/bench
mkdir -p "$out"
pkg=./internal/kernelbench/
bench() { go test -run '^$' -benchtime 1x -timeout 30m "$@" "$pkg"; }
table() { go run ./internal/benchtable/cmd "$@"; }

if [[ ! -x bin/llm-d-inference-sim && -z "${AIOS_SIM:-}" ]]; then
  echo "bench-kernel: the LLM simulator is not built; run: make sim" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "simulator: ${AIOS_SIM:-bin/llm-d-inference-sim} ($(awk '/llm-d-inference-sim / {print $NF; exit}' tools/go.mod) pinned in tools/go.mod)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== overhead: kernel vs direct openai-go calls, simulator with zero latency"
bench -bench 'OverheadLatency' -count "$count" | tee "$out/kernel-overhead.txt" >/dev/null
table -units 'direct-p50-us,kernel-p50-us,p50-added-us,direct-p99-us,kernel-p99-us,p99-added-us' <"$out/kernel-overhead.txt"
bench -bench 'OverheadThroughput' -count "$count" | tee "$out/kernel-throughput.txt" >/dev/null
table -units 'req/s' -base 'Throughput/kernel=Throughput/direct' <"$out/kernel-throughput.txt"

echo
echo "== contention: 200 agents x 10 calls over big (8 seqs), small (4) and limited (4, rpm-limited)"
echo "   (baseline: agents bound to one backend each, naive retry on 429; calls/s ratio = makespan ratio)"
bench -bench 'Contention' -count "$contention_count" | tee "$out/kernel-contention.txt" >/dev/null
table -units 'makespan-s,calls/s,capacity-fraction,unlimited-makespan-s,429s' -base '/kernel=/baseline' <"$out/kernel-contention.txt"

echo
echo "== fairness: 2 heavy and 8 light agents on one core (baseline: FIFO)"
bench -bench 'Fairness' -count "$count" | tee "$out/kernel-fairness.txt" | grep 'service per window' || true
table -units 'jain,jain-min,max-service-diff,vtc-bound,heavy-share' -base '/fair-share=/fifo' <"$out/kernel-fairness.txt"

echo
echo "== heavy-tailed output lengths: 200 jobs at once on one core (baseline: FIFO)"
bench -bench 'HeavyTail' -count "$count" | tee "$out/kernel-heavytail.txt" >/dev/null
table -units 'mean-ms,p99-ms,makespan-s' -base '/sjf=/fifo' -base '/fair-share=/fifo' <"$out/kernel-heavytail.txt"

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
