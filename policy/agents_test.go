package policy

import (
	"strings"
	"testing"
)

// TestAgentCalls: waiting for and killing one's children, receiving and messaging one's parent
// or children are the agent's own business; spawning and messaging a sibling need a grant.
func TestAgentCalls(t *testing.T) {
	e := newEngine(t, Config{})
	for _, c := range []struct {
		call string
		args map[string]any
	}{
		{"agent_wait", nil}, {"agent_kill", nil}, {"msg_recv", nil},
		{"msg_send", map[string]any{"relation": "parent"}}, {"msg_send", map[string]any{"relation": "child"}},
	} {
		if d := decide(t, e, Input{Agent: writer(), Call: c.call, Args: c.args}); !d.Allow {
			t.Errorf("%s %v: %+v, want allowed as local", c.call, c.args, d)
		}
	}
	for _, c := range []struct {
		call string
		args map[string]any
	}{
		{"agent_spawn", map[string]any{"module": "worker.wasm"}},
		{"msg_send", map[string]any{"relation": "sibling"}},
		{"msg_send", map[string]any{"relation": "stranger"}},
		{"msg_send", nil},
	} {
		d := decide(t, e, Input{Agent: writer(), Call: c.call, Args: c.args})
		if d.Allow || !strings.Contains(d.Reason, `call "`+c.call+`"`) {
			t.Errorf("%s %v without a grant: %+v, want a denial naming the call", c.call, c.args, d)
		}
	}

	granted := newEngine(t, Config{Grants: []Grant{{Agent: "writer", Capabilities: Capabilities{Calls: []string{"agent_spawn"}}}}})
	if d := decide(t, granted, Input{Agent: writer(), Call: "agent_spawn", Args: map[string]any{"module": "worker.wasm"}}); !d.Allow {
		t.Errorf("agent_spawn declared and granted: %+v, want allowed", d)
	}
	silent := writer()
	silent.Capabilities.Calls = nil
	if d := decide(t, granted, Input{Agent: silent, Call: "agent_spawn"}); d.Allow || !strings.Contains(d.Reason, "not declared") {
		t.Errorf("agent_spawn granted, not declared: %+v, want a denial", d)
	}
}
