package preinit

// RefusedError is a module that cannot be pre-initialised soundly, with the reason in plain
// words and what to do about it.
type RefusedError struct {
	// Call is the system call _initialize made that could not be answered ahead of time, as
	// "module.name", or "" when the reason is something else.
	Call   string
	Reason string
}

func (e *RefusedError) Error() string {
	return "pre-initialisation refused: " + e.Reason
}
