package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// confirmRego makes every generation wait for an operator's confirmation.
const confirmRego = `package aios.policy

obligations contains {"confirm": true} if input.call == "llm_generate"
`

var confirmFiles = map[string]string{"confirm.rego": confirmRego}

const confirmTOML = "[policy]\npaths = [\"confirm.rego\"]\n[[policy.grants]]\nagent = \"*\"\nmodels = [\"*\"]\nclasses = [\"*\"]\n"

// waitApproval polls until c has one pending approval and returns it.
func waitApproval(t *testing.T, c *client.Client) client.Approval {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	for {
		as, err := c.Approvals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 1 {
			return as[0]
		}
		if len(as) > 1 {
			t.Fatalf("approvals = %+v, want one", as)
		}
		select {
		case <-ctx.Done():
			t.Fatal("no approval came")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestApprovalRoundTrip(t *testing.T) {
	s, alice, bob := twoTenants(t, confirmTOML, confirmFiles, Options{})
	a, b := s.client(alice), s.client(bob)
	ctx := context.Background()

	run := submit(t, a, "generate", "")
	ap := waitApproval(t, a)
	if ap.RunID != run.ID || ap.Call != "llm_generate" || ap.Agent != "generate" || ap.Approved != nil {
		t.Fatalf("approval = %+v", ap)
	}
	if as, err := b.Approvals(ctx); err != nil || len(as) != 0 {
		t.Fatalf("bob sees approvals %+v, %v; want none", as, err)
	}
	if _, err := b.Answer(ctx, ap.ID, true); !client.IsNotFound(err) {
		t.Fatalf("bob answers alice's approval: %v, want 404", err)
	}
	if got, err := a.Run(ctx, run.ID); err != nil || got.Status != client.StatusRunning {
		t.Fatalf("run while waiting = %+v, %v; want running", got, err)
	}
	got, err := a.Answer(ctx, ap.ID, true)
	if err != nil || got.Approved == nil || !*got.Approved {
		t.Fatalf("answer = %+v, %v", got, err)
	}
	if _, err := a.Answer(ctx, ap.ID, true); !client.IsNotFound(err) {
		t.Fatalf("a second answer: %v, want 404", err)
	}
	done := waitFinal(t, a, run.ID)
	if done.Status != client.StatusExited || done.Usage.Generations != 1 {
		t.Fatalf("approved run = %+v, want exited after one generation", done)
	}
	// The stream told of the approval.
	var saw bool
	for e, err := range a.Events(ctx, run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		saw = saw || (e.Type == client.EventApproval && e.Approval == ap.ID)
	}
	if !saw {
		t.Fatal("no approval event on the run's stream")
	}

	// Denied: the generation fails and generate.wasm traps.
	run = submit(t, a, "generate", "")
	ap = waitApproval(t, a)
	if _, err := a.Answer(ctx, ap.ID, false); err != nil {
		t.Fatal(err)
	}
	done = waitFinal(t, a, run.ID)
	if done.Status != client.StatusFailed || done.Usage.Generations != 0 || done.Usage.Denied != 1 {
		t.Fatalf("denied run = %+v, want failed with the call denied", done)
	}

	// Malformed answers.
	req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/v1/approvals/x", strings.NewReader(`{"approve": "yes"}`))
	req.Header.Set("Authorization", "Bearer "+alice)
	resp, err := s.http().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a malformed answer: %d, want 400", resp.StatusCode)
	}
}

func TestApprovalTimesOutOrEndsWithTheRun(t *testing.T) {
	s := newTestServer(t, confirmTOML, confirmFiles, Options{ApprovalTimeout: 50 * time.Millisecond})
	c := s.client("")
	run := submit(t, c, "generate", "")
	done := waitFinal(t, c, run.ID)
	if done.Status != client.StatusFailed || done.Usage.Denied != 1 {
		t.Fatalf("unanswered run = %+v, want failed with the call denied", done)
	}
	if as, _ := c.Approvals(context.Background()); len(as) != 0 {
		t.Fatalf("approvals left: %+v", as)
	}
	var why string
	for e, err := range c.Events(context.Background(), run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Type == client.EventLog && strings.Contains(e.Text, "llm_generate") {
			why = e.Text
		}
	}
	if !strings.Contains(why, errApprovalTimeout.Error()) {
		t.Fatalf("denial %q, want it to say no approval came in time", why)
	}

	s = newTestServer(t, confirmTOML, confirmFiles, Options{})
	c = s.client("")
	run = submit(t, c, "generate", "")
	waitApproval(t, c)
	if _, err := c.Cancel(context.Background(), run.ID); err != nil {
		t.Fatal(err)
	}
	if done := waitFinal(t, c, run.ID); done.Status != client.StatusCanceled {
		t.Fatalf("canceled while waiting = %+v, want canceled", done)
	}
	if as, _ := c.Approvals(context.Background()); len(as) != 0 {
		t.Fatalf("approvals left after the run ended: %+v", as)
	}
}
