// Package toolbench measures what the kernel adds to an agent's tool_call: the path below the
// WebAssembly boundary, (*kernel.Process).ToolCall on a kernel built by aios.New with a real
// policy gate and audit log, against a direct client of the same tool in the same run. Two
// sources: the reference MCP server (server-everything over stdio, its echo tool) against a
// direct go-sdk client of its own server process, and the textkit Extism plugin (word_count)
// against a direct Extism SDK call on one pooled instance. Beside the kernel with its audit log
// and without, the layers below it show where the time goes: the source alone and the
// tools.Manager over it.
//
// The benchmarks live in this package's _test files and are run by scripts/bench-tools.sh,
// which prints their table with the command in cmd; docs/BENCHMARKS.md (section Tool calls)
// explains them and records results. This file's siblings hold the direct clients (the
// baselines), the wired systems, and the percentile the benchmarks report. No WebAssembly
// agent runs: a kernel process calls ToolCall as hostcalls does once it has decoded the call.
package toolbench
