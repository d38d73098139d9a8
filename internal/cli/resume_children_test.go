package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

// TestResumeChildrenAfterSIGKILL kills a real `aios run --durable` process whose parent agent
// (testdata/agents/parent, "chat") has four children in flight, asking the simulator two to five
// times and exchanging a message and an ack with the parent per answer (the first has ended), resumes the run with
// `aios resume`, and checks that its output is an uninterrupted run's (every message received
// once, every ack once, every child ended once, as the parent's output lists them), that no
// generation a journal recorded is sent again and every other one is sent once by the resume,
// and that the children are journaled under their parent.
func TestResumeChildrenAfterSIGKILL(t *testing.T) {
	const children, rounds = 4, 2 // child i asks rounds+i times
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kids := filepath.Join(dir, "kids")
	if err := os.Mkdir(kids, 0o755); err != nil {
		t.Fatal(err)
	}
	wasip1Build(t, filepath.Join(root, "testdata", "agents"), "./parent", filepath.Join(dir, "parent-plain.wasm"))
	wasip1Build(t, filepath.Join(root, "testdata", "agents"), "./worker", filepath.Join(kids, "worker.wasm"))
	manifest := filepath.Join(dir, "parent.toml")
	if err := os.WriteFile(manifest, []byte("name = \"parent\"\nversion = \"1.0.0\"\n\n[capabilities]\nmodels = [\"*\"]\ncalls = [\"agent_spawn\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	parent := filepath.Join(dir, "parent.wasm")
	if code, _, errOut := aiosCmd(t, "pack", filepath.Join(dir, "parent-plain.wasm"), "--manifest", manifest, "-o", parent); code != 0 {
		t.Fatalf("pack: exit %d\n%s", code, errOut)
	}

	sim := simtest.Start(t, "--time-to-first-token", "150ms")
	proxy, base := newCountingProxy(t, sim)
	cfgPath := filepath.Join(dir, "aios.toml")
	cfgText := fmt.Sprintf(`[agents]
dir = %q

[[policy.grants]]
agent  = "*"
models = ["*"]
calls  = ["agent_spawn"]

[[cores]]
name = "sim"
kind = "openai"
base_url = %q
models = ["sim-model"]
capacity = 8
`, kids, base)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	input := fmt.Sprintf("chat %d %d t%d", children, rounds, time.Now().UnixNano())

	// An uninterrupted durable run, for its output.
	t.Setenv("AIOS_DATA_DIR", filepath.Join(dir, "whole"))
	code, want, errOut := aiosCmd(t, "run", "--config", cfgPath, "--durable", parent, "--input", input)
	if code != 0 || strings.Count(want, " exited 0: ") != children {
		t.Fatalf("uninterrupted run: exit %d\n%s\n%s", code, want, errOut)
	}
	proxy.reset()

	data := filepath.Join(dir, "data")
	t.Setenv("AIOS_DATA_DIR", data)
	cmd := exec.Command(aiosBinary(t), "run", "--config", cfgPath, "--durable", parent, "--input", input)
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killWhen(t, cmd, "the durable run to send 20 generations", func() bool {
		_, total := proxy.snapshot()
		return total >= 20
	})
	before := proxy.settled()

	// What the journals hold: the parent's run and its children's, each child under it.
	store, err := journal.Open(filepath.Join(data, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := store.Runs()
	var top, firstChild string
	childRuns, running := 0, 0
	journaled := map[string]bool{} // the echo of each journaled generation is its prompt
	for _, r := range runs {
		if r.Parent == "" {
			top = r.ID
		} else {
			childRuns++
			firstChild = cmp.Or(firstChild, r.ID)
			if r.Status == journal.Running {
				running++
			}
		}
		calls, _ := aios.JournalCalls(store, r.ID)
		for _, c := range calls {
			if c.Name != "llm_generate" || len(c.Delivered) == 0 {
				continue
			}
			var resp struct{ Text string }
			_ = json.Unmarshal(c.Delivered[0].Body, &resp)
			journaled[resp.Text] = true
		}
	}
	interrupted, _ := aios.Interrupted(store)
	_ = store.Close()
	if top == "" || childRuns != children || len(interrupted) != 1 || interrupted[0].ID != top {
		t.Fatalf("after the kill: run %q, %d child runs, interrupted %v", top, childRuns, interrupted)
	}
	if len(journaled) == 0 || len(journaled) == 28 {
		t.Fatalf("the kill came with %d of 28 generations journaled: not mid-run", len(journaled))
	}
	t.Logf("killed with %d generations journaled, %d children running", len(journaled), running)

	code, got, errOut := aiosCmd(t, "resume", "--config", cfgPath, top)
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s\n%s", code, got, errOut)
	}
	if got != want {
		t.Errorf("the resumed run's output:\n%s\nwant the uninterrupted run's:\n%s", got, want)
	}
	after, _ := proxy.snapshot()
	if len(after) != 2*14 {
		t.Errorf("%d prompts sent, want 28 (14 answers, 14 acks)", len(after))
	}
	for prompt, n := range after {
		switch {
		case journaled[prompt] && n != 1:
			t.Errorf("%q was journaled, but sent %d times", prompt, n)
		case !journaled[prompt] && n-before[prompt] != 1:
			t.Errorf("%q was not journaled: the resume sent it %d times, want once", prompt, n-before[prompt])
		}
	}

	// Every run of the tree ended, the children under their parent, and a child replays.
	code, out, _ := aiosCmd(t, "journal", "--config", cfgPath, "--json")
	if code != 0 || strings.Count(out, `"status":"finished"`) != children+1 || strings.Count(out, `"parent":"`+top+`"`) != children {
		t.Errorf("after resume, the journal lists:\n%s", out)
	}
	code, out, errOut = aiosCmd(t, "replay", "--config", cfgPath, firstChild)
	if code != 0 || !strings.HasPrefix(out, "identical") {
		t.Errorf("replay of a child: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ = aiosCmd(t, "resume", "--config", cfgPath, firstChild); code == 0 {
		t.Error("a child was resumed on its own")
	}
}
