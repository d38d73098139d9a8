package sched

import (
	"strings"
	"testing"
	"time"
)

func TestNewKinds(t *testing.T) {
	for kind, wantSlice := range map[string]time.Duration{
		"": 0, "fair-share": 0, "FIFO": 0, "round-robin": DefaultSlice, "priority": 0, "sjf": 0,
	} {
		q, err := New(kind, Options{})
		if err != nil {
			t.Fatalf("New(%q): %v", kind, err)
		}
		if q.Slice() != wantSlice {
			t.Errorf("New(%q).Slice() = %v, want %v", kind, q.Slice(), wantSlice)
		}
	}
	if q, _ := New("", Options{}); !isFairShare(q) {
		t.Errorf("the default kind is %T, want fair share", q)
	}
}

func isFairShare(q Queue) bool { _, ok := q.(*FairShare); return ok }

func TestNewUnknownKind(t *testing.T) {
	_, err := New("lottery", Options{})
	if err == nil {
		t.Fatal("want an error for an unknown kind")
	}
	for _, s := range []string{`"lottery"`, "unknown", "fair-share", "sjf"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
}
