// Package kernel holds the managers behind the AIOS system calls: the process table and the
// path of an LLM generation onto a core. It knows nothing of WebAssembly.
package kernel

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/policy"
)

// Kernel serves system calls for many processes.
type Kernel struct {
	core    llm.Core
	nextPID atomic.Uint64

	mu    sync.RWMutex
	procs map[PID]*Process
	now   func() time.Time
	gate  *Gate // nil: no policy
	// tenants index processes by tenant for policy's input.tenant_usage.
	tenants tenantIndex
	// ledger keeps processes' own budgets (Spec.Budget); nil: none can have one.
	ledger *quota.Ledger
	// The managers behind memory_*, storage_* and tool_* calls; nil: that family is ENOSYS.
	memory  *memory.Store
	storage *storage.Store
	tools   ToolManager
	// spawner starts child agents (agent_spawn); nil: none can be started.
	spawner     Spawner
	agentLimits AgentLimits
}

// Option configures a Kernel.
type Option func(*Kernel)

// WithClock makes the kernel read time from now (tests).
func WithClock(now func() time.Time) Option { return func(k *Kernel) { k.now = now } }

// New returns a kernel that sends every generation to core: usually a *dispatch.Dispatcher
// over the configured cores, which schedules and charges generations by the caller the kernel
// puts in their context (see Process.Generate), or the plain router Cores.
func New(core llm.Core, opts ...Option) *Kernel {
	k := &Kernel{core: core, procs: map[PID]*Process{}, now: time.Now}
	for _, o := range opts {
		o(k)
	}
	return k
}

// Spawn adds a process to the table in state Running. A kernel with a policy gate first takes
// the agent's start decision (policy.StartCall); a denial is a *DeniedError and no process.
// A spec with a Budget opens the process's own account in the kernel's ledger (WithLedger),
// closed again when the process exits.
func (k *Kernel) Spawn(spec Spec) (*Process, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("spawn: a process needs a name")
	}
	p := newProcess(k, PID(k.nextPID.Add(1)), spec)
	t := p.startCall(policy.StartCall)
	_, err := p.Authorize(context.Background(), policy.StartCall, nil)
	t.end(&err)
	if err != nil {
		return nil, fmt.Errorf("spawn %s: %w", spec.Name, err)
	}
	if err := p.openBudget(); err != nil {
		return nil, fmt.Errorf("spawn %s: %w", spec.Name, err)
	}
	k.mu.Lock()
	k.procs[p.pid] = p
	k.mu.Unlock()
	k.tenants.join(p)
	return p, nil
}

// Processes returns a snapshot of the process table, ordered by PID.
func (k *Kernel) Processes() []Info {
	k.mu.RLock()
	out := make([]Info, 0, len(k.procs))
	for _, p := range k.procs {
		out = append(out, p.Info())
	}
	k.mu.RUnlock()
	sortInfos(out)
	return out
}

// Reap removes an exited process from the table and returns its final information.
func (k *Kernel) Reap(pid PID) (Info, bool) {
	k.mu.Lock()
	p, ok := k.procs[pid]
	reaped := ok && p.State() == Exited
	if reaped {
		delete(k.procs, pid)
	}
	k.mu.Unlock()
	if reaped {
		k.tenants.leave(p)
	}
	if !ok {
		return Info{}, false
	}
	return p.Info(), true
}
