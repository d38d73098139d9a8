package server

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

func TestShutdownLetsRunsFinishWithinGrace(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	run := submit(t, c, "sleep", "")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v, want the run to finish within the grace period", err)
	}
	r, _ := s.runs.get(DefaultTenant, run.ID)
	if v := r.view(); v.Status != client.StatusExited {
		t.Fatalf("run = %+v, want exited", v)
	}
	// Nothing new is admitted; status is still served.
	_, err := c.Submit(context.Background(), client.RunRequest{Module: fixture(t, "minimal")})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("submit after shutdown: %v, want 503", err)
	}
	if err := c.Ready(context.Background()); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz after shutdown: %v, want 503", err)
	}
	if got, err := c.Run(context.Background(), run.ID); err != nil || got.Status != client.StatusExited {
		t.Fatalf("run after shutdown = %+v, %v", got, err)
	}
}

func TestShutdownCancelsRunsAfterGrace(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	if err := c.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	run := submit(t, c, "loop", "")
	// A stream open across the shutdown ends with the run's final status.
	events := make(chan []client.Event, 1)
	go func() {
		var got []client.Event
		for e, err := range c.Events(context.Background(), run.ID, 0) {
			if err != nil {
				break
			}
			got = append(got, e)
		}
		events <- got
	}()
	ended, cancel := context.WithCancel(context.Background())
	cancel() // a grace period that is already over
	if err := s.Shutdown(ended); !errors.Is(err, context.Canceled) {
		t.Fatalf("shutdown: %v, want the grace period's end", err)
	}
	r, _ := s.runs.get(DefaultTenant, run.ID)
	if v := r.view(); v.Status != client.StatusCanceled || v.Error != errShutdown.Error() {
		t.Fatalf("run = %+v, want canceled by the shutdown", v)
	}
	got := <-events
	if len(got) == 0 || got[len(got)-1].Status != client.StatusCanceled {
		t.Fatalf("stream = %+v, want it to end with canceled", got)
	}
}

func TestMaxActiveRunsRefusesMore(t *testing.T) {
	s := newTestServer(t, "", nil, Options{MaxActive: 1})
	c := s.client("")
	run := submit(t, c, "loop", "")
	_, err := c.Submit(context.Background(), client.RunRequest{Module: fixture(t, "minimal")})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a second run: %v, want 429", err)
	}
	if _, err := c.Cancel(context.Background(), run.ID); err != nil {
		t.Fatal(err)
	}
	waitFinal(t, c, run.ID)
	// The slot is free once the goroutine that ran the agent has returned.
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	for {
		_, err := c.Submit(ctx, client.RunRequest{Module: fixture(t, "minimal")})
		if err == nil {
			break
		}
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || ctx.Err() != nil {
			t.Fatalf("after the first ended: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
