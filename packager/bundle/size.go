package bundle

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the suffixes a manifest size may carry, longest first so "KiB" wins over "B".
var sizeUnits = []struct {
	suffix string
	factor uint64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
	{"B", 1},
}

// parseSize reads a byte size such as "64MiB", "512 KiB", "10MB" or "4096".
func parseSize(s string) (uint64, error) {
	text := strings.TrimSpace(s)
	factor := uint64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(text, u.suffix) {
			text = strings.TrimSpace(strings.TrimSuffix(text, u.suffix))
			factor = u.factor
			break
		}
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: want a whole number with an optional unit (B, KiB, MiB, GiB, KB, MB, GB)", s)
	}
	if n > math.MaxUint64/factor {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return n * factor, nil
}

// formatSize renders a byte count in the largest binary unit that divides it exactly, the one
// spelling the canonical manifest keeps.
func formatSize(n uint64) string {
	for _, u := range sizeUnits[:3] {
		if n != 0 && n%u.factor == 0 {
			return strconv.FormatUint(n/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatUint(n, 10) + "B"
}
