package aios

import "os"

// Main runs an agent built as a reactor (ABI 1.3): call it from the module's aios_main export.
// It makes os.Args and the environment those of this run, then calls run; an error from run is
// logged and ends the agent with exit status 1. Return from Main ends the run normally;
// os.Exit inside run works as in a command.
//
//	func main() {} // not called: a reactor's entry is aios_main
//
//	//go:wasmexport aios_main
//	func aiosMain() { aios.Main(run) }
//
// Build the agent with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o agent.wasm .
//
// A reactor's package initialisation (the Go runtime's and every package's init and
// package-level variables) runs in _initialize, before aios_main, and can be done once ahead
// of time: `aios pack --preinit` stores its result in the bundle, so every run starts at
// aios_main. Initialisation must then not depend on the run: it sees no arguments and an
// empty environment, and must make no system call (docs/ABI.md, section 1.3).
func Main(run func() error) {
	refreshProcess()
	if err := run(); err != nil {
		Errorf("%v", err)
		os.Exit(1)
	}
}
