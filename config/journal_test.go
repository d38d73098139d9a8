package config

import (
	"strings"
	"testing"
)

func TestLoadJournalTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[journal]\nfsync = true\nmax_run_bytes = \"8MiB\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Journal{Fsync: true, MaxRunBytes: 8 << 20}); cfg.Journal != want {
		t.Errorf("Journal = %+v, want %+v", cfg.Journal, want)
	}
	cfg, err = Load(writeFile(t, dir, ""))
	if err != nil || cfg.Journal != (Journal{}) {
		t.Errorf("no [journal]: %+v %v, want the defaults", cfg.Journal, err)
	}
}

func TestJournalTableErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"[journal]\nmax_run_bytes = -1\n", "max_run_bytes"},
		{"[journal]\nmax_run_bytes = \"a lot\"\n", "max_run_bytes"},
		{"[journal]\nmax_run_bytes = 18446744073709551615\n", "max_run_bytes"},
		{"[journal]\nsync = true\n", `unknown key "journal.sync"`},
		{"[journal]\nfsync = \"yes\"\n", "fsync"},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}
