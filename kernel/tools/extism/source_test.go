package extism

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel/tools"
)

// TestNewRejectsBadConfig: every configuration mistake is an error at New that names it.
func TestNewRejectsBadConfig(t *testing.T) {
	wasm, err := os.ReadFile(textkitWasm)
	if err != nil {
		t.Fatal(err)
	}
	// A module importing env.f, a host function aios does not give plugins.
	foreignImport := []byte{
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type 0: () -> ()
		0x02, 0x09, 0x01, 0x03, 'e', 'n', 'v', 0x01, 'f', 0x00, 0x00, // import env.f: type 0
	}
	// A module exporting f: (i32) -> (), not an Extism function.
	takesParam := []byte{
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, // type 0: (i32) -> ()
		0x03, 0x02, 0x01, 0x00, // func 0: type 0
		0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00, // export "f": func 0
		0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // body: no locals, end
	}
	fn := []Function{{Name: "word_count"}}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no name", Config{Wasm: wasm, Functions: fn}, "no name"},
		{"no functions", Config{Name: "p", Wasm: wasm}, "no functions"},
		{"unnamed function", Config{Name: "p", Wasm: wasm, Functions: []Function{{}}}, "no name"},
		{"twice", Config{Name: "p", Wasm: wasm, Functions: []Function{{Name: "slugify"}, {Name: "slugify"}}}, `"slugify" configured twice`},
		{"parameters", Config{Name: "p", Wasm: wasm, Functions: []Function{{Name: "slugify", Parameters: []byte(`[1]`)}}}, "not a JSON Schema object"},
		{"no module", Config{Name: "p", Functions: fn}, "neither a path nor wasm"},
		{"missing file", Config{Name: "p", Path: filepath.Join(t.TempDir(), "none.wasm"), Functions: fn}, "none.wasm"},
		{"not wasm", Config{Name: "p", Wasm: []byte("hello"), Functions: fn}, "compile"},
		{"missing export", Config{Name: "p", Wasm: wasm, Functions: []Function{{Name: "word_count"}, {Name: "summarize"}}}, `"summarize" is not exported`},
		{"not an extism function", Config{Name: "p", Wasm: takesParam, Functions: []Function{{Name: "f"}}}, `"f" takes 1 parameters`},
		{"initializer", Config{Name: "p", Wasm: wasm, Functions: []Function{{Name: "_initialize"}}}, `"_initialize" is the module's initializer`},
		{"foreign import", Config{Name: "p", Wasm: foreignImport, Functions: []Function{{Name: "f"}}}, `imports "f" from "env"`},
		{"huge memory", Config{Name: "p", Wasm: wasm, Functions: fn, MaxMemoryPages: 1 << 20}, "max memory pages 1048576"},
		{"negative timeout", Config{Name: "p", Wasm: wasm, Functions: fn, Timeout: -1}, "timeout -1ns is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Cache = testCache
			s, err := New(tc.cfg)
			if err == nil {
				s.Close()
				t.Fatalf("New succeeded, want an error with %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestWasmBytes: a module given as bytes works like one given as a path.
func TestWasmBytes(t *testing.T) {
	wasm, err := os.ReadFile(textkitWasm)
	if err != nil {
		t.Fatal(err)
	}
	s := newSourceT(t, Config{Name: "inline", Wasm: wasm, Functions: []Function{{Name: "slugify"}}, Cache: testCache})
	if got := mustCall(t, s, "slugify", `{"text":"In Line"}`); got != `{"slug":"in-line"}` {
		t.Errorf("slugify = %s", got)
	}
}

// TestUnknownTool: a function that is exported but not configured is not a tool.
func TestUnknownTool(t *testing.T) {
	cfg := textkitConfig()
	cfg.Functions = cfg.Functions[:1]
	s := newSourceT(t, cfg)
	for _, name := range []string{"slugify", "malloc", "", "word_count\x00"} {
		if _, err := s.Call(context.Background(), name, []byte(`{}`), 100); !errors.Is(err, tools.ErrUnknownTool) {
			t.Errorf("call %q: err = %v, want ErrUnknownTool", name, err)
		}
	}
}

// TestConcurrentCalls: many goroutines share one source; every call gets its own answer.
func TestConcurrentCalls(t *testing.T) {
	cfg := textkitConfig()
	cfg.Instances = 2
	s := newSourceT(t, cfg)
	var wg sync.WaitGroup
	errs := make(chan error, 8*10)
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				words := strings.Repeat("w ", g*10+i)
				args, _ := json.Marshal(map[string]string{"text": words})
				res, err := s.Call(context.Background(), "word_count", args, 1000)
				want := fmt.Sprintf(`{"words":%d,"chars":%d,"lines":%d,"bytes":%d}`, g*10+i, len(words), min(len(words), 1), len(words))
				if err != nil || res.Content != want {
					errs <- fmt.Errorf("goroutine %d call %d: %+v, %v; want %s", g, i, res, err, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestInstances: a pool reuses an instance, so a plugin's globals persist between calls; with
// a negative Instances every call gets a fresh instance.
func TestInstances(t *testing.T) {
	for _, tc := range []struct {
		instances int
		want      []string
	}{
		{0, []string{`{"calls":1}`, `{"calls":2}`, `{"calls":3}`}},
		{-1, []string{`{"calls":1}`, `{"calls":1}`, `{"calls":1}`}},
	} {
		cfg := misbehaveConfig()
		cfg.Instances = tc.instances
		s := newSourceT(t, cfg)
		for i, want := range tc.want {
			if got := mustCall(t, s, "count", `{}`); got != want {
				t.Errorf("instances %d, call %d: %s, want %s", tc.instances, i, got, want)
			}
		}
	}
}

// TestClose: after Close a call fails as unavailable; a call in flight ends.
func TestClose(t *testing.T) {
	s, err := New(misbehaveConfig())
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, s, "echo", `{}`)
	spinning := make(chan error, 1)
	go func() {
		_, err := s.Call(context.Background(), "spin", []byte(`{}`), 100)
		spinning <- err
	}()
	// The spin call may or may not have started when Close runs; either way it must end.
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := call(t, context.Background(), s, "echo", `{}`, 100); !errors.Is(err, tools.ErrUnavailable) {
		t.Errorf("call after Close: err = %v, want ErrUnavailable", err)
	}
	if err := <-spinning; err == nil {
		t.Error("the spin call in flight at Close succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestCut: output is cut at the limit without splitting a UTF-8 sequence.
func TestCut(t *testing.T) {
	for _, tc := range []struct {
		out   string
		limit int64
		want  string
		trunc bool
	}{
		{"hello", 10, "hello", false},
		{"hello", 5, "hello", false},
		{"hello", 4, "hell", true},
		{"hello", 0, "", true},
		{"hello", -7, "", true},
		{"", 0, "", false},
		{"aé", 2, "a", true},
		{"a😀", 4, "a", true},
		{"a😀", 5, "a😀", false},
		{"\xff\xff\xff", 2, "\xff\xff", true},
		{"\x80\x80\x80\x80\x80\x80", 5, "\x80\x80", true},
	} {
		res := cut([]byte(tc.out), tc.limit)
		if res.Content != tc.want || res.Truncated != tc.trunc || res.Bytes != int64(len(tc.out)) {
			t.Errorf("cut(%q, %d) = %+v, want %q truncated=%v", tc.out, tc.limit, res, tc.want, tc.trunc)
		}
	}
}

// TestInstancesAreKeptPerCaller: an instance's state (the count plugin's global) passes from
// one call to the next of the same caller only, never to another caller's call.
func TestInstancesAreKeptPerCaller(t *testing.T) {
	s := newSourceT(t, misbehaveConfig())
	alice := tools.WithCaller(context.Background(), "t/alice")
	bob := tools.WithCaller(context.Background(), "t/bob")
	for i, c := range []struct {
		ctx  context.Context
		want string
	}{
		{alice, `{"calls":1}`}, {alice, `{"calls":2}`}, {bob, `{"calls":1}`}, {alice, `{"calls":3}`}, {bob, `{"calls":2}`},
	} {
		res, err := s.Call(c.ctx, "count", []byte(`{}`), 100)
		if err != nil || res.Content != c.want {
			t.Fatalf("call %d by %s: %q, %v; want %s", i, tools.CallerOf(c.ctx), res.Content, err, c.want)
		}
	}
}
