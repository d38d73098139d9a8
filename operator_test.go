package aios

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

// loadTestConfig writes toml to a file in a temporary directory and loads it.
func loadTestConfig(t *testing.T, toml string) config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aios.toml")
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const operatorToolsConfig = `
[[tools]]
name = "web"
kind = "http_fetch"
allow_hosts = ["example.com"]

[[tools]]
name = "intranet"
kind = "http_fetch"
allow_hosts = ["intranet.example"]

[[policy.grants]]
agent = "*"
models = ["*"]
tools = ["web"]
`

func TestOpenToolsListsTheConfiguredTools(t *testing.T) {
	cfg := loadTestConfig(t, operatorToolsConfig)
	m, err := OpenTools(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	infos := m.List(context.Background())
	if len(infos) != 2 || infos[0].Name != "intranet" || infos[1].Name != "web" || infos[1].Kind != "http_fetch" {
		t.Fatalf("tools = %+v", infos)
	}
	if u := m.Unavailable(); len(u) != 0 {
		t.Fatalf("unavailable = %v", u)
	}
	if m, err := OpenTools(config.Default()); m != nil || err != nil {
		t.Fatalf("OpenTools without tools = %v, %v", m, err)
	}
}

func TestToolPolicyDecidesAsTheKernelLists(t *testing.T) {
	ctx := context.Background()
	p, err := NewToolPolicy(ctx, loadTestConfig(t, operatorToolsConfig))
	if err != nil {
		t.Fatal(err)
	}
	declares := policy.Agent{Name: "w", Version: "1.0.0", Capabilities: policy.Capabilities{Tools: []string{"web", "intranet"}}}
	for tool, want := range map[string]bool{"web": true, "intranet": false, "nosuch": false} {
		d, err := p.Decide(ctx, declares, tool)
		if err != nil || d.Allow != want {
			t.Errorf("a bundle declaring both: %s allowed = %v (%s), %v; want %v", tool, d.Allow, d.Reason, err, want)
		}
	}
	// A plain module declares any tool, so the grant alone decides.
	plain := policy.Agent{Name: "w", Capabilities: kernel.UnpackagedCapabilities()}
	for tool, want := range map[string]bool{"web": true, "intranet": false} {
		if d, err := p.Decide(ctx, plain, tool); err != nil || d.Allow != want {
			t.Errorf("a plain module: %s allowed = %v (%s), %v; want %v", tool, d.Allow, d.Reason, err, want)
		}
	}
}
