package config

import (
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/journal"
)

func TestLoadDurableTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[durable]\nrestart = \"on-failure\"\nmax_restarts = 5\nbackoff = \"250ms\"\nmax_backoff = \"1m\"\nmax_resumes = 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Durable{Restart: journal.Restart{Policy: journal.OnFailure, MaxRestarts: 5, Backoff: 250 * time.Millisecond, MaxBackoff: time.Minute}, MaxResumes: 7}
	if cfg.Durable != want {
		t.Errorf("Durable = %+v, want %+v", cfg.Durable, want)
	}
	cfg, err = Load(writeFile(t, dir, "[durable]\nrestart = \"on-failure:2\"\n"))
	if err != nil || cfg.Durable.Restart != (journal.Restart{Policy: journal.OnFailure, MaxRestarts: 2}) {
		t.Errorf("on-failure:2: %+v %v", cfg.Durable, err)
	}
	cfg, err = Load(writeFile(t, dir, "[durable]\nbackoff = \"2s\"\n"))
	if err != nil || cfg.Durable.Restart != (journal.Restart{Backoff: 2 * time.Second}) {
		t.Errorf("a backoff for runs that ask for on-failure: %+v %v", cfg.Durable, err)
	}
	cfg, err = Load(writeFile(t, dir, ""))
	if err != nil || cfg.Durable != (Durable{}) {
		t.Errorf("no [durable]: %+v %v, want the defaults", cfg.Durable, err)
	}
}

func TestDurableTableErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"[durable]\nrestart = \"always\"\n", "durable.restart"},
		{"[durable]\nrestart = \"on-failure:-3\"\n", "durable.restart"},
		{"[durable]\nrestart = \"on-failure:\\n1\"\n", "durable.restart"},
		{"[durable]\nmax_restarts = -1\n", "durable.max_restarts"},
		{"[durable]\nmax_restarts = 9223372036854775807\n", "durable.max_restarts"},
		{"[durable]\nrestart = \"on-failure:2\"\nmax_restarts = 3\n", "already says 2"},
		{"[durable]\nbackoff = \"-1s\"\n", "negative"},
		{"[durable]\nbackoff = \"soon\"\n", "backoff"},
		{"[durable]\nmax_backoff = \"48h\"\n", "durable.max_backoff"},
		{"[durable]\nmax_resumes = -1\n", "durable.max_resumes"},
		{"[durable]\nmax_resumes = 100000\n", "durable.max_resumes"},
		{"[durable]\nrestarts = 1\n", `unknown key "durable.restarts"`},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}
