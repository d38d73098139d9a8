package runtime

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiosys/aios/hostcalls"
)

// activeRecheck is the shortest interval between two checks while the agent is in a system call,
// so that an agent blocked for long near its limit costs a timer fire per activeRecheck at most.
const activeRecheck = 10 * time.Millisecond

// activeWatch ends an agent whose active time, wall time minus the time it spent blocked in
// system calls (hostcalls.Guest.BlockedTime), passes a limit: the cpu_time limit, which is not
// processor time despite its name. It holds a timer, not a goroutine: the
// timer fires when the limit would be reached if the agent never blocked, and reschedules
// itself for the remainder while blocked time keeps the agent under it.
//
// # Notes
//
// BlockedTime grows when a blocking call returns. So that a long call in progress is not
// charged as active time before then, the engine brackets every system call with enterCall and
// leaveCall, and a check made during a call counts active time only up to the call's start and
// looks again later. Time in a call that turns out not to block is charged after it returns.
type activeWatch struct {
	g      *hostcalls.Guest
	limit  time.Duration
	start  time.Time
	expire func()
	// callStart is 1 + the offset from start, in nanoseconds, of the system call in progress;
	// 0 when the agent runs its own code.
	callStart atomic.Int64

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

// watchActiveTime starts watching g; expire is called at most once, from the timer's goroutine, when
// the limit is passed. Call stop when the agent ends.
func watchActiveTime(g *hostcalls.Guest, limit time.Duration, expire func()) *activeWatch {
	w := &activeWatch{g: g, limit: limit, start: time.Now(), expire: expire}
	w.mu.Lock()
	w.timer = time.AfterFunc(limit, w.check)
	w.mu.Unlock()
	return w
}

func (w *activeWatch) enterCall() { w.callStart.Store(int64(time.Since(w.start)) + 1) }

func (w *activeWatch) leaveCall() { w.callStart.Store(0) }

// used returns the active time so far and whether a system call is in progress. The reads are
// ordered so that a race with a call's end can only undercount, never charge blocked time.
func (w *activeWatch) used() (time.Duration, bool) {
	call := w.callStart.Load()
	blocked := w.g.BlockedTime()
	if call != 0 {
		return time.Duration(call-1) - blocked, true
	}
	return time.Since(w.start) - blocked, false
}

func (w *activeWatch) check() {
	used, inCall := w.used()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if used >= w.limit {
		w.stopped = true
		w.expire()
		return
	}
	next := w.limit - used
	if inCall {
		next = max(next, activeRecheck)
	}
	w.timer.Reset(next)
}

func (w *activeWatch) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
}
