package policy

import (
	"strings"
	"testing"
)

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
		k, ok, err := in.key(&all)
		if err != nil || !ok {
			t.Fatalf("key of %v: %v, cacheable %v", args, err, ok)
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
		{{"a": 1.0}, {"a": 1}},
		{{"a": []any{"x", "y"}}, {"a": []any{"x"}, "b": "y"}},
		{{"a": map[string]any{"k": "v"}}, {"a": map[string]any{"kv": ""}}},
		{{"a": strings.Repeat("x", 1000) + "y"}, {"a": strings.Repeat("x", 1000) + "z"}},
	}
	for _, p := range differ {
		if key(p[0]) == key(p[1]) {
			t.Errorf("%v and %v share a key", p[0], p[1])
		}
	}
}

// TestCacheKeyExact checks that the cache key is the input's encoding itself, not a digest
// that two inputs could share: across many inputs that differ in one field or one argument,
// keys are equal exactly when the inputs are.
func TestCacheKeyExact(t *testing.T) {
	var all usageMask
	for i := range all {
		all[i] = true
	}
	var inputs []Input
	for _, call := range []string{"llm_generate", "tool_call", ""} {
		for _, name := range []string{"writer", "writer\x00", "w"} {
			for _, args := range []map[string]any{
				nil, {"model": "m"}, {"model": "m", "max_tokens": 7}, {"model": "m", "max_tokens": 8},
				{"max_tokens": 7, "model": "m\n"}, {"n": int64(-1)}, {"n": -1.5}, {"n": nil}, {"n": false},
				{"n": true}, {"n": []string{}}, {"n": map[string]string{}}, {"a": "b", "c": "d", "e": "f", "g": "h",
					"i": "j", "k": "l", "m": "n", "o": "p", "q": "r"}, // more arguments than the stack buffer
			} {
				for _, calls := range []int64{0, 1, 1 << 40} {
					a := writer()
					a.Name = name
					inputs = append(inputs, Input{Agent: a, Call: call, Args: args, Usage: Usage{Calls: calls}})
				}
			}
		}
	}
	keys := map[cacheKey]int{}
	for i, in := range inputs {
		k, ok, err := in.key(&all)
		if err != nil || !ok {
			t.Fatalf("input %d: %v, cacheable %v", i, err, ok)
		}
		if j, dup := keys[k]; dup {
			t.Errorf("inputs %d and %d share a key:\n%+v\n%+v", j, i, inputs[j], in)
		}
		keys[k] = i
		again, _, _ := in.key(&all)
		if again != k {
			t.Errorf("input %d: key not stable", i)
		}
	}
}

// TestLongInputDecidedUncached checks that an input whose encoding is longer than maxCacheKey
// is decided by evaluation every time, with the same decision, and never stored.
func TestLongInputDecidedUncached(t *testing.T) {
	e := newEngine(t, Config{Grants: []Grant{grantAll()}})
	long := Input{Agent: writer(), Call: "log", Args: map[string]any{"text": strings.Repeat("x", maxCacheKey)}}
	first, second := decide(t, e, long), decide(t, e, long)
	if first.Cached || second.Cached || first.Allow != second.Allow || first.Reason != second.Reason {
		t.Errorf("long input: %+v then %+v, want the same uncached decision twice", first, second)
	}
	if s := e.CacheStats(); s.Entries != 0 || s.Misses != 2 {
		t.Errorf("stats %+v, want two misses and nothing stored", s)
	}
	short := Input{Agent: writer(), Call: "log", Args: map[string]any{"text": "x"}}
	decide(t, e, short)
	if d := decide(t, e, short); !d.Cached {
		t.Errorf("short input after long ones: %+v, want cached", d)
	}
}
