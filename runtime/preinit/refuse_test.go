package preinit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/runtime/preinit"
)

// TestRefused: modules that cannot be pre-initialised soundly are refused with the reason and
// what to do, and a call made during initialisation is named.
func TestRefused(t *testing.T) {
	cases := []struct {
		fixture string
		call    string
		want    []string
	}{
		{"reactor_initgenerate.wasm", "aios.llm_generate",
			[]string{"_initialize called aios.llm_generate", "move it", "into aios_main"}},
		{"reactor_initwrite.wasm", "wasi_snapshot_preview1.fd_write",
			[]string{`wasi_snapshot_preview1.fd_write (5 bytes to fd 1: "hello")`, "into aios_main"}},
		{"reactor_tableset.wasm", "", []string{"can change its tables (table.set in function 1)"}},
		{"reactor_passive.wasm", "", []string{"passive data segments"}},
		{"minimal.wasm", "", []string{"is a command (it exports _start)", "-buildmode=c-shared", "//go:wasmexport aios_main"}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			_, err := preinit.Run(context.Background(), fixture(t, c.fixture))
			var re *preinit.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("Run = %v, want a *RefusedError", err)
			}
			if re.Call != c.call {
				t.Errorf("Call = %q, want %q", re.Call, c.call)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestRefusedSharedMemory: a module with a shared memory (threads) is refused. The fixture
// is the WAT reactor with its memory's limits flags set to shared.
func TestRefusedSharedMemory(t *testing.T) {
	wasm := fixture(t, "reactor_passive.wasm")
	// The memory section of reactor_passive.wasm: id 5, size 3, one memory, flags 0, min 1.
	i := strings.Index(string(wasm), "\x05\x03\x01\x00\x01")
	if i < 0 {
		t.Fatal("memory section not found")
	}
	shared := append([]byte(nil), wasm...)
	copy(shared[i:], "\x05\x04\x01\x03\x01\x01") // flags 3: shared, with a maximum of 1
	shared = append(shared[:i+6], wasm[i+5:]...)
	_, err := preinit.Run(context.Background(), shared)
	if err == nil || !strings.Contains(err.Error(), "shared") {
		t.Fatalf("Run = %v, want a refusal naming the shared memory", err)
	}
}

// TestInitialisationThatNeverEnds: a context ends initialisation that loops forever.
func TestInitialisationThatNeverEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := preinit.Run(ctx, fixture(t, "reactor_initloop.wasm"))
	if err == nil || !strings.Contains(err.Error(), "_initialize did not finish") {
		t.Fatalf("Run = %v, want an error saying _initialize did not finish", err)
	}
}
