package toolbench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aiosys/aios/internal/kernelbench"
)

// Latency scenario: one call at a time on each path, the paths interleaved in a new random
// order each round, so that all see the same machine load and work a path leaves running when
// its call returns (the audit log's writer committing the call's records) lands on every path
// alike. Two regimes: back-to-back calls, and calls spaced by an untimed pause, as an agent's
// tool calls are spaced by its generations; there the writer is idle when a call begins. Every
// answer is checked.
const (
	toolCalls  = 2000 // calls per path and run
	toolWarmup = 200  // calls per path before measuring
	toolPause  = 2 * time.Millisecond
)

// path is one way to make the benchmark's call: the baseline, or through the kernel.
type path struct {
	name string // the metric prefix: direct, aios, noaudit
	call func(ctx context.Context) (string, error)
}

// BenchmarkToolCall compares, per tool, a direct call (baseline) with (*kernel.Process).ToolCall
// on a system built as `aios run` builds it, with its audit log (aios) and with audit = false
// (noaudit); and, to show where the time goes, with the layers below the kernel: the tool's
// source alone (source) and a tools.Manager over it (manager). Each path has its own server
// process or plugin instances. It reports each path's p50 and p99 in microseconds; cmd prints
// them with what each path adds to the baseline.
func BenchmarkToolCall(b *testing.B) {
	for _, pause := range []time.Duration{0, toolPause} {
		regime := "back-to-back"
		if pause > 0 {
			regime = "spaced-" + pause.String()
		}
		b.Run(regime, func(b *testing.B) { benchmarkToolCall(b, pause) })
	}
}

func benchmarkToolCall(b *testing.B, pause time.Duration) {
	b.Run("mcp-echo", func(b *testing.B) {
		argv := everything(b)
		d := directMCP(b, argv)
		runPaths(b, []path{
			{"direct", func(ctx context.Context) (string, error) { return d.Call(ctx, EchoTool, echoArgs) }},
			sourcePath(b, Tools{MCP: argv}, EchoTool, echoArgs),
			managerPath(b, Tools{MCP: argv}, EchoTool, echoArgs),
			kernelPath(b, "aios", Tools{MCP: argv}, true, EchoTool, echoArgs),
			kernelPath(b, "noaudit", Tools{MCP: argv}, false, EchoTool, echoArgs),
		}, echoWant, pause)
	})
	b.Run("extism-word_count", func(b *testing.B) {
		plugin := textkit(b)
		d := directExtism(b, plugin)
		runPaths(b, []path{
			{"direct", func(ctx context.Context) (string, error) {
				out, err := d.Call(ctx, WordCountTool, wordCountArgs)
				return string(out), err
			}},
			sourcePath(b, Tools{Plugin: plugin}, WordCountTool, wordCountArgs),
			managerPath(b, Tools{Plugin: plugin}, WordCountTool, wordCountArgs),
			kernelPath(b, "aios", Tools{Plugin: plugin}, true, WordCountTool, wordCountArgs),
			kernelPath(b, "noaudit", Tools{Plugin: plugin}, false, WordCountTool, wordCountArgs),
		}, wordCountWant, pause)
	})
}

// sourcePath is the tool's source alone, as aios starts it, calling tool with args.
func sourcePath(b *testing.B, t Tools, tool string, args json.RawMessage) path {
	s := NewSource(b, t)
	return path{"source", func(ctx context.Context) (string, error) { return CallSource(ctx, s, tool, args) }}
}

// managerPath is a tools.Manager over the tool's source preparing and running tool with args.
func managerPath(b *testing.B, t Tools, tool string, args json.RawMessage) path {
	m := NewManager(b, t)
	return path{"manager", func(ctx context.Context) (string, error) { return CallManager(ctx, m, tool, args) }}
}

// kernelPath is a kernel process of a new system with tools t calling tool with args.
func kernelPath(b *testing.B, name string, t Tools, audit bool, tool string, args json.RawMessage) path {
	p := NewProcess(b, t, audit)
	return path{name, func(ctx context.Context) (string, error) { return CallTool(ctx, p, tool, args) }}
}

// runPaths warms every path up, then makes toolCalls calls on each per b.N, interleaved in a
// random order each round with pause after each call, and reports each path's p50 and p99.
func runPaths(b *testing.B, paths []path, want string, pause time.Duration) {
	ctx := context.Background()
	check := func(p path) time.Duration {
		start := time.Now()
		got, err := p.call(ctx)
		d := time.Since(start)
		if err != nil || got != want {
			b.Fatalf("%s: got %q, %v; want %q", p.name, got, err, want)
		}
		if pause > 0 {
			time.Sleep(pause)
		}
		return d
	}
	for range toolWarmup {
		for _, p := range paths {
			check(p)
		}
	}
	samples := make([][]time.Duration, len(paths))
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for range b.N {
		for range toolCalls {
			for _, k := range rng.Perm(len(paths)) {
				samples[k] = append(samples[k], check(paths[k]))
			}
		}
	}
	b.StopTimer()
	for k, p := range paths {
		b.ReportMetric(us(kernelbench.Percentile(samples[k], 50)), fmt.Sprintf("%s-p50-us", p.name))
		b.ReportMetric(us(kernelbench.Percentile(samples[k], 99)), fmt.Sprintf("%s-p99-us", p.name))
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
