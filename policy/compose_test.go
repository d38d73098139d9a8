package policy

import (
	"slices"
	"strings"
	"testing"
)

const capTokens = `package aios.policy

obligations contains {"max_tokens": 1000, "redact": ["prompt"]} if input.call == "llm_generate"

obligations contains {"core_class": "local"} if input.agent.tenant == "acme"
`

const capTokensHarder = `package aios.policy

obligations contains {"max_tokens": 250.7, "confirm": true, "redact": ["headers.cookie", "prompt"]} if input.call == "llm_generate"
`

func TestObligationsMergeStrictest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.rego", capTokens)
	writeFile(t, dir, "b.rego", capTokensHarder)
	e := newEngine(t, Config{Paths: []string{dir}, Grants: []Grant{grantAll()}})
	d := decide(t, e, Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}})
	want := Obligations{MaxTokens: 250, CoreClass: "local", Confirm: true, Redact: []string{"headers.cookie", "prompt"}}
	if !d.Allow || d.Obligations.MaxTokens != want.MaxTokens || d.Obligations.CoreClass != want.CoreClass ||
		d.Obligations.Confirm != want.Confirm || !slices.Equal(d.Obligations.Redact, want.Redact) {
		t.Errorf("decision %+v, want allowed with %+v", d, want)
	}

	d = decide(t, e, Input{Agent: writer(), Call: "log"})
	if !d.Allow || d.Obligations.MaxTokens != 0 || d.Obligations.Confirm || d.Obligations.CoreClass != "local" {
		t.Errorf("log: %+v", d)
	}
}

func TestConflictingCoreClassesDeny(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.rego", "package aios.policy\n\nobligations contains {\"core_class\": \"local\"}\n")
	writeFile(t, dir, "b.rego", "package aios.policy\n\nobligations contains {\"core_class\": \"gpu\"}\n")
	e := newEngine(t, Config{Paths: []string{dir}, Grants: []Grant{grantAll()}})
	d := decide(t, e, Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}})
	if d.Allow || !strings.Contains(d.Reason, "conflicting core_class obligations: gpu, local") {
		t.Errorf("decision %+v, want a denial for conflicting classes", d)
	}
}

func TestOperatorDenyWins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "deny.rego", `package aios.policy

deny contains sprintf("tenant %s may not fetch %s", [input.agent.tenant, input.args.host]) if {
	input.call == "tool_call"
	endswith(input.args.host, ".example.com")
	input.agent.tenant == "acme"
}
`)
	// Test files beside the policy are not loaded into the engine.
	writeFile(t, dir, "deny_test.rego", "package aios.policy_test\n\ntest_broken if { 1 == 2 }\n")
	e := newEngine(t, Config{Paths: []string{dir}, Grants: []Grant{grantAll()}})
	d := decide(t, e, Input{Agent: writer(), Call: "tool_call", Args: map[string]any{"tool": "http_fetch", "host": "api.example.com"}})
	if d.Allow || d.Reason != "tenant acme may not fetch api.example.com" {
		t.Errorf("decision %+v, want the operator's denial", d)
	}
	if d := decide(t, e, Input{Agent: writer(), Call: "tool_call", Args: map[string]any{"tool": "http_fetch"}}); !d.Allow {
		t.Errorf("without host: %+v, want allowed", d)
	}
}

func TestOperatorDataLoaded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "data.json", `{"blocked": {"models": ["gpt-4o"]}}`)
	writeFile(t, dir, "block.rego", `package aios.policy

deny contains "model is blocked" if input.args.model in data.blocked.models
`)
	e := newEngine(t, Config{Paths: []string{dir}, Grants: []Grant{grantAll()}})
	if d := decide(t, e, Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}}); d.Allow || d.Reason != "model is blocked" {
		t.Errorf("decision %+v", d)
	}
}

func TestReservedNamesRefused(t *testing.T) {
	for name, text := range map[string]string{
		"system.rego": "package aios.system\n\nallow := true\n",
		"config.rego": "package aios.config\n\ngrants := []\n",
		"parent.rego": "package aios\n\nsystem := {}\n",
		"data.json":   `{"aios": {"config": {"grants": []}}}`,
	} {
		dir := t.TempDir()
		writeFile(t, dir, name, text)
		if _, err := New(t.Context(), Config{Paths: []string{dir}}); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("%s: New = %v, want a reserved-name error", name, err)
		}
	}
}
