package policy

import (
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// hostBuiltins are the OPA built-ins that reach the network or the host. They are removed from
// the capabilities policies compile against unless Config.AllowHostAccess is set, so a policy
// calling one fails to compile ("undefined function http.send"). The pure net.cidr_* functions
// stay: they compute on strings and reach nothing.
var hostBuiltins = map[string]bool{
	"http.send":          true, // network
	"net.lookup_ip_addr": true, // DNS
	"opa.runtime":        true, // the host's environment and OPA's configuration
	"json.verify_schema": true, // may fetch remote $ref schemas
	"json.match_schema":  true, // may fetch remote $ref schemas
}

// capabilities returns what policies may use: OPA's built-ins without hostBuiltins, and no
// network for the compiler either (AllowNet empty), unless allowHost.
func capabilities(allowHost bool) *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	if allowHost {
		return c
	}
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return hostBuiltins[b.Name] })
	c.AllowNet = []string{}
	return c
}

// hostAccessHint is added to a compile error that names a host built-in.
const hostAccessHint = "built-ins that reach the network or the host (http.send, net.lookup_ip_addr, opa.runtime, json.verify_schema, json.match_schema) are disabled; an operator can enable them with [policy] allow_host_access = true"
