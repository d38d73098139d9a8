package server

import (
	"net/http"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel/dispatch"
)

// getCores is GET /v1/cores: the LLM cores and their load. Every tenant shares the cores, so
// any tenant may read them all.
func (s *Server) getCores(w http.ResponseWriter, _ *http.Request, _ string) {
	out := client.CoreReport{
		Queued:        s.sys.Generations().Queued,
		WindowSeconds: dispatch.ThroughputWindow.Seconds(),
		Cores:         []client.Core{},
	}
	for _, c := range s.sys.Cores() {
		core := client.Core{
			Name: c.Name, Kind: c.Kind, Models: append([]string{}, c.Models...), Class: c.Class, Model: c.Model,
			Capacity: c.Capacity, InFlight: c.InFlight, Queued: c.Waiting, Health: client.CoreReady,
			Failures: c.Failures, TokensPerSecond: c.TokensPerSecond, Tokens: c.Tokens,
		}
		if c.Capacity >= config.Unbounded {
			core.Capacity = 0
		}
		if c.CoolingFor > 0 {
			core.Health, core.CooldownSeconds = client.CoreCooling, c.CoolingFor.Seconds()
		}
		out.Cores = append(out.Cores, core)
	}
	writeJSON(w, http.StatusOK, out)
}
