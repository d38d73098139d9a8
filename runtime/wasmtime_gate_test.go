//go:build wasmtime

package runtime

func (e *wasmtimeEngine) compileGate() compileGate { return e.gate }
