package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/journal"
)

// restartPolicy reads the restart policy a run asks for (client.RunRequest.Restart): the zero
// policy, the kernel's [durable] restart, when it asks for none. A kernel that is not durable
// cannot restart a run and refuses one that asks.
func (s *Server) restartPolicy(asked *client.Restart) (journal.Restart, error) {
	if asked == nil {
		return journal.Restart{}, nil
	}
	if s.opts.Journal == nil {
		return journal.Restart{}, errors.New("restart: the kernel is not durable (aios kernel serve --durable): its runs cannot be restarted")
	}
	r := journal.Restart{Policy: journal.RestartPolicy(asked.Policy), MaxRestarts: asked.MaxRestarts}
	if r.Policy == "" {
		return r, errors.New(`restart: policy: want "never" or "on-failure"`)
	}
	for _, d := range []struct {
		name, text string
		to         *time.Duration
	}{{"backoff", asked.Backoff, &r.Backoff}, {"max_backoff", asked.MaxBackoff, &r.MaxBackoff}} {
		if d.text == "" {
			continue
		}
		v, err := time.ParseDuration(d.text)
		if err != nil {
			return r, fmt.Errorf("restart: %s %s: want a Go duration, e.g. \"2s\"", d.name, quote(d.text))
		}
		*d.to = v
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("restart: %w", err)
	}
	return r, nil
}
