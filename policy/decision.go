package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Decision is the policy's answer for one call.
type Decision struct {
	// Allow says whether the call may proceed.
	Allow bool `json:"allow"`
	// Reason explains the decision in plain words; the agent sees it (last_error) and so does
	// `aios run`. A denial lists every reason, separated by "; ".
	Reason string `json:"reason"`
	// Obligations are conditions the kernel enforces on an allowed call.
	Obligations Obligations `json:"obligations"`
	// Elapsed is how long Decide took, cache lookup included.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Cached says the decision came from the decision cache.
	Cached bool `json:"cached"`
}

// Obligations are what an allowed call must respect. The zero value obliges nothing. When
// several policies set the same obligation, the strictest value wins (see docs/POLICY.md).
type Obligations struct {
	// MaxTokens caps the generation's max_tokens; 0 means no cap.
	MaxTokens int `json:"max_tokens,omitempty"`
	// CoreClass restricts the call to LLM cores of this capability class; empty means any.
	CoreClass string `json:"core_class,omitempty"`
	// Confirm requires an operator's confirmation before the call runs.
	Confirm bool `json:"confirm,omitempty"`
	// Redact lists argument paths ("headers.cookie") whose values must not reach any log.
	Redact []string `json:"redact,omitempty"`
}

// errorDecision is what a failed evaluation means: the call is denied.
func errorDecision(err error) Decision {
	return Decision{Reason: "denied: the policy could not be evaluated: " + err.Error()}
}

// decisionFromResult reads the decision document the default policy produces.
func decisionFromResult(v any) (Decision, error) {
	doc, ok := v.(map[string]any)
	if !ok {
		return Decision{}, fmt.Errorf("decision is %T, not an object", v)
	}
	var d Decision
	if d.Allow, ok = doc["allow"].(bool); !ok {
		return Decision{}, fmt.Errorf("decision.allow is %T, not a boolean", doc["allow"])
	}
	if d.Reason, ok = doc["reason"].(string); !ok {
		return Decision{}, fmt.Errorf("decision.reason is %T, not a string", doc["reason"])
	}
	ob, ok := doc["obligations"].(map[string]any)
	if !ok {
		return Decision{}, fmt.Errorf("decision.obligations is %T, not an object", doc["obligations"])
	}
	var err error
	if d.Obligations, err = obligationsFromResult(ob); err != nil {
		return Decision{}, fmt.Errorf("decision.obligations: %w", err)
	}
	return d, nil
}

func obligationsFromResult(ob map[string]any) (Obligations, error) {
	var o Obligations
	if n, ok := ob["max_tokens"].(json.Number); ok {
		f, err := n.Float64()
		if err != nil || f < 0 {
			return Obligations{}, fmt.Errorf("max_tokens %v is not a non-negative number", n)
		}
		o.MaxTokens = int(min(f, math.MaxInt32))
	}
	o.CoreClass, _ = ob["core_class"].(string)
	o.Confirm, _ = ob["confirm"].(bool)
	if rs, ok := ob["redact"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				o.Redact = append(o.Redact, s)
			}
		}
	}
	return o, nil
}

// clone returns d with its own copy of the slices, so a cached decision cannot be changed
// through a returned one.
func (d Decision) clone() Decision {
	d.Obligations.Redact = slices.Clone(d.Obligations.Redact)
	return d
}
