package hostcalls

import (
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

// Guest is one agent instance's ABI state: its kernel process, result table, asynchronous
// handles and last error. An engine creates one per instance and passes it to every Handler.
type Guest struct {
	proc *kernel.Process
	lim  limits.Limits
}

// NewGuest returns the ABI state for an instance of proc running under lim.
func NewGuest(proc *kernel.Process, lim limits.Limits) *Guest {
	return &Guest{proc: proc, lim: lim}
}
