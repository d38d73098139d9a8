package kernel

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// A failure of the gate itself (a policy that could not be evaluated, an audit log that could
// not record) is the operator's business, and its detail names the operator's files: Rego file
// paths and rule locations, the audit database's path. The agent is told only that its call was
// denied and an incident id; the audit record and the operator's live log carry the same id
// with the detail.

// incident is one such failure.
type incident struct {
	id     string
	detail string // for the audit log and the operator's log
	told   string // for the agent
}

// newIncident records what failed (e.g. "the policy could not be evaluated") and why.
func newIncident(what string, err error) *incident {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return &incident{
		id:     id,
		detail: fmt.Sprintf("%s (incident %s): %v", what, id, err),
		told:   fmt.Sprintf("%s (incident %s; the operator's log has the detail)", what, id),
	}
}

// guestReason is the reason the agent is given for a denial whose full reason is reason.
func guestReason(reason string, inc *incident) string {
	if inc != nil {
		return inc.told
	}
	return reason
}
