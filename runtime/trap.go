package runtime

// TrapError ends an agent whose code trapped, or whose system call failed in a way that ends it
// (a host fault). Its message is plain words for users; Trace keeps the engine's detail for
// logs.
type TrapError struct {
	// Message says what happened, e.g. "out of bounds memory access".
	Message string
	// Trace is the engine's report (wasm stack trace, and a Go stack trace for a host fault).
	Trace string
	// Err is the system call's error when one ended the agent.
	Err error
}

func (e *TrapError) Error() string { return "agent trapped: " + e.Message }

// Unwrap returns the system call's error, if any.
func (e *TrapError) Unwrap() error { return e.Err }
