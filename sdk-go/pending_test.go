package aios

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStartCallsAndWaitAny(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	id, _ := Mem().Add(ctx, "red apple", nil)
	if _, err := Store().Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}

	search, err := Mem().StartSearch("apple", TopK(3))
	if err != nil {
		t.Fatal(err)
	}
	if sent := h.lastSent("memory_search"); sent["k"] != float64(3) || sent["query"] != "apple" {
		t.Errorf("submitted search body %v", sent)
	}
	if _, done, err := search.Poll(); done || err != nil {
		t.Fatalf("Poll before the search finished = done %v, err %v", done, err)
	}
	get, err := Store().StartGet("k")
	if err != nil {
		t.Fatal(err)
	}
	tool, err := StartToolCall("echo", map[string]string{"text": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := Submit(slow("q", 5))
	if err != nil {
		t.Fatal(err)
	}
	if i, err := WaitAny[Waiter](gen, search, get, tool); err != nil || i == 0 {
		t.Fatalf("WaitAny = %d, %v; want one of the 1-tick calls", i, err)
	}

	hits, err := search.Wait()
	if err != nil || len(hits) != 1 || hits[0].ID != id {
		t.Errorf("search = %+v, %v", hits, err)
	}
	if again, done, err := search.Poll(); !done || err != nil || len(again) != 1 {
		t.Errorf("Poll after Wait = %+v, %v, %v", again, done, err)
	}
	item, err := get.Wait()
	if err != nil || string(item.Value) != "v" {
		t.Errorf("get = %+v, %v", item, err)
	}
	res, err := tool.Wait()
	if err != nil || res.Content != `{"text":"hi"}` {
		t.Errorf("tool = %+v, %v", res, err)
	}
	if _, err := gen.Wait(); err != nil {
		t.Fatal(err)
	}
	// Several of one type are passed as they are.
	calls := []*Pending[ToolResult]{}
	for range 3 {
		c, err := StartToolCall("fail", nil)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	if _, err := WaitAny(calls...); err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if r, err := c.Wait(); err != nil || !r.IsError {
			t.Errorf("tool = %+v, %v", r, err)
		}
	}
	if _, err := WaitAny[*Pending[ToolResult]](nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("WaitAny(nil Pending): err = %v, want ErrInvalid", err)
	}
	if _, err := WaitAny[Waiter](nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("WaitAny(nil Waiter): err = %v, want ErrInvalid", err)
	}
	h.checkClean(t)
}

func TestStartedCallFails(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	c, err := Store().StartGet("missing")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Wait()
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrNotFound || !strings.Contains(e.Message, "missing") {
		t.Errorf("Wait = %v, want ErrNotFound with the host's message", err)
	}
	p, err := StartToolCall("echo", map[string]string{"text": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Cancel(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(); !errors.Is(err, ErrCanceled) {
		t.Errorf("Wait after Cancel: err = %v, want ErrCanceled", err)
	}
	if err := p.Cancel(); err != nil {
		t.Errorf("Cancel after Wait: %v", err)
	}
	h.checkClean(t)
}

func TestDeadlineSubmits(t *testing.T) {
	h := newFakeHost()
	h.ticks12 = 0
	useHost(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if _, err := Store().Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	item, err := Store().Get(ctx, "k")
	if err != nil || string(item.Value) != "v" {
		t.Fatalf("Get with a deadline = %+v, %v", item, err)
	}
	if h.handles != 2 {
		t.Errorf("%d calls were submitted, want 2: with a deadline every call goes through submit", h.handles)
	}
	// A call the deadline cuts short is cancelled and released.
	h.ticks12 = 5
	if _, err := CallTool(ctx, "echo", map[string]string{"text": "x"}); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: err = %v, want ErrTimeout and DeadlineExceeded", err)
	}
	cancel()
	if _, err := Mem().Search(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled ctx: err = %v, want context.Canceled", err)
	}
	h.checkClean(t)
}

func TestVersion11HostRefuses12Calls(t *testing.T) {
	h := newFakeHost()
	h.minor = 1
	useHost(t, h)
	ctx := context.Background()
	st, mem := Store(), Mem()
	calls := map[string]func() error{
		"Add":         func() error { _, err := mem.Add(ctx, "x", nil); return err },
		"Get":         func() error { _, err := mem.Get(ctx, "x"); return err },
		"Update":      func() error { return mem.Update(ctx, "x", "y", nil) },
		"Delete":      func() error { return mem.Delete(ctx, "x") },
		"Search":      func() error { _, err := mem.Search(ctx, "x"); return err },
		"StartSearch": func() error { _, err := mem.StartSearch("x"); return err },
		"Put":         func() error { _, err := st.Put(ctx, "k", nil); return err },
		"StorageGet":  func() error { _, err := st.Get(ctx, "k"); return err },
		"GetVersion":  func() error { _, err := st.GetVersion(ctx, "k", 1); return err },
		"StartGet":    func() error { _, err := st.StartGet("k"); return err },
		"ListPage":    func() error { _, _, err := st.ListPage(ctx, "", "", 0); return err },
		"StoreDelete": func() error { _, err := st.Delete(ctx, "k"); return err },
		"HistoryPage": func() error { _, err := st.HistoryPage(ctx, "k", 0, 0); return err },
		"Rollback":    func() error { _, err := st.Rollback(ctx, "k", 1); return err },
		"RollbackTo":  func() error { _, err := st.RollbackTo(ctx, "k", time.Now()); return err },
		"ListTools":   func() error { _, err := ListTools(ctx); return err },
		"CallTool":    func() error { _, err := CallTool(ctx, "echo", nil); return err },
		"RunToolCall": func() error { _, err := RunToolCall(ctx, ToolCall{Name: "echo"}); return err },
		"StartTool":   func() error { _, err := StartToolCall("echo", nil); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "1.2") {
			t.Errorf("%s: err = %v, want ErrNotSupported naming 1.2", name, err)
		}
	}
	if len(h.sent) != 0 || h.handles != 0 || h.versionCalls != 4 {
		t.Errorf("%d calls and %d submits reached the host after %d handshakes; want none after 4", len(h.sent), h.handles, h.versionCalls)
	}
	if _, err := Generate(ctx, Request{Class: "fast", Messages: []Message{UserMessage("x")}}); err != nil {
		t.Errorf("a 1.1 request on a 1.1 host: %v", err)
	}
}
