package config

import (
	"errors"
	"fmt"
)

var errNoDataDir = errors.New("data_dir is empty")

// Validate checks c as a whole: a data directory, valid cores with distinct names, and limits
// that are not negative. It reads neither the environment nor the network.
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
		name := core.EffectiveName()
		if j, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("cores[%d] and cores[%d] are both named %q; give each core a distinct name", j, i, name))
		}
		seen[name] = i
	}
	l := c.Limits
	if l.CPUTime < 0 || l.WallTime < 0 {
		errs = append(errs, fmt.Errorf("limits: cpu_time %s and wall_time %s must not be negative", l.CPUTime, l.WallTime))
	}
	if l.InFlight < 0 {
		errs = append(errs, fmt.Errorf("limits: in_flight %d is negative", l.InFlight))
	}
	return errors.Join(errs...)
}
