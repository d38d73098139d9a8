package policy

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

func TestNormalizeHost(t *testing.T) {
	for _, c := range []struct{ raw, host, class string }{
		{"Example.COM.", "example.com", ClassUnresolved},
		{"localhost.", "localhost", ClassLoopback},
		{"foo.localhost", "foo.localhost", ClassLoopback},
		{"0.0.0.0", "0.0.0.0", ClassUnspecified},
		{"0x7f000001", "127.0.0.1", ClassLoopback},
		{"0X7F000001", "127.0.0.1", ClassLoopback},
		{"127.1", "127.0.0.1", ClassLoopback},
		{"127.0.1", "127.0.0.1", ClassLoopback},
		{"2130706433", "127.0.0.1", ClassLoopback},
		{"0177.0.0.01", "127.0.0.1", ClassLoopback},
		{"0x7f.0.0.0x1", "127.0.0.1", ClassLoopback},
		{"127.0.0.1.", "127.0.0.1", ClassLoopback},
		{"１２７．０．０．１", "127.0.0.1", ClassLoopback}, // full-width, mapped by IDNA
		{"fe80::1", "fe80::1", ClassLinkLocal},
		{"fe80::1%25eth0", "fe80::1", ClassLinkLocal},
		{"[FE80::1%eth0]", "fe80::1", ClassLinkLocal},
		{"::ffff:7f00:1", "127.0.0.1", ClassLoopback},
		{"::ffff:10.0.0.1", "10.0.0.1", ClassPrivate},
		{"2002:7f00:1::", "2002:7f00:1::", ClassLoopback}, // 6to4 of 127.0.0.1
		{"64:ff9b::8.8.8.8", "64:ff9b::808:808", ClassPublic},
		{"::127.0.0.1", "::7f00:1", ClassReserved},
		{"2001:db8::1", "2001:db8::1", ClassReserved},
		{"metadata.google.internal.", "metadata.google.internal", ClassMetadata},
		{"169.254.169.254", "169.254.169.254", ClassMetadata},
		{"0xa9fea9fe", "169.254.169.254", ClassMetadata},
		{"fd00:ec2::254", "fd00:ec2::254", ClassMetadata},
		{"100.100.100.200", "100.100.100.200", ClassMetadata},
		{"100.64.0.1", "100.64.0.1", ClassPrivate},
		{"172.31.255.255", "172.31.255.255", ClassPrivate},
		{"172.32.0.1", "172.32.0.1", ClassPublic},
		{"255.255.255.255", "255.255.255.255", ClassReserved},
		{"ff02::1", "ff02::1", ClassMulticast},
		{"1.1.1.1", "1.1.1.1", ClassPublic},
		{"_dmarc.example.com", "_dmarc.example.com", ClassUnresolved},
		{"4294967296", "4294967296", ClassInvalid}, // one past 255.255.255.255
		{"1.2.3.256", "1.2.3.256", ClassInvalid},   // a last part over 255
		{"1.2.65536", "1.2.65536", ClassInvalid},   // over 16 bits
		{"08.0.0.1", "08.0.0.1", ClassInvalid},     // 8 is not octal
		{"example.com:443", "example.com:443", ClassInvalid},
		{"exa mple.com", "exa mple.com", ClassInvalid},
		{"", "", ClassInvalid},
		{".", "", ClassInvalid},
		{"a.b.c.1", "a.b.c.1", ClassInvalid}, // ends in a number but is no address
	} {
		host, class := NormalizeHost(c.raw)
		if host != c.host || class != c.class {
			t.Errorf("NormalizeHost(%q) = %q, %q; want %q, %q", c.raw, host, class, c.host, c.class)
		}
	}
}

// hostCases reads host_cases from the sample policy's tests: raw host to what policy sees.
func hostCases(t *testing.T) map[string]struct {
	Host, Class string
	Allow       bool
} {
	t.Helper()
	path := filepath.Join("..", "samples", "policies", "hosts_test.rego")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ast.ParseModuleWithOpts(path, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(rego.Query("data.aios.policy_test.host_cases"), rego.ParsedModule(m)).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("evaluate host_cases: %v (%d results)", err, len(rs))
	}
	out := map[string]struct {
		Host, Class string
		Allow       bool
	}{}
	for raw, v := range rs[0].Expressions[0].Value.(map[string]any) {
		c := v.(map[string]any)
		out[raw] = struct {
			Host, Class string
			Allow       bool
		}{c["host"].(string), c["class"].(string), c["allow"].(bool)}
	}
	if len(out) < 30 {
		t.Fatalf("only %d host cases", len(out))
	}
	return out
}

// TestHostCasesMatchNormalizeHost keeps the Rego tests' table honest: each row's host and
// class are what aios gives policy for that spelling.
func TestHostCasesMatchNormalizeHost(t *testing.T) {
	for raw, c := range hostCases(t) {
		if host, class := NormalizeHost(raw); host != c.Host || class != c.Class {
			t.Errorf("NormalizeHost(%q) = %q, %q; host_cases says %q, %q", raw, host, class, c.Host, c.Class)
		}
	}
}

// TestSampleHostPolicyOnRawHosts decides a tool call to each spelling, as an agent would send
// it, through the engine with the sample policies.
func TestSampleHostPolicyOnRawHosts(t *testing.T) {
	e := newEngine(t, Config{Paths: []string{filepath.Join("..", "samples", "policies")},
		Grants: []Grant{{Agent: "*", Capabilities: Capabilities{Tools: []string{"*"}, Hosts: []string{"*"}}}}})
	a := writer()
	a.Capabilities.Hosts = []string{"*"}
	for raw, c := range hostCases(t) {
		d := decide(t, e, Input{Agent: a, Call: "tool_call", Args: map[string]any{"tool": "http_fetch", "host": raw}})
		if d.Allow != c.Allow {
			t.Errorf("tool call to %q: allow = %v (%s), want %v", raw, d.Allow, d.Reason, c.Allow)
		}
	}
}

// TestAddressClassComesFromHost: a caller cannot choose the class policy sees.
func TestAddressClassComesFromHost(t *testing.T) {
	in := Input{Call: "tool_call", Args: map[string]any{"host": "127.1", "address_class": "public"}}
	v, err := in.value()
	if err != nil {
		t.Fatal(err)
	}
	args := v.(ast.Object).Get(ast.StringTerm("args")).Value.(ast.Object)
	if h, c := args.Get(ast.StringTerm("host")), args.Get(ast.StringTerm("address_class")); h.String() != `"127.0.0.1"` || c.String() != `"loopback"` {
		t.Errorf("policy sees host %v, class %v; want 127.0.0.1, loopback", h, c)
	}
	if got := in.Args["host"]; got != "127.1" {
		t.Errorf("the caller's arguments changed: host %v", got)
	}
}
