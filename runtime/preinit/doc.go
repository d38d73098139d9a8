// Package preinit pre-initialises reactor agents: it runs a module's _initialize once, ahead
// of time, and writes a new module whose memory and globals start where initialisation left
// them, so every run starts at aios_main (docs/ABI.md section 1.3; the approach is Wizer's).
//
// Initialisation runs on wazero with every system call replaced by a stub. A call whose answer
// aios fixes anyway (a standard descriptor's status, no preopened directories, writes of
// nothing) gets that answer; the arguments and the environment are empty; the clocks read a
// fixed clock and random_get reads a generator seeded from the module's digest, so the snapshot
// is a function of the module alone. Any other call (an LLM, storage, a tool, output, input,
// proc_exit) refuses the module, naming the call.
//
// # Notes
//
// Every instance of a pre-initialised module starts from the same random state: Go's map hash
// seeds and math/rand's generator are the same in every run (docs/RATIONALE.md). crypto/rand
// still asks the host each time.
package preinit
