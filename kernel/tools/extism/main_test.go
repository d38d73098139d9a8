package extism

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/aiosys/aios/kernel/tools"
)

// Plugin files built by TestMain, and the compilation cache the tests share so that each
// plugin is compiled once.
var (
	textkitWasm   string
	misbehaveWasm string
	testCache     = wazero.NewCompilationCache()
)

// TestMain builds the plugins with the standard Go toolchain (GOOS=wasip1, c-shared), into a
// temporary directory; Go's build cache makes this quick after the first run.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "aios-extism-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	textkitWasm = filepath.Join(dir, "textkit.wasm")
	misbehaveWasm = filepath.Join(dir, "misbehave.wasm")
	for src, out := range map[string]string{
		"../../../plugins/textkit": textkitWasm,
		"testdata/misbehave":       misbehaveWasm,
	} {
		if err := buildPlugin(src, out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

func buildPlugin(src, out string) error {
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build plugin %s: %v\n%s", src, err, b)
	}
	return nil
}

// textkitConfig configures the textkit plugin's three tools.
func textkitConfig() Config {
	return Config{
		Name:  "textkit",
		Path:  textkitWasm,
		Cache: testCache,
		Functions: []Function{
			{Name: "word_count", Description: "Counts words, characters and lines.", Parameters: []byte(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)},
			{Name: "slugify", Description: "Turns text into a URL slug."},
			{Name: "json_pick", Description: "Picks a value out of a JSON document by a dotted path."},
		},
	}
}

// misbehaveConfig configures every export of the misbehave plugin, with a 16 MiB memory.
func misbehaveConfig() Config {
	cfg := Config{Name: "misbehave", Path: misbehaveWasm, MaxMemoryPages: 256, Cache: testCache}
	for _, name := range []string{"spin", "huge", "trap", "fail", "echo", "count", "peek", "fetch"} {
		cfg.Functions = append(cfg.Functions, Function{Name: name})
	}
	return cfg
}

func newSourceT(t testing.TB, cfg Config) *Source {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// hangGuard is how long a call may take before a test calls it hung: generous, since a
// loaded machine may be slow, but finite.
const hangGuard = 2 * time.Minute

// call runs s.Call under the hang guard.
func call(t testing.TB, ctx context.Context, s *Source, name, args string, limit int64) (tools.Result, error) {
	t.Helper()
	type answer struct {
		res tools.Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := s.Call(ctx, name, []byte(args), limit)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-time.After(hangGuard):
		t.Fatalf("call %s hung for %v", name, hangGuard)
		return tools.Result{}, errors.New("hung")
	}
}

// mustCall runs a call that must succeed without IsError.
func mustCall(t testing.TB, s *Source, name, args string) string {
	t.Helper()
	res, err := call(t, context.Background(), s, name, args, 1<<20)
	if err != nil {
		t.Fatalf("%s(%s): %v", name, args, err)
	}
	if res.IsError || res.Truncated {
		t.Fatalf("%s(%s) = %+v", name, args, res)
	}
	return res.Content
}
