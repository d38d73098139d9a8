package cli

// Exit codes of aios commands. An agent's own exit code passes through `aios run` unchanged;
// aios's own causes use codes from 64 up (after sysexits.h), so scripts can tell them apart from
// an agent's codes below 64.
const (
	ExitOK      = 0
	ExitUsage   = 64 // bad flags or arguments
	ExitRefused = 65 // the module was refused at load (forbidden imports, malformed wasm)
	ExitNoInput = 66 // a named file does not exist or cannot be read
	ExitKernel  = 70 // the kernel or host failed
	ExitTrap    = 71 // the agent trapped (crashed)
	ExitLimit   = 72 // the agent exceeded a limit (memory, time, stack, output, ...)
	ExitConfig  = 78 // the configuration is invalid
)

// exitError carries an exit code up to Main with the error to print (nil: print nothing more).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "exit status"
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func exitWith(code int, err error) error { return &exitError{code: code, err: err} }
