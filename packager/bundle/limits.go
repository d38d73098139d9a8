package bundle

import (
	"fmt"
	"time"

	"github.com/aiosys/aios/limits"
)

// normalize parses every limit and rewrites it in its canonical spelling.
func (l *Limits) normalize() error {
	for _, f := range l.sizes() {
		if *f.value == "" {
			continue
		}
		n, err := parseSize(*f.value)
		if err != nil {
			return fmt.Errorf("%w: limits.%s: %v", ErrInvalidManifest, f.name, err)
		}
		if n == 0 {
			return fmt.Errorf("%w: limits.%s: must be more than zero (leave it out for the default)", ErrInvalidManifest, f.name)
		}
		*f.value = formatSize(n)
	}
	for _, f := range l.durations() {
		if *f.value == "" {
			continue
		}
		d, err := time.ParseDuration(*f.value)
		if err != nil {
			return fmt.Errorf("%w: limits.%s: duration %q: want e.g. \"30s\" or \"5m\"", ErrInvalidManifest, f.name, *f.value)
		}
		if d <= 0 {
			return fmt.Errorf("%w: limits.%s: must be more than zero (leave it out for the default)", ErrInvalidManifest, f.name)
		}
		*f.value = d.String()
	}
	if l.InFlight < 0 {
		return fmt.Errorf("%w: limits.in_flight: %d is negative", ErrInvalidManifest, l.InFlight)
	}
	return nil
}

type namedField struct {
	name  string
	value *string
}

func (l *Limits) sizes() []namedField {
	return []namedField{
		{"memory", &l.Memory}, {"stack", &l.Stack}, {"log", &l.Log},
		{"output", &l.Output}, {"request", &l.Request}, {"response", &l.Response},
	}
}

func (l *Limits) durations() []namedField {
	return []namedField{{"cpu_time", &l.CPUTime}, {"wall_time", &l.WallTime}}
}

// Resolve converts the requested limits into a limits.Limits. Fields left out stay zero, which
// limits.Limits.Or fills from the host's defaults; the host may still lower any of them.
func (l Limits) Resolve() (limits.Limits, error) {
	n := l
	if err := n.normalize(); err != nil {
		return limits.Limits{}, err
	}
	var out limits.Limits
	sizes := map[string]*uint64{
		"memory": &out.Memory, "stack": &out.Stack, "log": &out.Log,
		"output": &out.Output, "request": &out.Request, "response": &out.Response,
	}
	for _, f := range n.sizes() {
		if *f.value != "" {
			v, _ := parseSize(*f.value) // normalize has parsed it already
			*sizes[f.name] = v
		}
	}
	if n.CPUTime != "" {
		out.CPUTime, _ = time.ParseDuration(n.CPUTime)
	}
	if n.WallTime != "" {
		out.WallTime, _ = time.ParseDuration(n.WallTime)
	}
	out.InFlight = n.InFlight
	return out, nil
}
