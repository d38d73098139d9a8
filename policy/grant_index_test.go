package policy

import (
	"io"
	"reflect"
	"testing"
)

func TestGrantIndexMergesBySelectors(t *testing.T) {
	cfg := Config{Grants: []Grant{
		{Agent: "writer", Capabilities: Capabilities{Models: []string{"gpt-4o"}}},
		{Agent: "writer", Capabilities: Capabilities{Models: []string{"o3"}, Tools: []string{"*"}}},
		{Publisher: "key1", Tenant: "*", Capabilities: Capabilities{Hosts: []string{"*.example.com"}}},
	}}
	want := map[string]any{
		"writer": map[string]any{"*": map[string]any{"*": map[string]any{
			"models": map[string]any{"gpt-4o": true, "o3": true},
			"tools":  map[string]any{"*": true},
			"calls":  map[string]any{}, "classes": map[string]any{}, "hosts": map[string]any{}, "memory": map[string]any{},
		}}},
		"*": map[string]any{"key1": map[string]any{"*": map[string]any{
			"hosts": map[string]any{"*.example.com": true},
			"calls": map[string]any{}, "models": map[string]any{}, "classes": map[string]any{}, "tools": map[string]any{}, "memory": map[string]any{},
		}}},
	}
	if got := cfg.grantIndex(); !reflect.DeepEqual(got, want) {
		t.Errorf("grantIndex() = %v\nwant %v", got, want)
	}
}

// TestReplacedGrantsStillDecide checks that the fast path's grant index does not outlive the
// grants it was built from: with the configured grants replaced (as a Rego test does with
// `with data.aios.config.grants as [...]`), a call those grants do not allow is denied and one
// they allow is allowed.
func TestReplacedGrantsStillDecide(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "swap_test.rego", `package aios.policy_test

gen := {"agent": {"name": "writer", "publisher": "key1", "tenant": "acme",
	"capabilities": {"models": ["gpt-4o"], "classes": [], "tools": [], "hosts": [], "memory": [], "calls": []}},
	"call": "llm_generate", "args": {"model": "gpt-4o"}, "usage": {}}

test_no_grants_deny if {
	not data.aios.system.decision.allow with input as gen with data.aios.config.grants as []
}

test_replaced_grants_allow if {
	data.aios.system.decision.allow with input as gen
		with data.aios.config.grants as [{"agent": "writer", "publisher": "", "tenant": "", "models": ["gpt-4o"]}]
}
`)
	passed, failed, err := RunTests(t.Context(), []string{dir}, io.Discard)
	if err != nil || passed != 2 || failed != 0 {
		t.Errorf("RunTests: %d passed, %d failed, %v; want 2 passed", passed, failed, err)
	}
}
