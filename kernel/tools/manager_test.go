package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testSource is a Source whose tools and calls a test writes.
type testSource struct {
	name  string
	tools []Info
	err   error // from Tools while fails > 0
	fails atomic.Int32
	call  func(ctx context.Context, name string, args json.RawMessage, limit int64) (Result, error)
	asked atomic.Int32
	close atomic.Int32
}

func (s *testSource) Name() string { return s.name }

func (s *testSource) Tools(context.Context) ([]Info, error) {
	s.asked.Add(1)
	if s.fails.Add(-1) >= 0 {
		return nil, s.err
	}
	return s.tools, nil
}

func (s *testSource) Call(ctx context.Context, name string, args json.RawMessage, limit int64) (Result, error) {
	return s.call(ctx, name, args, limit)
}

func (s *testSource) Close() error { s.close.Add(1); return nil }

func echoCall(_ context.Context, name string, args json.RawMessage, _ int64) (Result, error) {
	return Result{Content: name + " " + string(args)}, nil
}

func tool(name, kind, source, schema string) Info {
	return Info{Tool: Tool{Name: name, Description: "test tool " + name, Parameters: json.RawMessage(schema)}, Kind: kind, Source: source}
}

const citySchema = `{"type":"object","properties":{"city":{"type":"string","minLength":1},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["city"],"additionalProperties":false}`

func newManager(t *testing.T, opts Options, sources ...Source) *Manager {
	t.Helper()
	m, err := New(sources, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestPrepareValidatesArguments(t *testing.T) {
	src := &testSource{name: "weather", tools: []Info{tool("forecast", KindExtism, "weather", citySchema)}, call: echoCall}
	m := newManager(t, Options{}, src)
	for _, tc := range []struct {
		args, want string // want: the normalized args, or the error's text
		ok         bool
	}{
		{`{"city":"Oslo","days":3}`, `{"city":"Oslo","days":3}`, true},
		{` {"days":2, "city":"Oslo"} `, `{"city":"Oslo","days":2}`, true},
		{`"{\"city\":\"Oslo\"}"`, `{"city":"Oslo"}`, true}, // arguments as a JSON string
		{`{"city":"Oslo","city":"Bergen"}`, `{"city":"Bergen"}`, true},
		{`{"city":"<Tromsø & Bodø>"}`, `{"city":"<Tromsø & Bodø>"}`, true},
		{`{"days":3}`, "missing property 'city'", false},
		{`{"city":"Oslo","days":9}`, "maximum", false},
		{`{"city":"Oslo","x":1}`, "additional properties 'x' not allowed", false},
		{`[1,2]`, "arguments are an array, not a JSON object", false},
		{`"[1]"`, "arguments are an array, not a JSON object", false},
		{`"just text"`, "arguments are not JSON", false},
		{`null`, "arguments are null, not a JSON object", false},
		{`{"city":"Oslo"} {}`, "arguments are not JSON", false},
		{`{"city":`, "arguments are not JSON", false},
	} {
		c, err := m.Prepare("forecast", json.RawMessage(tc.args))
		if tc.ok {
			if err != nil || string(c.Args) != tc.want {
				t.Errorf("Prepare(%s) = %s, %v; want %s", tc.args, c.Args, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidArgs) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Prepare(%s) error = %v; want ErrInvalidArgs with %q", tc.args, err, tc.want)
		}
	}
}

func TestPrepareEmptyArgumentsAreAnEmptyObject(t *testing.T) {
	src := &testSource{name: "clock", tools: []Info{tool("now", KindExtism, "clock", `{"type":"object"}`)}, call: echoCall}
	m := newManager(t, Options{}, src)
	for _, args := range []string{"", `""`, "  "} {
		c, err := m.Prepare("now", json.RawMessage(args))
		if err != nil || string(c.Args) != "{}" {
			t.Errorf("Prepare(%q) = %s, %v; want {}", args, c.Args, err)
		}
	}
}

func TestPrepareBoundsArgumentsAndMessages(t *testing.T) {
	src := &testSource{name: "weather", tools: []Info{tool("forecast", KindExtism, "weather", citySchema)}, call: echoCall}
	m := newManager(t, Options{}, src)
	big := `{"city":"` + strings.Repeat("x", 2<<20) + `"}`
	if _, err := m.Prepare("forecast", json.RawMessage(big)); !errors.Is(err, ErrInvalidArgs) || len(err.Error()) > 2*maxMessage {
		t.Fatalf("2 MiB of arguments: %.200v", err)
	}
	// A violation whose message quotes a long value is cut.
	long := `{"city":"Oslo","` + strings.Repeat("k", 100_000) + `":1}`
	_, err := m.Prepare("forecast", json.RawMessage(long))
	if !errors.Is(err, ErrInvalidArgs) || len(err.Error()) > 2*maxMessage {
		t.Fatalf("long violation: %d bytes: %.200v", len(err.Error()), err)
	}
}

func TestPrepareUnknownTool(t *testing.T) {
	m := newManager(t, Options{}, &testSource{name: "s", tools: []Info{tool("a", KindExtism, "s", `{}`)}, call: echoCall})
	_, err := m.Prepare("b", json.RawMessage(`{}`))
	if !errors.Is(err, ErrUnknownTool) || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("err = %v; want ErrUnknownTool naming b", err)
	}
	if _, err := m.Run(context.Background(), "agent", Call{Info: Info{Tool: Tool{Name: "a"}}}); !errors.Is(err, ErrUnknownTool) {
		t.Fatalf("Run of a Call not from Prepare: %v", err)
	}
}

func TestListSortedAndConfirm(t *testing.T) {
	destructive := tool("delete_repo", KindMCP, "github", `{"type":"object"}`)
	destructive.Destructive = true
	github := &testSource{name: "github", tools: []Info{tool("search", KindMCP, "github", `{"type":"object"}`), destructive}, call: echoCall}
	plugin := &testSource{name: "calc", tools: []Info{tool("add", KindExtism, "calc", `{"type":"object"}`)}, call: echoCall}
	m := newManager(t, Options{Sources: map[string]Policy{"calc": {Confirm: true}}}, github, plugin)
	var names []string
	for _, info := range m.List(context.Background()) {
		names = append(names, info.Name)
	}
	if got := strings.Join(names, ","); got != "add,delete_repo,search" {
		t.Fatalf("List = %s", got)
	}
	for name, want := range map[string]bool{"add": true, "delete_repo": true, "search": false} {
		c, err := m.Prepare(name, nil)
		if err != nil || c.Confirm != want {
			t.Errorf("%s: Confirm = %v, %v; want %v", name, c.Confirm, err, want)
		}
	}
	trusting := newManager(t, Options{Sources: map[string]Policy{"github": {TrustDestructive: true}}},
		&testSource{name: "github", tools: []Info{destructive}, call: echoCall})
	if c, err := trusting.Prepare("delete_repo", nil); err != nil || c.Confirm {
		t.Fatalf("TrustDestructive: Confirm = %v, %v", c.Confirm, err)
	}
}

func TestNewRefusesDuplicatesAndBadConfiguredSchemas(t *testing.T) {
	a := &testSource{name: "plugin-a", tools: []Info{tool("x", KindExtism, "plugin-a", `{}`)}, call: echoCall}
	b := &testSource{name: "plugin-b", tools: []Info{tool("x", KindExtism, "plugin-b", `{}`)}, call: echoCall}
	_, err := New([]Source{a, b}, Options{})
	if err == nil || !strings.Contains(err.Error(), "plugin-a") || !strings.Contains(err.Error(), "plugin-b") {
		t.Fatalf("duplicate: err = %v; want both sources named", err)
	}
	if a.close.Load() != 1 || b.close.Load() != 1 {
		t.Fatal("New failed without closing its sources")
	}
	for _, schema := range []string{`{"type":"object","properties":{"n":{"type":"nonsense"}}}`, `[1]`, `{"type":"string"}`, `not json`} {
		bad := &testSource{name: "p", tools: []Info{tool("y", KindExtism, "p", schema)}, call: echoCall}
		if _, err := New([]Source{bad}, Options{}); err == nil || !strings.Contains(err.Error(), `tool "y" of p`) {
			t.Errorf("schema %s: err = %v", schema, err)
		}
	}
}

func TestMCPToolWithBadSchemaIsUnavailable(t *testing.T) {
	src := &testSource{name: "server", tools: []Info{
		tool("good", KindMCP, "server", `{"type":"object"}`),
		tool("bad", KindMCP, "server", `{"type":"object","properties":{"n":{"minimum":"x"}}}`),
		tool("remote", KindMCP, "server", `{"$ref":"https://example.com/schema.json"}`),
		tool("local", KindMCP, "server", `{"$ref":"file:///etc/passwd"}`),
	}, call: echoCall}
	m := newManager(t, Options{}, src)
	if got := len(m.List(context.Background())); got != 1 {
		t.Fatalf("List has %d tools; want the good one only", got)
	}
	for _, name := range []string{"bad", "remote", "local"} {
		_, err := m.Prepare(name, nil)
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "schema") {
			t.Errorf("%s: err = %v; want ErrUnavailable about its schema", name, err)
		}
	}
	if got := m.Unavailable(); len(got) != 3 {
		t.Fatalf("Unavailable = %q", got)
	}
}

func TestFailedSourceIsAskedAgainWithBackoff(t *testing.T) {
	src := &testSource{name: "slow-server", tools: []Info{tool("late", KindMCP, "slow-server", `{}`)}, err: errors.New("server did not start"), call: echoCall}
	src.fails.Store(2)
	good := &testSource{name: "ok", tools: []Info{tool("now", KindExtism, "ok", `{}`)}, call: echoCall}
	m, err := New([]Source{src, good}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.minBackoff = 20 * time.Millisecond
	state := m.sources[0]
	if u := m.Unavailable(); len(u) != 1 || !strings.Contains(u[0], "slow-server: server did not start") {
		t.Fatalf("Unavailable = %q", u)
	}
	// Within the backoff the source is not asked.
	m.mu.Lock()
	state.next = time.Now().Add(time.Hour)
	m.mu.Unlock()
	if _, err := m.Prepare("late", nil); !errors.Is(err, ErrUnknownTool) || src.asked.Load() != 1 {
		t.Fatalf("within backoff: %v, asked %d times", err, src.asked.Load())
	}
	m.mu.Lock()
	state.next, state.backoff = time.Now(), 15*time.Millisecond
	m.mu.Unlock()
	m.List(context.Background()) // fails again; the backoff doubles
	m.mu.RLock()
	backoff := state.backoff
	m.mu.RUnlock()
	if src.asked.Load() != 2 || backoff != 30*time.Millisecond {
		t.Fatalf("asked %d times, backoff %s", src.asked.Load(), backoff)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := m.Prepare("late", nil); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the source's tools never joined")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(m.List(context.Background())) != 2 || len(m.Unavailable()) != 0 {
		t.Fatalf("after recovery: %v, %q", m.List(context.Background()), m.Unavailable())
	}
}

func TestRunRateLimitPerCaller(t *testing.T) {
	src := &testSource{name: "s", tools: []Info{tool("t", KindExtism, "s", `{}`)}, call: echoCall}
	// One call per hour: a second call cannot wait within the timeout.
	m := newManager(t, Options{Default: Policy{Rate: Rate{Calls: 1, Per: time.Hour}, Timeout: time.Minute}}, src)
	c, err := m.Prepare("t", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Run(ctx, "acme/alice", c); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(ctx, "acme/alice", c); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("second call of alice: %v; want ErrRateLimited", err)
	}
	if _, err := m.Run(ctx, "acme/bob", c); err != nil {
		t.Fatalf("bob has his own rate: %v", err)
	}
}

func TestRunWaitsForRateWithinTimeout(t *testing.T) {
	src := &testSource{name: "s", tools: []Info{tool("t", KindExtism, "s", `{}`)}, call: echoCall}
	m := newManager(t, Options{Default: Policy{Rate: Rate{Calls: 1, Per: 50 * time.Millisecond}, Timeout: time.Minute}}, src)
	c, _ := m.Prepare("t", nil)
	start := time.Now()
	for range 3 {
		if _, err := m.Run(context.Background(), "a", c); err != nil {
			t.Fatal(err)
		}
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Fatalf("three calls at 1 per 50ms took %s", waited)
	}
}

func TestRunTimeoutOfSlowSource(t *testing.T) {
	slow := func(ctx context.Context, _ string, _ json.RawMessage, _ int64) (Result, error) {
		select {
		case <-ctx.Done():
			return Result{}, errors.New("server gave up: " + ctx.Err().Error())
		case <-time.After(time.Minute):
			return Result{Content: "too late"}, nil
		}
	}
	src := &testSource{name: "s", tools: []Info{tool("slow", KindMCP, "s", `{}`), tool("fast", KindMCP, "s", `{}`)}, call: func(ctx context.Context, name string, args json.RawMessage, limit int64) (Result, error) {
		if name == "slow" {
			return slow(ctx, name, args, limit)
		}
		return echoCall(ctx, name, args, limit)
	}}
	m := newManager(t, Options{Default: Policy{Timeout: 50 * time.Millisecond}}, src)
	slowCall, _ := m.Prepare("slow", nil)
	fastCall, _ := m.Prepare("fast", nil)
	var wg sync.WaitGroup
	var slowErr error
	wg.Go(func() { _, slowErr = m.Run(context.Background(), "a", slowCall) })
	// Another caller is not held up by the slow call.
	if res, err := m.Run(context.Background(), "b", fastCall); err != nil || res.Content != "fast {}" {
		t.Fatalf("fast call: %v, %v", res, err)
	}
	wg.Wait()
	if !errors.Is(slowErr, context.DeadlineExceeded) || !strings.Contains(slowErr.Error(), "timed out after 50ms") {
		t.Fatalf("slow call: %v; want a timeout", slowErr)
	}
}

func TestRunWrapsSourceFailures(t *testing.T) {
	src := &testSource{name: "s", tools: []Info{tool("crash", KindMCP, "s", `{}`), tool("refuse", KindMCP, "s", `{}`)}, call: func(_ context.Context, name string, _ json.RawMessage, _ int64) (Result, error) {
		if name == "refuse" {
			return Result{}, fmt.Errorf("no: %w", ErrRefused)
		}
		return Result{}, errors.New("server exited with status 2")
	}}
	m := newManager(t, Options{}, src)
	c, _ := m.Prepare("crash", nil)
	if _, err := m.Run(context.Background(), "a", c); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "status 2") {
		t.Fatalf("crash: %v", err)
	}
	c, _ = m.Prepare("refuse", nil)
	if _, err := m.Run(context.Background(), "a", c); !errors.Is(err, ErrRefused) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("refuse: %v", err)
	}
}

func TestRunCapsOutputOfSourceThatIgnoresLimit(t *testing.T) {
	src := &testSource{name: "s", tools: []Info{tool("t", KindExtism, "s", `{}`)}, call: func(context.Context, string, json.RawMessage, int64) (Result, error) {
		return Result{Content: strings.Repeat("x", 5000)}, nil
	}}
	m := newManager(t, Options{Default: Policy{MaxOutput: 100}}, src)
	c, _ := m.Prepare("t", nil)
	res, err := m.Run(context.Background(), "a", c)
	if err != nil || len(res.Content) != 100 || !res.Truncated || res.Bytes != 5000 {
		t.Fatalf("Run = %d bytes, truncated %v, Bytes %d, %v", len(res.Content), res.Truncated, res.Bytes, err)
	}
}

func TestNewRefusesBadRate(t *testing.T) {
	src := &testSource{name: "s", tools: nil, call: echoCall}
	if _, err := New([]Source{src}, Options{Sources: map[string]Policy{"s": {Rate: Rate{Calls: -1, Per: time.Second}}}}); err == nil || src.close.Load() != 1 {
		t.Fatalf("err = %v, closed %d", err, src.close.Load())
	}
}

// TestListedSchemasDropMetaKeywords: "$schema" and "$id" name a schema; the tools agents hand
// to models go without them, and arguments are still checked against the whole schema.
func TestListedSchemasDropMetaKeywords(t *testing.T) {
	src := &testSource{name: "mcp", call: echoCall, tools: []Info{tool("sum", KindMCP, "mcp",
		`{"$schema":"http://json-schema.org/draft-07/schema#","$id":"urn:sum","type":"object","properties":{"a":{"type":"number"}},"required":["a"]}`)}}
	m := newManager(t, Options{}, src)
	got := string(m.List(context.Background())[0].Parameters)
	if strings.Contains(got, "$schema") || strings.Contains(got, "$id") || !strings.Contains(got, `"required":["a"]`) {
		t.Fatalf("listed schema = %s", got)
	}
	if _, err := m.Prepare("sum", json.RawMessage(`{}`)); !errors.Is(err, ErrInvalidArgs) {
		t.Fatalf("arguments missing a required field: %v", err)
	}
}
