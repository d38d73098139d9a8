package policy

// grantIndex is Grants as the default policy's fast path reads them at
// data.aios.config.grant_index: agent selector → publisher selector → tenant selector →
// capability →
// value → true, merged over the grants with the same selectors, where an empty selector is
// written "*" (both mean any). The fast path finds what grants allow a caller with a few
// lookups (its name, publisher and tenant, each or "*") instead of matching every grant's
// selectors.
//
// # Notes
//
// The index only ever lets the fast path allow a call sooner: when it does not allow, the
// policy's last branch decides from data.aios.config.grants. RunTests loads no index, so Rego
// tests that replace the grants (`with data.aios.config.grants as [...]`) are decided by the
// grants they give. In the engine nothing can replace the grants under the decision query: an
// operator rule that evaluated the decision would depend on itself and not compile.
func (c *Config) grantIndex() map[string]any {
	idx := map[string]any{}
	for _, g := range c.Grants {
		byKind := subMap(subMap(subMap(idx, anySelector(g.Agent)), anySelector(g.Publisher)), anySelector(g.Tenant))
		caps := &g.Capabilities
		for kind, vs := range map[string][]string{
			"calls": caps.Calls, "models": caps.Models, "classes": caps.Classes,
			"tools": caps.Tools, "hosts": caps.Hosts, "memory": caps.Memory,
		} {
			set := subMap(byKind, kind)
			for _, v := range vs {
				set[v] = true
			}
		}
	}
	return idx
}

// anySelector writes an empty selector as "*": both match any value.
func anySelector(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// subMap returns m[k], adding an empty map there first if m has none.
func subMap(m map[string]any, k string) map[string]any {
	if sub, ok := m[k].(map[string]any); ok {
		return sub
	}
	sub := map[string]any{}
	m[k] = sub
	return sub
}
