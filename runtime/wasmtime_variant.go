//go:build wasmtime

package runtime

import (
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/hostcalls"
)

// The stack bounds a variant may have. Wasm runs on the host thread's stack (cgo calls run on
// the thread's system stack, 8 MiB by default on Linux), so the upper bound leaves room for
// the host frames below and above it.
const (
	minWasmStack = 64 << 10
	maxWasmStack = 4 << 20
)

// stackStep is the granularity of stack bounds, which keeps the number of variants small.
const stackStep = 64 << 10

// wasmStack returns the stack bound used for a limits.Limits.Stack of limit bytes: rounded
// down to a multiple of stackStep, within [minWasmStack, maxWasmStack].
func wasmStack(limit uint64) uint64 {
	return min(max(limit/stackStep*stackStep, minWasmStack), maxWasmStack)
}

// variantKey names a variant: its stack bound, and whether it allocates from a pool.
type variantKey struct {
	stack  uint64
	pooled bool
}

// wtVariant is one Wasmtime engine, with epoch interruption, copy-on-write memory images, a
// stack bound and either the pooling allocator or on-demand allocation, and a linker holding
// every system call. The linker is shared by all instances of the variant: each host function
// finds its instance in the store's data.
type wtVariant struct {
	stack  uint64
	pool   *poolSizes // nil: on-demand allocation
	engine *wasmtime.Engine
	linker *wasmtime.Linker
	types  []*wasmtime.FuncType // the system calls' types; see close
}

func newVariant(stack uint64, pool *poolSizes, table []hostcalls.Func) (*wtVariant, error) {
	cfg := wasmtime.NewConfig()
	cfg.SetEpochInterruption(true)
	cfg.SetMaxWasmStack(int(stack))
	cfg.SetMemoryInitCOWSet(true)
	if pool != nil {
		if err := setPooling(cfg, *pool); err != nil {
			cfg.Close()
			return nil, err
		}
	}
	engine := wasmtime.NewEngineWithConfig(cfg)
	v := &wtVariant{stack: stack, pool: pool, engine: engine, linker: wasmtime.NewLinker(engine)}
	if err := v.define(table); err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

func (v *wtVariant) key() variantKey { return variantKey{stack: v.stack, pooled: v.pool != nil} }

// define defines every system call of table in v's linker.
func (v *wtVariant) define(table []hostcalls.Func) error {
	for _, f := range table {
		params, err := wasmtimeTypes(f.Params)
		if err == nil {
			var results []*wasmtime.ValType
			if results, err = wasmtimeTypes(f.Results); err == nil {
				ty := wasmtime.NewFuncType(params, results)
				v.types = append(v.types, ty)
				err = v.linker.FuncNew(f.Module, f.Name, ty, hostFuncWasmtime(f))
			}
		}
		if err != nil {
			return fmt.Errorf("system call %s.%s: %w", f.Module, f.Name, err)
		}
	}
	return nil
}

func wasmtimeTypes(ts []hostcalls.ValueType) ([]*wasmtime.ValType, error) {
	out := make([]*wasmtime.ValType, len(ts))
	for i, t := range ts {
		switch t {
		case hostcalls.I32:
			out[i] = wasmtime.NewValType(wasmtime.KindI32)
		case hostcalls.I64:
			out[i] = wasmtime.NewValType(wasmtime.KindI64)
		default:
			return nil, fmt.Errorf("unknown value type %d", t)
		}
	}
	return out, nil
}

// close frees v's Wasmtime engine, once no store and no module of it is left. A function type
// that has been used in a linker holds the engine it was registered with until the type is
// freed, which wasmtime-go leaves to the garbage collector: the types are freed here, after
// the linker (whose host functions were the last users of them), so that the engine, and its
// pool's address space, go now.
func (v *wtVariant) close() {
	v.linker.Close()
	for _, ty := range v.types {
		ty.Close()
	}
	v.engine.Close()
}
