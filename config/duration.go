package config

import (
	"fmt"
	"strings"
	"time"
)

// Duration is a length of time in aios.toml: a string in Go's duration syntax, such as "30s",
// "1m30s" or "250ms". A bare number is refused rather than guessed at, except 0.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(text []byte) error {
	raw := strings.TrimSpace(string(text))
	v, err := time.ParseDuration(raw)
	if err != nil {
		return fmt.Errorf("duration %q: want a number with a unit (ns, us, ms, s, m, h), e.g. \"30s\"", raw)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", raw)
	}
	*d = Duration(v)
	return nil
}

// String formats d as time.Duration does, e.g. "1m30s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
