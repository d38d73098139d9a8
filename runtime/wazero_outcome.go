package runtime

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"strings"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// outcome maps how a wazero instance ended to Module.Run's contract. parent is the caller's
// context, run the instance's, cancelled with a *limits.ExceededError as cause when a limit
// ends the agent.
func outcome(parent, run context.Context, err error) error {
	var (
		exit     *hostcalls.ExitError
		exceeded *limits.ExceededError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		if exit.Code == 0 {
			return nil
		}
		return exit
	case errors.As(err, &exceeded):
		return exceeded
	case run.Err() != nil:
		return contextEnded(parent, run)
	}
	return wazeroTrap(err)
}

// contextEnded explains an instance that its context stopped.
func contextEnded(parent, run context.Context) error {
	var exceeded *limits.ExceededError
	cause := context.Cause(run)
	if errors.As(cause, &exceeded) {
		return exceeded
	}
	if errors.Is(parent.Err(), context.DeadlineExceeded) {
		return &limits.ExceededError{Limit: "wall_time", Value: "the caller's deadline"}
	}
	return fmt.Errorf("agent canceled: %w", cause)
}

// wazeroTrap turns wazero's error for a trap or a failed host function into plain words: the
// first line of wazero's message, without the stack trace that follows it.
func wazeroTrap(err error) error {
	full := err.Error()
	msg, _, _ := strings.Cut(full, "\n")
	msg = strings.TrimSuffix(msg, " (recovered by wazero)")
	// The compiler returns a stack overflow bare; other traps read "wasm error: ..." with a trace.
	trap, isTrap := strings.CutPrefix(msg, "wasm error: ")
	if trap == "stack overflow" {
		return &limits.ExceededError{Limit: "stack", Value: "wazero's fixed call-stack bound"}
	}
	if isTrap {
		return &TrapError{Message: trap, Trace: full}
	}
	var rt goruntime.Error
	if errors.As(err, &rt) {
		return &TrapError{Message: "host fault in a system call: " + rt.Error(), Trace: full}
	}
	if cause := errors.Unwrap(err); cause != nil {
		return &TrapError{Message: firstLine(cause.Error()), Trace: full, Err: cause}
	}
	return &TrapError{Message: msg, Trace: full}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
