package policy

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const denyAll = "package aios.policy\n\ndeny contains \"closed for maintenance\"\n"

func TestReloadKeepsPreviousOnCompileError(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "ops.rego", denyAll)
	e := newEngine(t, Config{Paths: []string{dir}})
	in := Input{Agent: writer(), Call: "log"}
	if d := decide(t, e, in); d.Allow {
		t.Fatalf("before: %+v", d)
	}

	writeFile(t, dir, "ops.rego", "package aios.policy\n\ndeny contains x if { x := undefined_thing }\n")
	err := e.Reload(context.Background())
	if !errors.Is(err, ErrCompile) || !strings.Contains(err.Error(), "undefined_thing") || !strings.Contains(err.Error(), "ops.rego") {
		t.Fatalf("Reload of a broken file: %v, want the compiler's error", err)
	}
	if d := decide(t, e, in); d.Allow || d.Reason != "closed for maintenance" {
		t.Errorf("after failed reload: %+v, want the previous policy", d)
	}

	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if d := decide(t, e, in); !d.Allow {
		t.Errorf("after reload: %+v, want allowed", d)
	}
}

func TestNewRefusesSyntaxError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.rego", "package aios.policy\n\ndeny contains \"x\" if {\n")
	_, err := New(context.Background(), Config{Paths: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "bad.rego") {
		t.Fatalf("New: %v, want a parse error naming the file", err)
	}
	if _, err := New(context.Background(), Config{Paths: []string{filepath.Join(dir, "missing")}}); err == nil {
		t.Fatal("New with a missing path succeeded")
	}
}

func TestHostBuiltinsRefused(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "net.rego", `package aios.policy

deny contains "remote says no" if {
	http.send({"method": "GET", "url": "http://127.0.0.1:1/"}).status_code != 200
}
`)
	_, err := New(context.Background(), Config{Paths: []string{dir}})
	if !errors.Is(err, ErrCompile) || !strings.Contains(err.Error(), "undefined function http.send") ||
		!strings.Contains(err.Error(), "allow_host_access") {
		t.Fatalf("New with http.send: %v, want a compile error with the hint", err)
	}
	for _, b := range []string{"net.lookup_ip_addr(\"localhost\")", "opa.runtime()"} {
		writeFile(t, dir, "net.rego", "package aios.policy\n\nx := "+b+"\n")
		if _, err := New(context.Background(), Config{Paths: []string{dir}}); !errors.Is(err, ErrCompile) {
			t.Errorf("%s: %v, want a compile error", b, err)
		}
	}
	if _, err := New(context.Background(), Config{Paths: []string{dir}, AllowHostAccess: true}); err != nil {
		t.Errorf("with AllowHostAccess: %v", err)
	}
}

func TestWatchReloadsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	e := newEngine(t, Config{Paths: []string{dir}, PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := e.Watch(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Watch returned %v", err)
		}
	})
	defer func() { cancel(); wg.Wait() }()

	in := Input{Agent: writer(), Call: "log"}
	writeFile(t, dir, "ops.rego", denyAll)
	waitFor(t, func() bool { return !decide(t, e, in).Allow })

	// A broken edit is refused; the denial stays in force.
	writeFile(t, dir, "ops.rego", "package aios.policy\n\ndeny contains \"x\" if {\n")
	time.Sleep(50 * time.Millisecond)
	if d := decide(t, e, in); d.Reason != "closed for maintenance" {
		t.Errorf("after broken edit: %+v", d)
	}
	writeFile(t, dir, "ops.rego", "package aios.policy\n")
	waitFor(t, func() bool { return decide(t, e, in).Allow })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDecideDuringReloads(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ops.rego", "package aios.policy\n")
	e := newEngine(t, Config{Paths: []string{dir}, Grants: []Grant{grantAll()}})
	in := Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if _, err := e.Decide(context.Background(), in); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 5 {
		if err := e.Reload(context.Background()); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
}

func TestReloadOnSIGHUP(t *testing.T) {
	// The test's own subscription keeps a SIGHUP that arrives before the engine's from
	// terminating the test binary.
	guard := make(chan os.Signal, 16)
	signal.Notify(guard, syscall.SIGHUP)
	defer signal.Stop(guard)

	dir := t.TempDir()
	e := newEngine(t, Config{Paths: []string{dir}})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.ReloadOnSIGHUP(ctx) })
	defer func() { cancel(); wg.Wait() }()

	writeFile(t, dir, "ops.rego", denyAll)
	in := Input{Agent: writer(), Call: "log"}
	waitFor(t, func() bool {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		return !decide(t, e, in).Allow
	})
}
