package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/space"
)

// seedMemory adds entries to sp in the memory of the data directory, as memory_add does, and
// returns their ids.
func seedMemory(t *testing.T, e operatorEnv, sp space.Space, entries ...memory.Entry) []memory.ID {
	t.Helper()
	if err := os.MkdirAll(e.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := memory.Open(filepath.Join(e.dir, aios.MemoryFile), memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []memory.ID
	for _, en := range entries {
		id, err := s.Add(context.Background(), sp, en)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// memoryLines decodes `aios memory ... --json`.
func memoryLines(t *testing.T, out string) []memoryRow {
	t.Helper()
	var rows []memoryRow
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var r memoryRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v in %q", err, l)
		}
		rows = append(rows, r)
	}
	return rows
}

func TestMemoryBeforeAnyAgentStoredAnything(t *testing.T) {
	e := newOperatorEnv(t, "")
	out, errs := e.mustRun(t, "memory", "ls", "--agent", "writer")
	if out != "" || !strings.Contains(errs, "no memory yet at "+filepath.Join(e.dir, aios.MemoryFile)) {
		t.Fatalf("stdout %q, stderr %q", out, errs)
	}
	if _, err := os.Stat(filepath.Join(e.dir, aios.MemoryFile)); !os.IsNotExist(err) {
		t.Fatalf("aios memory ls created the store: %v", err)
	}
}

func TestMemoryLsAndSearch(t *testing.T) {
	e := newOperatorEnv(t, "")
	pub := "sha256:" + strings.Repeat("ab", 32)
	signed := space.Of(space.Identity{Publisher: pub, Name: "writer"})
	ids := seedMemory(t, e, writerSpace,
		memory.Entry{Text: "the release ships on friday", Metadata: map[string]string{"kind": "task"}},
		memory.Entry{Text: "lunch with the team", Metadata: map[string]string{"kind": "note"}},
		memory.Entry{Text: "release notes drafted\nsecond line"})
	seedMemory(t, e, signed, memory.Entry{Text: "the signed writer's release"})
	seedMemory(t, e, space.Shared("acme", "team"), memory.Entry{Text: "shared release plan"})

	out, _ := e.mustRun(t, "memory", "ls", "--agent", "writer")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.HasPrefix(lines[1], string(ids[0])) ||
		!strings.Contains(lines[1], "kind=task") || !strings.Contains(lines[3], "release notes drafted…") {
		t.Fatalf("memory ls:\n%s", out)
	}

	out, errs := e.mustRun(t, "memory", "ls", "--agent", "writer", "--limit", "2", "--json")
	rows := memoryLines(t, out)
	if len(rows) != 2 || rows[0].ID != string(ids[0]) || rows[1].Text != "lunch with the team" || rows[0].Created == nil ||
		!strings.Contains(errs, "--after "+string(ids[1])) {
		t.Fatalf("memory ls --limit 2 --json:\n%s\nstderr: %s", out, errs)
	}
	out, _ = e.mustRun(t, "memory", "ls", "--agent", "writer", "--after", string(ids[1]), "--json")
	if rows := memoryLines(t, out); len(rows) != 1 || rows[0].ID != string(ids[2]) {
		t.Fatalf("memory ls --after:\n%s", out)
	}

	// The signer is part of the space: the same name signed is another agent.
	out, _ = e.mustRun(t, "memory", "ls", "--agent", "writer", "--publisher", pub, "--json")
	if rows := memoryLines(t, out); len(rows) != 1 || rows[0].Text != "the signed writer's release" {
		t.Fatalf("memory ls --publisher:\n%s", out)
	}
	out, _ = e.mustRun(t, "memory", "ls", "--space", "team", "--tenant", "acme", "--json")
	if rows := memoryLines(t, out); len(rows) != 1 || rows[0].Text != "shared release plan" {
		t.Fatalf("memory ls --space:\n%s", out)
	}

	out, _ = e.mustRun(t, "memory", "search", "release", "--agent", "writer", "--json")
	rows = memoryLines(t, out)
	if len(rows) != 2 || rows[0].Score == nil {
		t.Fatalf("memory search release:\n%s", out)
	}
	for _, r := range rows {
		if !strings.Contains(r.Text, "release") {
			t.Fatalf("memory search release found %q", r.Text)
		}
	}
	out, _ = e.mustRun(t, "memory", "search", "release", "--agent", "writer", "--filter", "kind=task")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "SCORE") || !strings.Contains(lines[1], string(ids[0])) {
		t.Fatalf("memory search --filter:\n%s", out)
	}
	// An agent that stored nothing has no entries: an empty list, not an error.
	if out, _ := e.mustRun(t, "memory", "ls", "--agent", "nobody"); strings.Count(out, "\n") != 1 {
		t.Fatalf("memory ls of an unknown agent:\n%s", out)
	}
}

func TestMemoryBadInput(t *testing.T) {
	e := newOperatorEnv(t, "")
	seedMemory(t, e, writerSpace, memory.Entry{Text: "x"})
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"memory", "ls", "--agent", "writer", "--limit", "-5"}, ExitUsage, "--limit must not be negative"},
		{[]string{"memory", "ls", "--agent", "writer", "--limit", "0"}, ExitUsage, "--limit must be at least 1"},
		{[]string{"memory", "ls", "--agent", "writer", "--after", "../../x"}, ExitUsage, "malformed id"},
		{[]string{"memory", "ls", "--agent", "writer", "--after", strings.Repeat("0", 32)}, ExitNoInput, `no such entry in the memory of agent "writer"`},
		{[]string{"memory", "ls", "--space", "a/b"}, ExitUsage, "not a shared space name"},
		{[]string{"memory", "ls", "--space", "team", "--agent", "writer"}, ExitUsage, "give one"},
		{[]string{"memory", "search", "x", "--agent", "writer", "--mode", "vector"}, ExitUsage, "use --mode keyword"},
		{[]string{"memory", "search", "x", "--agent", "writer", "--mode", "hybrid"}, ExitUsage, "use --mode keyword"},
		{[]string{"memory", "search", "x", "--agent", "writer", "--mode", "\x1b[2J"}, ExitUsage, `"\x1b[2J"`},
		{[]string{"memory", "search", "x", "--agent", "writer", "-k", "0"}, ExitUsage, "--limit must be at least 1"},
		{[]string{"memory", "search", "x", "--agent", "writer", "--filter", "novalue"}, ExitUsage, "want KEY=VALUE"},
		{[]string{"memory", "search", "!!!", "--agent", "writer"}, ExitUsage, "holds no words"},
	} {
		code, _, errs := e.run(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("aios %q: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

func TestMemoryTextReachesATerminalInert(t *testing.T) {
	e := newOperatorEnv(t, "")
	seedMemory(t, e, writerSpace, memory.Entry{Text: "evil\x1b]0;pwned\x07 \u202ereversed\ttab", Metadata: map[string]string{"k\x1b[2J": "v\r"}})
	for _, args := range [][]string{{"memory", "ls", "--agent", "writer"}, {"memory", "search", "evil", "--agent", "writer"}} {
		out, _ := e.mustRun(t, args...)
		if strings.ContainsAny(out, "\x1b\x07\u202e\r") || !strings.Contains(out, `evil\x1b]0;pwned\x07 \u202ereversed\ttab`) || !strings.Contains(out, `k\x1b[2J=v\r`) {
			t.Fatalf("aios %q printed agent text raw:\n%q", args, out)
		}
	}
}
