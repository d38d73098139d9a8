package config

import (
	"strings"
	"testing"
)

func TestLoadMemoryAndStorageTables(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, `
[memory]
embed_model = "echo"
max_entry = "16KiB"
max_entries = 500
max_bytes = "8MiB"
max_k = 20

[storage]
max_value = "256KiB"
max_bytes = "32MiB"
max_versions = 1000
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Memory{EmbedModel: "echo", MaxEntry: 16 << 10, MaxEntries: 500, MaxBytes: 8 << 20, MaxK: 20}); cfg.Memory != want {
		t.Errorf("Memory = %+v, want %+v", cfg.Memory, want)
	}
	if want := (Storage{MaxValue: 256 << 10, MaxBytes: 32 << 20, MaxVersions: 1000}); cfg.Storage != want {
		t.Errorf("Storage = %+v, want %+v", cfg.Storage, want)
	}
	if o := cfg.Memory.Options(nil); o.MaxEntryBytes != 16<<10 || o.MaxEntriesPerSpace != 500 || o.MaxK != 20 {
		t.Errorf("Options = %+v", o)
	}
	if l := cfg.Storage.Limits(); l.MaxValueBytes != 256<<10 || l.MaxVersionsPerSpace != 1000 {
		t.Errorf("Limits = %+v", l)
	}
}

func TestMemoryAndStorageTableErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"[memory]\nmax_entries = -1\n", "memory.max_entries -1 is negative"},
		{"[memory]\nmax_k = -3\n", "memory.max_k -3 is negative"},
		{"[memory]\nmax_entry = \"8GiB\"\n", "memory.max_entry 8GiB is larger"},
		{"[storage]\nmax_value = \"4GiB\"\n", "storage.max_value 4GiB is larger"},
		{"[storage]\nmax_versions = -9\n", "storage.max_versions -9 is negative"},
		{"[storage]\nmax_keys = 1\n", `unknown key "storage.max_keys"`},
		{"[memory]\nmax_bytes = \"99999999999999999999TiB\"\n", "too large"},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}
