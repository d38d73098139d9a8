package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadJournalTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[journal]\nfsync = true\nmax_run_bytes = \"8MiB\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Journal{Fsync: true, MaxRunBytes: 8 << 20, MaxAge: DefaultJournalMaxAge}); cfg.Journal != want {
		t.Errorf("Journal = %+v, want %+v", cfg.Journal, want)
	}
	cfg, err = Load(writeFile(t, dir, ""))
	if err != nil || cfg.Journal != (Journal{MaxAge: 720 * time.Hour}) {
		t.Errorf("no [journal]: %+v %v, want the defaults", cfg.Journal, err)
	}
	for file, want := range map[string]time.Duration{"[journal]\nmax_age = \"24h\"\n": 24 * time.Hour, "[journal]\nmax_age = \"0s\"\n": 0} {
		cfg, err = Load(writeFile(t, dir, file))
		if err != nil || cfg.Journal.MaxAge != want {
			t.Errorf("%q: max_age %v %v, want %v", file, cfg.Journal.MaxAge, err, want)
		}
	}
}

func TestJournalTableErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"[journal]\nmax_run_bytes = -1\n", "max_run_bytes"},
		{"[journal]\nmax_run_bytes = \"a lot\"\n", "max_run_bytes"},
		{"[journal]\nmax_run_bytes = 18446744073709551615\n", "max_run_bytes"},
		{"[journal]\nsync = true\n", `unknown key "journal.sync"`},
		{"[journal]\nfsync = \"yes\"\n", "fsync"},
		{"[journal]\nmax_age = \"-1h\"\n", "negative"},
		{"[journal]\nmax_age = \"soon\"\n", "max_age"},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}

func TestLoadPreinitTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[preinit]\nauto = true\nmax_cached = 3\n"))
	if err != nil || cfg.Preinit != (Preinit{Auto: true, MaxCached: 3}) {
		t.Fatalf("Preinit = %+v, %v", cfg.Preinit, err)
	}
	for _, file := range []string{"[preinit]\nmax_cached = -1\n", "[preinit]\nmax_cached = 1000000000000\n", "[preinit]\nauto = \"yes\"\n"} {
		if _, err := Load(writeFile(t, dir, file)); err == nil || !strings.Contains(err.Error(), "preinit") {
			t.Errorf("%q: error %v", file, err)
		}
	}
}
