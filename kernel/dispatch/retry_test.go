package dispatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

func TestRetryableClassification(t *testing.T) {
	for _, tc := range []struct {
		err   error
		retry bool
		after time.Duration
	}{
		{&StatusError{Code: 429, After: 2 * time.Second}, true, 2 * time.Second},
		{fmt.Errorf("wrapped: %w", &StatusError{Code: 503}), true, 0},
		{&StatusError{Code: 400}, false, 0},
		{&StatusError{Code: 401}, false, 0},
		{context.DeadlineExceeded, true, 0},
		{io.ErrUnexpectedEOF, true, 0},
		{errors.New("bad request shape"), false, 0},
		{fmt.Errorf("core x: %w", &llm.StatusError{Status: 429}), true, 0},
		{&llm.StatusError{Status: 502}, true, 0},
		{&llm.StatusError{Status: 404}, false, 0},
	} {
		retry, after := Retryable(tc.err)
		if retry != tc.retry || after != tc.after {
			t.Errorf("Retryable(%v) = %v, %v; want %v, %v", tc.err, retry, after, tc.retry, tc.after)
		}
	}
}

func fast() Options {
	return Options{Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func TestRetriesThenSucceeds(t *testing.T) {
	c := &testCore{name: "c", fail: func(n int) error {
		if n <= 2 {
			return &StatusError{Code: 503}
		}
		return nil
	}}
	d, err := New([]Backend{{Core: c}}, fast())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Generate(as("a"), ask("hello"), nil)
	if err != nil || !strings.HasPrefix(resp.Text, "you said hello") {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
	if calls, _ := c.stats(); calls != 3 {
		t.Fatalf("calls = %d, want 3", calls)
	}
}

func TestNoRetryOnClientError(t *testing.T) {
	c := &testCore{name: "c", fail: func(int) error { return &StatusError{Code: 400, Err: errors.New("bad field")} }}
	d, _ := New([]Backend{{Core: c}}, fast())
	_, err := d.Generate(as("a"), ask("x"), nil)
	var se *StatusError
	if !errors.Is(err, ErrBackend) || !errors.As(err, &se) || se.Code != 400 {
		t.Fatalf("err = %v", err)
	}
	if calls, _ := c.stats(); calls != 1 {
		t.Fatalf("calls = %d, want 1", calls)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	c := &testCore{name: "c", fail: func(int) error { return &StatusError{Code: 500} }}
	o := fast()
	o.MaxAttempts = 3
	o.FailureThreshold = 100
	d, _ := New([]Backend{{Core: c}}, o)
	if _, err := d.Generate(as("a"), ask("x"), nil); !errors.Is(err, ErrBackend) || !strings.Contains(err.Error(), "attempt 3 of 3") {
		t.Fatalf("err = %v", err)
	}
	if calls, _ := c.stats(); calls != 3 {
		t.Fatalf("calls = %d, want 3", calls)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	c := &testCore{name: "c", fail: func(n int) error {
		if n == 1 {
			return &StatusError{Code: 429, After: 150 * time.Millisecond}
		}
		return nil
	}}
	d, _ := New([]Backend{{Core: c}}, fast())
	if _, err := d.Generate(as("a"), ask("x"), nil); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gap := c.times[1].Sub(c.times[0]); gap < 150*time.Millisecond {
		t.Fatalf("retried after %v despite Retry-After 150ms", gap)
	}
}

func TestFailoverAndCooldown(t *testing.T) {
	broken := &testCore{name: "broken", fail: func(int) error { return &StatusError{Code: 502} }}
	good := &testCore{name: "good"}
	o := fast()
	o.FailureThreshold = 1
	o.Cooldown = time.Hour
	d, _ := New([]Backend{{Core: broken}, {Core: good}}, o)
	for i := range 5 {
		resp, err := d.Generate(as("a"), ask("x"), nil)
		if err != nil || resp.Core != "good" {
			t.Fatalf("request %d: core %q, err %v", i, resp.Core, err)
		}
	}
	if calls, _ := broken.stats(); calls != 1 {
		t.Fatalf("the broken core was tried %d times; a cooled-down core must be skipped", calls)
	}
}

// TestMidStreamDisconnectResumes cuts the first stream after three words: the caller must see
// every word exactly once and get the text an uninterrupted generation gives.
func TestMidStreamDisconnectResumes(t *testing.T) {
	c := &testCore{name: "c", cut: 3, cutErr: fmt.Errorf("read body: %w", io.ErrUnexpectedEOF)}
	d, _ := New([]Backend{{Core: c}}, fast())
	var streamed strings.Builder
	resp, err := d.Generate(as("a"), ask("hello"), func(ch llm.Chunk) { streamed.WriteString(ch.Text) })
	if err != nil {
		t.Fatal(err)
	}
	want := answer(ask("hello"))
	if resp.Text != want || streamed.String() != want {
		t.Fatalf("text %q, streamed %q, want %q", resp.Text, streamed.String(), want)
	}
	if calls, _ := c.stats(); calls != 2 {
		t.Fatalf("calls = %d, want 2", calls)
	}
	if want := (llm.Usage{InputTokens: words("hello"), OutputTokens: words(want)}); resp.Usage != want {
		t.Fatalf("usage %+v, want %+v: the resumed text is output counted once, not input", resp.Usage, want)
	}
}

func TestCoolDownSkipsACoreFromTheStart(t *testing.T) {
	dead := &testCore{name: "dead", fail: func(int) error { return &StatusError{Code: 502} }}
	good := &testCore{name: "good"}
	o := fast()
	o.Cooldown = time.Hour
	d, _ := New([]Backend{{Core: dead}, {Core: good}}, o)
	if d.CoolDown("nosuch") {
		t.Fatal("CoolDown of an unknown core reported one")
	}
	if !d.CoolDown("dead") {
		t.Fatal("CoolDown did not find core dead")
	}
	for i := range 3 {
		if resp, err := d.Generate(as("a"), ask("x"), nil); err != nil || resp.Core != "good" {
			t.Fatalf("request %d: core %q, err %v", i, resp.Core, err)
		}
	}
	if calls, _ := dead.stats(); calls != 0 {
		t.Fatalf("the cooled-down core was tried %d times", calls)
	}
}
