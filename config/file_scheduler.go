package config

import (
	"time"

	"github.com/BurntSushi/toml"
)

// fileScheduler is the [scheduler] table as written. A number left out or 0 takes the default,
// except attempt_timeout, where 0 written out means no bound.
type fileScheduler struct {
	Kind             string             `toml:"kind"`
	Slice            Duration           `toml:"slice"`
	Aging            Duration           `toml:"aging"`
	AgingTokens      int                `toml:"aging_tokens"`
	ByTenant         bool               `toml:"by_tenant"`
	Weights          map[string]float64 `toml:"weights"`
	Strategy         string             `toml:"strategy"`
	MaxAttempts      int                `toml:"max_attempts"`
	Backoff          Duration           `toml:"backoff"`
	MaxBackoff       Duration           `toml:"max_backoff"`
	AttemptTimeout   Duration           `toml:"attempt_timeout"`
	FailureThreshold int                `toml:"failure_threshold"`
	Cooldown         Duration           `toml:"cooldown"`
	DefaultMaxTokens int                `toml:"default_max_tokens"`
}

// fileQuotas is the [quotas] table as written: [quotas.agents.NAME] and [quotas.tenants.NAME].
type fileQuotas struct {
	Agents  map[string]fileBudget `toml:"agents"`
	Tenants map[string]fileBudget `toml:"tenants"`
}

type fileBudget struct {
	Tokens int64   `toml:"tokens"`
	Money  float64 `toml:"money"`
	Period string  `toml:"period"`
}

func (f fileScheduler) scheduler(md toml.MetaData) Scheduler {
	s := DefaultScheduler()
	or := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	orDur := func(v Duration, def time.Duration) time.Duration {
		if v == 0 {
			return def
		}
		return time.Duration(v)
	}
	if f.Kind != "" {
		s.Kind = f.Kind
	}
	if f.Strategy != "" {
		s.Strategy = f.Strategy
	}
	s.Slice, s.Aging, s.AgingTokens = time.Duration(f.Slice), time.Duration(f.Aging), f.AgingTokens
	s.ByTenant, s.Weights = f.ByTenant, f.Weights
	s.MaxAttempts = or(f.MaxAttempts, s.MaxAttempts)
	s.Backoff = orDur(f.Backoff, s.Backoff)
	s.MaxBackoff = orDur(f.MaxBackoff, max(s.MaxBackoff, s.Backoff))
	if md.IsDefined("scheduler", "attempt_timeout") {
		s.AttemptTimeout = time.Duration(f.AttemptTimeout)
	}
	s.FailureThreshold = or(f.FailureThreshold, s.FailureThreshold)
	s.Cooldown = orDur(f.Cooldown, s.Cooldown)
	s.DefaultMaxTokens = or(f.DefaultMaxTokens, s.DefaultMaxTokens)
	return s
}

func (f fileQuotas) quotas() Quotas {
	conv := func(m map[string]fileBudget) map[string]Budget {
		if m == nil {
			return nil
		}
		out := make(map[string]Budget, len(m))
		for k, b := range m {
			out[k] = Budget(b)
		}
		return out
	}
	return Quotas{Agents: conv(f.Agents), Tenants: conv(f.Tenants)}
}
