#!/usr/bin/env bash
# The agents benchmark behind `make bench-agents` (docs/BENCHMARKS.md, "Agents"): the research
# team of samples/research with 100 researchers against the LLM simulator, as children of one
# planner in one kernel (one `aios run`) and as 100 separate `aios run` processes, in one run;
# a table of median makespans with the ratio to the processes. Raw `go test -bench` output is
# kept in bin/bench/agents-fanout.txt.
#   COUNT=3 scripts/bench-agents.sh     (repetitions; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bin/bench
mkdir -p "$out"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench '^BenchmarkResearchFanout$' -benchtime 1x -count "${COUNT:-1}" -timeout 60m ./internal/agentbench/ \
  | tee "$out/agents-fanout.txt" >/dev/null || { cat "$out/agents-fanout.txt"; exit 1; }
go run ./internal/benchtable/cmd -units 'makespan-s' -base '/planner=/processes' <"$out/agents-fanout.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
