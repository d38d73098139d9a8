package kernel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

const obliging = `package aios.policy
obligations contains {"max_tokens": 50, "core_class": "small"} if input.call == "llm_generate"
obligations contains {"confirm": true, "redact": ["space"]} if input.call == "memory_delete"
`

var anyClass = policy.Config{Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{
	Models: []string{"*"}, Classes: []string{"*"}, Memory: []string{"*"}}}}}

var anything = policy.Agent{Name: "writer", Capabilities: policy.Capabilities{
	Models: []string{"*"}, Classes: []string{"*"}, Memory: []string{"*"}}}

func TestGateEnforcesTokenCapAndCoreClass(t *testing.T) {
	g := newGated(t, anyClass, kernel.GateConfig{}, obliging)
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: anything})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		req       llm.Request
		model     string
		maxTokens int
	}{
		{llm.Request{Model: "large-model", MaxTokens: 500}, "small", 50}, // rerouted, capped
		{llm.Request{Model: "small-model"}, "small-model", 50},           // already small; cap set
		{llm.Request{Model: "large", MaxTokens: 10}, "small", 10},        // smaller than the cap
	}
	for _, c := range cases {
		c.req.Messages = user("hi")
		if _, err := p.Generate(context.Background(), c.req, nil); err != nil {
			t.Fatal(err)
		}
		got := g.core.last()
		if got.Model != c.model || got.MaxTokens != c.maxTokens {
			t.Errorf("%q max %d reached the core as %q max %d, want %q max %d",
				c.req.Model, c.req.MaxTokens, got.Model, got.MaxTokens, c.model, c.maxTokens)
		}
	}
}

func TestGateConfirmation(t *testing.T) {
	ctx := context.Background()
	args := map[string]any{"space": "notes"}
	g := newGated(t, anyClass, kernel.GateConfig{Approve: []string{"approved:memory_delete"}}, obliging)

	headless, _ := g.k.Spawn(kernel.Spec{Name: "writer", Agent: anything})
	_, err := headless.Authorize(ctx, "memory_delete", args)
	wantDenied(t, g, err, "memory_delete", "requires an operator's confirmation and there is no terminal")

	var asked []kernel.Confirmation
	answer := false
	ask := func(_ context.Context, c kernel.Confirmation) (bool, error) {
		asked = append(asked, c)
		return answer, nil
	}
	tty, _ := g.k.Spawn(kernel.Spec{Name: "writer", Agent: anything, Confirm: ask})
	_, err = tty.Authorize(ctx, "memory_delete", args)
	wantDenied(t, g, err, "memory_delete", "the operator declined")
	answer = true
	if _, err := tty.Authorize(ctx, "memory_delete", args); err != nil {
		t.Fatalf("confirmed call: %v", err)
	}
	if len(asked) != 2 || asked[0].Call != "memory_delete" || asked[0].Agent.Name != "writer" || asked[0].Args["space"] != "notes" {
		t.Errorf("asked %+v", asked)
	}

	failing, _ := g.k.Spawn(kernel.Spec{Name: "writer", Agent: anything, Confirm: func(context.Context, kernel.Confirmation) (bool, error) {
		return false, errors.New("terminal closed")
	}})
	_, err = failing.Authorize(ctx, "memory_delete", args)
	wantDenied(t, g, err, "memory_delete", "terminal closed")

	byFlag, _ := g.k.Spawn(kernel.Spec{Name: "writer", Agent: anything, Approve: []string{"memory_delete"}})
	if _, err := byFlag.Authorize(ctx, "memory_delete", args); err != nil {
		t.Errorf("approved by the process: %v", err)
	}
	a := anything
	a.Name = "approved"
	byConfig, _ := g.k.Spawn(kernel.Spec{Name: "approved", Agent: a})
	d, err := byConfig.Authorize(ctx, "memory_delete", args)
	if err != nil || !strings.Contains(d.Reason, "pre-approved") {
		t.Errorf("approved by the gate: %v %q", err, d.Reason)
	}
	for _, e := range g.entries(t, "memory_delete") {
		if e.Args["space"] != "[redacted]" {
			t.Errorf("audit entry kept a redacted field: %+v", e.Args)
		}
	}
}
