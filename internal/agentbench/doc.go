// Package agentbench measures agents working together (ABI 1.3) against the same agents run
// apart: the research team of samples/research fanned out to many researchers as children of
// one planner in one kernel, against the same researchers run as separate `aios run`
// processes, all against the LLM simulator (internal/simtest). Its benchmarks run real
// processes of bin/aios on the modules `make build samples plugins` builds; `make
// bench-agents` runs them and prints the table (docs/BENCHMARKS.md, "Agents").
package agentbench
