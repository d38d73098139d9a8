package aios

import (
	"errors"
	"testing"
)

func TestInput(t *testing.T) {
	for _, in := range []string{"", "Say hello", string(make([]byte, 100_000))} {
		h := newFakeHost()
		h.in = []byte(in)
		useHost(t, h)
		got, err := Input()
		if err != nil {
			t.Fatalf("Input: %v", err)
		}
		if string(got) != in {
			t.Errorf("Input = %d bytes, want %d", len(got), len(in))
		}
		h.checkClean(t)
	}
}

func TestOutput(t *testing.T) {
	h := newFakeHost()
	h.outMax = 12
	useHost(t, h)
	if err := Output([]byte("answer")); err != nil {
		t.Fatal(err)
	}
	if err := Outputf(": %d", 42); err != nil {
		t.Fatal(err)
	}
	if err := Output([]byte("past the limit")); !errors.Is(err, ErrLimit) {
		t.Errorf("Output past the limit: error = %v, want ErrLimit", err)
	}
	if got := string(h.out); got != "answer: 42" {
		t.Errorf("output = %q, want %q", got, "answer: 42")
	}
}

func TestLog(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	Debugf("d%d", 0)
	Infof("i%d", 1)
	Warnf("w%d", 2)
	Errorf("e%d", 3)
	if err := Log(Level(7), "bad level"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Log at level 7: error = %v, want ErrInvalid", err)
	}
	wantLogs := []string{"d0", "i1", "w2", "e3"}
	if len(h.logs) != len(wantLogs) {
		t.Fatalf("logs = %q, want %q", h.logs, wantLogs)
	}
	for i, w := range wantLogs {
		if h.logs[i] != w || h.levels[i] != uint32(i) {
			t.Errorf("log %d = %q at level %d, want %q at %d", i, h.logs[i], h.levels[i], w, i)
		}
	}
}
