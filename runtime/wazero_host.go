package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/aiosys/aios/hostcalls"
)

// instance is what the host functions need of the running instance that calls them. It travels
// in the context of the instance's calls, so that the host modules are bound once per runtime
// and serve every instance.
type instance struct {
	g      *hostcalls.Guest
	active *activeWatch
}

type instanceKey struct{}

func withInstance(ctx context.Context, in *instance) context.Context {
	return context.WithValue(ctx, instanceKey{}, in)
}

var errNoGuest = errors.New("system call outside an agent run (no guest in context)")

// bindHostModules instantiates one host module per namespace of table ("aios",
// "wasi_snapshot_preview1") in rt.
func bindHostModules(ctx context.Context, rt wazero.Runtime, table []hostcalls.Func) error {
	builders := map[string]wazero.HostModuleBuilder{}
	var order []string
	for _, f := range table {
		params, err := apiTypes(f.Params)
		if err != nil {
			return fmt.Errorf("system call %s.%s: %w", f.Module, f.Name, err)
		}
		results, err := apiTypes(f.Results)
		if err != nil {
			return fmt.Errorf("system call %s.%s: %w", f.Module, f.Name, err)
		}
		b, ok := builders[f.Module]
		if !ok {
			b = rt.NewHostModuleBuilder(f.Module)
			builders[f.Module] = b
			order = append(order, f.Module)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(hostFunc(f.Handler, i32Params(f.Params)), params, results).Export(f.Name)
	}
	for _, name := range order {
		if _, err := builders[name].Instantiate(ctx); err != nil {
			return fmt.Errorf("bind host module %s: %w", name, err)
		}
	}
	return nil
}

// hostFunc adapts a hostcalls.Handler to wazero. wazero leaves the upper half of an i32
// parameter's stack slot undefined; hostcalls wants it zero, so the i32 slots (indexes in i32s)
// are cleared first. A handler's error ends the guest: wazero turns the panic into the error its
// call returns, where outcome finds it with errors.As.
func hostFunc(h hostcalls.Handler, i32s []int) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		in, _ := ctx.Value(instanceKey{}).(*instance)
		if in == nil {
			panic(errNoGuest)
		}
		for _, i := range i32s {
			stack[i] = uint64(uint32(stack[i]))
		}
		var mem hostcalls.Memory = noMemory{}
		if m := mod.Memory(); m != nil {
			mem = m
		}
		in.active.enterCall()
		err := h(ctx, in.g, mem, stack)
		in.active.leaveCall()
		if err != nil {
			panic(err)
		}
	}
}

// noMemory serves a module without memory; Check refuses such modules, so this only keeps a
// handler from dereferencing nil.
type noMemory struct{}

func (noMemory) Read(uint32, uint32) ([]byte, bool) { return nil, false }
func (noMemory) Write(uint32, []byte) bool          { return false }
func (noMemory) Size() uint32                       { return 0 }

func i32Params(ts []hostcalls.ValueType) []int {
	var idx []int
	for i, t := range ts {
		if t == hostcalls.I32 {
			idx = append(idx, i)
		}
	}
	return idx
}

func apiTypes(ts []hostcalls.ValueType) ([]api.ValueType, error) {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		switch t {
		case hostcalls.I32:
			out[i] = api.ValueTypeI32
		case hostcalls.I64:
			out[i] = api.ValueTypeI64
		default:
			return nil, fmt.Errorf("unknown value type %d", t)
		}
	}
	return out, nil
}
