package hostcalls

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

// Guest is one agent instance's ABI state: its kernel process, result table, asynchronous
// handles, last error, negotiated ABI version, stdin offset and stdout/stderr line buffers. An
// engine creates one per instance, passes it to every Handler, and calls Close when the
// instance ends.
//
// # Notes
//
// A Guest is safe for concurrent use: its asynchronous calls run on goroutines it owns, and
// Close may be called from any goroutine.
type Guest struct {
	proc  *kernel.Process
	lim   limits.Limits
	args  []string
	start time.Time // proc.Now() at creation; carries Go's monotonic reading when the clock does

	ctx    context.Context // parent of every asynchronous call; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // asynchronous calls still running

	mu         sync.Mutex
	closed     bool
	results    map[uint32][]byte
	nextRID    uint32
	handles    map[uint32]*handle
	nextHandle uint32
	changed    chan struct{} // closed and replaced whenever a handle finishes or gets a chunk
	lastErr    *abiError
	stdinOff   int
	capture    *Call // the journaled call being recorded, which deliverLocked tells of its results

	journal     Journal // nil: nothing is journaled (SetJournal)
	journalNext int     // the index of the next journaled call
	replay      replayState

	version   atomic.Uint64 // negotiated ABI version, major<<32 | minor
	hostMinor uint32        // the minor version this guest is offered (ABIMinor unless LimitABI)
	blocked   atomic.Int64  // nanoseconds spent blocked in blocking calls
	mono      atomic.Int64  // highest monotonic clock reading handed out, in nanoseconds

	stdout, stderr lineWriter
}

// NewGuest returns the ABI state for an instance of proc running under lim. Zero fields of lim
// take limits.Defaults.
func NewGuest(proc *kernel.Process, lim limits.Limits) *Guest {
	lim = lim.Or(limits.Defaults())
	ctx, cancel := context.WithCancel(context.Background())
	g := &Guest{
		proc:      proc,
		lim:       lim,
		args:      append([]string{proc.Name()}, proc.Args()...),
		start:     proc.Now(),
		ctx:       ctx,
		cancel:    cancel,
		results:   map[uint32][]byte{},
		handles:   map[uint32]*handle{},
		changed:   make(chan struct{}),
		stdout:    lineWriter{level: 1},
		stderr:    lineWriter{level: 2},
		hostMinor: ABIMinor,
	}
	g.version.Store(ABIMajor << 32) // a guest that never negotiates is treated as 1.0
	return g
}

// Close cancels every asynchronous call still in flight, waits for their goroutines to end,
// and flushes partial stdout and stderr lines into the log. It is idempotent; calls made after
// it fail with ECANCELED where they would start new work.
func (g *Guest) Close() {
	g.mu.Lock()
	already := g.closed
	g.closed = true
	g.mu.Unlock()
	g.cancel()
	g.wg.Wait()
	if already {
		return
	}
	g.stdout.flush(g.proc)
	g.stderr.flush(g.proc)
	g.mu.Lock()
	clear(g.results)
	clear(g.handles)
	g.mu.Unlock()
}

// BlockedTime returns the total time the guest has spent blocked in blocking calls
// (llm_generate, wait, stream_next, poll_oneoff sleeps). The runtime subtracts it from wall
// time to get the agent's CPU time.
func (g *Guest) BlockedTime() time.Duration { return time.Duration(g.blocked.Load()) }

// LimitABI makes the guest's host answer abi_version as a host of ABI 1.minor would, for a
// replay or resume of a run recorded by an older host of the same major version: the agent
// negotiates what it negotiated then. A minor above ABIMinor is ignored. Call it before the
// agent runs.
func (g *Guest) LimitABI(minor uint32) {
	if minor <= ABIMinor {
		g.hostMinor = minor
	}
}

// ABIVersion returns the version the guest negotiated with abi_version; 1.0 if it never did.
func (g *Guest) ABIVersion() (major, minor uint32) {
	v := g.version.Load()
	return uint32(v >> 32), uint32(v)
}

// block marks the guest as blocked until the returned func is called, both in the kernel's
// process state and in BlockedTime.
func (g *Guest) block() (unblock func()) {
	unblockProc := g.proc.Block()
	t := time.Now()
	return func() {
		g.blocked.Add(int64(time.Since(t)))
		unblockProc()
	}
}

// signalLocked wakes every waiter on g.changed. g.mu must be held.
func (g *Guest) signalLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}
