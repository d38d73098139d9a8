package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// durableWasm builds testdata/agents/durable (clocks, sleep, random, generations, storage and
// memory) for wasip1 once per test binary.
var durableWasm = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "aios-cli-durable-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "durable.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./durable")
	cmd.Dir = filepath.Join("..", "..", "testdata", "agents")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", &exec.ExitError{Stderr: b}
	}
	return out, nil
})

// aiosCmd runs the CLI in-process and returns its exit code, stdout and stderr.
func aiosCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

var runIDPattern = regexp.MustCompile(`durable run ([0-9A-Za-z_-]+)`)

func TestDurableRunJournalAndReplay(t *testing.T) {
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wasm := filepath.Join(dir, "durable.wasm")
	b, _ := os.ReadFile(src)
	if err := os.WriteFile(wasm, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AIOS_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)

	code, out, errOut := aiosCmd(t, "run", "--durable", wasm, "--input", "why?", "-e", "GREETING=hi")
	if code != 0 || !strings.Contains(out, "generate=echo: why?") {
		t.Fatalf("run --durable: exit %d\n%s\n%s", code, out, errOut)
	}
	m := runIDPattern.FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("run --durable printed no run id:\n%s", errOut)
	}
	id := m[1]

	code, out, errOut = aiosCmd(t, "journal")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "finished") {
		t.Fatalf("journal: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = aiosCmd(t, "journal", id)
	if code != 0 || !strings.HasPrefix(out, "run "+id+": finished, exit code 0; durable (") ||
		!strings.Contains(out, "llm_generate") || !strings.Contains(out, "storage_put") {
		t.Fatalf("journal %s: exit %d\n%s", id, code, out)
	}
	if code, _, errOut := aiosCmd(t, "journal", "no-such-run"); code != ExitNoInput || !strings.Contains(errOut, "no such run") {
		t.Errorf("journal of an unknown run: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := aiosCmd(t, "journal", "../escape"); code != ExitNoInput || !strings.Contains(errOut, "only letters") {
		t.Errorf("journal of a path: exit %d\n%s", code, errOut)
	}
	code, out, _ = aiosCmd(t, "journal", id, "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	gen := -1
	for i, l := range lines {
		var c callLine
		if err := json.Unmarshal([]byte(l), &c); err != nil || c.Index != i {
			t.Fatalf("journal --json line %d: %q, %v", i, l, err)
		}
		if c.Name == "llm_generate" && gen < 0 {
			gen = i
			if c.Errno != "OK" || c.Bytes == 0 {
				t.Errorf("llm_generate line: %+v", c)
			}
		}
	}
	if code != 0 || gen < 0 {
		t.Fatalf("journal --json: exit %d, no llm_generate\n%s", code, out)
	}

	code, out, errOut = aiosCmd(t, "replay", id)
	if code != 0 || !strings.HasPrefix(out, "identical: "+strconv.Itoa(len(lines))+" journaled calls replayed, exit code 0") {
		t.Fatalf("replay: exit %d\n%s\n%s", code, out, errOut)
	}

	// Another module: the same code with a custom section added.
	other := filepath.Join(dir, "other.wasm")
	_ = os.WriteFile(other, append(b, 0, 5, 3, 'a', 'b', 'c', 'x'), 0o644)
	code, _, errOut = aiosCmd(t, "replay", id, "--module", other)
	if code != ExitRefused || !strings.Contains(errOut, "not the one the run recorded") {
		t.Fatalf("replay --module other: exit %d\n%s", code, errOut)
	}

	// A journal damaged at the first generation's record: the replay stops there.
	corruptRecord(t, filepath.Join(dir, "data", "journal", id, "calls.log"), gen)
	code, out, _ = aiosCmd(t, "replay", id)
	if code != 1 || !strings.Contains(out, "diverged at call "+strconv.Itoa(gen)+" (llm_generate)") || !strings.Contains(out, "end of the journal") {
		t.Fatalf("replay of a damaged journal: exit %d\n%s", code, out)
	}

	if code, _, errOut := aiosCmd(t, "run", "--durable", filepath.Join(dir, "flow.toml")); code != ExitUsage || !strings.Contains(errOut, "workflows are not journaled") {
		t.Errorf("run --durable of a workflow: exit %d\n%s", code, errOut)
	}

	code, _, errOut = aiosCmd(t, "replay", "no-such-run")
	if code != ExitNoInput || !strings.Contains(errOut, "no such run") {
		t.Fatalf("replay of an unknown run: exit %d\n%s", code, errOut)
	}
}

// corruptRecord flips a byte inside record n of a journal file (framed: u32 length, u32
// checksum, bytes).
func corruptRecord(t *testing.T, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for range n {
		off += 8 + int(binary.LittleEndian.Uint32(b[off:]))
	}
	b[off+8+2] ^= 0x20
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
