//go:build wasmtime

package runtime

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/limits"
)

// TestWasmtimeConfigLayout fails, naming the cause, if wasmtime-go's Config no longer is one C
// pointer in _ptr: the pooling allocator is configured through it (configPointer).
func TestWasmtimeConfigLayout(t *testing.T) {
	typ := reflect.TypeFor[wasmtime.Config]()
	if typ.NumField() != 1 {
		t.Fatalf("wasmtime-go's Config has %d fields, want 1 (_ptr): configPointer must be revisited", typ.NumField())
	}
	if _, err := configPointerOffset(); err != nil {
		t.Fatal(err)
	}
	cfg := wasmtime.NewConfig()
	defer cfg.Close()
	if p, err := configPointer(cfg); err != nil || p == nil {
		t.Fatalf("configPointer = %v, %v", p, err)
	}
}

// TestWasmtimePoolSlots: the engine's base variant allocates from a pool of MaxRunning
// instance slots. With two slots a third instance at once is refused with Wasmtime's pool
// error, which poolFull recognises, and fits once a slot is freed; on demand there is no such
// bound. Runs never meet the refusal: they take one of MaxRunning places first
// (TestWasmtimeMaxRunning).
func TestWasmtimePoolSlots(t *testing.T) {
	for _, c := range []struct {
		name   string
		pool   PoolConfig
		pooled bool
	}{{"pooled", PoolConfig{}, true}, {"on demand", PoolConfig{OnDemand: true}, false}} {
		t.Run(c.name, func(t *testing.T) {
			e := newWasmtimeWith(t, Config{MaxRunning: 2, Pool: c.pool})
			if (e.base.pool != nil) != c.pooled {
				t.Fatalf("base variant pooled = %v, want %v", e.base.pool != nil, c.pooled)
			}
			m := compile(t, e, fixture(t, "minimal.wasm")).(*wasmtimeModule)
			if m.home != e.base {
				t.Fatal("the minimal agent was not compiled for the base variant")
			}
			cm := m.compiled[m.home]
			instantiate := func() (*wasmtime.Store, error) {
				s := wasmtime.NewStore(e.base.engine)
				if _, err := e.base.linker.Instantiate(s, cm); err != nil {
					s.Close()
					return nil, err
				}
				return s, nil
			}
			var stores []*wasmtime.Store
			defer func() {
				for _, s := range stores {
					s.Close()
				}
			}()
			for i := range 2 {
				s, err := instantiate()
				if err != nil {
					t.Fatalf("instance %d: %v", i+1, err)
				}
				stores = append(stores, s)
			}
			s, err := instantiate()
			if !c.pooled {
				if err != nil {
					t.Fatalf("third instance on demand: %v", err)
				}
				stores = append(stores, s)
				return
			}
			if err == nil || !poolFull(err) {
				s.Close()
				t.Fatalf("third instance in a pool of 2: err = %v, want the pool's refusal", err)
			}
			stores[0].Close()
			stores = stores[1:]
			s, err = instantiate()
			if err != nil {
				t.Fatalf("an instance after a slot was freed: %v", err)
			}
			stores = append(stores, s)
		})
	}
}

// slotReader is an agent that reports what its memory holds when it starts, then fills it with
// a secret: it grows its memory from two pages to four, counts the non-zero bytes in all four
// (its own data segments, mark at 0 and at 64 KiB, are 6), and writes mark, its initial size
// in pages, its mutable global (7 at start) and the count: "AAA276" for mark "AAA". Then it
// writes 'Z' over all four pages and sets the global to 9.
func slotReader(t *testing.T, mark string) []byte {
	return wat(t, fmt.Sprintf(`(module
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $g (mut i32) (i32.const 7))
  (data (i32.const 0) %[1]q)
  (data (i32.const 65536) %[1]q)
  (func $out (param i32 i32)
    (if (call $output (local.get 0) (local.get 1)) (then unreachable)))
  (func $dec (param $v i32) (param $end i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $end))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (local.get $v)))
    (local.get $p))
  (func (export "_start")
    (local $size i32) (local $i i32) (local $n i32) (local $p i32)
    (local.set $size (memory.size))
    (if (i32.lt_s (memory.grow (i32.sub (i32.const 4) (local.get $size))) (i32.const 0)) (then unreachable))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (i32.const 262144)))
        (if (i32.load8_u (local.get $i)) (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.store8 (i32.const 3) (i32.add (i32.const 48) (local.get $size)))
    (i32.store8 (i32.const 4) (i32.add (i32.const 48) (global.get $g)))
    (call $out (i32.const 0) (i32.const 5))
    (local.set $p (call $dec (local.get $n) (i32.const 32)))
    (call $out (local.get $p) (i32.sub (i32.const 32) (local.get $p)))
    (memory.fill (i32.const 0) (i32.const 0x5a) (i32.const 262144))
    (global.set $g (i32.const 9))))`, mark))
}

// TestWasmtimePoolSlotReuse is the isolation property of the pool: an agent that starts in a
// slot where another ended (a pool of one slot, so every run reuses it) finds its memory as its
// module's data segments leave it, zero elsewhere, including the pages the previous agent grew
// and filled with its secret, and its globals fresh. Agents of one module and of two
// alternate, with memory given back to the OS at the end of a run and with some of it kept
// resident and reset in place (KeepResident), which are Wasmtime's two ways of resetting a slot.
func TestWasmtimePoolSlotReuse(t *testing.T) {
	a, b := slotReader(t, "AAA"), slotReader(t, "BBB")
	for _, keep := range []int{0, 64 << 10, 1 << 20} {
		t.Run(fmt.Sprintf("keep resident %d", keep), func(t *testing.T) {
			e := newWasmtimeWith(t, Config{MaxRunning: 1, Pool: PoolConfig{KeepResident: keep}})
			ma, mb := compile(t, e, a), compile(t, e, b)
			for i, step := range []struct {
				m    Module
				want string
			}{{ma, "AAA276"}, {ma, "AAA276"}, {mb, "BBB276"}, {ma, "AAA276"}, {mb, "BBB276"}, {mb, "BBB276"}} {
				r := runModule(t, step.m, runSpec{})
				if r.err != nil {
					t.Fatalf("run %d: %v", i+1, r.err)
				}
				if got := string(r.proc.OutputBytes()); got != step.want {
					t.Fatalf("run %d wrote %q, want %q: it saw what an earlier agent in its slot left", i+1, got, step.want)
				}
			}
		})
	}
}

// TestWasmtimePoolRunsLikeOnDemand: agents give the same outcome, log and output from a pool
// (one slot, reused by every run) as with on-demand allocation: the conformance fixtures that
// show their memory, write all of it, trap, refuse a grow, and the Go program, each run three
// times in each mode.
func TestWasmtimePoolRunsLikeOnDemand(t *testing.T) {
	goInput := runSpec{input: []byte("hello stdin"), args: []string{"a", "b"}, env: []string{"GREETING=hi"}}
	cases := []struct {
		name string
		wasm []byte
		spec runSpec
	}{
		{"scribble", fixture(t, "scribble.wasm"), runSpec{}},
		{"minimal", fixture(t, "minimal.wasm"), runSpec{}},
		{"reactor", fixture(t, "reactor.wasm"), runSpec{}},
		{"reactor_passive", fixture(t, "reactor_passive.wasm"), runSpec{}},
		{"reactor_initwrite", fixture(t, "reactor_initwrite.wasm"), runSpec{}},
		{"oob", fixture(t, "oob.wasm"), runSpec{}},
		{"growfail", fixture(t, "growfail.wasm"), runSpec{lim: limits.Limits{Memory: 1 << 20}}},
		{"goagent", goAgent(t), goInput},
	}
	pooled := newWasmtimeWith(t, Config{MaxRunning: 1})
	onDemand := newWasmtimeWith(t, Config{MaxRunning: 1, Pool: PoolConfig{OnDemand: true}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := runShown(t, compile(t, onDemand, c.wasm), c.spec)
			m := compile(t, pooled, c.wasm).(*wasmtimeModule)
			if m.home != pooled.base || pooled.base.pool == nil {
				t.Fatal("the module does not run from the pool")
			}
			for run := range 3 {
				if got := runShown(t, m, c.spec); got != want {
					t.Errorf("pooled run %d shows\n%s\non demand:\n%s", run+1, got, want)
				}
			}
		})
	}
}

// TestWasmtimePoolMisfit: a module that a pool slot cannot hold (a table larger than a slot's,
// two tables) compiles for, and runs on, the default stack's on-demand variant, with the same
// output as on an engine without a pool; and so does the Go program when slots hold tables of
// ten elements.
func TestWasmtimePoolMisfit(t *testing.T) {
	const body = `
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fits elsewhere")
  (func (export "_start")
    (if (call $output (i32.const 0) (i32.const 14)) (then unreachable)))`
	goInput := runSpec{input: []byte("hello stdin"), args: []string{"a", "b"}, env: []string{"GREETING=hi"}}
	for _, c := range []struct {
		name string
		pool PoolConfig
		wasm []byte
		spec runSpec
	}{
		{"large table", PoolConfig{}, wat(t, "(module"+body+" (table 200000 funcref))"), runSpec{}},
		{"two tables", PoolConfig{}, wat(t, "(module"+body+" (table 1 funcref) (table 1 funcref))"), runSpec{}},
		{"go agent, small slots", PoolConfig{TableElements: 10}, goAgent(t), goInput},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newWasmtimeWith(t, Config{Pool: c.pool})
			m := compile(t, e, c.wasm).(*wasmtimeModule)
			if m.home == e.base || m.home.pool != nil || m.home.stack != e.base.stack {
				t.Fatalf("home variant: pooled %v, stack %d; want on demand with the default stack", m.home.pool != nil, m.home.stack)
			}
			onDemand := newWasmtimeWith(t, Config{Pool: PoolConfig{OnDemand: true}})
			want := runShown(t, compile(t, onDemand, c.wasm), c.spec)
			for run := range 2 {
				if got := runShown(t, m, c.spec); got != want {
					t.Errorf("run %d shows\n%s\non an engine without a pool:\n%s", run+1, got, want)
				}
			}
		})
	}
}

// TestWasmtimePoolOtherStack: a run with a stack limit other than the default one runs on an
// on-demand variant (only the base variant has a pool) and behaves the same.
func TestWasmtimePoolOtherStack(t *testing.T) {
	e := newWasmtimeWith(t, Config{})
	m := compile(t, e, fixture(t, "scribble.wasm"))
	for _, stack := range []uint64{0, 256 << 10} {
		if got := runShown(t, m, runSpec{lim: limits.Limits{Stack: stack}}); !strings.Contains(got, `output="imagepage2703"`) {
			t.Fatalf("stack %d: run shows\n%s", stack, got)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v := e.variants[variantKey{stack: 256 << 10}]; v == nil || v.pool != nil {
		t.Fatal("no on-demand variant for the 256 KiB stack")
	}
}

// TestWasmtimePoolAddressBudget: the pools of the engines open in a process stay within
// poolAddressBudget (lowered here to one pool's worth): a second engine starts its agents on
// demand and logs why, and a third gets a pool once the first is closed.
func TestWasmtimePoolAddressBudget(t *testing.T) {
	cfg := Config{MaxRunning: 4}
	defer func(b uint64) { poolAddressBudget = b }(poolAddressBudget)
	poolAddressSpace.Lock()
	poolAddressBudget = poolAddressSpace.reserved + poolSizesOf(cfg, 4).reservation()*3/2
	poolAddressSpace.Unlock()
	first, err := NewWasmtime(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Past the budget, an engine starts agents on demand, and says why.
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	second, err := NewWasmtime(context.Background(), cfg)
	if err != nil {
		t.Fatalf("an engine past the pool budget: %v, want one that starts agents on demand", err)
	}
	if second.(*wasmtimeEngine).releasePool != nil {
		t.Fatal("a second pool was made past the budget")
	}
	if w := logged.String(); !strings.Contains(w, "without the pooling allocator") || !strings.Contains(w, "address space") {
		t.Errorf("warning %q, want it to say the engine runs without the pool and why", w)
	}
	m := compile(t, second, fixture(t, "minimal.wasm"))
	if r := runModule(t, m, runSpec{}); r.err != nil || string(r.proc.OutputBytes()) != "hello from wasm" {
		t.Fatalf("run on the engine without a pool: %v, output %q", r.err, r.proc.OutputBytes())
	}
	_ = m.Close(context.Background())
	if err := second.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := newWasmtimeWith(t, cfg)
	if again.releasePool == nil {
		t.Fatal("no pool once the first engine closed")
	}
	m = compile(t, again, fixture(t, "minimal.wasm"))
	if r := runModule(t, m, runSpec{}); r.err != nil || string(r.proc.OutputBytes()) != "hello from wasm" {
		t.Fatalf("run after the first engine closed: %v, output %q", r.err, r.proc.OutputBytes())
	}
}

// TestWasmtimePoolTooLarge: a pool larger than the process's address space, which Wasmtime
// would abort the process on, is refused with an error instead (the budget set aside).
func TestWasmtimePoolTooLarge(t *testing.T) {
	defer func(b uint64) { poolAddressBudget = b }(poolAddressBudget)
	poolAddressBudget = 1 << 62
	p := poolSizesOf(Config{}, 40_000) // about 160 TiB
	v, release, err := newPooledVariant(wasmStack(limits.Defaults().Stack), p, nil)
	if err == nil {
		v.close()
		release()
		t.Fatal("a pool of 160 TiB was made")
	}
	if !strings.Contains(err.Error(), "cannot reserve") || !strings.Contains(err.Error(), "TiB") {
		t.Errorf("err = %v, want it to say the address space cannot be reserved, in TiB", err)
	}
}

// TestWasmtimeConfigRefused: NewWasmtime refuses a configuration out of range, naming the field.
func TestWasmtimeConfigRefused(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{MaxRunning: -1}, "MaxRunning"},
		{Config{MaxRunning: 1 << 40}, "MaxRunning"},
		{Config{Pool: PoolConfig{TableElements: -5}}, "Pool.TableElements"},
		{Config{Pool: PoolConfig{InstanceSize: 1 << 40}}, "Pool.InstanceSize"},
		{Config{Pool: PoolConfig{KeepResident: -1}}, "Pool.KeepResident"},
	} {
		e, err := NewWasmtime(context.Background(), c.cfg)
		if err == nil {
			_ = e.Close(context.Background())
			t.Errorf("%+v: made an engine", c.cfg)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want it to name %s", c.cfg, err, c.want)
		}
	}
}

// TestWasmtimeCloseGivesBackPool: a closed engine's pool gives its address space back, modules
// left unclosed included (Close frees their code, which holds the Wasmtime engine): twenty
// engines of 8 TiB each, opened, run and closed one after another, need 160 TiB, more than a
// process has. (What wasmtime-go leaves to finalizers is collected when a pool does not fit.)
func TestWasmtimeCloseGivesBackPool(t *testing.T) {
	for i := range 20 {
		e, err := NewWasmtime(context.Background(), Config{})
		if err != nil {
			t.Fatalf("engine %d: %v", i+1, err)
		}
		m, err := e.Compile(context.Background(), fixture(t, "minimal.wasm"))
		if err != nil {
			t.Fatal(err)
		}
		if r := runModule(t, m, runSpec{}); r.err != nil {
			t.Fatalf("engine %d: %v", i+1, r.err)
		}
		if err := e.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r := runModule(t, m, runSpec{}); r.err == nil {
			t.Fatalf("engine %d: a module ran after its engine closed", i+1)
		}
	}
}
