// Package kernelbench measures the kernel's LLM path against the llm-d inference simulator on
// loopback: what the kernel adds to a call, how it spreads contended work over unequal cores,
// how fairly it shares a core, and how its policies order heavy-tailed work.
//
// The benchmarks live in this package's _test files and are run by scripts/bench-kernel.sh;
// docs/BENCHMARKS.md explains them and records results. This file's siblings hold what the
// benchmarks share: a direct openai-go client (the baseline, an agent without an OS), a
// rate-limiting proxy that answers 429 as a provider does, a wired kernel built as aios.New
// builds it, and the statistics the benchmarks report.
//
// An "agent" here is a kernel process calling Process.Generate: the path an agent's
// llm_generate system call takes once hostcalls has decoded it. No WebAssembly runs.
package kernelbench
