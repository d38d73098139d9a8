//go:build wasmtime

package runtime

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"github.com/aiosys/aios/hostcalls"
)

// Defaults of Config.Pool's sizes.
const (
	defaultTableElements = 100_000
	defaultInstanceSize  = 1 << 20
)

// Wasmtime's linear memory layout on 64-bit hosts, which the pool keeps: every memory is a
// reservation of 4 GiB, so compiled code needs no bounds checks, followed by a guard region.
const (
	poolMemory      = 4 << 30
	poolMemoryGuard = 32 << 20
)

// poolAddressBudget bounds the address space that the pools of all wasmtime engines in this
// process reserve together: half of x86-64's and arm64's 128 TiB of user address space, so
// that on-demand memories (4 GiB each as well), Go's heap and the rest of the process keep the
// other half. A variable for tests.
var poolAddressBudget uint64 = 64 << 40

// poolSizes are the sizes of one wasmtime engine's pool of instance slots.
type poolSizes struct {
	slots         int    // instances, memories and tables: one each per running agent
	memory        uint64 // bytes a slot's memory may grow to
	tableElements int
	instanceSize  int
	keepResident  int
}

func poolSizesOf(cfg Config, maxRunning int) poolSizes {
	p := poolSizes{
		slots:         maxRunning,
		memory:        poolMemory,
		tableElements: cfg.Pool.TableElements,
		instanceSize:  cfg.Pool.InstanceSize,
		keepResident:  cfg.Pool.KeepResident,
	}
	if p.tableElements == 0 {
		p.tableElements = defaultTableElements
	}
	if p.instanceSize == 0 {
		p.instanceSize = defaultInstanceSize
	}
	return p
}

// reservation is about the address space the pool reserves when its engine starts: per slot,
// a memory and its guard, a table of 8-byte elements and the instance state.
func (p poolSizes) reservation() uint64 {
	perSlot := p.memory + poolMemoryGuard + uint64(p.tableElements)*8 + uint64(p.instanceSize)
	return uint64(p.slots) * perSlot
}

// poolAddressSpace accounts for the address space reserved by the pools of this process; its
// lock also makes one pool at a time.
var poolAddressSpace struct {
	sync.Mutex
	reserved uint64
	pools    int
}

// errNoPool is why newPooledVariant made no pool when the address space for it is not to be
// had: NewWasmtime then starts agents on demand.
var errNoPool = errors.New("pooling allocator")

// newPooledVariant makes a variant that allocates from a pool of p's size, if the pool fits
// within poolAddressBudget beside the pools already open and the process can reserve its
// address space now; otherwise it says why. Wasmtime aborts the process if it cannot reserve a
// pool, hence the checks. Call release once the variant, and every module compiled for it, is
// freed.
func newPooledVariant(stack uint64, p poolSizes, table []hostcalls.Func) (v *wtVariant, release func(), err error) {
	n := p.reservation()
	a := &poolAddressSpace
	a.Lock()
	defer a.Unlock()
	if a.reserved+n > poolAddressBudget {
		return nil, nil, fmt.Errorf("%w: a pool of %d slots reserves %s of address space, and the %d "+
			"wasmtime engines open in this process already reserve %s, of at most %s: close one, lower "+
			"MaxRunning, or set Pool.OnDemand", errNoPool, p.slots, formatAddressSpace(n), a.pools, formatAddressSpace(a.reserved),
			formatAddressSpace(poolAddressBudget))
	}
	if err := probeCollecting(n); err != nil {
		return nil, nil, fmt.Errorf("%w: a pool of %d slots reserves %s of address space, which this "+
			"process cannot reserve now (%w): lower MaxRunning, or set Pool.OnDemand", errNoPool, p.slots, formatAddressSpace(n), err)
	}
	if v, err = newVariant(stack, &p, table); err != nil {
		return nil, nil, err
	}
	a.reserved += n
	a.pools++
	return v, sync.OnceFunc(func() {
		a.Lock()
		a.reserved -= n
		a.pools--
		a.Unlock()
	}), nil
}

// probeCollecting is probeAddressSpace, retried after garbage collections if it fails: pools
// of engines already closed can still hold address space until the collector has run
// wasmtime-go's finalizers (a function type it made for a call holds its Wasmtime engine, and
// so the pool, until then).
func probeCollecting(n uint64) error {
	err := probeAddressSpace(n)
	for i := 1; err != nil && i <= 5; i++ {
		goruntime.GC()
		time.Sleep(time.Duration(i) * 10 * time.Millisecond) // finalizers run on their own goroutine
		err = probeAddressSpace(n)
	}
	return err
}

// formatAddressSpace formats n bytes in TiB, or as formatBytes does below 1 TiB.
func formatAddressSpace(n uint64) string {
	if n < 1<<40 {
		return formatBytes(n)
	}
	return fmt.Sprintf("%.1f TiB", float64(n)/(1<<40))
}

// poolFull says whether err is Wasmtime's refusal to instantiate because every slot of its
// pool is taken ("maximum concurrent ... limit of N ... reached").
func poolFull(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "maximum concurrent") && strings.Contains(msg, "reached")
}
