package policy

// Epoch is the policy in force at one moment; every reload starts a new one. See Engine.Epoch.
type Epoch struct{ p *compiled }

// Epoch returns the policy in force and whether, under it, a decision depends on nothing but
// the input's agent, call and arguments: the policy is deterministic with its decisions cached,
// and reads neither input.usage nor input.tenant_usage. A caller that asks again for the same
// agent, call and arguments may then keep the decision it was given under that epoch, without
// building the input again, for as long as Reuse accepts the epoch.
//
// Take the epoch before calling Decide: a reload in between then only makes Reuse refuse it.
func (e *Engine) Epoch() (Epoch, bool) {
	p := e.cur.Load()
	if p.cache == nil {
		return Epoch{}, false
	}
	for _, read := range p.usage {
		if read {
			return Epoch{}, false
		}
	}
	return Epoch{p: p}, true
}

// Reuse reports whether a decision kept from ep still stands: ep is a stable epoch (see Epoch)
// and still the policy in force. Each reuse counts as a hit in CacheStats.
func (e *Engine) Reuse(ep Epoch) bool {
	if ep.p == nil || e.cur.Load() != ep.p {
		return false
	}
	e.hits.Add(1)
	return true
}
