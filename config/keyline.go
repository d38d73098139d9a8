package config

import (
	"bufio"
	"bytes"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// keyLine returns the 1-based line of data where key is set, or 0 when it cannot tell (keys set
// inside inline tables or after a multi-line string). The TOML decoder knows positions but does
// not export them for keys it did not decode.
func keyLine(data []byte, key toml.Key) int {
	var table []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			inner, _, _ := strings.Cut(strings.TrimLeft(line, "["), "]")
			table = splitKey(inner)
			if slices.Equal(table, key) {
				return n
			}
		default:
			eq := strings.IndexByte(line, '=')
			if eq < 0 {
				continue
			}
			full := append(slices.Clone(table), splitKey(line[:eq])...)
			if slices.Equal(full, key) {
				return n
			}
		}
	}
	return 0
}

// splitKey splits a dotted TOML key into its parts, unquoting quoted parts.
func splitKey(s string) []string {
	var (
		parts []string
		cur   strings.Builder
		quote byte
	)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(ch)
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}
