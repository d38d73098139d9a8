package hostcalls

import (
	"context"
	"encoding/json"
)

// abiError is the Error body of last_error (docs/ABI.md section 5).
type abiError struct {
	Code    Errno  `json:"code"`
	Name    string `json:"name"`
	Call    string `json:"call"`
	Message string `json:"message"`
}

// noteError records a failed call for last_error. EAGAIN and EEOF are states rather than
// failures and leave the last error alone, as does a failure of last_error itself.
func (g *Guest) noteError(call string, code Errno, err error) {
	if code == EAGAIN || code == EEOF || call == "last_error" {
		return
	}
	e := &abiError{Code: code, Name: code.String(), Call: call, Message: err.Error()}
	if code == EINTERNAL {
		g.proc.Log(3, "hostcalls: internal fault in "+call+": "+e.Message)
	}
	g.mu.Lock()
	g.lastErr = e
	g.mu.Unlock()
}

// lastError implements last_error(out).
func lastError(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	out := p[0]
	if err := checkRange(mem, out, resultSize); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lastErr == nil {
		return fail(ENOENT, "no call has failed")
	}
	body, err := json.Marshal(g.lastErr)
	if err != nil {
		return failWrap(EINTERNAL, "encode last error", err)
	}
	return g.deliverLocked(mem, out, body)
}
