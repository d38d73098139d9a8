package kernel_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// conflicting is an operator policy that fails at evaluation for llm_generate: two values for
// one complete rule. OPA's error names the operator's file and the rule's line.
const conflicting = `package aios.policy
limit := 1 if input.call == "llm_generate"
limit := 2 if input.call == "llm_generate"
deny contains "over the limit" if limit > 5
`

// TestPolicyErrorIsNotShownToTheAgent: the agent learns that its call was denied and an
// incident id; the operator's audit record and live log have the id and the detail.
func TestPolicyErrorIsNotShownToTheAgent(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, conflicting)
	var mu sync.Mutex
	var logged []string
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer, Events: func(e kernel.Event) {
		mu.Lock()
		logged = append(logged, e.Text)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Generate(context.Background(), llm.Request{Model: "small", Messages: user("hi")}, nil)
	var denied *kernel.DeniedError
	if !errors.As(err, &denied) {
		t.Fatalf("err = %v, want a denial", err)
	}
	told := err.Error()
	for _, secret := range []string{"operator.rego", "/", "conflict", "multiple outputs", "limit"} {
		if strings.Contains(told, secret) {
			t.Errorf("the agent was told %q, which shows %q", told, secret)
		}
	}
	m := regexp.MustCompile(`incident ([0-9a-f]{12})`).FindStringSubmatch(told)
	if m == nil {
		t.Fatalf("the agent was told %q, without an incident id", told)
	}
	id := m[1]

	if err := g.audit.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries := g.entries(t, "llm_generate")
	if len(entries) != 1 {
		t.Fatalf("%d audit entries for llm_generate, want 1", len(entries))
	}
	for _, want := range []string{id, "operator.rego", "conflict"} {
		if r := entries[0].Reason; !strings.Contains(r, want) {
			t.Errorf("audit reason %q lacks %q", r, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	shown := strings.Join(logged, "\n")
	if !strings.Contains(shown, id) || !strings.Contains(shown, "operator.rego") {
		t.Errorf("the operator's live log %q lacks the incident id or the detail", shown)
	}
}

// brokenAudit fails every record, with an error naming the operator's database.
type brokenAudit struct{}

func (brokenAudit) Record(context.Context, audit.Entry) error {
	return errors.New("write /var/lib/aios/audit.db: no space left on device")
}

// TestAuditFailureIsNotShownToTheAgent: a decision that cannot be recorded is denied (fail
// closed); the agent is not told the audit database's path, the operator's live log is.
func TestAuditFailureIsNotShownToTheAgent(t *testing.T) {
	eng, err := policy.New(context.Background(), smallOnly)
	if err != nil {
		t.Fatal(err)
	}
	gate, err := kernel.NewGate(kernel.GateConfig{Policy: eng, Audit: brokenAudit{}, Resolve: classes})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logged []string
	_, err = kernel.New(&recorder{}, kernel.WithGate(gate)).Spawn(kernel.Spec{Name: "writer", Agent: writer, Events: func(e kernel.Event) {
		mu.Lock()
		logged = append(logged, e.Text)
		mu.Unlock()
	}})
	if !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("err = %v, want the start denied", err)
	}
	if told := err.Error(); strings.Contains(told, "/var/lib") || strings.Contains(told, "no space") || !strings.Contains(told, "incident ") {
		t.Errorf("the agent's host was told %q: want an incident id and no detail", told)
	}
	mu.Lock()
	defer mu.Unlock()
	if shown := strings.Join(logged, "\n"); !strings.Contains(shown, "/var/lib/aios/audit.db") {
		t.Errorf("the operator's live log %q lacks the detail", shown)
	}
}

// cancelAudit fails a record whose context is done, as audit.Log does.
type cancelAudit struct{}

func (cancelAudit) Record(ctx context.Context, _ audit.Entry) error { return ctx.Err() }

// TestCancelledCallIsNotAnIncident: a call whose run was cancelled while its decision was being
// recorded is cancelled, not denied by an audit incident.
func TestCancelledCallIsNotAnIncident(t *testing.T) {
	eng, err := policy.New(context.Background(), smallOnly)
	if err != nil {
		t.Fatal(err)
	}
	gate, err := kernel.NewGate(kernel.GateConfig{Policy: eng, Audit: cancelAudit{}, Resolve: classes})
	if err != nil {
		t.Fatal(err)
	}
	p, err := kernel.New(&recorder{}, kernel.WithGate(gate)).Spawn(kernel.Spec{Name: "writer", Agent: writer})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Authorize(ctx, "llm_generate", map[string]any{"class": "small"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("err = %v, want cancelled and not denied", err)
	}
	if u := p.Info().Usage; u.Denied != 0 {
		t.Fatalf("a cancelled call counted as denied: %+v", u)
	}
}
