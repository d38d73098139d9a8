package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

var taggedRound = regexp.MustCompile(`round (\d+): sky (\d+)`)

// TestResumeAllAfterSIGKILLOf100Agents kills a real `aios run --durable --replicas 100`
// process, the kernel of 100 agents in flight against the simulator, restarts them all with
// `aios resume --all`, and checks that all 100 finish with every round answered in order, that
// no generation whose result was journaled is sent again, and that every other one is sent
// once by the resume.
func TestResumeAllAfterSIGKILLOf100Agents(t *testing.T) {
	const agents, rounds = 100, 4
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	sim := simtest.Start(t, "--time-to-first-token", "100ms", "--max-num-seqs", "64")
	proxy, base := newCountingProxy(t, sim)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "aios.toml")
	cfgText := fmt.Sprintf("[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = %q\nmodels = [\"sim-model\"]\ncapacity = 32\n", base)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	t.Setenv("AIOS_DATA_DIR", data)
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)

	cmd := exec.Command(aiosBinary(t), "run", "--config", cfgPath, "--durable", "--replicas", fmt.Sprint(agents),
		src, "--input", fmt.Sprintf("tagged %d sky", rounds))
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Every run has started (it is in the journal before its first generation is sent) and
	// 3/8 of the generations are sent: under load the last replicas start after the first
	// ones have sent that many.
	killWhen(t, cmd, "every durable run to send a generation, and 3/8 of them to be sent", func() bool {
		counts, total := proxy.snapshot()
		tags := map[string]bool{}
		for prompt := range counts {
			if m := taggedRound.FindStringSubmatch(prompt); m != nil {
				tags[m[2]] = true
			}
		}
		return total >= agents*rounds*3/8 && len(tags) == agents
	})
	before := proxy.settled()
	sentBefore := 0
	for _, n := range before {
		sentBefore += n
	}

	// What each run journaled: the echo of each journaled generation is its prompt.
	store, err := journal.Open(filepath.Join(data, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := store.Runs()
	journaled := map[string]bool{}
	interrupted := 0
	for _, r := range runs {
		if r.Status == journal.Running {
			interrupted++
		}
		calls, _ := aios.JournalCalls(store, r.ID)
		for _, c := range calls {
			if c.Name != "llm_generate" || len(c.Delivered) == 0 {
				continue
			}
			var resp struct{ Text string }
			_ = json.Unmarshal(c.Delivered[0].Body, &resp)
			if m := taggedRound.FindString(resp.Text); m != "" {
				journaled[m] = true
			}
		}
	}
	_ = store.Close()
	if len(runs) != agents || interrupted == 0 || len(journaled) == 0 {
		t.Fatalf("after the kill: %d runs, %d interrupted, %d generations journaled", len(runs), interrupted, len(journaled))
	}
	t.Logf("killed with %d generations sent, %d journaled, %d runs interrupted", sentBefore, len(journaled), interrupted)

	code, out, errOut := aiosCmd(t, "resume", "--config", cfgPath, "--all")
	if code != 0 {
		t.Fatalf("resume --all: exit %d\n%s", code, errOut)
	}
	if n := strings.Count(errOut, "aios: resuming durable run "); n != interrupted {
		t.Errorf("resumed %d runs, %d were interrupted", n, interrupted)
	}
	after, _ := proxy.snapshot()
	// Every resumed run printed its rounds, in order, one tag per run.
	sections := strings.Split(out, "== ")[1:]
	if len(sections) != interrupted {
		t.Fatalf("%d outputs, want %d:\n%s", len(sections), interrupted, out)
	}
	for _, sec := range sections {
		ms := taggedRound.FindAllStringSubmatch(sec, -1)
		if len(ms) != rounds {
			t.Fatalf("an output has %d rounds, want %d:\n%s", len(ms), rounds, sec)
		}
		for i, m := range ms {
			if m[1] != fmt.Sprint(i) || m[2] != ms[0][2] {
				t.Fatalf("round %d of an output is %q:\n%s", i, m[0], sec)
			}
			prompt := m[0]
			switch {
			case journaled[prompt] && after[prompt] != 1:
				t.Errorf("%q was journaled, but sent %d times", prompt, after[prompt])
			case !journaled[prompt] && after[prompt]-before[prompt] != 1:
				t.Errorf("%q was not journaled: the resume sent it %d times, want once", prompt, after[prompt]-before[prompt])
			}
		}
	}
	code, out, _ = aiosCmd(t, "journal", "--json")
	if code != 0 || strings.Count(out, `"status":"finished"`) != agents {
		t.Errorf("after resume, %d of %d runs finished", strings.Count(out, `"status":"finished"`), agents)
	}
}
