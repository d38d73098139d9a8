package audit

import (
	"time"

	"github.com/aiosys/aios/policy"
)

// Entry is one recorded decision.
type Entry struct {
	ID          int64              `json:"id"` // assigned by the store
	Time        time.Time          `json:"time"`
	Agent       string             `json:"agent"`
	Version     string             `json:"version,omitempty"`
	Digest      string             `json:"digest,omitempty"`
	Publisher   string             `json:"publisher,omitempty"`
	Tenant      string             `json:"tenant,omitempty"`
	Call        string             `json:"call"`
	Args        map[string]any     `json:"args,omitempty"` // redacted before it is stored
	Allow       bool               `json:"allow"`
	Reason      string             `json:"reason"`
	Obligations policy.Obligations `json:"obligations"`
	Eval        time.Duration      `json:"eval_ns"` // how long the decision took
	Cached      bool               `json:"cached"`
}

// FromDecision builds the entry for decision d on input in, taken at t.
func FromDecision(t time.Time, in policy.Input, d policy.Decision) Entry {
	a := in.Agent
	return Entry{
		Time: t, Agent: a.Name, Version: a.Version, Digest: a.Digest, Publisher: a.Publisher,
		Tenant: a.Tenant, Call: in.Call, Args: in.Args, Allow: d.Allow, Reason: d.Reason,
		Obligations: d.Obligations, Eval: d.Elapsed, Cached: d.Cached,
	}
}
