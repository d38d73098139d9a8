//go:build wasmtime

package runtime

func init() {
	benchEngines = append(benchEngines, benchEngine{name: "wasmtime", new: NewWasmtime})
}
