package llm

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func newTestEcho(t *testing.T, cfg CoreConfig) *Echo {
	t.Helper()
	cfg.Kind = KindEcho
	e, err := NewEcho(cfg)
	if err != nil {
		t.Fatalf("NewEcho: %v", err)
	}
	return e
}

func userRequest(text string) Request {
	return Request{Messages: []Message{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "first question"},
		{Role: "assistant", Content: "first answer"},
		{Role: "user", Content: text},
	}}
}

func collect(t *testing.T, c Core, ctx context.Context, req Request) (Response, []string, error) {
	t.Helper()
	var chunks []string
	resp, err := c.Generate(ctx, req, func(ch Chunk) { chunks = append(chunks, ch.Text) })
	return resp, chunks, err
}

func TestEchoRepliesLastUserMessage(t *testing.T) {
	e := newTestEcho(t, CoreConfig{})
	resp, err := e.Generate(context.Background(), userRequest("hello  there\nworld"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Response{
		Text:         "echo: hello  there\nworld",
		FinishReason: "stop",
		Model:        "echo",
		Core:         "echo",
		Usage:        Usage{InputTokens: 2 + 2 + 2 + 3, OutputTokens: 3},
	}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("got %+v\nwant %+v", resp, want)
	}
	if !IsEcho(e) {
		t.Error("IsEcho(echo core) = false")
	}
}

func TestEchoDeterministic(t *testing.T) {
	e := newTestEcho(t, CoreConfig{Name: "e1", Models: []string{"m1", "m2"}})
	req := userRequest("the same words every time")
	req.MaxTokens = 3
	r1, c1, err1 := collect(t, e, context.Background(), req)
	r2, c2, err2 := collect(t, e, context.Background(), req)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(c1, c2) {
		t.Errorf("two runs differ:\n%+v %q\n%+v %q", r1, c1, r2, c2)
	}
	if r1.Model != "m1" || r1.Core != "e1" {
		t.Errorf("model, core = %q, %q; want the first configured model m1 and core e1", r1.Model, r1.Core)
	}
}

func TestEchoStreamsWordsInOrder(t *testing.T) {
	e := newTestEcho(t, CoreConfig{})
	resp, chunks, err := collect(t, e, context.Background(), userRequest("one two three"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"echo: ", "one ", "two ", "three"}
	if !reflect.DeepEqual(chunks, want) {
		t.Errorf("chunks = %q, want %q", chunks, want)
	}
	if got := strings.Join(chunks, ""); got != resp.Text {
		t.Errorf("chunks join to %q, response text is %q", got, resp.Text)
	}
}

func TestEchoMaxTokens(t *testing.T) {
	e := newTestEcho(t, CoreConfig{})
	tests := []struct {
		max        int
		text       string
		finish     string
		outputToks int
	}{
		{0, "echo: a b c d", "stop", 4},
		{2, "echo: a b", "length", 2},
		{4, "echo: a b c d", "stop", 4},
		{9, "echo: a b c d", "stop", 4},
	}
	for _, tt := range tests {
		req := userRequest("a b  c d")
		req.Messages[len(req.Messages)-1].Content = "a b c d"
		req.MaxTokens = tt.max
		resp, err := e.Generate(context.Background(), req, nil)
		if err != nil {
			t.Fatalf("max_tokens %d: %v", tt.max, err)
		}
		if resp.Text != tt.text || resp.FinishReason != tt.finish || resp.Usage.OutputTokens != tt.outputToks {
			t.Errorf("max_tokens %d: got %q %s %d tokens, want %q %s %d",
				tt.max, resp.Text, resp.FinishReason, resp.Usage.OutputTokens, tt.text, tt.finish, tt.outputToks)
		}
	}
}

func TestEchoRejectsBadRequests(t *testing.T) {
	e := newTestEcho(t, CoreConfig{})
	for name, req := range map[string]Request{
		"no messages":         {},
		"negative max_tokens": {Messages: []Message{{Role: "user", Content: "x"}}, MaxTokens: -1},
	} {
		if _, err := e.Generate(context.Background(), req, nil); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: err = %v, want ErrBadRequest", name, err)
		}
	}
}

func TestEchoCancelStopsPromptly(t *testing.T) {
	e := newTestEcho(t, CoreConfig{Latency: time.Hour, Capacity: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var (
		resp Response
		err  error
	)
	go func() {
		defer close(done)
		resp, err = e.Generate(ctx, userRequest("never finishes"), func(Chunk) { cancel() })
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Generate did not return after cancel")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if resp.Text != EchoPrefix || resp.FinishReason != "canceled" {
		t.Errorf("partial response = %q %q, want %q canceled", resp.Text, resp.FinishReason, EchoPrefix)
	}
	// The slot was freed: a second request on the capacity-1 core does not wait.
	quick, qcancel := context.WithTimeout(context.Background(), time.Second)
	defer qcancel()
	if _, err := e.Generate(quick, Request{Messages: []Message{{Role: "user", Content: ""}}}, nil); err != nil {
		t.Errorf("after cancel: %v", err)
	}
}

func TestEchoLatencyAndTimeout(t *testing.T) {
	e := newTestEcho(t, CoreConfig{Latency: 20 * time.Millisecond, Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err := e.Generate(context.Background(), userRequest("w w w w w w w w w w"), nil)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 50ms") {
		t.Fatalf("err = %v, want a timeout after 50ms", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	short, err := e.Generate(context.Background(), userRequest("w"), nil)
	if err != nil || short.Text != "echo: w" {
		t.Errorf("one word under latency: %+v, %v", short, err)
	}
}

func TestSplitWords(t *testing.T) {
	for _, s := range []string{"", "  ", "a", " a  b\n", "a b c", "\ta\tb"} {
		lead, pieces := splitWords(s)
		if got := lead + strings.Join(pieces, ""); got != s {
			t.Errorf("splitWords(%q) rejoins to %q", s, got)
		}
		if len(pieces) != countWords(s) {
			t.Errorf("splitWords(%q) gives %d pieces, want %d", s, len(pieces), countWords(s))
		}
	}
}
