package runtime

import (
	"context"
	"fmt"
)

// NewEngine returns the engine called name: "wazero", or "wasmtime" in builds with the
// `wasmtime` tag.
func NewEngine(ctx context.Context, name string, cfg Config) (Engine, error) {
	switch name {
	case "", "wazero":
		return NewWazero(ctx, cfg)
	case "wasmtime":
		if newWasmtime == nil {
			return nil, fmt.Errorf("engine wasmtime: this aios was built without it (build with -tags wasmtime)")
		}
		return newWasmtime(ctx, cfg)
	}
	return nil, fmt.Errorf("unknown engine %q (want wazero or wasmtime)", name)
}

// Engines lists the engines this build has.
func Engines() []string {
	if newWasmtime == nil {
		return []string{"wazero"}
	}
	return []string{"wazero", "wasmtime"}
}
