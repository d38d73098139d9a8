package dispatch

import (
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
)

// Strategy names how the dispatcher chooses among cores that can serve a request.
const (
	LeastQueue    = "least-queue"    // the core with the smallest share of its capacity in use
	LowestCost    = "lowest-cost"    // the cheapest core, then the least loaded
	LowestLatency = "lowest-latency" // the core with the lowest measured latency
)

// route is where a request may go.
type route struct {
	cores []*core
	model string // the model to ask for; empty with byBackend
	// byBackend says each core is asked for its Backend.Model (routed by class or default).
	byBackend bool
}

func (r route) modelFor(c *core) string {
	if r.byBackend {
		return c.Model
	}
	return r.model
}

// resolve maps a requested name onto cores: an alias is replaced by its target, which is then
// a class (cores of that class), a model (cores that list it or serve any), or empty (all).
func (d *Dispatcher) resolve(name string) (route, error) {
	asked := name
	if target, ok := d.opts.Aliases[name]; ok {
		name = target
	}
	if name == "" {
		return route{cores: d.cores, byBackend: true}, nil
	}
	var r route
	for _, c := range d.cores {
		if c.Class == name {
			r.cores = append(r.cores, c)
		}
	}
	if len(r.cores) > 0 {
		r.byBackend = true
		return r, nil
	}
	r.model = name
	r.cores = keepCores(d.cores, func(i int) bool { return llm.Serves(d.cores[i].Core, name) })
	if len(r.cores) == 0 {
		if asked != name {
			return route{}, fmt.Errorf("model %q (alias of %q): %w", asked, name, llm.ErrNoModel)
		}
		return route{}, fmt.Errorf("model %q: %w", asked, llm.ErrNoModel)
	}
	return r, nil
}

// better reports whether a is preferable to b under the dispatcher's strategy.
func (d *Dispatcher) better(a, b *core) bool {
	load := func(c *core) float64 { return float64(c.inflight) / (float64(c.Capacity) * c.Weight) }
	switch d.opts.Strategy {
	case LowestCost:
		if pa, pb := a.PriceIn+a.PriceOut, b.PriceIn+b.PriceOut; pa != pb {
			return pa < pb
		}
	case LowestLatency:
		if a.latency != b.latency {
			return a.latency < b.latency
		}
	}
	return load(a) < load(b)
}
