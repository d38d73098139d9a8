//go:build wasmtime

package runtime

import (
	"context"
	"errors"
	"strings"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// outcome maps how a Wasmtime instance ended to Module.Run's contract, with the same values
// as wazero's outcome. parent is the caller's context, stack the variant's stack bound.
func (in *wtInstance) outcome(parent context.Context, err error, stack uint64) error {
	if err == nil {
		return nil
	}
	if out, ok := hostOutcome(in.hostErr); ok {
		return out
	}
	if in.ctx.Err() != nil {
		// A system call that failed because the run was stopped is reported as the stop.
		return contextEnded(parent, in.ctx)
	}
	if in.hostErr != nil && in.hostErr != errRunStopped {
		_, trace := splitWasmtimeError(err)
		return &TrapError{Message: firstLine(in.hostErr.Error()), Trace: trace, Err: in.hostErr}
	}
	var trap *wasmtime.Trap
	if errors.As(err, &trap) {
		if code := trap.Code(); code != nil {
			if *code == wasmtime.StackOverflow {
				return &limits.ExceededError{Limit: "stack", Value: formatBytes(stack)}
			}
			if msg, ok := trapMessages[*code]; ok {
				_, trace := splitWasmtimeError(err)
				return &TrapError{Message: msg, Trace: trace}
			}
		}
	}
	msg, trace := splitWasmtimeError(err)
	return &TrapError{Message: msg, Trace: trace}
}

// hostOutcome reports a system call's error that says by itself how the agent ended: an exit
// (nil for status 0), a limit or a host fault. ok is false for any other error.
func hostOutcome(hostErr error) (out error, ok bool) {
	var (
		exit     *hostcalls.ExitError
		exceeded *limits.ExceededError
		trap     *TrapError
	)
	switch {
	case errors.As(hostErr, &exit):
		if exit.Code == 0 {
			return nil, true
		}
		return exit, true
	case errors.As(hostErr, &exceeded):
		return exceeded, true
	case errors.As(hostErr, &trap):
		return trap, true
	}
	return nil, false
}

// trapMessages words Wasmtime's trap codes as wazero does, so both engines' TrapErrors read
// the same.
var trapMessages = map[wasmtime.TrapCode]string{
	wasmtime.MemoryOutOfBounds:      "out of bounds memory access",
	wasmtime.HeapMisaligned:         "unaligned atomic",
	wasmtime.TableOutOfBounds:       "invalid table access",
	wasmtime.IndirectCallToNull:     "invalid table access",
	wasmtime.BadSignature:           "indirect call type mismatch",
	wasmtime.IntegerOverflow:        "integer overflow",
	wasmtime.IntegerDivisionByZero:  "integer divide by zero",
	wasmtime.BadConversionToInteger: "invalid conversion to integer",
	wasmtime.UnreachableCodeReached: "unreachable",
}

// splitWasmtimeError splits Wasmtime's error text into a plain message (its causes, joined)
// and the full text for logs, without the Rust backtrace that RUST_BACKTRACE adds.
func splitWasmtimeError(err error) (msg, trace string) {
	full := err.Error()
	trace, _, _ = strings.Cut(full, "\n\nStack backtrace:")
	head, causes, found := strings.Cut(trace, "\n\nCaused by:\n")
	if !found {
		return firstLine(head), trace
	}
	var parts []string
	if !strings.HasPrefix(head, "error while executing at wasm backtrace") {
		parts = append(parts, firstLine(head))
	}
	for _, line := range strings.Split(causes, "\n") {
		line = strings.TrimSpace(line)
		// Several causes are numbered "0: ...".
		if i := strings.Index(line, ": "); i > 0 && strings.Trim(line[:i], "0123456789") == "" {
			line = line[i+2:]
		}
		if line != "" {
			parts = append(parts, strings.TrimPrefix(line, "wasm trap: "))
		}
	}
	return strings.Join(parts, ": "), trace
}
