package server

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aiosys/aios/client"
)

func TestInputTokensAndExitCode(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	wasm, err := os.ReadFile("testdata/stream.wasm")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	input := "héllo\nworld\x00 with a NUL"
	run, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "stream", Input: input, Priority: -3,
		Args: []string{"--x"}, Env: []string{"A=1"}, Limits: &client.Limits{WallTime: "5m", Output: 1 << 16}})
	if err != nil {
		t.Fatal(err)
	}
	var tokens strings.Builder
	var final client.Event
	for e, err := range c.Events(ctx, run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Type == client.EventToken {
			tokens.WriteString(e.Text)
		}
		final = e
	}
	if !strings.Contains(tokens.String(), "stream me") {
		t.Fatalf("tokens = %q, want the echo core's streamed reply", tokens.String())
	}
	if final.Status != client.StatusExited || final.ExitCode == nil || *final.ExitCode != 7 {
		t.Fatalf("final event %+v, want exited 7", final)
	}
	out, err := c.Output(ctx, run.ID)
	if err != nil || string(out) != input {
		t.Fatalf("output %q, %v; want the input back", out, err)
	}
	got, err := c.Run(ctx, run.ID)
	if err != nil || got.Usage.Generations != 1 || *got.ExitCode != 7 {
		t.Fatalf("run %+v, %v", got, err)
	}
}
