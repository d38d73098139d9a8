package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/aiosys/aios/kernel/tools"
)

func TestToolsOfTheReferenceServer(t *testing.T) {
	s := newSource(t, everything(t))
	infos, err := s.Tools(guard(t))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]tools.Info{}
	for _, info := range infos {
		byName[info.Name] = info
		var schema map[string]any
		if err := json.Unmarshal(info.Parameters, &schema); err != nil {
			t.Errorf("tool %q: schema is not a JSON object: %v: %s", info.Name, err, info.Parameters)
		}
		if info.Kind != "mcp" || info.Source != "everything" {
			t.Errorf("tool %q: kind %q source %q, want mcp everything", info.Name, info.Kind, info.Source)
		}
	}
	for _, name := range []string{"echo", "get-sum", "get-env", "get-tiny-image"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("no tool %q among %d tools", name, len(infos))
		}
	}
	echo := byName["echo"]
	if echo.Destructive || echo.Description == "" || !strings.Contains(string(echo.Parameters), `"message"`) {
		t.Errorf("echo = %+v, want a non-destructive tool with a description and a message parameter", echo)
	}
}

func TestCallEchoAndSum(t *testing.T) {
	s := newSource(t, everything(t))
	ctx := guard(t)
	res, err := s.Call(ctx, "echo", json.RawMessage(`{"message":"héllo\nworld"}`), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := "Echo: héllo\nworld"
	if res != (tools.Result{Content: want, Bytes: int64(len(want))}) {
		t.Errorf("echo = %+v, want %q", res, want)
	}
	res, err = s.Call(ctx, "get-sum", json.RawMessage(`{"a":2,"b":40}`), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if res.Content != "The sum of 2 and 40 is 42." || res.IsError {
		t.Errorf("get-sum = %+v", res)
	}
}

func TestCallCutsOutputAtLimit(t *testing.T) {
	s := newSource(t, everything(t))
	msg := strings.Repeat("é", 1000) // two bytes each: a cut at an odd offset splits one
	res, err := s.Call(guard(t), "echo", json.RawMessage(`{"message":"`+msg+`"}`), 11)
	if err != nil {
		t.Fatal(err)
	}
	if res.Content != "Echo: éé" || !res.Truncated || res.Bytes != int64(len("Echo: "+msg)) {
		t.Errorf("result = %+v, want the first 10 bytes (not half an é), truncated, bytes %d", res, len("Echo: "+msg))
	}
	for _, limit := range []int64{0, -5} {
		res, err = s.Call(guard(t), "echo", json.RawMessage(`{"message":"x"}`), limit)
		if err != nil || res.Content != "" || !res.Truncated || res.Bytes != 7 {
			t.Errorf("limit %d: %+v, %v; want nothing kept, truncated, 7 bytes", limit, res, err)
		}
	}
}

func TestCallSummarizesImages(t *testing.T) {
	s := newSource(t, everything(t))
	res, err := s.Call(guard(t), "get-tiny-image", nil, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Content, "[image image/png ") || strings.Contains(res.Content, "iVBOR") {
		t.Errorf("content = %q, want the image summarized, not its base64", res.Content)
	}
}

func TestCallInvalidArguments(t *testing.T) {
	s := newSource(t, everything(t))
	res, err := s.Call(guard(t), "get-sum", json.RawMessage(`{"a":"two"}`), 1<<20)
	// The reference server reports bad arguments as a tool error, other servers as invalid
	// params; both tell the agent, neither is the server failing.
	if err != nil && !errors.Is(err, tools.ErrInvalidArgs) || err == nil && !res.IsError {
		t.Errorf("get-sum with a string = %+v, %v; want IsError or ErrInvalidArgs", res, err)
	}
	if _, err := s.Call(guard(t), "echo", json.RawMessage(`{"message":`), 100); !errors.Is(err, tools.ErrInvalidArgs) {
		t.Errorf("broken JSON: %v, want ErrInvalidArgs", err)
	}
}

func TestServerEnvironmentIsMinimal(t *testing.T) {
	t.Setenv("AIOS_HOST_SECRET", "leaked")
	cfg := everything(t)
	cfg.Env = []string{"GREETING=hi\nthere"}
	s := newSource(t, cfg)
	res, err := s.Call(guard(t), "get-env", nil, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(res.Content), &env); err != nil {
		t.Fatalf("get-env: %v: %q", err, res.Content)
	}
	if env["GREETING"] != "hi\nthere" || env["PATH"] == "" {
		t.Errorf("env lacks GREETING or PATH: %v", env)
	}
	if _, ok := env["AIOS_HOST_SECRET"]; ok {
		t.Errorf("the host's environment leaked into the server's: %v", env)
	}
}

func TestToolsSubset(t *testing.T) {
	cfg := everything(t)
	cfg.Tools = []string{"echo"}
	s := newSource(t, cfg)
	infos, err := s.Tools(guard(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Name != "echo" {
		t.Errorf("tools = %+v, want only echo", infos)
	}
	if _, err := s.Call(guard(t), "get-sum", json.RawMessage(`{"a":1,"b":2}`), 100); !errors.Is(err, tools.ErrUnknownTool) {
		t.Errorf("calling a tool not exposed: %v, want ErrUnknownTool", err)
	}

	cfg.Tools = []string{"echo", "no-such-tool"}
	s = newSource(t, cfg)
	if _, err := s.Tools(guard(t)); err == nil || !strings.Contains(err.Error(), `"no-such-tool"`) {
		t.Errorf("listing with a missing configured tool: %v, want an error naming it", err)
	}
}

func TestUnknownToolAfterListing(t *testing.T) {
	s := newSource(t, everything(t))
	if _, err := s.Tools(guard(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Call(guard(t), "no\x00such", nil, 100); !errors.Is(err, tools.ErrUnknownTool) {
		t.Errorf("unknown tool: %v, want ErrUnknownTool", err)
	}
}

func TestCrashedServerIsReportedThenRestarted(t *testing.T) {
	s := newSource(t, everything(t))
	ctx := guard(t)
	echo := func() (tools.Result, error) {
		return s.Call(ctx, "echo", json.RawMessage(`{"message":"again"}`), 100)
	}
	if _, err := echo(); err != nil {
		t.Fatal(err)
	}
	pid := serverPid(t, s)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	_, err := echo()
	if !errors.Is(err, tools.ErrUnavailable) {
		t.Fatalf("first call after the crash: %v, want ErrUnavailable", err)
	}
	t.Logf("first call after the crash: %v", err)
	for {
		res, err := echo()
		if err == nil {
			if res.Content != "Echo: again" {
				t.Errorf("after restart: %+v", res)
			}
			break
		}
		if !errors.Is(err, tools.ErrUnavailable) || ctx.Err() != nil {
			t.Fatalf("waiting for the restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if serverPid(t, s) == pid {
		t.Error("the session after the crash has the crashed process")
	}
}

func TestServerWritingGarbage(t *testing.T) {
	s := newSource(t, Config{Name: "garbage", Command: []string{"sh", "-c", "echo oops >&2; echo garbage; exec sleep 60"}})
	_, err := s.Tools(guard(t))
	if !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "oops") {
		t.Errorf("tools of a server writing garbage: %v, want ErrUnavailable quoting its stderr", err)
	}
	if _, err := s.Tools(guard(t)); !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "restarting in") {
		t.Errorf("second listing: %v, want ErrUnavailable with the backoff", err)
	}
}

func TestServerThatExits(t *testing.T) {
	s := newSource(t, Config{Name: "quitter", Command: []string{"sh", "-c", "echo 'no config file' >&2; exit 3"}})
	_, err := s.Call(guard(t), "anything", nil, 100)
	if !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "no config file") ||
		!strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("call to a server that exits: %v, want ErrUnavailable with its status and stderr", err)
	}
	if !strings.Contains(string(s.Stderr()), "no config file") {
		t.Errorf("Stderr() = %q", s.Stderr())
	}
}

func TestMissingProgram(t *testing.T) {
	s := newSource(t, Config{Name: "missing", Command: []string{"/nonexistent/mcp-server"}})
	if _, err := s.Tools(guard(t)); !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "/nonexistent/mcp-server") {
		t.Errorf("tools of a missing program: %v", err)
	}
}

func TestMessageLargerThanTheBoundEndsTheSession(t *testing.T) {
	cfg := everything(t)
	cfg.MaxMessageBytes = 64 << 10 // the handshake fits; the echo does not
	s := newSource(t, cfg)
	ctx := guard(t)
	if _, err := s.Call(ctx, "echo", json.RawMessage(`{"message":"small"}`), 100); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 100<<10)
	if _, err := s.Call(ctx, "echo", json.RawMessage(`{"message":"`+big+`"}`), 100); !errors.Is(err, tools.ErrUnavailable) {
		t.Errorf("an answer over the bound: %v, want ErrUnavailable", err)
	}
}

func TestCloseKillsTheProcessGroup(t *testing.T) {
	js := everythingJS(t)
	// The server starts a helper that would outlive it if only the server were killed.
	s := newSource(t, Config{Name: "parent", Command: []string{"sh", "-c", `sleep 300 & exec node "$0" stdio`, js}})
	if _, err := s.Tools(guard(t)); err != nil {
		t.Fatal(err)
	}
	pid := serverPid(t, s)
	if processGone(pid) {
		t.Fatal("the server's group is empty while it runs")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Close has waited for the server and sent its group SIGKILL; the helper dies with it.
	waitGone(t, pid)
	if _, err := s.Tools(guard(t)); !errors.Is(err, tools.ErrUnavailable) {
		t.Errorf("tools after Close: %v, want ErrUnavailable", err)
	}
}

func TestStreamableHTTPReferenceServer(t *testing.T) {
	s := newSource(t, Config{Name: "everything-http", URL: everythingHTTP(t)})
	ctx := guard(t)
	infos, err := s.Tools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) == 0 {
		t.Fatal("no tools over HTTP")
	}
	res, err := s.Call(ctx, "echo", json.RawMessage(`{"message":"over http"}`), 100)
	if err != nil || res.Content != "Echo: over http" {
		t.Errorf("echo over HTTP = %+v, %v", res, err)
	}
}

func TestDestructiveFollowsTheSpecDefaults(t *testing.T) {
	url, _ := goServer(t)
	s := newSource(t, Config{Name: "go", URL: url})
	infos, err := s.Tools(guard(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"wipe": true, "append": false, "read": false, "bare": true, "hang": true, "big": true}
	for _, info := range infos {
		if d, ok := want[info.Name]; !ok || info.Destructive != d {
			t.Errorf("%s: destructive %v, want %v", info.Name, info.Destructive, d)
		}
		delete(want, info.Name)
	}
	if len(want) > 0 {
		t.Errorf("tools missing: %v", want)
	}
}

func TestHangingCallEndsAtItsDeadlineOnly(t *testing.T) {
	url, entered := goServer(t)
	s := newSource(t, Config{Name: "go", URL: url})
	ctx := guard(t)
	hangCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var hangErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, hangErr = s.Call(hangCtx, "hang", nil, 100)
	}()
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("the hanging tool was never called")
	}
	res, err := s.Call(ctx, "read", nil, 100)
	if err != nil || res.Content != "read" {
		t.Errorf("a call while another hangs = %+v, %v", res, err)
	}
	cancel()
	wg.Wait()
	if !errors.Is(hangErr, context.Canceled) || !errors.Is(hangErr, tools.ErrUnavailable) {
		t.Errorf("hanging call = %v, want ErrUnavailable and context.Canceled", hangErr)
	}

	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := s.Call(short, "hang", nil, 100); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("call with a deadline: %v, want DeadlineExceeded", err)
	}
	if res, err := s.Call(ctx, "wipe", nil, 100); err != nil || res.Content != "wiped" {
		t.Errorf("the session after timeouts = %+v, %v", res, err)
	}
}

func TestSlowCallOverStdioDoesNotHoldUpOthers(t *testing.T) {
	s := newSource(t, everything(t))
	ctx := guard(t)
	if _, err := s.Tools(ctx); err != nil {
		t.Fatal(err)
	}
	slow, cancel := context.WithTimeout(ctx, hangGuard/2)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Call(slow, "trigger-long-running-operation", json.RawMessage(`{"duration":600,"steps":1}`), 100)
		done <- err
	}()
	// Most likely the slow call is on its way by now; if not, echo simply goes first.
	time.Sleep(200 * time.Millisecond)
	res, err := s.Call(ctx, "echo", json.RawMessage(`{"message":"meanwhile"}`), 100)
	if err != nil || res.Content != "Echo: meanwhile" {
		t.Errorf("echo beside a slow call = %+v, %v", res, err)
	}
	select {
	case err := <-done:
		t.Fatalf("the slow call ended early: %v", err)
	default:
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("slow call = %v, want context.Canceled", err)
	}
	if res, err := s.Call(ctx, "echo", json.RawMessage(`{"message":"after"}`), 100); err != nil || res.Content != "Echo: after" {
		t.Errorf("echo after the timeout = %+v, %v", res, err)
	}
}

func TestServerThatNeverAnswersTimesOutItsStart(t *testing.T) {
	s := newSource(t, Config{Name: "mute", Command: []string{"sleep", "60"}, StartTimeout: 200 * time.Millisecond})
	if _, err := s.Tools(guard(t)); !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "start timeout") {
		t.Errorf("tools of a mute server: %v, want ErrUnavailable naming the start timeout", err)
	}
}

func TestMessageOverHTTPLargerThanTheBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *sdk.StreamableHTTPOptions
	}{
		{"event stream", nil},
		{"json", &sdk.StreamableHTTPOptions{JSONResponse: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := goServerWith(t, tc.opts)
			s := newSource(t, Config{Name: "go", URL: url, MaxMessageBytes: 64 << 10})
			ctx := guard(t)
			if res, err := s.Call(ctx, "read", nil, 100); err != nil || res.Content != "read" {
				t.Fatalf("small answer = %+v, %v", res, err)
			}
			_, err := s.Call(ctx, "big", nil, 100)
			if !errors.Is(err, tools.ErrUnavailable) || !strings.Contains(err.Error(), "65536") {
				t.Errorf("an answer over the bound: %v, want ErrUnavailable naming the bound", err)
			}
		})
	}
}
