package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/internal/scaffold"
)

// NewOptions are `aios new`'s arguments and dependencies.
type NewOptions struct {
	IO   *IOStreams
	Lang string
	Name string
}

// NewCmdNew builds `aios new`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdNew(io *IOStreams, runF func(context.Context, *NewOptions) error) *cobra.Command {
	opts := &NewOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "new go NAME",
		Short: "Start an agent project that builds as it is",
		Long: `Create the directory NAME with a working agent: main.go (it answers its input with an
LLM), go.mod, the manifest agent.toml, and a Makefile whose default target builds
NAME.wasm (GOOS=wasip1 GOARCH=wasm, a reactor: docs/ABI.md 1.3). The aios Go SDK this binary was built with is
written into NAME/third_party/sdk-go and go.mod points there, so the project builds
without fetching anything.

NAME is 1 to 64 of a-z, 0-9, - and _, starting and ending with a letter or digit; it
names the directory, the Go module, the .wasm file and the agent. The directory must
not exist or be empty. Only Go is scaffolded: a Rust agent is a cargo project using
sdk-rust, which docs/RUST.md writes step by step.

Exit status: 0 created, 64 bad language or name, 73 the directory exists and is not
empty, or cannot be written.`,
		Example: `  aios new go myagent && cd myagent && make && aios run myagent.wasm`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Lang, opts.Name = args[0], args[1]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runNew(opts)
		},
	}
	return cmd
}

func runNew(o *NewOptions) error {
	switch o.Lang {
	case "go":
	case "rust":
		return exitWith(ExitUsage, errors.New("aios new rust: not scaffolded: start a Rust agent with cargo and sdk-rust as docs/RUST.md shows, or use aios new go NAME"))
	default:
		return exitWith(ExitUsage, fmt.Errorf("aios new %s: unknown language (supported: go)", o.Lang))
	}
	if err := scaffold.CheckName(o.Name); err != nil {
		return exitWith(ExitUsage, err)
	}
	if _, err := scaffold.WriteGo(o.Name, o.Name, aiosVersion()); err != nil {
		if errors.Is(err, scaffold.ErrExists) {
			return exitWith(ExitCantCreate, fmt.Errorf("%w (choose another name, or empty it)", err))
		}
		return exitWith(ExitCantCreate, err)
	}
	fmt.Fprintf(o.IO.Out, `created %[1]s/: main.go, go.mod, agent.toml, Makefile, and the aios Go SDK in third_party/sdk-go
next:
  cd %[1]s
  make                                  # builds %[1]s.wasm
  aios run %[1]s.wasm --input "Hello"
  make bundle                           # packs %[1]s-0.1.0.wasm with agent.toml, for aios sign and publish
`, o.Name)
	return nil
}

// aiosVersion is this binary's module version, or "devel" for a build from a work tree.
func aiosVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
