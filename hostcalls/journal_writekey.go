package hostcalls

import (
	"context"

	"github.com/aiosys/aios/kernel/writekey"
)

// WriteKeyer is a Journal that names its run's live store writes, so that the stores apply each
// of them once (kernel/writekey): a write that committed but whose record the journal never got
// is made again by a resumed run under the same key, and the store returns what it recorded.
// A Journal that is not a WriteKeyer gives its writes no keys.
type WriteKeyer interface {
	// WriteKey returns the key of the journaled call numbered call (Call.Index) of the run.
	WriteKey(call int) writekey.Key
}

// storeWrites are the calls, direct or submitted, that change a store: a durable run's live
// ones carry a write key.
var storeWrites = map[string]bool{
	"storage_put":      true,
	"storage_delete":   true,
	"storage_rollback": true,
	"memory_add":       true,
	"memory_update":    true,
	"memory_delete":    true,
}

// keyedContext returns ctx carrying the write key of the live journaled call numbered call, when
// the call changes a store or is a submit (which may start one; see asyncCall).
func (g *Guest) keyedContext(ctx context.Context, name string, call int) context.Context {
	if name != "submit" && !storeWrites[name] {
		return ctx
	}
	if k := g.writeKey(call); k != nil {
		return writekey.With(ctx, *k)
	}
	return ctx
}

// writeKey returns the write key of the journaled call numbered call, and nil for a guest whose
// journal gives no keys.
func (g *Guest) writeKey(call int) *writekey.Key {
	wk, ok := g.journal.(WriteKeyer)
	if !ok {
		return nil
	}
	k := wk.WriteKey(call)
	return &k
}

// withWriteKey returns ctx carrying k for a call named name that changes a store; ctx as it is
// otherwise, so that no other call (an agent spawned, a tool) inherits a key.
func withWriteKey(ctx context.Context, name string, k *writekey.Key) context.Context {
	if k == nil || !storeWrites[name] {
		return ctx
	}
	return writekey.With(ctx, *k)
}
