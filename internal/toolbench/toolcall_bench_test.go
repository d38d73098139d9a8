package toolbench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aiosys/aios/internal/kernelbench"
)

// Latency scenario: one call at a time on each path, the paths interleaved and their order
// rotated, so that all see the same machine load. Every answer is checked.
const (
	toolCalls  = 3000 // calls per path and run
	toolWarmup = 200  // calls per path before measuring
)

// path is one way to make the benchmark's call: the baseline, or through the kernel.
type path struct {
	name string // the metric prefix: direct, aios, noaudit
	call func(ctx context.Context) (string, error)
}

// BenchmarkToolCall compares, per tool, a direct call (baseline) with (*kernel.Process).ToolCall
// on a system built as `aios run` builds it, with its audit log (aios) and with audit = false
// (noaudit), each path with its own server process or plugin instances. It reports each path's
// p50 and p99 in microseconds; cmd prints them with what the kernel adds to the baseline.
func BenchmarkToolCall(b *testing.B) {
	b.Run("mcp-echo", func(b *testing.B) {
		argv := everything(b)
		d := directMCP(b, argv)
		runPaths(b, []path{
			{"direct", func(ctx context.Context) (string, error) { return d.Call(ctx, EchoTool, echoArgs) }},
			kernelPath(b, "aios", Tools{MCP: argv}, true, EchoTool, echoArgs),
			kernelPath(b, "noaudit", Tools{MCP: argv}, false, EchoTool, echoArgs),
		}, echoWant)
	})
	b.Run("extism-word_count", func(b *testing.B) {
		plugin := textkit(b)
		d := directExtism(b, plugin)
		runPaths(b, []path{
			{"direct", func(ctx context.Context) (string, error) {
				out, err := d.Call(ctx, WordCountTool, wordCountArgs)
				return string(out), err
			}},
			kernelPath(b, "aios", Tools{Plugin: plugin}, true, WordCountTool, wordCountArgs),
			kernelPath(b, "noaudit", Tools{Plugin: plugin}, false, WordCountTool, wordCountArgs),
		}, wordCountWant)
	})
}

// kernelPath is a kernel process of a new system with tools t calling tool with args.
func kernelPath(b *testing.B, name string, t Tools, audit bool, tool string, args json.RawMessage) path {
	p := NewProcess(b, t, audit)
	return path{name, func(ctx context.Context) (string, error) { return CallTool(ctx, p, tool, args) }}
}

// runPaths warms every path up, then makes toolCalls calls on each per b.N, interleaved with
// the first path rotating, and reports each path's p50 and p99.
func runPaths(b *testing.B, paths []path, want string) {
	ctx := context.Background()
	check := func(p path) time.Duration {
		start := time.Now()
		got, err := p.call(ctx)
		d := time.Since(start)
		if err != nil || got != want {
			b.Fatalf("%s: got %q, %v; want %q", p.name, got, err, want)
		}
		return d
	}
	for range toolWarmup {
		for _, p := range paths {
			check(p)
		}
	}
	samples := make([][]time.Duration, len(paths))
	b.ResetTimer()
	for range b.N {
		for i := range toolCalls {
			for j := range paths {
				k := (i + j) % len(paths)
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
