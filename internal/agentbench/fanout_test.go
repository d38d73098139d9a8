package agentbench

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/internal/simtest"
)

// topic is what the planner and the researchers work on.
const topic = "WebAssembly sandboxes"

// newTeam starts the simulator (placeholder answers, 8 sequences at once, 50 ms to the first
// token and 5 ms per token) and sets the team up in a temporary directory.
func newTeam(tb testing.TB) *Team {
	tb.Helper()
	url := simtest.Start(tb, "--mode", "random", "--max-num-seqs", "8",
		"--time-to-first-token", "50ms", "--inter-token-latency", "5ms")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		tb.Fatal(err)
	}
	team, err := NewTeam(context.Background(), root, tb.TempDir(), url, simtest.Model)
	if err != nil {
		tb.Fatal(err)
	}
	return team
}

// TestFanoutBothWays: the two ways the benchmark compares do the same work and succeed, on a
// small team: the planner's report has a finding per researcher, and every researcher process
// exits 0.
func TestFanoutBothWays(t *testing.T) {
	team := newTeam(t)
	ctx := context.Background()
	_, report, err := team.Planner(ctx, topic, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(report, "# Research report: "+topic+"\n") || strings.Count(report, "\n### ") != 3 {
		t.Errorf("report not in shape:\n%s", report)
	}
	if _, err := team.Processes(ctx, topic, 3); err != nil {
		t.Fatal(err)
	}
	if got := Question(topic, 9); got != "What else should a newcomer know about "+topic+" (part 10)?" {
		t.Errorf("Question(9) = %q", got)
	}
}

// BenchmarkResearchFanout: 100 researchers against the simulator, as children of one planner
// in one kernel (one `aios run`, which also makes the planner's and the writer's generations)
// and as 100 `aios run` processes at once. Each way is warmed up once with one researcher, so
// both find the modules compiled in the data directory's cache.
//
//	go test -run '^$' -bench ResearchFanout -benchtime 1x -count 3 ./internal/agentbench
func BenchmarkResearchFanout(b *testing.B) {
	const n = 100
	team := newTeam(b)
	ctx := context.Background()
	if _, _, err := team.Planner(ctx, topic, 1); err != nil {
		b.Fatal(err)
	}
	if _, err := team.Processes(ctx, topic, 1); err != nil {
		b.Fatal(err)
	}
	b.Run("planner", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			d, report, err := team.Planner(ctx, topic, n)
			if err != nil {
				b.Fatal(err)
			}
			if got := strings.Count(report, "\n### "); got != n {
				b.Fatalf("the report has %d findings, want %d", got, n)
			}
			total += d
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "makespan-s")
	})
	b.Run("processes", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			d, err := team.Processes(ctx, topic, n)
			if err != nil {
				b.Fatal(err)
			}
			total += d
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "makespan-s")
	})
}
