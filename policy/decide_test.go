package policy

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDefaultDeny(t *testing.T) {
	e := newEngine(t, Config{})
	for _, c := range []struct {
		call, want string
		args       map[string]any
	}{
		{"llm_generate", `model "gpt-4o" is not granted to the agent by the operator`, map[string]any{"model": "gpt-4o"}},
		{"tool_call", `tool "http_fetch" is not granted`, map[string]any{"tool": "http_fetch"}},
		{"memory_put", `memory space "notes" is not granted`, map[string]any{"space": "notes"}},
		{"agent_spawn", `call "agent_spawn" is not granted`, nil},
		{"mystery_call", `call "mystery_call" is not declared by the agent`, nil},
	} {
		d := decide(t, e, Input{Agent: writer(), Call: c.call, Args: c.args})
		if d.Allow || !strings.Contains(d.Reason, c.want) {
			t.Errorf("%s without grants: %+v, want a denial saying %q", c.call, d, c.want)
		}
	}
}

func TestLocalCallsNeedNoGrant(t *testing.T) {
	e := newEngine(t, Config{})
	for _, call := range []string{StartCall, "log", "output", "input", "result_read", "poll"} {
		if d := decide(t, e, Input{Agent: writer(), Call: call}); !d.Allow {
			t.Errorf("%s: %+v, want allowed", call, d)
		}
	}
	// Memory and storage of the agent's own space are its own state too; a shared memory
	// space is not (TestDefaultDeny).
	for _, call := range []string{"memory_add", "memory_search", "storage_put", "storage_rollback", "tool_list"} {
		for _, args := range []map[string]any{nil, {}, {"space": ""}} {
			if d := decide(t, e, Input{Agent: writer(), Call: call, Args: args}); !d.Allow || d.Reason != "the call touches only the agent's own state" {
				t.Errorf("%s %v: %+v, want allowed as the agent's own state", call, args, d)
			}
		}
	}
	if d := decide(t, e, Input{Call: "log"}); d.Allow || d.Reason != "the agent has no name" {
		t.Errorf("nameless agent: %+v", d)
	}
}

func TestDeclaredAndGrantedAllows(t *testing.T) {
	e := newEngine(t, Config{Grants: []Grant{grantAll()}})
	for _, c := range []struct {
		call string
		args map[string]any
	}{
		{"llm_generate", map[string]any{"model": "gpt-4o"}},
		{"llm_generate", map[string]any{"class": "small"}},
		{"llm_generate", map[string]any{"model": "mini", "class": "small"}},
		{"tool_call", map[string]any{"tool": "http_fetch"}},
		{"tool_call", map[string]any{"tool": "http_fetch", "host": "api.example.com"}},
		{"memory_search", map[string]any{"space": "notes", "agent": "writer"}},
		{"agent_spawn", map[string]any{"tenant": "acme"}},
	} {
		d := decide(t, e, Input{Agent: writer(), Call: c.call, Args: c.args})
		if !d.Allow || !strings.Contains(d.Reason, "declared by the agent and granted by the operator") {
			t.Errorf("%s %v: %+v, want allowed", c.call, c.args, d)
		}
	}
}

func TestEscalationsDenied(t *testing.T) {
	e := newEngine(t, Config{Grants: []Grant{grantAll(),
		{Agent: "other", Capabilities: Capabilities{Tools: []string{"*"}, Hosts: []string{"*"}, Memory: []string{"*"}}}}})
	for _, c := range []struct {
		name, call, want string
		args             map[string]any
	}{
		{"undeclared tool", "tool_call", `tool "shell" is not declared by the agent`, map[string]any{"tool": "shell"}},
		{"undeclared model", "llm_generate", `model "o3" is not declared`, map[string]any{"model": "o3"}},
		{"undeclared model class", "llm_generate", `model class "large" is not declared`, map[string]any{"class": "large"}},
		{"undeclared memory space", "memory_get", `memory space "secrets" is not declared`, map[string]any{"space": "secrets"}},
		{"host outside manifest", "tool_call", `host "evil.test" is not declared by the agent`, map[string]any{"tool": "http_fetch", "host": "evil.test"}},
		{"another agent's name", "memory_search", `argument "agent" names "other", but the caller's name is "writer"`, map[string]any{"space": "notes", "agent": "other"}},
		{"another owner", "memory_get", `argument "owner" names "other"`, map[string]any{"space": "notes", "owner": "other"}},
		{"another tenant", "agent_spawn", `argument "tenant" names "globex", but the caller's tenant is "acme"`, map[string]any{"tenant": "globex"}},
		{"no model", "llm_generate", "the call names no model or model class", nil},
		{"no tool", "tool_call", "the call names no tool", map[string]any{"host": "api.example.com"}},
	} {
		d := decide(t, e, Input{Agent: writer(), Call: c.call, Args: c.args})
		if d.Allow || !strings.Contains(d.Reason, c.want) {
			t.Errorf("%s: %+v, want a denial saying %q", c.name, d, c.want)
		}
	}

	// A grant of "*.example.com" covers subdomains, not example.com itself.
	bare := writer()
	bare.Capabilities.Hosts = []string{"example.com", "a.b.example.com"}
	if d := decide(t, e, Input{Agent: bare, Call: "tool_call", Args: map[string]any{"tool": "http_fetch", "host": "example.com"}}); d.Allow || !strings.Contains(d.Reason, `host "example.com" is not granted`) {
		t.Errorf("bare domain: %+v", d)
	}
	if d := decide(t, e, Input{Agent: bare, Call: "tool_call", Args: map[string]any{"tool": "http_fetch", "host": "a.b.example.com"}}); !d.Allow {
		t.Errorf("nested subdomain: %+v", d)
	}

	// A manifest that declares everything gains nothing that is not granted.
	greedy := writer()
	greedy.Capabilities = Capabilities{Tools: []string{"*"}, Hosts: []string{"*"}, Models: []string{"*"}}
	d := decide(t, e, Input{Agent: greedy, Call: "tool_call", Args: map[string]any{"tool": "shell"}})
	if d.Allow || !strings.Contains(d.Reason, `tool "shell" is not granted`) {
		t.Errorf("greedy manifest: %+v", d)
	}
}

func TestGrantSelectors(t *testing.T) {
	llm := func(a Agent) Input {
		return Input{Agent: a, Call: "llm_generate", Args: map[string]any{"model": "gpt-4o"}}
	}
	models := Capabilities{Models: []string{"gpt-4o"}}
	cases := []struct {
		name  string
		grant Grant
		allow bool
	}{
		{"by name", Grant{Agent: "writer", Capabilities: models}, true},
		{"by other name", Grant{Agent: "reader", Capabilities: models}, false},
		{"by publisher", Grant{Publisher: "key1", Capabilities: models}, true},
		{"by other publisher", Grant{Publisher: "key2", Capabilities: models}, false},
		{"by tenant", Grant{Tenant: "acme", Capabilities: models}, true},
		{"by tenant and other publisher", Grant{Tenant: "acme", Publisher: "key2", Capabilities: models}, false},
		{"to everyone", Grant{Agent: "*", Capabilities: models}, true},
		{"other model", Grant{Agent: "*", Capabilities: Capabilities{Models: []string{"o3"}}}, false},
	}
	for _, c := range cases {
		e := newEngine(t, Config{Grants: []Grant{c.grant}})
		if d := decide(t, e, llm(writer())); d.Allow != c.allow {
			t.Errorf("%s: %+v, want allow=%v", c.name, d, c.allow)
		}
	}
}

func TestGrantWithoutSelectorRefused(t *testing.T) {
	_, err := New(context.Background(), Config{Grants: []Grant{{Capabilities: Capabilities{Models: []string{"*"}}}}})
	if !errors.Is(err, ErrBadConfig) {
		t.Fatalf("New with a selector-less grant: %v, want ErrBadConfig", err)
	}
}

func TestUnsupportedArgumentDenied(t *testing.T) {
	for _, size := range []int{0, -1} {
		e := newEngine(t, Config{Grants: []Grant{grantAll()}, CacheSize: size})
		d, err := e.Decide(context.Background(), Input{Agent: writer(), Call: "llm_generate",
			Args: map[string]any{"model": "gpt-4o", "bad": struct{}{}}})
		if err == nil || d.Allow || !strings.Contains(err.Error(), `argument "bad": unsupported type struct {}`) {
			t.Errorf("cache %d: %+v, %v; want a denial with an error", size, d, err)
		}
	}
}
