package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/journal"
)

// seedJournals saves runs in e's journal store: id → when it ended (zero: still running).
func seedJournals(t *testing.T, e operatorEnv, runs map[string]time.Time) {
	t.Helper()
	s, err := journal.Open(filepath.Join(e.dir, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, ended := range runs {
		r := journal.Run{ID: id, Name: "agent", Status: journal.Running, Created: time.Now().Add(-1000 * time.Hour)}
		if !ended.IsZero() {
			r.Status, r.Ended = journal.Finished, ended
		}
		if err := s.SaveRun(r); err != nil {
			t.Fatal(err)
		}
	}
}

func journalIDs(t *testing.T, e operatorEnv) []string {
	t.Helper()
	out, _ := e.mustRun(t, "journal", "--json")
	var ids []string
	for line := range strings.Lines(out) {
		var r journal.Run
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestJournalRmDeletesEndedRunsAndKeepsRunningOnes(t *testing.T) {
	e := newOperatorEnv(t, "")
	now := time.Now()
	seedJournals(t, e, map[string]time.Time{"a": now, "b": now, "live": {}})

	out, _ := e.mustRun(t, "journal", "rm", "a")
	if out != "removed a\n" {
		t.Fatalf("stdout %q", out)
	}
	code, out, errs := e.run("journal", "rm", "live", "b", "nope")
	if code != ExitUsage || out != "removed b\n" || !strings.Contains(errs, "run live") ||
		!strings.Contains(errs, "has not ended") || !strings.Contains(errs, "aios resume") || !strings.Contains(errs, "run nope") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if code, _, errs := e.run("journal", "rm", "nope"); code != ExitNoInput || !strings.Contains(errs, "no such run") {
		t.Fatalf("rm of a missing run: exit %d, %q", code, errs)
	}
	if code, _, _ := e.run("journal", "rm", "../../etc"); code == 0 {
		t.Fatal("an id naming another directory was accepted")
	}
	if got := journalIDs(t, e); !slices.Equal(got, []string{"live"}) {
		t.Fatalf("runs left %v, want [live]", got)
	}
}

func TestJournalPrune(t *testing.T) {
	e := newOperatorEnv(t, "[journal]\nmax_age = \"0s\"\n") // nothing pruned by itself
	now := time.Now()
	seedJournals(t, e, map[string]time.Time{"old": now.Add(-200 * time.Hour), "new": now.Add(-time.Hour), "live": {}})

	if code, _, errs := e.run("journal", "prune"); code != ExitUsage || !strings.Contains(errs, "--older-than is required") {
		t.Fatalf("prune without --older-than: exit %d, %q", code, errs)
	}
	if code, _, _ := e.run("journal", "prune", "--older-than", "-1h"); code != ExitUsage {
		t.Fatalf("a negative --older-than: exit %d", code)
	}
	out, _ := e.mustRun(t, "journal", "prune", "--older-than", "168h")
	if out != "removed 1 run that ended more than 168h0m0s ago\n" {
		t.Fatalf("stdout %q", out)
	}
	if got := journalIDs(t, e); !slices.Equal(got, []string{"live", "new"}) {
		t.Fatalf("runs left %v", got)
	}
	out, _ = e.mustRun(t, "journal", "prune", "--older-than", "0s", "--json")
	if !strings.Contains(out, `"removed": [`) || !strings.Contains(out, `"new"`) {
		t.Fatalf("stdout %q", out)
	}
	if got := journalIDs(t, e); !slices.Equal(got, []string{"live"}) {
		t.Fatalf("runs left %v", got)
	}
}

func TestJournalsOlderThanMaxAgeGoByThemselves(t *testing.T) {
	e := newOperatorEnv(t, "[journal]\nmax_age = \"24h\"\n")
	now := time.Now()
	seedJournals(t, e, map[string]time.Time{"old": now.Add(-48 * time.Hour), "new": now.Add(-time.Hour)})
	e.mustRun(t, "journal") // opening the journals prunes them, beside the command
	deadline := time.Now().Add(time.Minute)
	for !slices.Equal(journalIDs(t, e), []string{"new"}) {
		if time.Now().After(deadline) {
			t.Fatalf("runs %v, want [new]", journalIDs(t, e))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
