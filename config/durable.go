package config

import (
	"fmt"
	"math"
	"time"

	"github.com/aiosys/aios/journal"
)

// MaxMaxResumes bounds [durable] max_resumes.
const MaxMaxResumes = 1000

// Durable configures how durable runs live (docs/DURABLE.md): the restart policy of a run
// that names none, and how often a run that keeps crashing is resumed.
type Durable struct {
	// Restart is the restart policy of a durable run that names none (the zero Policy is
	// "never"); its MaxRestarts, Backoff and MaxBackoff are also the defaults of a run that
	// asks for "on-failure" without them. Zero fields take journal's defaults.
	Restart journal.Restart
	// MaxResumes is how many times a run that keeps crashing is resumed before it is marked
	// failed; zero is the default, aios.MaxResumes (3).
	MaxResumes int
}

type fileDurable struct {
	Restart     string   `toml:"restart"`
	MaxRestarts int64    `toml:"max_restarts"`
	Backoff     Duration `toml:"backoff"`
	MaxBackoff  Duration `toml:"max_backoff"`
	MaxResumes  int64    `toml:"max_resumes"`
}

func (f fileDurable) durable() (Durable, error) {
	var d Durable
	if f.Restart != "" {
		r, err := journal.ParseRestart(f.Restart)
		if err != nil {
			return d, fmt.Errorf("durable.restart: %w", err)
		}
		d.Restart = r
	}
	if n := f.MaxRestarts; n != 0 {
		if n < 0 || n > journal.MaxMaxRestarts {
			return d, fmt.Errorf("durable.max_restarts: %d: want 1 to %d (0 is the default, %d)", n, journal.MaxMaxRestarts, journal.DefaultMaxRestarts)
		}
		if d.Restart.MaxRestarts != 0 && int(n) != d.Restart.MaxRestarts {
			return d, fmt.Errorf("durable.max_restarts: %d, but durable.restart = %q already says %d", n, f.Restart, d.Restart.MaxRestarts)
		}
		d.Restart.MaxRestarts = int(n)
	}
	for _, b := range []struct {
		name string
		v    Duration
		to   *time.Duration
	}{{"backoff", f.Backoff, &d.Restart.Backoff}, {"max_backoff", f.MaxBackoff, &d.Restart.MaxBackoff}} {
		if time.Duration(b.v) > journal.MaxBackoffBound {
			return d, fmt.Errorf("durable.%s: %v is longer than %v", b.name, b.v, journal.MaxBackoffBound)
		}
		*b.to = time.Duration(b.v)
	}
	if f.MaxResumes < 0 || f.MaxResumes > MaxMaxResumes {
		return d, fmt.Errorf("durable.max_resumes: %d: want 1 to %d (0 is the default, 3)", f.MaxResumes, MaxMaxResumes)
	}
	d.MaxResumes = int(min(f.MaxResumes, math.MaxInt32))
	return d, nil
}
