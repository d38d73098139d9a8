package config

import (
	"fmt"
	"math"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Core is one [[cores]] table: the backend itself (llm.CoreConfig) and what the dispatcher
// needs to schedule onto it.
type Core struct {
	llm.CoreConfig
	// RPM and TPM bound the requests and the tokens (input plus output) sent per minute;
	// zero is unlimited.
	RPM int
	TPM int
	// PriceIn and PriceOut are dollars per million input and output tokens; zero is free.
	PriceIn  float64
	PriceOut float64
	// Class is the capability class an agent may ask for instead of a model, e.g. "fast".
	Class string
	// Weight scales the core's share of the load among the cores that can serve a request;
	// zero means 1.
	Weight float64
}

// Unbounded is the dispatcher capacity of a core whose capacity is zero ("no bound").
const Unbounded = math.MaxInt32

// validate checks the scheduling keys; CoreConfig.Validate checks the rest.
func (c Core) validate() error {
	switch {
	case c.RPM < 0:
		return fmt.Errorf("rpm %d is negative (0 means no limit)", c.RPM)
	case c.TPM < 0:
		return fmt.Errorf("tpm %d is negative (0 means no limit)", c.TPM)
	case c.PriceIn < 0 || c.PriceOut < 0 || math.IsNaN(c.PriceIn) || math.IsNaN(c.PriceOut):
		return fmt.Errorf("price_in %v and price_out %v must not be negative", c.PriceIn, c.PriceOut)
	case c.Weight < 0 || math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0):
		return fmt.Errorf("weight %v must be a positive number (0 means 1)", c.Weight)
	}
	return nil
}

// Dispatched returns the configuration to build the core with when it sits under the
// dispatcher: capacity is enforced there, in one place, so the core itself has none.
func (c Core) Dispatched() llm.CoreConfig {
	cc := c.CoreConfig
	cc.Capacity = 0
	return cc
}

// Backend returns how the dispatcher sees core, built from c.
func (c Core) Backend(core llm.Core) dispatch.Backend {
	capacity := c.Capacity
	if capacity == 0 {
		capacity = Unbounded
	}
	model := ""
	if len(c.Models) > 0 {
		model = c.Models[0]
	}
	return dispatch.Backend{
		Core:     core,
		Class:    c.Class,
		Model:    model,
		Capacity: capacity,
		RPM:      c.RPM,
		TPM:      c.TPM,
		PriceIn:  quota.Dollars(c.PriceIn),
		PriceOut: quota.Dollars(c.PriceOut),
		Weight:   c.Weight,
	}
}
