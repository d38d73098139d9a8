package config

import (
	"errors"
	"fmt"
)

var errNoDataDir = errors.New("data_dir is empty")

// Validate checks c as a whole: a data directory, valid cores with distinct names, a known
// scheduler with consistent knobs, aliases that resolve, budgets and limits that are not
// negative, no core whose tpm would refuse every request (below
// scheduler.default_max_tokens), and [[tools]] entries of known kinds with distinct names and
// the keys their kind needs. It reads neither the environment nor the network.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errNoDataDir)
	}
	seen := map[string]int{}
	for i, core := range c.Cores {
		if err := core.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("cores[%d]: %w", i, err))
		}
		if err := core.validate(); err != nil {
			errs = append(errs, fmt.Errorf("cores[%d]: core %q: %w", i, core.EffectiveName(), err))
		}
		if core.TPM > 0 && core.TPM <= c.Scheduler.DefaultMaxTokens {
			errs = append(errs, fmt.Errorf("cores[%d]: core %q: tpm %d leaves no room for a request with scheduler.default_max_tokens %d plus its prompt; raise tpm or lower default_max_tokens",
				i, core.EffectiveName(), core.TPM, c.Scheduler.DefaultMaxTokens))
		}
		name := core.EffectiveName()
		if j, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("cores[%d] and cores[%d] are both named %q; give each core a distinct name", j, i, name))
		}
		seen[name] = i
	}
	if err := c.Scheduler.validate(); err != nil {
		errs = append(errs, fmt.Errorf("scheduler: %w", err))
	}
	if _, err := resolveAliases(c.Aliases, c.CoresOrEcho()); err != nil {
		errs = append(errs, fmt.Errorf("aliases: %w", err))
	}
	errs = append(errs, c.Quotas.validate()...)
	errs = append(errs, validateTools(c.Tools)...)
	errs = append(errs, c.Memory.validate()...)
	errs = append(errs, c.Storage.validate()...)
	errs = append(errs, c.Telemetry.validate()...)
	l := c.Limits
	if l.CPUTime < 0 || l.WallTime < 0 {
		errs = append(errs, fmt.Errorf("limits: cpu_time %s and wall_time %s must not be negative", l.CPUTime, l.WallTime))
	}
	if l.InFlight < 0 {
		errs = append(errs, fmt.Errorf("limits: in_flight %d is negative", l.InFlight))
	}
	return errors.Join(errs...)
}
