package server

import (
	"context"
	"strings"
	"testing"

	"github.com/aiosys/aios/client"
)

func TestSubmitStatusOutputUsage(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	ctx := context.Background()

	r := submit(t, c, "generate", "")
	if r.Status != client.StatusRunning || !strings.HasPrefix(r.ID, "run_") || r.Tenant != DefaultTenant {
		t.Fatalf("submitted run = %+v, want running, a run_ id, tenant %q", r, DefaultTenant)
	}
	done := waitFinal(t, c, r.ID)
	if done.Status != client.StatusExited || done.ExitCode == nil || *done.ExitCode != 0 {
		t.Fatalf("run = %+v, want exited 0", done)
	}
	if done.Usage == nil || done.Usage.Generations != 1 || done.Usage.OutputTokens == 0 || done.Started == nil || done.Ended == nil {
		t.Fatalf("run = %+v, want one generation with tokens and both times", done)
	}
	out, err := c.Output(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "hello from a minimal agent") {
		t.Fatalf("output = %q, want the echo core's reply to the agent's prompt", out)
	}
	runs, err := c.Runs(ctx)
	if err != nil || len(runs) != 1 || runs[0].ID != r.ID {
		t.Fatalf("runs = %+v, %v; want the one run", runs, err)
	}
	u, err := c.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Tenant != DefaultTenant || u.Runs != 1 || u.Finished != 1 || u.Usage.Generations != 1 || u.Usage.OutputTokens != done.Usage.OutputTokens {
		t.Fatalf("usage = %+v, want the one run's", u)
	}
}

func TestMinimalOutputAndEvents(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	r := submit(t, c, "minimal", "")
	var statuses []string
	var last uint64
	for e, err := range c.Events(context.Background(), r.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != last+1 {
			t.Fatalf("event id %d after %d, want consecutive ids", e.ID, last)
		}
		last = e.ID
		if e.Type == client.EventStatus {
			statuses = append(statuses, e.Status)
		}
	}
	if strings.Join(statuses, ",") != "running,exited" {
		t.Fatalf("status events = %v, want running then exited", statuses)
	}
	out, err := c.Output(context.Background(), r.ID)
	if err != nil || string(out) != "hello from wasm" {
		t.Fatalf("output = %q, %v; want hello from wasm", out, err)
	}
}

func TestCancelLongRun(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	r := submit(t, c, "loop", "")
	ctx := context.Background()
	if _, err := c.Output(ctx, r.ID); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("output of a running run: %v, want 409", err)
	}
	got, err := c.Cancel(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r.ID {
		t.Fatalf("cancel answered %+v", got)
	}
	done := waitFinal(t, c, r.ID)
	if done.Status != client.StatusCanceled || !strings.Contains(done.Error, "canceled") {
		t.Fatalf("run = %+v, want canceled with a reason", done)
	}
	if _, err := c.Cancel(ctx, r.ID); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("cancel of an ended run: %v, want 409", err)
	}
}

func TestCancelSlowGeneration(t *testing.T) {
	s := newTestServer(t, "[[cores]]\nkind = \"echo\"\nlatency = \"1h\"\n", nil, Options{})
	c := s.client("")
	r := submit(t, c, "generate", "")
	if _, err := c.Cancel(context.Background(), r.ID); err != nil {
		t.Fatal(err)
	}
	done := waitFinal(t, c, r.ID)
	if done.Status != client.StatusCanceled && done.Status != client.StatusFailed {
		t.Fatalf("run = %+v, want it stopped", done)
	}
	if done.Status != client.StatusCanceled {
		t.Fatalf("run = %+v, want canceled", done)
	}
}

func TestFinishedRunsAreForgottenOldestFirst(t *testing.T) {
	s := newTestServer(t, "", nil, Options{KeepRuns: 2})
	c := s.client("")
	var ids []string
	for range 3 {
		r := submit(t, c, "minimal", "")
		waitFinal(t, c, r.ID)
		ids = append(ids, r.ID)
	}
	if _, err := c.Run(context.Background(), ids[0]); !client.IsNotFound(err) {
		t.Fatalf("the oldest of three with KeepRuns 2: %v, want 404", err)
	}
	runs, err := c.Runs(context.Background())
	if err != nil || len(runs) != 2 || runs[0].ID != ids[1] || runs[1].ID != ids[2] {
		t.Fatalf("runs = %+v, %v; want the newest two", runs, err)
	}
	if u, err := c.Usage(context.Background()); err != nil || u.Finished != 3 || u.Runs != 2 {
		t.Fatalf("usage = %+v, %v; want 3 finished, 2 held", u, err)
	}

	// By bytes: each minimal run holds its output and a few events; a bound below two runs'
	// worth keeps only the newest.
	s = newTestServer(t, "", nil, Options{KeepBytes: 20})
	c = s.client("")
	ids = ids[:0]
	for range 2 {
		r := submit(t, c, "minimal", "")
		waitFinal(t, c, r.ID)
		ids = append(ids, r.ID)
	}
	if _, err := c.Run(context.Background(), ids[0]); !client.IsNotFound(err) {
		t.Fatalf("the older run past KeepBytes: %v, want 404", err)
	}
	if _, err := c.Run(context.Background(), ids[1]); err != nil {
		t.Fatalf("the newest run: %v", err)
	}
}
