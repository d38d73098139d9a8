package extism

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/tools"
)

// TestSpinTimesOut: a plugin that loops forever is stopped by the call's deadline, and the
// next call gets a fresh instance.
func TestSpinTimesOut(t *testing.T) {
	s := newSourceT(t, misbehaveConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := call(t, ctx, s, "spin", `{}`, 100)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("spin: err = %v, want a deadline error", err)
	}
	if got := mustCall(t, s, "echo", `{"after":"spin"}`); got != `{"after":"spin"}` {
		t.Errorf("echo after spin = %s", got)
	}
}

// TestConfiguredTimeout: Config.Timeout bounds a call whose context has no deadline.
func TestConfiguredTimeout(t *testing.T) {
	cfg := misbehaveConfig()
	cfg.Timeout = 200 * time.Millisecond
	s := newSourceT(t, cfg)
	if _, err := call(t, context.Background(), s, "spin", `{}`, 100); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("spin: err = %v, want a deadline error", err)
	}
}

// TestOutputIsCut: output beyond the limit is cut, and Bytes says how much there was.
func TestOutputIsCut(t *testing.T) {
	s := newSourceT(t, misbehaveConfig())
	res, err := call(t, context.Background(), s, "huge", `{"bytes":1048576}`, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || res.Bytes != 1<<20 || res.Content != strings.Repeat("x", 1000) || res.IsError {
		t.Fatalf("huge 1 MiB at limit 1000: truncated=%v bytes=%d len=%d", res.Truncated, res.Bytes, len(res.Content))
	}
}

// TestMaxOutputBytes: Config.MaxOutputBytes cuts below the caller's limit.
func TestMaxOutputBytes(t *testing.T) {
	cfg := misbehaveConfig()
	cfg.MaxOutputBytes = 10
	s := newSourceT(t, cfg)
	res, err := call(t, context.Background(), s, "huge", `{"bytes":100}`, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || res.Bytes != 100 || len(res.Content) != 10 {
		t.Fatalf("huge 100 at max 10: %+v", res)
	}
}

// TestOutputBeyondMemoryFails: a plugin cannot make 100 MB of output in a 16 MiB memory; the
// call fails as unavailable, the host does not allocate anything near 100 MB for it, and the
// next call works.
func TestOutputBeyondMemoryFails(t *testing.T) {
	s := newSourceT(t, misbehaveConfig())
	mustCall(t, s, "echo", `{}`) // compile and warm an instance outside the measurement
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := call(t, context.Background(), s, "huge", `{"bytes":100000000}`, 1000)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, tools.ErrUnavailable) {
		t.Fatalf("huge 100 MB: err = %v, want ErrUnavailable", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc >= 100_000_000 {
		t.Errorf("the host allocated %d bytes for a call in a 16 MiB plugin", alloc)
	}
	if got := mustCall(t, s, "echo", `{"after":"huge"}`); got != `{"after":"huge"}` {
		t.Errorf("echo after huge = %s", got)
	}
}

// TestTrapIsUnavailable: a panicking plugin is ErrUnavailable with its message, and the next
// call works.
func TestTrapIsUnavailable(t *testing.T) {
	s := newSourceT(t, misbehaveConfig())
	for range 3 {
		_, err := call(t, context.Background(), s, "trap", `{}`, 100)
		if !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "trap asked for") {
			t.Fatalf("trap: err = %v, want ErrUnavailable with the panic message", err)
		}
		if got := mustCall(t, s, "echo", `"ok"`); got != `"ok"` {
			t.Errorf("echo after trap = %s", got)
		}
	}
}

// TestPluginErrorIsResult: an Extism error is a result with IsError, cut at the limit like
// any output, and the instance stays in use.
func TestPluginErrorIsResult(t *testing.T) {
	cfg := misbehaveConfig()
	cfg.Instances = 1
	s := newSourceT(t, cfg)
	mustCall(t, s, "count", `{}`)
	res, err := call(t, context.Background(), s, "fail", `no luck`, 100)
	if err != nil || !res.IsError || res.Content != "no luck" {
		t.Fatalf("fail = %+v, %v", res, err)
	}
	long := strings.Repeat("é", 1000)
	res, err = call(t, context.Background(), s, "fail", long, 101)
	if err != nil || !res.IsError || !res.Truncated || res.Bytes != 2000 || res.Content != strings.Repeat("é", 50) {
		t.Fatalf("fail with a long message = %+v, %v", res, err)
	}
	if got := mustCall(t, s, "count", `{}`); got != `{"calls":2}` {
		t.Errorf("count after errors = %s, want the same instance's second call", got)
	}
}

// TestPluginCannotReachHost: WASI in a plugin has no files, no environment and no arguments.
func TestPluginCannotReachHost(t *testing.T) {
	t.Setenv("AIOS_EXTISM_SECRET", "do-not-leak")
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Fatalf("the test needs a host file to try: %v", err)
	}
	s := newSourceT(t, misbehaveConfig())
	var report struct {
		Passwd      *string  `json:"passwd"`
		PasswdError string   `json:"passwd_error"`
		Root        []string `json:"root"`
		Home        string   `json:"home"`
		Environ     []string `json:"environ"`
		Args        []string `json:"args"`
	}
	out := mustCall(t, s, "peek", `{}`)
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("peek: %v: %s", err, out)
	}
	if report.Passwd != nil || report.PasswdError == "" {
		t.Errorf("the plugin read /etc/passwd: %s", out)
	}
	if len(report.Root) != 0 || report.Home != "" || len(report.Environ) != 0 || len(report.Args) != 0 {
		t.Errorf("the plugin saw host files, environment or arguments: %s", out)
	}
	if strings.Contains(out, "do-not-leak") {
		t.Errorf("the host environment leaked: %s", out)
	}
}

// TestPluginCannotReachNetwork: Extism's http_request refuses every host, before any
// connection: the call traps and the server sees nothing.
func TestPluginCannotReachNetwork(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "reached")
	}))
	defer srv.Close()
	s := newSourceT(t, misbehaveConfig())
	res, err := call(t, context.Background(), s, "fetch", srv.URL, 100)
	if !errors.Is(err, tools.ErrUnavailable) {
		t.Errorf("fetch = %+v, %v; want ErrUnavailable", res, err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests from the plugin", n)
	}
}

// TestLargeInput: arguments up to a quarter of the plugin's memory arrive whole; larger ones
// are refused before the plugin runs.
func TestLargeInput(t *testing.T) {
	s := newSourceT(t, misbehaveConfig()) // 16 MiB: up to 4 MiB of arguments
	args := `"` + strings.Repeat("a", 4<<20-2) + `"`
	res, err := call(t, context.Background(), s, "echo", args, 8<<20)
	if err != nil || res.Content != args {
		t.Fatalf("echo of 4 MiB: %d bytes back, %v", len(res.Content), err)
	}
	_, err = call(t, context.Background(), s, "echo", args+" ", 8<<20)
	if !errors.Is(err, tools.ErrInvalidArgs) {
		t.Fatalf("echo of 4 MiB + 1: err = %v, want ErrInvalidArgs", err)
	}
}
