package aios

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestVersionHandshakeOnce(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	for range 3 {
		if err := Log(LevelInfo, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Input(); err != nil {
		t.Fatal(err)
	}
	if h.versionCalls != 1 {
		t.Errorf("abi_version called %d times, want 1", h.versionCalls)
	}
}

func TestVersionRefusedFailsEveryCall(t *testing.T) {
	h := newFakeHost()
	h.major = 2
	useHost(t, h)
	for range 2 {
		err := Output([]byte("x"))
		if !errors.Is(err, ErrNotSupported) {
			t.Fatalf("Output error = %v, want ErrNotSupported", err)
		}
	}
	if h.versionCalls != 5 {
		t.Errorf("abi_version called %d times, want 5 (1.4, 1.3, 1.2, 1.1, then 1.0) for the one handshake", h.versionCalls)
	}
	if len(h.out) != 0 {
		t.Errorf("output %q was written despite the refused version", h.out)
	}
}

func TestFailureCarriesLastError(t *testing.T) {
	h := newFakeHost()
	h.outMax = 4
	useHost(t, h)
	err := Output([]byte("too long"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Output error = %v, want an *Error", err)
	}
	want := Error{Code: ErrLimit, Name: "ELIMIT", Call: "output", Message: "output limit reached"}
	if *e != want {
		t.Errorf("error = %+v, want %+v", *e, want)
	}
	h.checkClean(t)
}

func TestFailureWithoutLastError(t *testing.T) {
	h := newFakeHost()
	h.outMax = 1
	h.silent = true
	useHost(t, h)
	err := Output([]byte("xx"))
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrLimit || e.Call != "output" || e.Message != "" {
		t.Errorf("Output error = %#v, want a bare ELIMIT *Error for output", err)
	}
}

func TestStaleLastErrorIgnored(t *testing.T) {
	h := newFakeHost()
	h.outMax = 1
	useHost(t, h)
	h.lastErr = &Error{Code: ErrQuota, Name: "EQUOTA", Call: "llm_generate", Message: "old"}
	h.silent = true
	err := Output([]byte("xx"))
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrLimit || e.Message != "" {
		t.Errorf("Output error = %v, want ELIMIT without the stale EQUOTA message", err)
	}
	h.checkClean(t)
}

func TestUnreadableResultDropped(t *testing.T) {
	h := newFakeHost()
	h.in = []byte("input")
	h.understate = true
	useHost(t, h)
	if _, err := Input(); !errors.Is(err, ErrRange) {
		t.Errorf("Input error = %v, want ErrRange", err)
	}
	h.checkClean(t)
}

func TestConcurrentCalls(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			Infof("worker %d", i)
			if _, err := Generate(context.Background(), Prompt("x")); err != nil {
				t.Error(err)
			}
			if err := Output([]byte("y")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(h.out) != 8 || len(h.logs) != 8 || h.versionCalls != 1 {
		t.Errorf("output %q, %d log lines, %d abi_version calls; want 8, 8, 1", h.out, len(h.logs), h.versionCalls)
	}
	h.checkClean(t)
}
