package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
)

// journaledCalls returns the run of the data directory's journals and how many calls named
// name its journal holds; "" while there is none.
func journaledCalls(t *testing.T, data, name string) (string, int) {
	t.Helper()
	store, err := journal.Open(filepath.Join(data, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	runs, _ := store.Runs()
	if len(runs) == 0 {
		return "", 0
	}
	calls, _ := aios.JournalCalls(store, runs[0].ID)
	n := 0
	for _, c := range calls {
		if c.Name == name {
			n++
		}
	}
	return runs[0].ID, n
}

// writeKeys returns how many write keys the data directory's storage and memory stores hold
// for run.
func writeKeys(t *testing.T, data, run string) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	if _, err := os.Stat(filepath.Join(data, aios.StorageFile)); err == nil {
		s, err := storage.Open(ctx, filepath.Join(data, aios.StorageFile), storage.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		k, err := s.WriteKeys(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	if _, err := os.Stat(filepath.Join(data, aios.MemoryFile)); err == nil {
		m, err := memory.Open(filepath.Join(data, aios.MemoryFile), memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		k, err := m.WriteKeys(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// killDuringWrites starts `aios run --durable` of the durable test agent with input in a data
// directory of its own, kills it with SIGKILL once its journal holds a third of writes calls
// named call, checks the kill left write keys in the stores, resumes the run with `aios
// resume` and checks its output and that the run's keys are gone. It returns the data
// directory and how many calls were journaled at the kill.
func killDuringWrites(t *testing.T, input, call string, writes int) (string, int) {
	t.Helper()
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Setenv("AIOS_DATA_DIR", data)
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)

	cmd := exec.Command(aiosBinary(t), "run", "--durable", src, "--input", input)
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killWhen(t, cmd, "the durable run to journal a third of its writes", func() bool {
		_, n := journaledCalls(t, data, call)
		return n >= writes/3
	})
	id, journaled := journaledCalls(t, data, call)
	if journaled >= writes {
		t.Fatalf("all %d writes were journaled before the kill", journaled)
	}
	// A journaled write committed before its record was written; a journaled submit's write
	// may not have (the agent keeps one in flight).
	if n := writeKeys(t, data, id); n < journaled-1 || n < 1 {
		t.Fatalf("the killed run left %d write keys, want one per journaled write (%d)", n, journaled)
	}

	code, out, errOut := aiosCmd(t, "resume", id)
	if want := fmt.Sprintf("%s done\n", input); code != 0 || out != want {
		t.Fatalf("resume: exit %d, stdout %q, want %q\n%s", code, out, want, errOut)
	}
	if n := writeKeys(t, data, id); n != 0 {
		t.Errorf("the ended run left %d write keys in the stores", n)
	}
	return data, journaled
}

// storedVersions returns the version of every key of the durable agent's storage.
func storedVersions(t *testing.T) map[string]int64 {
	t.Helper()
	code, out, errOut := aiosCmd(t, "storage", "ls", "--agent", "durable", "--json", "--limit", "1000")
	if code != 0 {
		t.Fatalf("storage ls: exit %d\n%s", code, errOut)
	}
	versions := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var row storageKeyRow
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("storage ls line %q: %v", line, err)
		}
		versions[row.Key] = row.Version
	}
	return versions
}

// TestResumeAfterSIGKILLDuringStorageWrites kills a real `aios run --durable` process in a
// storm of storage writes, resumes it, and checks that every write was applied exactly once:
// every key has one version, as after an uninterrupted run, the write in flight at the kill
// included (its write key answers it when the resumed run makes it again).
func TestResumeAfterSIGKILLDuringStorageWrites(t *testing.T) {
	for _, mode := range []struct{ input, call string }{
		{"puts", "storage_put"}, // blocking calls
		{"aputs", "submit"},     // submitted and waited for: a write in flight is restarted on resume
	} {
		t.Run(mode.input, func(t *testing.T) {
			const keys = 150
			data, journaled := killDuringWrites(t, fmt.Sprintf("%s %d", mode.input, keys), mode.call, keys)
			versions := storedVersions(t)
			if len(versions) != keys {
				t.Fatalf("%d keys stored, want %d", len(versions), keys)
			}
			t.Logf("killed after %d journaled writes (data %s)", journaled, data)
			for i := range keys {
				if key := fmt.Sprintf("k%03d", i); versions[key] != 1 {
					t.Errorf("%s has version %d: written %d times (journaled writes: %d)", key, versions[key], versions[key], journaled)
				}
			}
		})
	}
}

// TestResumeAfterSIGKILLDuringMemoryAdds kills a real `aios run --durable` process in a storm
// of memory adds, resumes it, and checks that every entry was added exactly once.
func TestResumeAfterSIGKILLDuringMemoryAdds(t *testing.T) {
	const entries = 150
	data, journaled := killDuringWrites(t, fmt.Sprintf("adds %d", entries), "memory_add", entries)
	code, out, errOut := aiosCmd(t, "memory", "ls", "--agent", "durable", "--json", "--limit", "1000")
	if code != 0 {
		t.Fatalf("memory ls: exit %d\n%s", code, errOut)
	}
	count := map[string]int{}
	for _, r := range memoryLines(t, out) {
		count[r.Text]++
	}
	t.Logf("killed after %d journaled adds (data %s)", journaled, data)
	if len(count) != entries {
		t.Errorf("%d distinct entries, want %d", len(count), entries)
	}
	for i := range entries {
		if text := fmt.Sprintf("m%03d", i); count[text] != 1 {
			t.Errorf("%s was added %d times (journaled adds: %d)", text, count[text], journaled)
		}
	}
}
