package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

func TestLoadPolicyTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, `
[policy]
paths = ["policies", "/etc/aios/extra.rego"]
data = ["data.json"]
allow_host_access = true
cache_size = -1
poll_interval = "500ms"
audit = false
approve = ["memory_delete", "writer:llm_generate"]

[policy.rates.llm_generate]
calls = 10
per = "1m"

[[policy.grants]]
tenant = "acme"
models = ["*"]
hosts = ["*.example.com"]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Policy{
		Configured: true,
		Engine: policy.Config{
			Paths:           []string{filepath.Join(dir, "policies"), "/etc/aios/extra.rego", filepath.Join(dir, "data.json")},
			Grants:          []policy.Grant{{Tenant: "acme", Capabilities: policy.Capabilities{Models: []string{"*"}, Hosts: []string{"*.example.com"}}}},
			AllowHostAccess: true, CacheSize: -1, PollInterval: 500 * time.Millisecond,
		},
		NoAudit: true,
		Approve: []string{"memory_delete", "writer:llm_generate"},
		Rates:   map[string]kernel.Rate{"llm_generate": {Calls: 10, Per: time.Minute}},
	}
	if !reflect.DeepEqual(cfg.Policy, want) {
		t.Errorf("got  %+v\nwant %+v", cfg.Policy, want)
	}
	if g := cfg.Policy.EngineConfig().Grants; len(g) != 1 {
		t.Errorf("a configured [policy] got the implicit grant: %+v", g)
	}
}

func TestNoPolicyTableGrantsConfiguredModels(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[limits]\nmemory = \"1GiB\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Policy.Configured || cfg.Policy.NoAudit {
		t.Errorf("policy = %+v, want not configured, audited", cfg.Policy)
	}
	g := cfg.Policy.EngineConfig().Grants
	if len(g) != 1 || !reflect.DeepEqual(g[0], ImplicitGrant()) {
		t.Errorf("grants = %+v, want the implicit grant", g)
	}
}

func TestPolicyTableErrors(t *testing.T) {
	for _, c := range []struct{ toml, want string }{
		{"[[policy.grants]]\nmodels = [\"*\"]\n", "selects no agent"},
		{"[policy.rates.log]\ncalls = 0\nper = \"1s\"\n", "policy.rates.log"},
		{"[policy]\nunknown = 1\n", "unknown key"},
	} {
		_, err := Load(writeFile(t, isolate(t), c.toml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.toml, err, c.want)
		}
	}
}
