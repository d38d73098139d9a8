package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Size is a number of bytes in aios.toml: an integer, or a string with a unit such as "256MiB",
// "64 KiB" or "1GB". Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal units (KB,
// MB, GB, TB) powers of 1000, and B or no unit means bytes.
type Size uint64

var sizeUnits = map[string]uint64{
	"": 1, "B": 1,
	"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
	"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Size) UnmarshalText(text []byte) error {
	raw := strings.TrimSpace(string(text))
	end := strings.IndexFunc(raw, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(raw)
	}
	num, unit := raw[:end], strings.TrimSpace(raw[end:])
	mult, ok := sizeUnits[unit]
	if num == "" || !ok {
		return fmt.Errorf("size %q: want a whole number of bytes with an optional unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB), e.g. \"256MiB\"", raw)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n > math.MaxUint64/mult {
		return fmt.Errorf("size %q is too large", raw)
	}
	*s = Size(n * mult)
	return nil
}

// String formats s with the largest binary unit that divides it, e.g. "256MiB".
func (s Size) String() string {
	for _, u := range []string{"TiB", "GiB", "MiB", "KiB"} {
		if m := sizeUnits[u]; s != 0 && uint64(s)%m == 0 {
			return strconv.FormatUint(uint64(s)/m, 10) + u
		}
	}
	return strconv.FormatUint(uint64(s), 10) + "B"
}

// MarshalText implements encoding.TextMarshaler.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
