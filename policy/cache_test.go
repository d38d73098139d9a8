package policy

import "testing"

func TestCacheHitsDespiteChangingUsage(t *testing.T) {
	e := newEngine(t, Config{Grants: []Grant{grantAll()}})
	in := Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}}
	first := decide(t, e, in)
	if first.Cached {
		t.Fatal("first decision came from the cache")
	}
	in.Usage = Usage{Calls: 99, OutputTokens: 5000, CostMicroUSD: 7}
	second := decide(t, e, in)
	if !second.Cached || second.Allow != first.Allow || second.Reason != first.Reason {
		t.Errorf("second decision %+v, want the cached %+v", second, first)
	}
	in.Args = map[string]any{"model": "o3"}
	if d := decide(t, e, in); d.Cached || d.Allow {
		t.Errorf("other model: %+v, want an uncached denial", d)
	}
	if s := e.CacheStats(); s.Hits != 1 || s.Misses != 2 || s.Entries != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestCacheKeyHasUsageFieldsPoliciesRead(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "budget.rego", `package aios.policy

deny contains "output token budget spent" if input.usage.output_tokens >= 1000
`)
	e := newEngine(t, Config{Paths: []string{dir}, Grants: []Grant{grantAll()}})
	in := Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}}
	decide(t, e, in)
	in.Usage.Calls = 7 // not read by any policy: still a hit
	if d := decide(t, e, in); !d.Cached || !d.Allow {
		t.Errorf("after calls changed: %+v, want a cached allow", d)
	}
	in.Usage.OutputTokens = 1000 // read by budget.rego: a miss, and a denial
	if d := decide(t, e, in); d.Cached || d.Allow || d.Reason != "output token budget spent" {
		t.Errorf("after output_tokens changed: %+v, want an uncached denial", d)
	}
}

func TestCacheEmptiedByReload(t *testing.T) {
	e := newEngine(t, Config{Grants: []Grant{grantAll()}})
	in := Input{Agent: writer(), Call: "log"}
	decide(t, e, in)
	if err := e.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if d := decide(t, e, in); d.Cached {
		t.Errorf("after reload: %+v, want uncached", d)
	}
}

func TestNondeterministicPolicyNotCached(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "hours.rego", `package aios.policy

deny contains "outside office hours" if time.clock(time.now_ns())[0] > 24
`)
	e := newEngine(t, Config{Paths: []string{dir}})
	in := Input{Agent: writer(), Call: "log"}
	decide(t, e, in)
	if d := decide(t, e, in); d.Cached {
		t.Errorf("a policy reading the clock was cached: %+v", d)
	}
}

func TestCacheBounded(t *testing.T) {
	e := newEngine(t, Config{CacheSize: 3})
	for i := range 10 {
		decide(t, e, Input{Agent: writer(), Call: "log", Args: map[string]any{"n": i}})
	}
	if s := e.CacheStats(); s.Entries != 3 {
		t.Errorf("cache holds %d decisions, want 3", s.Entries)
	}
	// The most recent entry survived, the first was evicted.
	if d := decide(t, e, Input{Agent: writer(), Call: "log", Args: map[string]any{"n": 9}}); !d.Cached {
		t.Error("most recent decision was evicted")
	}
	if d := decide(t, e, Input{Agent: writer(), Call: "log", Args: map[string]any{"n": 0}}); d.Cached {
		t.Error("oldest decision was kept")
	}
}

func TestCacheKeyCanonical(t *testing.T) {
	var all usageMask
	key := func(args map[string]any) cacheKey {
		in := Input{Agent: writer(), Call: "tool_call", Args: args}
		k, err := in.key(&all)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	same := [][2]map[string]any{
		{{"a": []string{"x", "y"}}, {"a": []any{"x", "y"}}},
		{{"h": map[string]string{"k": "v", "l": "w"}}, {"h": map[string]any{"l": "w", "k": "v"}}},
	}
	for _, p := range same {
		if key(p[0]) != key(p[1]) {
			t.Errorf("%v and %v have different keys", p[0], p[1])
		}
	}
	differ := [][2]map[string]any{
		{{"a": []string{"\x02ab"}}, {"a": []any{"ab"}}},
		{{"a": "1"}, {"a": 1}},
		{{"a": []any{}}, {"a": map[string]any{}}},
		{{"a": "x", "b": ""}, {"a": "", "b": "x"}},
		{{"ab": "c"}, {"a": "bc"}},
	}
	for _, p := range differ {
		if key(p[0]) == key(p[1]) {
			t.Errorf("%v and %v share a key", p[0], p[1])
		}
	}
}
