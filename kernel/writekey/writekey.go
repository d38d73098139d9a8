// Package writekey names the effectful store calls of durable runs, so that the stores apply
// each of them once however often a resumed run makes it again (docs/DURABLE.md).
//
// A durable run re-executes its agent after a crash and answers the calls its journal holds
// from the journal. A store write that committed but whose journal record was never written is
// made again live; its Key is the same both times, and a store that finds the Key recorded
// returns the result it recorded instead of writing again. The hostcalls journaling wrapper
// attaches a Key to the context of every live store write of a durable run (With); the stores
// read it (From) and record it in the write's own transaction. A call without a Key (every call
// of a run that is not durable) is never deduplicated and costs one context lookup.
package writekey

import (
	"context"
	"fmt"
)

// Key names one effectful store call of a durable run: the run, the attempt of the run that
// made it (a restart that cuts the journal back starts a new attempt, whose calls must be
// applied anew), and the call's index in the run's journal.
type Key struct {
	Run     string
	Attempt int
	Call    int
}

// maxRun bounds a Key's Run, as journal run ids are bounded.
const maxRun = 128

// Check returns an error naming what is wrong with k: an empty or overlong Run, or a negative
// Attempt or Call.
func (k Key) Check() error {
	switch {
	case k.Run == "" || len(k.Run) > maxRun:
		return fmt.Errorf("write key: run id of %d bytes, want 1 to %d", len(k.Run), maxRun)
	case k.Attempt < 0:
		return fmt.Errorf("write key: attempt %d is negative", k.Attempt)
	case k.Call < 0:
		return fmt.Errorf("write key: call index %d is negative", k.Call)
	}
	return nil
}

// String returns k as "RUN/ATTEMPT/CALL", for messages.
func (k Key) String() string { return fmt.Sprintf("%s/%d/%d", k.Run, k.Attempt, k.Call) }

type ctxKey struct{}

// With returns ctx carrying k: the store write made with it is applied at most once for k.
func With(ctx context.Context, k Key) context.Context {
	return context.WithValue(ctx, ctxKey{}, k)
}

// From returns the Key ctx carries, and false when it carries none.
func From(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(ctxKey{}).(Key)
	return k, ok
}
