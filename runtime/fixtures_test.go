package runtime

import (
	"os"
	"path/filepath"
	"testing"
)

// fixture returns testdata/name (built by testdata/build.sh).
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	return b
}

// withCustom appends a custom section called name with payload to a module.
func withCustom(wasm []byte, name string, payload []byte) []byte {
	body := append(uleb(uint64(len(name))), name...)
	body = append(body, payload...)
	out := append([]byte{}, wasm...)
	out = append(out, 0)
	out = append(out, uleb(uint64(len(body)))...)
	return append(out, body...)
}

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}
