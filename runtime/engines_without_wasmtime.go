//go:build !wasmtime

package runtime

import "context"

var newWasmtime func(context.Context, Config) (Engine, error)
