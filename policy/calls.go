package policy

// StartCall is the call name of the decision taken once when an agent starts. It governs the
// calls for which DecidedAtStart is true.
const StartCall = "start"

// wasiModule is the import module of the virtual WASI subset (docs/ABI.md section 6).
const wasiModule = "wasi_snapshot_preview1"

// DecidedAtStart reports whether a system call imported from module under name is governed by
// the agent's StartCall decision instead of one decision per call.
//
// That holds for every function of the virtual WASI subset: clock and random come from the
// kernel's per-agent generator, args and environment from the run request, stdio from the
// agent's own input and log, poll_oneoff and sched_yield only wait, proc_exit ends the agent;
// files and sockets are refused outright. None of them touches a shared resource. Every call in
// the aios namespace is decided per call.
func DecidedAtStart(module, name string) bool {
	return module == wasiModule && name != ""
}
