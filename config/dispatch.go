package config

import (
	"fmt"

	"github.com/aiosys/aios/kernel/dispatch"
)

// DispatchOptions returns the dispatcher's options for c: the [scheduler] policy and knobs, a
// ledger holding the [quotas] budgets, and the [aliases] each followed to its final target.
func (c Config) DispatchOptions() (dispatch.Options, error) {
	s := c.Scheduler
	q, err := s.queue()
	if err != nil {
		return dispatch.Options{}, fmt.Errorf("scheduler: %w", err)
	}
	aliases, err := resolveAliases(c.Aliases, c.CoresOrEcho())
	if err != nil {
		return dispatch.Options{}, fmt.Errorf("aliases: %w", err)
	}
	return dispatch.Options{
		Queue:            q,
		Ledger:           c.Quotas.ledger(),
		Aliases:          aliases,
		Strategy:         s.Strategy,
		MaxAttempts:      s.MaxAttempts,
		Backoff:          s.Backoff,
		MaxBackoff:       s.MaxBackoff,
		AttemptTimeout:   s.AttemptTimeout,
		FailureThreshold: s.FailureThreshold,
		Cooldown:         s.Cooldown,
		DefaultMaxTokens: s.DefaultMaxTokens,
	}, nil
}
