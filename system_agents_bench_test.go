package aios

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/policy"
)

// BenchmarkSpawnToFirstSyscall measures from agent_spawn until the child's first system call:
// loading (compiled once, then cached), creating the process, instantiating the module and
// entering its _start. The child is testdata/agents/first.wat, whose first call is a log line.
//
//	go test -run '^$' -bench SpawnToFirstSyscall -benchtime 2000x .
func BenchmarkSpawnToFirstSyscall(b *testing.B) {
	s, _ := agentSystem(b, []policy.Grant{spawnGrant}, config.Agents{}, "worker")
	up := make(chan struct{}, 1)
	root, err := s.Kernel().Spawn(kernel.Spec{Name: "bench", Agent: spawnerIdentity, Events: func(e kernel.Event) {
		if e.Kind == kernel.EventLog && e.Text == "up" {
			up <- struct{}{}
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	s.agents.runs.Store(root.PID(), limits.Defaults())
	defer root.End(0, nil)
	ctx := context.Background()
	spawn := func() time.Duration {
		start := time.Now()
		c, err := root.SpawnAgent(ctx, "first.wasm", kernel.SpawnRequest{})
		if err != nil {
			b.Fatal(err)
		}
		<-up
		d := time.Since(start)
		if _, err := root.WaitAgent(ctx, c.PID(), -1); err != nil {
			b.Fatal(err)
		}
		return d
	}
	spawn() // compile first.wasm once
	ds := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		ds[i] = spawn()
	}
	b.StopTimer()
	slices.Sort(ds)
	b.ReportMetric(float64(ds[b.N/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ds[b.N*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkMsgRoundTrip measures a message from one agent to another and back: the parent
// (testdata/agents/parent, "pingpong N") sends to its child, which answers with the same body,
// both through the Go SDK's Send and Recv. The parent times every round trip with its clock;
// p50 and mean are its measures, ns/op also counts starting the child.
//
//	go test -run '^$' -bench MsgRoundTrip -benchtime 20000x .
func BenchmarkMsgRoundTrip(b *testing.B) {
	_, a := agentSystem(b, []policy.Grant{spawnGrant}, config.Agents{}, "parent")
	runAgent(b, a, "pingpong 10") // compile the worker once
	b.ResetTimer()
	res := runAgent(b, a, fmt.Sprintf("pingpong %d", b.N))
	b.StopTimer()
	f := strings.Fields(string(res.Output))
	if res.ExitCode != 0 || len(f) != 2 {
		b.Fatalf("exit %d, output %q", res.ExitCode, res.Output)
	}
	p50, _ := strconv.ParseFloat(f[0], 64)
	mean, _ := strconv.ParseFloat(f[1], 64)
	b.ReportMetric(p50, "p50-ns/rt")
	b.ReportMetric(mean, "mean-ns/rt")
}

// BenchmarkMsgRoundTripWAT is BenchmarkMsgRoundTrip between two agents written by hand in
// WebAssembly text (testdata/agents/ping.wat and pong.wat), making the calls the Go SDK makes
// (msg_send_bytes, msg_recv_bytes): what a round trip costs the host and kernel, wasm
// included, without Go's guest code.
// The parent times every round trip with the monotonic clock.
//
//	go test -run '^$' -bench MsgRoundTripWAT -benchtime 20000x .
func BenchmarkMsgRoundTripWAT(b *testing.B) {
	_, a := agentSystem(b, []policy.Grant{spawnGrant}, config.Agents{}, "ping")
	runAgent(b, a, "10") // compile the child once
	b.ResetTimer()
	res := runAgent(b, a, strconv.Itoa(b.N))
	b.StopTimer()
	if res.ExitCode != 0 || len(res.Output) != 8*b.N {
		b.Fatalf("exit %d (%v), %d bytes of output, want %d", res.ExitCode, res.Err, len(res.Output), 8*b.N)
	}
	ds := make([]time.Duration, b.N)
	var sum time.Duration
	for i := range ds {
		ds[i] = time.Duration(binary.LittleEndian.Uint64(res.Output[8*i:]))
		sum += ds[i]
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[b.N/2].Nanoseconds()), "p50-ns/rt")
	b.ReportMetric(float64((sum / time.Duration(b.N)).Nanoseconds()), "mean-ns/rt")
}
