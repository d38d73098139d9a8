//go:build wasmtime

package aios

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/runtime"
)

// TestSystemWasmtimeRuntimeTable: [runtime]'s settings reach the wasmtime engine the System
// starts, as the address space its pool reserves shows (about 4 GiB and a guard region per
// slot, and none when pool.on_demand is set).
func TestSystemWasmtimeRuntimeTable(t *testing.T) {
	ctx := context.Background()
	grown := func(rt config.Runtime) uint64 {
		t.Helper()
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		cfg.Runtime = rt
		before := virtualSize(t)
		sys, err := New(ctx, cfg, WithEngine("wasmtime"))
		if err != nil {
			t.Fatal(err)
		}
		after := virtualSize(t)
		if err := sys.Close(ctx); err != nil {
			t.Fatal(err)
		}
		return max(after, before) - before
	}
	const gib = 1 << 30
	small, large := grown(config.Runtime{MaxRunning: 16}), grown(config.Runtime{MaxRunning: 64})
	onDemand := grown(config.Runtime{MaxRunning: 64, Pool: runtime.PoolConfig{OnDemand: true}})
	if small < 16*4*gib || large < 64*4*gib || large < 3*small {
		t.Errorf("address space reserved: %d GiB with max_running 16, %d GiB with 64; want at least 4 GiB a slot", small/gib, large/gib)
	}
	if onDemand > 16*gib {
		t.Errorf("pool.on_demand: %d GiB of address space reserved, want no pool", onDemand/gib)
	}
}

// virtualSize is the process's address space (VmSize), in bytes.
func virtualSize(t *testing.T) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmSize in /proc/self/status")
	return 0
}
