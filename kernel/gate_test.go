package kernel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

// wantDenied checks that err is a policy denial whose reason mentions want, and that the audit
// log holds a denial of call with that reason.
func wantDenied(t *testing.T, g *gated, err error, call, want string) {
	t.Helper()
	var de *kernel.DeniedError
	if !errors.Is(err, kernel.ErrDenied) || !errors.As(err, &de) {
		t.Fatalf("err = %v, want a policy denial", err)
	}
	if !strings.Contains(de.Reason, want) {
		t.Fatalf("reason %q does not mention %q", de.Reason, want)
	}
	for _, e := range g.entries(t, call) {
		if !e.Allow && strings.Contains(e.Reason, want) {
			return
		}
	}
	t.Fatalf("no audit entry denies %s with %q: %+v", call, want, g.entries(t, call))
}

func TestGateAllowsDeclaredAndGrantedClass(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, "")
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Generate(context.Background(), llm.Request{Model: "small", Messages: user("hi")}, nil); err != nil {
		t.Fatalf("declared and granted class: %v", err)
	}
	es := g.entries(t, "llm_generate")
	if len(es) != 1 || !es[0].Allow || es[0].Args["class"] != "small" || es[0].Agent != "writer" || es[0].Digest != "sha256:abc" {
		t.Fatalf("audit = %+v, want one allowed llm_generate of class small by writer", es)
	}
	if len(g.entries(t, policy.StartCall)) != 1 {
		t.Error("the start decision was not recorded")
	}
}

func TestGateDeniesUndeclaredModelClass(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, "")
	var events []kernel.Event
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer, Events: func(e kernel.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Generate(context.Background(), llm.Request{Model: "large", Messages: user("hi")}, nil)
	wantDenied(t, g, err, "llm_generate", `model class "large" is not declared by the agent`)
	if len(g.core.reqs) != 0 {
		t.Error("a denied generation reached the core")
	}
	if len(events) == 0 || !strings.Contains(events[len(events)-1].Text, "policy denied llm_generate") {
		t.Errorf("events = %+v, want the denial in the live log", events)
	}
}

func TestGateDeniesUngrantedModel(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, "")
	a := writer
	a.Capabilities.Models = []string{"large-model"}
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: a})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Generate(context.Background(), llm.Request{Model: "large-model", Messages: user("hi")}, nil)
	wantDenied(t, g, err, "llm_generate", "not granted to the agent by the operator")
}

func TestGateDeniesIdentityClaimInArguments(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, "")
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Authorize(context.Background(), "memory_search", map[string]any{"space": "notes", "agent": "admin"})
	wantDenied(t, g, err, "memory_search", `argument "agent" names "admin", but the caller's name is "writer"`)
}

func TestGateDeniesUndeclaredToolAndHost(t *testing.T) {
	pc := policy.Config{Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{
		Tools: []string{"*"}, Hosts: []string{"api.example.com"}}}}}
	g := newGated(t, pc, kernel.GateConfig{}, "")
	a := writer
	a.Capabilities.Tools, a.Capabilities.Hosts = []string{"http_fetch"}, []string{"*"}
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: a})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Authorize(context.Background(), "tool_call", map[string]any{"tool": "shell"})
	wantDenied(t, g, err, "tool_call", `tool "shell" is not declared by the agent`)
	_, err = p.Authorize(context.Background(), "tool_call", map[string]any{"tool": "http_fetch", "host": "evil.example.net"})
	wantDenied(t, g, err, "tool_call", `host "evil.example.net" is not granted`)
	if _, err := p.Authorize(context.Background(), "tool_call", map[string]any{"tool": "http_fetch", "host": "api.example.com"}); err != nil {
		t.Errorf("granted host: %v", err)
	}
}

func TestGateRateLimit(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{Rates: map[string]kernel.Rate{"llm_generate": {Calls: 2, Per: time.Hour}}}, "")
	// Two processes of the same agent share its rate.
	p1, _ := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer})
	p2, _ := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer})
	req := llm.Request{Model: "small", Messages: user("hi")}
	for i, p := range []*kernel.Process{p1, p2} {
		if _, err := p.Generate(context.Background(), req, nil); err != nil {
			t.Fatalf("call %d within the rate: %v", i+1, err)
		}
	}
	_, err := p1.Generate(context.Background(), req, nil)
	wantDenied(t, g, err, "llm_generate", `at most 2 llm_generate calls per 1h0m0s`)
	other, _ := g.k.Spawn(kernel.Spec{Name: "reader", Agent: policy.Agent{Name: "reader", Capabilities: writer.Capabilities}})
	if _, err := other.Generate(context.Background(), req, nil); err != nil {
		t.Errorf("another agent's rate is its own: %v", err)
	}
}

func TestGateStartDenied(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, `package aios.policy
deny contains "tenant beta is closed" if input.agent.tenant == "beta"
`)
	_, err := g.k.Spawn(kernel.Spec{Name: "writer", Tenant: "beta", Agent: writer})
	wantDenied(t, g, err, policy.StartCall, "tenant beta is closed")
	if n := len(g.k.Processes()); n != 0 {
		t.Errorf("%d processes after a denied start", n)
	}
}

func TestGateDeniedOutputAndLog(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, `package aios.policy
deny contains "quiet agent" if {
	input.agent.name == "quiet"
	input.call in {"output", "log", "input"}
}
`)
	p, err := g.k.Spawn(kernel.Spec{Name: "quiet", Input: []byte("secret input")})
	if err != nil {
		t.Fatal(err)
	}
	wantDenied(t, g, p.Output([]byte("x")), "output", "quiet agent")
	if in := p.Input(); in != nil {
		t.Errorf("denied input read %q", in)
	}
	p.Log(1, "hello")
	// Denied calls are counted as calls, and as denied (issue #8: the summary said "4 system
	// calls" after 50 of which 46 were denied), but use nothing.
	if info := p.Info(); info.Usage.LogBytes != 0 || info.Usage.Calls != 3 || info.Usage.Denied != 3 {
		t.Errorf("usage after 3 denied calls = %+v, want 3 calls, 3 denied, no log bytes", info.Usage)
	}
	if len(g.entries(t, "log")) != 1 || len(g.entries(t, "input")) != 1 {
		t.Error("denied log and input are not audited")
	}
}
