package policy

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
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
	// Elapsed is how long Decide took, cache lookup included; set on every decision Decide
	// returns, a failed one too.
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

// Keys of the decision document.
var (
	allowKey       = ast.StringTerm("allow")
	reasonKey      = ast.StringTerm("reason")
	obligationsKey = ast.StringTerm("obligations")
	maxTokensKey   = ast.StringTerm("max_tokens")
	coreClassKey   = ast.StringTerm("core_class")
	confirmKey     = ast.StringTerm("confirm")
	redactKey      = ast.StringTerm("redact")
)

// decisionFromValue reads the decision document the default policy produces.
func decisionFromValue(v ast.Value) (Decision, error) {
	doc, ok := v.(ast.Object)
	if !ok {
		return Decision{}, fmt.Errorf("decision is %v, not an object", valueName(v))
	}
	var d Decision
	allow, ok := field(doc, allowKey).(ast.Boolean)
	if !ok {
		return Decision{}, fmt.Errorf("decision.allow is %v, not a boolean", valueName(field(doc, allowKey)))
	}
	reason, ok := field(doc, reasonKey).(ast.String)
	if !ok {
		return Decision{}, fmt.Errorf("decision.reason is %v, not a string", valueName(field(doc, reasonKey)))
	}
	ob, ok := field(doc, obligationsKey).(ast.Object)
	if !ok {
		return Decision{}, fmt.Errorf("decision.obligations is %v, not an object", valueName(field(doc, obligationsKey)))
	}
	d.Allow, d.Reason = bool(allow), string(reason)
	var err error
	if d.Obligations, err = obligationsFromValue(ob); err != nil {
		return Decision{}, fmt.Errorf("decision.obligations: %w", err)
	}
	return d, nil
}

func obligationsFromValue(ob ast.Object) (Obligations, error) {
	var o Obligations
	if n, ok := field(ob, maxTokensKey).(ast.Number); ok {
		f, ok := n.Float64()
		if !ok || f < 0 {
			return Obligations{}, fmt.Errorf("max_tokens %v is not a non-negative number", n)
		}
		o.MaxTokens = int(min(f, math.MaxInt32))
	}
	if s, ok := field(ob, coreClassKey).(ast.String); ok {
		o.CoreClass = string(s)
	}
	if b, ok := field(ob, confirmKey).(ast.Boolean); ok {
		o.Confirm = bool(b)
	}
	if rs, ok := field(ob, redactKey).(*ast.Array); ok {
		for i := range rs.Len() {
			if s, ok := rs.Elem(i).Value.(ast.String); ok {
				o.Redact = append(o.Redact, string(s))
			}
		}
	}
	return o, nil
}

// field returns obj[key], or nil when obj has no such key.
func field(obj ast.Object, key *ast.Term) ast.Value {
	if t := obj.Get(key); t != nil {
		return t.Value
	}
	return nil
}

// valueName names v's type as Rego does, "undefined" for nil.
func valueName(v ast.Value) string {
	if v == nil {
		return "undefined"
	}
	return ast.ValueName(v)
}

// Clone returns d with its own copy of the slices, so that a decision kept (cached) cannot be
// changed through one given out.
func (d Decision) Clone() Decision {
	d.Obligations.Redact = slices.Clone(d.Obligations.Redact)
	return d
}
