//go:build wasmtime

package runtime

import "context"

func init() {
	benchEngines = append(benchEngines,
		benchEngine{name: "wasmtime", new: NewWasmtime},
		benchEngine{name: "wasmtime-ondemand", new: func(ctx context.Context, cfg Config) (Engine, error) {
			cfg.Pool.OnDemand = true
			return NewWasmtime(ctx, cfg)
		}})
}
