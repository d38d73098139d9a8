package agentbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Team is a configured set-up of the research team: bin/aios, a configuration naming the
// simulator, the agents directory and the researchers' tool, and the planner packed as a
// bundle that declares agent_spawn.
type Team struct {
	Root   string // the repository's root
	Aios   string // bin/aios
	Config string // the aios.toml of the runs
	Bundle string // the planner's bundle
	dir    string
}

// NewTeam writes the configuration and packs the planner into dir. baseURL is the LLM
// server's API root (simtest.Start's answer) serving model.
func NewTeam(ctx context.Context, root, dir, baseURL, model string) (*Team, error) {
	t := &Team{Root: root, Aios: filepath.Join(root, "bin", "aios"), Config: filepath.Join(dir, "aios.toml"),
		Bundle: filepath.Join(dir, "planner.bundle.wasm"), dir: dir}
	for _, need := range []string{t.Aios, t.module("planner"), t.module("researcher"), t.module("writer"), t.plugin()} {
		if _, err := os.Stat(need); err != nil {
			return nil, fmt.Errorf("%w (run: make build samples plugins)", err)
		}
	}
	cfg := fmt.Sprintf(`data_dir = %q

[[cores]]
name = "sim"
kind = "openai"
base_url = %q
models = [%q]
capacity = 8

[scheduler]
default_max_tokens = 32

[agents]
dir = %q
max_children = 128

[[tools]]
name = "textkit"
kind = "extism"
path = %q

[[tools.functions]]
name = "word_count"
description = "Count the words, characters and lines of a text"
parameters = '{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}'

[policy]
[[policy.grants]]
agent = "*"
models = ["*"]
tools = ["word_count"]
calls = ["agent_spawn"]
`, filepath.Join(dir, "data"), baseURL, model, filepath.Join(root, "bin", "samples"), t.plugin())
	manifest := `name = "planner"
version = "1.0.0"

[capabilities]
models = ["default"]
tools = ["word_count"]
calls = ["agent_spawn"]
`
	if err := os.WriteFile(t.Config, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	mpath := filepath.Join(dir, "planner.toml")
	if err := os.WriteFile(mpath, []byte(manifest), 0o644); err != nil {
		return nil, err
	}
	if _, err := t.aios(ctx, nil, "pack", t.module("planner"), "--manifest", mpath, "-o", t.Bundle); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Team) module(name string) string {
	return filepath.Join(t.Root, "bin", "samples", name+".wasm")
}
func (t *Team) plugin() string { return filepath.Join(t.Root, "bin", "plugins", "textkit.wasm") }

// aios runs bin/aios with args and env added to its environment, and returns its standard
// output; a failure carries the end of its standard error.
func (t *Team) aios(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, t.Aios, args...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		// The run's summary ends standard error; the agents' errors and warnings say why.
		var why []string
		for _, l := range strings.Split(errb.String(), "\n") {
			if (strings.HasPrefix(l, "error: ") || strings.HasPrefix(l, "warn: ")) && len(why) < 10 {
				why = append(why, l)
			}
		}
		e := errb.Bytes()
		if len(e) > 1000 {
			e = e[len(e)-1000:]
		}
		return out.String(), fmt.Errorf("aios %s: %w\n%s\n…\n%s", args[0], err, strings.Join(why, "\n"), e)
	}
	return out.String(), nil
}

// Planner runs the planner with n researchers in one `aios run` and returns its wall time and
// the report.
func (t *Team) Planner(ctx context.Context, topic string, n int) (time.Duration, string, error) {
	start := time.Now()
	out, err := t.aios(ctx, nil, "run", "--config", t.Config, t.Bundle, "--input", topic, "--",
		"--researchers", fmt.Sprint(n), "--tokens", "1000000")
	return time.Since(start), out, err
}

// Processes runs n researchers as n `aios run` processes at once, each with one question, and
// returns the wall time from the first start to the last exit.
//
// Each process has a data directory of its own, holding a copy of the compiled-module cache of
// the team's: processes sharing one data directory fail to open its audit log under this
// concurrency (SQLITE_BUSY, exit 78), and a copy of a warm cache is what a shared one would
// give them.
func (t *Team) Processes(ctx context.Context, topic string, n int) (time.Duration, error) {
	for i := range n {
		if err := t.isolate(i); err != nil {
			return 0, err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = t.aios(ctx, []string{"AIOS_DATA_DIR=" + t.procDir(i)}, "run", "--config", t.Config, t.module("researcher"),
				"--input", Question(topic, i))
		}()
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

func (t *Team) procDir(i int) string { return filepath.Join(t.dir, fmt.Sprintf("proc-%d", i)) }

// isolate makes process i's data directory, once, with the team's compiled-module cache in it:
// its files hard-linked (tens of megabytes each time otherwise), which the cache only reads.
func (t *Team) isolate(i int) error {
	dst := t.procDir(i)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	src := filepath.Join(t.dir, "data", "cache")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == src {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(t.dir, path) // data/cache/...
		if err != nil {
			return err
		}
		to := filepath.Join(dst, strings.TrimPrefix(rel, "data"+string(filepath.Separator)))
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		return os.Link(path, to)
	})
}

// Question returns sub-question i of topic as the planner derives it when the LLM's answer
// holds none (samples/research/planner/src/plan.rs), so both ways ask the same questions.
func Question(topic string, i int) string {
	templates := []string{
		"What is %s, in plain words?",
		"How does %s work?",
		"Why does %s matter, and to whom?",
		"What are the main risks or limits of %s?",
		"What has changed recently in %s?",
		"How is %s measured or evaluated?",
		"What are the alternatives to %s?",
		"What are the open problems in %s?",
	}
	if i < len(templates) {
		return fmt.Sprintf(templates[i], topic)
	}
	return fmt.Sprintf("What else should a newcomer know about %s (part %d)?", topic, i+1)
}
