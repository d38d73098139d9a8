package policy

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestDecisionsMatchReference decides a broad grid of inputs under several grant sets and
// operator policies with the built-in policy and with testdata/reference_system.rego, the
// policy before it was restructured for speed, and requires identical decisions.
func TestDecisionsMatchReference(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("testdata", "reference_system.rego"))
	if err != nil {
		t.Fatal(err)
	}
	caps := capabilities(false)
	ref, err := ast.ParseModuleWithOpts(systemFile, string(text), ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: caps})
	if err != nil {
		t.Fatal(err)
	}
	inputs := referenceInputs()
	if raceDetector {
		// The comparison has no concurrency to check, and the race detector makes OPA's
		// evaluator about ten times slower: decide every seventh input.
		var sample []Input
		for i := 0; i < len(inputs); i += 7 {
			sample = append(sample, inputs[i])
		}
		inputs = sample
	}
	for name, cfg := range referenceConfigs(t) {
		e := newEngine(t, cfg)
		want, err := compileWith(t.Context(), &cfg, caps, ref)
		if err != nil {
			t.Fatalf("%s: reference: %v", name, err)
		}
		for _, in := range inputs {
			got, gotErr := e.Decide(t.Context(), in)
			exp, expErr := want.eval(t.Context(), &in)
			if (gotErr != nil) != (expErr != nil) || gotErr == nil && !sameDecision(got, exp) {
				t.Errorf("%s: %s by %+v with %v:\n got %+v, %v\nwant %+v, %v", name, in.Call, in.Agent, in.Args, got, gotErr, exp, expErr)
			}
		}
	}
}

func sameDecision(a, b Decision) bool {
	return a.Allow == b.Allow && a.Reason == b.Reason && a.Obligations.MaxTokens == b.Obligations.MaxTokens &&
		a.Obligations.CoreClass == b.Obligations.CoreClass && a.Obligations.Confirm == b.Obligations.Confirm &&
		slices.Equal(a.Obligations.Redact, b.Obligations.Redact)
}

// referenceConfigs are grant sets crossed with operator policies, all with the cache off.
func referenceConfigs(t *testing.T) map[string]Config {
	grantSets := map[string][]Grant{
		"no grants": nil,
		"grant all": {grantAll()},
		"by tenant and publisher": {
			{Tenant: "acme", Publisher: "key1", Capabilities: Capabilities{Models: []string{"gpt-4o"}, Tools: []string{"*"}, Hosts: []string{"api.example.com"}}},
			{Publisher: "key2", Capabilities: Capabilities{Classes: []string{"small"}, Memory: []string{"*"}}},
		},
		"to everyone": {{Agent: "*", Capabilities: Capabilities{Models: []string{"*"}, Classes: []string{"*"}, Tools: []string{"*"}, Hosts: []string{"*"}, Memory: []string{"*"}, Calls: []string{"*"}}}},
	}
	operators := map[string]map[string]string{
		"obligations": {"a.rego": capTokens, "b.rego": capTokensHarder},
		"conflicting classes": {
			"a.rego": "package aios.policy\n\nobligations contains {\"core_class\": \"local\"} if input.call == \"llm_generate\"\n",
			"b.rego": "package aios.policy\n\nobligations contains {\"core_class\": \"gpu\"} if input.agent.tenant == \"acme\"\n",
		},
		"denials": {"d.rego": `package aios.policy

deny contains "closed for maintenance" if input.agent.tenant == "globex"

deny contains sprintf("no %v", [input.args.tool]) if input.args.tool == "shell"
`},
	}
	// Every grant set without operator policies, every operator policy with one grant set.
	cfgs := map[string]Config{}
	for gn, grants := range grantSets {
		cfgs[gn] = Config{Grants: grants, CacheSize: -1}
	}
	for on, files := range operators {
		dir := t.TempDir()
		for name, text := range files {
			writeFile(t, dir, name, text)
		}
		cfgs["to everyone, "+on] = Config{Paths: []string{dir}, Grants: grantSets["to everyone"], CacheSize: -1}
	}
	samples := Config{Paths: []string{filepath.Join("..", "samples", "policies")}, Grants: grantSets["to everyone"], CacheSize: -1}
	cfgs["to everyone, samples"] = samples
	return cfgs
}

// referenceInputs crosses agents, calls and arguments.
func referenceInputs() []Input {
	nameless := writer()
	nameless.Name = ""
	greedy := writer()
	greedy.Capabilities = Capabilities{Models: []string{"*"}, Classes: []string{"*"}, Tools: []string{"*"}, Hosts: []string{"*"}, Memory: []string{"*"}, Calls: []string{"*"}}
	bare := writer()
	bare.Capabilities = Capabilities{Hosts: []string{"example.com", "*.example.org", "169.254.169.254"}, Tools: []string{"http_fetch", "shell"}}
	other := writer()
	other.Name, other.Publisher, other.Tenant = "reader", "key2", "globex"
	agents := []Agent{writer(), nameless, greedy, bare, other}

	calls := []string{StartCall, "llm_generate", "tool_call", "tool_list", "memory_search", "memory_add", "storage_put", "storage_history", "mystery_call",
		"agent_spawn", "agent_wait", "msg_send", "msg_recv"}
	args := []map[string]any{
		nil,
		{"model": "gpt-4o"},
		{"class": "small"},
		{"model": "o3", "class": "small"},
		{"model": "gpt-4o", "class": "large", "max_tokens": 100},
		{"model": ""},
		{"tool": "http_fetch"},
		{"tool": "shell"},
		{"tool": "http_fetch", "host": "api.example.com"},
		{"tool": "http_fetch", "host": "a.b.example.org"},
		{"tool": "http_fetch", "host": "169.254.169.254"},
		{"tool": "email_send", "host": "smtp.example.com"},
		{"host": "api.example.com"},
		{"space": "secrets", "agent": "writer"},
		{"space": "notes"},
		{"space": ""},
		{},
		{"space": "notes", "agent": "other", "owner": "writer"},
		{"tenant": "globex", "publisher": "key9", "digest": "sha256:def"},
		{"model": 5, "tool": []any{"x"}, "space": map[string]any{"a": nil}},
		{"model": "gpt-4o", "class": ""},
		{"class": "small", "host": ""},
		{"model": "gpt-4o", "agent": "writer"},
		{"tool": "http_fetch", "host": false},
		{"relation": "child"},
		{"relation": "parent"},
		{"relation": "sibling"},
		{"module": "worker.wasm"},
	}
	var ins []Input
	for _, a := range agents {
		for _, c := range calls {
			for _, arg := range args {
				ins = append(ins, Input{Agent: a, Call: c, Args: arg, Usage: Usage{OutputTokens: 200000}})
			}
		}
	}
	return ins
}
