package policy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// writer is an agent that declares a model, a class, a tool with a host and a memory space.
func writer() Agent {
	return Agent{
		Name: "writer", Version: "1.0.0", Digest: "sha256:abc", Publisher: "key1", Tenant: "acme",
		Capabilities: Capabilities{
			Models:  []string{"gpt-4o"},
			Classes: []string{"small"},
			Tools:   []string{"http_fetch"},
			Hosts:   []string{"api.example.com"},
			Memory:  []string{"notes"},
			Calls:   []string{"agent_spawn"},
		},
	}
}

// grantAll grants writer everything it declares, by name.
func grantAll() Grant {
	return Grant{Agent: "writer", Capabilities: Capabilities{
		Models: []string{"*"}, Classes: []string{"*"}, Tools: []string{"http_fetch"},
		Hosts: []string{"*.example.com"}, Memory: []string{"notes"}, Calls: []string{"agent_spawn"},
	}}
}

func newEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func decide(t *testing.T, e *Engine, in Input) Decision {
	t.Helper()
	d, err := e.Decide(context.Background(), in)
	if err != nil {
		t.Fatalf("Decide(%s): %v", in.Call, err)
	}
	return d
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
