package runtime

// engineGate returns the compile slots of e, an engine of this package.
func engineGate(e Engine) compileGate {
	switch e := e.(type) {
	case *wazeroEngine:
		return e.gate
	case gated:
		return e.compileGate()
	}
	panic("engineGate: unknown engine")
}

// gated is an engine built under a tag (wasmtime) that exposes its compile slots to tests.
type gated interface{ compileGate() compileGate }
