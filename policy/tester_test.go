package policy

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestSamplePoliciesPass(t *testing.T) {
	var out bytes.Buffer
	passed, failed, err := RunTests(context.Background(), []string{filepath.Join("..", "samples", "policies")}, &out)
	if err != nil {
		t.Fatalf("RunTests: %v\n%s", err, out.String())
	}
	if failed != 0 || passed < 9 {
		t.Errorf("passed %d, failed %d, want at least 9 passing and none failing:\n%s", passed, failed, out.String())
	}
}

func TestSamplePoliciesLoadInEngine(t *testing.T) {
	e := newEngine(t, Config{Paths: []string{filepath.Join("..", "samples", "policies")},
		Grants: []Grant{{Agent: "*", Capabilities: Capabilities{Tools: []string{"*"}, Hosts: []string{"*"}}}}})
	a := writer()
	a.Capabilities.Hosts = []string{"*"}
	d := decide(t, e, Input{Agent: a, Call: "tool_call", Args: map[string]any{"tool": "http_fetch", "host": "169.254.169.254"}})
	if d.Allow || !strings.Contains(d.Reason, "is internal") {
		t.Errorf("metadata host: %+v", d)
	}
	d = decide(t, e, Input{Agent: a, Call: "tool_call", Args: map[string]any{"tool": "http_fetch", "host": "api.example.com"}})
	if !d.Allow {
		t.Errorf("public host: %+v", d)
	}
}

func TestRunTestsReportsFailures(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.rego", "package aios.policy\n\ndeny contains \"no\" if input.call == \"log\"\n")
	writeFile(t, dir, "p_test.rego", `package aios.policy_test

test_log_denied if {
	not data.aios.system.decision.allow with input as {"agent": {"name": "a", "capabilities": {}}, "call": "log", "args": {}, "usage": {}}
}

test_wrong if {
	data.aios.system.decision.allow with input as {"agent": {"name": "a", "capabilities": {}}, "call": "log", "args": {}, "usage": {}}
}
`)
	var out bytes.Buffer
	passed, failed, err := RunTests(context.Background(), []string{dir}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if passed != 1 || failed != 1 || !strings.Contains(out.String(), "test_wrong") {
		t.Errorf("passed %d, failed %d, report:\n%s", passed, failed, out.String())
	}
}

func TestRunTestsRefusesHostBuiltins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p_test.rego", "package x\n\ntest_net if { http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:1\"}) }\n")
	if _, _, err := RunTests(context.Background(), []string{dir}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "http.send") {
		t.Errorf("RunTests: %v, want a compile error naming http.send", err)
	}
}
