//go:build wasmtime

package runtime

var newWasmtime = NewWasmtime
