// Package cli is the aios command line. Main runs it in-process, so tests drive the whole CLI
// without building a binary.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Main runs the aios CLI with args (without the program name) and returns its exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	io := &IOStreams{In: stdin, Out: stdout, ErrOut: stderr}
	root := NewCmdRoot(io)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "aios:", safeLines(ee.err.Error()))
		}
		return ee.code
	}
	// Errors cobra raises itself (unknown flag, wrong argument count) are usage errors.
	fmt.Fprintln(stderr, "aios:", safeLines(err.Error()))
	fmt.Fprintln(stderr, "Run 'aios --help' for usage.")
	return ExitUsage
}

// IOStreams are the standard streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// NewCmdRoot builds the aios command tree.
func NewCmdRoot(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "aios <command>",
		Short: "An operating system for LLM agents",
		Long: `aios runs agents compiled to WebAssembly. An agent reaches the host only through
AIOS system calls, so the kernel decides everything it does: which LLM serves it,
how much memory and time it gets, and what it may touch.`,
		Example: `  aios new go myagent && cd myagent && make
  aios run myagent.wasm --input "What is WebAssembly?"
  aios inspect myagent.wasm
  aios pack agent.wasm --manifest agent.toml && aios sign agent-1.0.0.wasm --key me.key
  aios publish agent-1.0.0.wasm localhost:5000/agents/agent
  aios audit --denied --since 1h`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.AddCommand(
		NewCmdRun(io, nil),
		NewCmdReplay(io, nil),
		NewCmdJournal(io, nil),
		NewCmdResume(io, nil),
		NewCmdAudit(io, nil),
		NewCmdTools(io),
		NewCmdMemory(io),
		NewCmdStorage(io),
		NewCmdPolicy(io),
		NewCmdInspect(io, nil),
		NewCmdVersion(io),
		NewCmdPack(io, nil),
		NewCmdKeygen(io, nil),
		NewCmdSign(io, nil),
		NewCmdVerify(io, nil),
		NewCmdPublish(io, nil),
		NewCmdPull(io, nil),
		NewCmdSearch(io, nil),
		NewCmdHub(io),
		NewCmdKernel(io),
		NewCmdNew(io, nil),
		NewCmdLogin(io, nil),
		NewCmdLogout(io, nil),
		NewCmdPs(io, nil),
		NewCmdTop(io, nil),
		NewCmdLogs(io, nil),
		NewCmdKill(io, nil),
		NewCmdApprove(io, nil),
		NewCmdDeny(io, nil),
		NewCmdApprovals(io, nil),
	)
	return cmd
}
