package config

import (
	"strings"
	"testing"

	"github.com/aiosys/aios/runtime"
)

func TestLoadRuntimeTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[runtime]\nmax_running = 64\n[runtime.pool]\non_demand = true\ntable_elements = 5000\ninstance_size = \"2MiB\"\nkeep_resident = \"1MiB\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Runtime{MaxRunning: 64, Pool: runtime.PoolConfig{OnDemand: true, TableElements: 5000, InstanceSize: 2 << 20, KeepResident: 1 << 20}}
	if cfg.Runtime != want {
		t.Fatalf("Runtime = %+v, want %+v", cfg.Runtime, want)
	}
	if got := cfg.Runtime.Engine("/c"); got.MaxRunning != 64 || got.Pool != want.Pool || got.CacheDir != "/c" {
		t.Errorf("Engine = %+v", got)
	}
	if err := cfg.Runtime.Engine("").Validate(); err != nil {
		t.Errorf("a table Load accepted makes an engine configuration the engine refuses: %v", err)
	}

	cfg, err = Load(writeFile(t, dir, "data_dir = \"d\"\n"))
	if err != nil || cfg.Runtime != (Runtime{}) {
		t.Fatalf("without [runtime]: %+v, %v; want the engine's defaults (zero)", cfg.Runtime, err)
	}

	for _, c := range []struct{ file, want string }{
		{"[runtime]\nmax_running = -1\n", "runtime.max_running: -1 is not between 0 (the default) and 8192"},
		{"[runtime]\nmax_running = 8193\n", "runtime.max_running"},
		{"[runtime]\nmax_running = 9223372036854775807\n", "runtime.max_running"},
		{"[runtime.pool]\ntable_elements = -5\n", "runtime.pool.table_elements"},
		{"[runtime.pool]\ninstance_size = \"65MiB\"\n", "runtime.pool.instance_size: 65MiB is more than the most allowed, 64MiB"},
		{"[runtime.pool]\nkeep_resident = \"16EiB\"\n", "keep_resident"},
		{"[runtime.pool]\nkeep_resident = 18446744073709551615\n", "keep_resident"},
		{"[runtime.pool]\nkeep_resident = -1\n", "keep_resident"},
		{"[runtime.pool]\non_demand = \"yes\"\n", "on_demand"},
		{"[runtime]\nmax_runing = 3\n", "max_runing"},
	} {
		if _, err := Load(writeFile(t, dir, c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}
