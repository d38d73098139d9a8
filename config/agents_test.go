package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadAgentsTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[agents]\ndir = \"kids\"\nmax_children = 4\nmax_depth = 2\nmax_tree = 10\nmailbox = 8\nmax_message = 1024\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Agents{Dir: filepath.Join(dir, "kids"), MaxChildren: 4, MaxDepth: 2, MaxTree: 10, Mailbox: 8, MaxMessage: 1024}
	if cfg.Agents != want {
		t.Errorf("Agents = %+v, want %+v (dir relative to the file)", cfg.Agents, want)
	}
	cfg, err = Load(writeFile(t, dir, ""))
	if err != nil || cfg.Agents != (Agents{}) {
		t.Errorf("no [agents]: %+v %v, want none (no directory, the kernel's default limits)", cfg.Agents, err)
	}
}

func TestAgentsTableErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"[agents]\nmax_depth = -1\n", "agents.max_depth: -1 is negative"},
		{"[agents]\nmax_kids = 3\n", `unknown key "agents.max_kids"`},
		{"[agents]\nmailbox = \"many\"\n", "mailbox"},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}
