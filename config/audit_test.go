package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadAuditTable(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       Audit
	}{
		{"defaults", ``, Audit{MaxSize: 64 << 20, MaxAge: 720 * time.Hour}},
		{"set", "[audit]\nmax_size = \"16MiB\"\nmax_age = \"24h\"\n", Audit{MaxSize: 16 << 20, MaxAge: 24 * time.Hour}},
		{"unbounded", "[audit]\nmax_size = 0\nmax_age = \"0s\"\n", Audit{}},
		{"only age", "[audit]\nmax_age = \"1h\"\n", Audit{MaxSize: 64 << 20, MaxAge: time.Hour}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := isolate(t)
			cfg, err := Load(writeFile(t, dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Audit != c.want {
				t.Errorf("Audit = %+v, want %+v", cfg.Audit, c.want)
			}
			if r := cfg.Audit.Retention(); r.MaxSize != int64(c.want.MaxSize) || r.MaxAge != c.want.MaxAge {
				t.Errorf("Retention() = %+v, want %+v", r, c.want)
			}
		})
	}
}

func TestAuditTableErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"[audit]\nmax_size = \"64KiB\"\n", "audit.max_size 64KiB is under the smallest bound"},
		{"[audit]\nmax_age = \"-1h\"\n", "negative"},
		{"[audit]\nmax_rows = 10\n", `unknown key "audit.max_rows"`},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.file, err, c.want)
		}
	}
}

func TestDefaultHasAuditRetention(t *testing.T) {
	if got := Default().Audit; got != DefaultAudit() {
		t.Errorf("Default().Audit = %+v, want %+v", got, DefaultAudit())
	}
}
