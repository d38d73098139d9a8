package aios

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel/writekey"
)

// keyedJournal is a durable run's journal with the keys of its store writes.
type keyedJournal struct {
	hostcalls.Journal
	*runKeys
}

// runKeys names the store writes of one attempt of a durable run (hostcalls.WriteKeyer), and
// remembers whether it named any, so that a run that wrote nothing has no keys to forget.
type runKeys struct {
	run     string
	attempt int
	used    atomic.Bool
}

// keysOf returns the write keys of rec's current attempt. A record written before attempts
// were counted (Attempt 0) is in its first attempt.
func keysOf(rec journal.Run) *runKeys {
	return &runKeys{run: rec.ID, attempt: max(rec.Attempt, 1)}
}

// WriteKey implements hostcalls.WriteKeyer.
func (k *runKeys) WriteKey(call int) writekey.Key {
	k.used.Store(true)
	return writekey.Key{Run: k.run, Attempt: k.attempt, Call: call}
}

// forgetWrites removes the write keys the stores recorded for run, which has ended. Keys are
// removed only after the end is saved: a run still recorded as running may be resumed, and its
// keys are what keep a resumed run from writing twice. A failure to remove them is not the
// run's failure; the keys stay until the run is ended again (they are bounded by its journal).
func (a *Agent) forgetWrites(run string) {
	if err := a.sys.kernel.ForgetWrites(context.Background(), run); err != nil {
		slog.Default().Warn("durable run: its write keys were not removed", slog.String("run", run), slog.String("error", err.Error()))
	}
}
