// Package aios is the Go SDK for writing aios agents: WebAssembly programs that run under the
// aios kernel and reach the world only through its system calls.
//
// An agent is an ordinary Go main package built for WASI:
//
//	GOOS=wasip1 GOARCH=wasm go build -o agent.wasm .
//	aios run agent.wasm
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
// The kernel checks every call against policy, budgets and limits. Failures are *Error values
// carrying the host's explanation; they match the Errno sentinels with errors.Is:
//
//	if errors.Is(err, aios.ErrQuota) { ... }
//
// This package implements docs/ABI.md (ABI v1.1) from the guest side. It performs the
// abi_version handshake before its first call (asking for 1.1, then 1.0: on a 1.0 host the
// features of 1.1 fail with ErrNotSupported and everything else works), copies every result out of the host and releases
// it at once, and needs no third-party module.
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
