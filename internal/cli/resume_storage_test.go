package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/journal"
)

// journaledPuts returns the run of the data directory's journals and how many storage_put
// calls its journal holds; "" while there is none.
func journaledPuts(t *testing.T, data string) (string, int) {
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
		if c.Name == "storage_put" {
			n++
		}
	}
	return runs[0].ID, n
}

// TestResumeAfterSIGKILLDuringStorageWrites kills a real `aios run --durable` process in a
// storm of storage writes, resumes it, and checks every key was written, none whose write was
// journaled was written again, and at most the one write in flight at the kill was applied
// twice (the window docs/DURABLE.md describes).
func TestResumeAfterSIGKILLDuringStorageWrites(t *testing.T) {
	const keys = 150
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Setenv("AIOS_DATA_DIR", data)
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	input := fmt.Sprintf("puts %d", keys)

	cmd := exec.Command(aiosBinary(t), "run", "--durable", src, "--input", input)
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute) // a hang guard only
	for {
		if _, n := journaledPuts(t, data); n >= keys/3 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the durable run journaled too few writes")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	id, journaled := journaledPuts(t, data)
	if journaled >= keys {
		t.Fatalf("all %d writes were journaled before the kill", journaled)
	}

	code, out, errOut := aiosCmd(t, "resume", id)
	if code != 0 || out != fmt.Sprintf("puts %d done\n", keys) {
		t.Fatalf("resume: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = aiosCmd(t, "storage", "ls", "--agent", "durable", "--json", "--limit", "1000")
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
	if len(versions) != keys {
		t.Fatalf("%d keys stored, want %d", len(versions), keys)
	}
	t.Logf("killed after %d journaled writes; k%03d, in flight, has version %d", journaled, journaled, versions[fmt.Sprintf("k%03d", journaled)])
	for i := range keys {
		key := fmt.Sprintf("k%03d", i)
		switch v := versions[key]; {
		case i == journaled && (v == 1 || v == 2):
		case v != 1:
			t.Errorf("%s has version %d: written %d times (journaled writes: %d)", key, v, v, journaled)
		}
	}
}
