package aios

import "github.com/aiosys/aios/kernel/dispatch"

// CoreStatus is one LLM core of the system as an operator watches it: the kind of backend it
// was configured as and the dispatcher's view of its load.
type CoreStatus struct {
	dispatch.CoreLoad
	// Kind is the configured kind ("echo", "openai", "anthropic" or "ollama"); empty for a
	// core given with WithCores under a name the configuration does not have.
	Kind string
}

// Cores returns each LLM core's status, in the order generations prefer them among equals.
// It is a snapshot: cheap, read-only and safe to call at any time.
func (s *System) Cores() []CoreStatus {
	kinds := map[string]string{}
	for _, cc := range s.cfg.CoresOrEcho() {
		kinds[cc.EffectiveName()] = cc.Kind
	}
	load := s.router.Load()
	out := make([]CoreStatus, len(load))
	for i, l := range load {
		out[i] = CoreStatus{CoreLoad: l, Kind: kinds[l.Name]}
	}
	return out
}
