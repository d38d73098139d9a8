package aios_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	aios "github.com/aiosys/aios/sdk-go"
)

// Example is a small agent: it asks one question with streaming, asks two more at once, and
// writes every answer to its output. Build it with GOOS=wasip1 GOARCH=wasm and run it with
// `aios run`; on any other platform each call returns ErrNotInAIOS.
func Example() {
	if err := run(); err != nil {
		aios.Errorf("agent failed: %v", err)
	}
}

func run() error {
	in, err := aios.Input()
	if err != nil {
		return err
	}
	topic := strings.TrimSpace(string(in))
	if topic == "" {
		topic = "the moon"
	}
	aios.Infof("writing about %s", topic)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := aios.Stream(ctx, aios.Prompt("Write one sentence about "+topic+"."))
	if err != nil {
		return err
	}
	var chunks int
	for _, err := range s.Chunks() {
		if err != nil {
			return err
		}
		chunks++
	}
	resp, err := s.Result()
	if errors.Is(err, aios.ErrQuota) {
		return fmt.Errorf("out of budget: %w", err)
	}
	if err != nil {
		return err
	}
	aios.Debugf("%d chunks, %d output tokens from %s", chunks, resp.Usage.OutputTokens, resp.Core)
	if err := aios.Outputf("%s\n", resp.Text); err != nil {
		return err
	}

	questions := []string{"Who first walked on " + topic + "?", "How far away is " + topic + "?"}
	calls := make([]*aios.Call, len(questions))
	for i, q := range questions {
		if calls[i], err = aios.Submit(aios.Prompt(q)); err != nil {
			return err
		}
	}
	for _, c := range calls {
		r, err := c.Wait()
		if err != nil {
			return err
		}
		if err := aios.Outputf("%s\n", r.Text); err != nil {
			return err
		}
	}
	return nil
}
