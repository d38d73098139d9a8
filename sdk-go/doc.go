// Package aios is the Go SDK for writing aios agents: WebAssembly programs that run under the
// aios kernel and reach the world only through its system calls.
//
// An agent is an ordinary Go main package built for WASI:
//
//	GOOS=wasip1 GOARCH=wasm go build -o agent.wasm .
//	aios run agent.wasm
//
// or as a reactor, whose initialisation `aios pack --preinit` can run ahead of time (see Main):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o agent.wasm .
//
// It reads its run input with Input, writes its run output with Output, logs with Log (or
// Debugf, Infof, Warnf, Errorf; standard output and standard error reach the same log), and asks
// LLMs for text in three ways:
//
//   - Generate blocks until the whole response is there.
//   - Stream returns a StreamCall whose Chunks iterator yields the text as it is generated;
//     Result then gives the complete response.
//   - Submit starts a generation and returns a Call at once, so one agent can keep several in
//     flight; WaitAny reports which finishes next, and Call.Wait or Call.Poll collects it.
//
// A Request may declare Tools the model can call: the Response then carries ToolCalls, which
// the agent runs itself and answers with ToolMessage in the next request. Embed returns
// embedding vectors. Both are ABI 1.1.
//
// ABI 1.2 adds what outlives a run and what the host runs for the agent:
//
//   - Mem returns the agent's own Memory (SharedMemory a space shared within its tenant): Add,
//     Get, Update and Delete texts with metadata, and Search them by keywords, by meaning
//     (Vector) or both (Hybrid), with TopK and Where.
//   - Store returns the agent's Storage, a key-value store whose every write is a version:
//     Put, Get, GetVersion, Delete, List, History, Rollback and RollbackTo.
//   - ListTools returns the tools policy grants, ready for a Request's Tools; CallTool runs
//     one, and RunToolCall runs a model's ToolCall, whose ToolResult.Message answers it.
//
// Each of them blocks, or with a deadline on its context submits the call and waits at most
// until the deadline. Memory.StartSearch, Storage.StartGet and StartToolCall start one and
// return a Pending at once; WaitAny waits for Pending values and Calls alike.
//
// ABI 1.3 adds agents that start agents:
//
//   - Spawn starts a module of the operator's agents directory as a Child, with its own input,
//     limits and a Budget set aside from the parent's; Child.Wait (or WaitFor, StartWait)
//     gives how it ended, Child.Kill ends it. Children end when their parent ends.
//   - Send puts a message in the mailbox of the agent's Parent, a child or a sibling; Recv (or
//     StartRecv) takes the next one, waiting at most a timeout.
//
// The kernel checks every call against policy, budgets and limits. Failures are *Error values
// carrying the host's explanation; they match the Errno sentinels with errors.Is:
//
//	if errors.Is(err, aios.ErrQuota) { ... }
//
// This package implements docs/ABI.md (ABI v1.3) from the guest side. It performs the
// abi_version handshake before its first call (asking for 1.3, then 1.2, 1.1 and 1.0: on an older
// host the features of newer versions fail with ErrNotSupported and everything else works),
// copies every result out of the host and releases it at once, and needs no third-party
// module.
//
// # Notes
//
// Outside GOOS=wasip1 the package compiles, so an agent can be vetted and its pure parts tested
// on the host, but every call returns ErrNotInAIOS.
//
// While a system call blocks, the whole agent waits: a guest has one thread. A context therefore
// ends a generation only through its deadline (Generate, Stream) or when it is checked between
// calls; it cannot interrupt a call from another goroutine.
package aios
