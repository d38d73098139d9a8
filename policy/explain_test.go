package policy

import (
	"context"
	"strings"
	"testing"
)

func TestExplainTraces(t *testing.T) {
	e := newEngine(t, Config{Grants: []Grant{grantAll()}})
	in, err := ReadInput(strings.NewReader(`{
		"agent": {"name": "writer", "capabilities": {"models": ["gpt-4o"]}},
		"call": "llm_generate",
		"args": {"model": "gpt-4o", "max_tokens": 100},
		"usage": {"output_tokens": 12}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	d, trace, err := e.Explain(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allow || d.Cached {
		t.Errorf("decision %+v", d)
	}
	if !strings.Contains(trace, "aios/system.rego") || !strings.Contains(trace, "Enter data.aios.system.decision") {
		t.Errorf("trace does not show the evaluation:\n%.2000s", trace)
	}
	if s := e.CacheStats(); s.Hits+s.Misses != 0 {
		t.Errorf("Explain touched the cache: %+v", s)
	}
}

func TestReadInputRefusesUnknownFields(t *testing.T) {
	if _, err := ReadInput(strings.NewReader(`{"agent": {"nmae": "x"}, "call": "log"}`)); err == nil {
		t.Error("ReadInput accepted a misspelt field")
	}
}

func TestDecidedAtStart(t *testing.T) {
	for _, c := range []struct {
		module, name string
		want         bool
	}{
		{"wasi_snapshot_preview1", "clock_time_get", true},
		{"wasi_snapshot_preview1", "random_get", true},
		{"wasi_snapshot_preview1", "sched_yield", true},
		{"aios", "llm_generate", false},
		{"aios", "log", false},
		{"env", "clock_time_get", false},
	} {
		if got := DecidedAtStart(c.module, c.name); got != c.want {
			t.Errorf("DecidedAtStart(%s, %s) = %v", c.module, c.name, got)
		}
	}
}
