package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	aios "github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel"
)

func TestRunSummaryShowsTheProcessTree(t *testing.T) {
	r := &aios.Result{PID: 1, Name: "parent", Duration: time.Second, Children: []kernel.ChildInfo{
		{PID: 2, Name: "worker", Module: "worker.wasm", Status: "exited", Usage: kernel.Usage{InputTokens: 3, OutputTokens: 4},
			Children: []kernel.ChildInfo{{PID: 4, Name: "helper", Status: "canceled"}}},
		{PID: 3, Name: "bad\x1b[2J", Status: "failed", ExitCode: -1, Error: "limit exceeded: wall_time (1s)"},
	}}
	got := summary(r)
	for _, want := range []string{
		"\n  worker[2] exited 0, 3 tokens in, 4 out",
		"\n    helper[4] canceled, 0 tokens in, 0 out",
		"failed: limit exceeded: wall_time (1s)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("summary passes a child's control characters to the terminal: %q", got)
	}
	b, err := json.Marshal(newJSONResult(r))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Children []struct {
			PID      int    `json:"pid"`
			Agent    string `json:"agent"`
			Status   string `json:"status"`
			Tokens   int    `json:"output_tokens"`
			Children []struct {
				Agent string `json:"agent"`
			} `json:"children"`
		} `json:"children"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Children) != 2 || back.Children[0].Agent != "worker" || back.Children[0].Tokens != 4 ||
		back.Children[0].Children[0].Agent != "helper" || back.Children[1].Status != "failed" {
		t.Errorf("--json children = %s", b)
	}
}

func TestRunSummaryCutsALargeTree(t *testing.T) {
	var cs []kernel.ChildInfo
	for i := range 70 {
		cs = append(cs, kernel.ChildInfo{PID: kernel.PID(i + 2), Name: "w", Status: "exited"})
	}
	got := childLines(cs)
	if n := strings.Count(got, "\n"); n != maxChildLines+1 || !strings.HasSuffix(got, "… 20 agents not shown") {
		t.Errorf("%d lines, ending %q", n, got[len(got)-40:])
	}
}
