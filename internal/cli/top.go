package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	_ "github.com/aiosys/aios/internal/quietterm" // before bubbletea's init questions the terminal
)

// minTopInterval is the shortest refresh `aios top` accepts, so that a typo cannot make it
// hammer the kernel.
const minTopInterval = 100 * time.Millisecond

// TopOptions are `aios top`'s flags and dependencies.
type TopOptions struct {
	IO       *IOStreams
	Remote   remoteFlags
	Interval time.Duration
	Once     bool
}

// NewCmdTop builds `aios top`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdTop(io *IOStreams, runF func(context.Context, *TopOptions) error) *cobra.Command {
	opts := &TopOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "top [--kernel URL] [--interval 1s] [--once]",
		Short: "Watch a served kernel's runs, cores and usage live",
		Long: `Show a live view of a kernel served by 'aios kernel serve', refreshed every --interval:
the token's tenant's runs (id, agent, state, elapsed time, tokens in/out, cost), the LLM
cores every tenant shares (requests in flight of their capacity, generations queued,
tokens per second over the last 10 s, health), the tenant's usage and budget, and how
many of its calls wait for an approval.

Keys: up/down or j/k select a run, x cancels the selected run (y to confirm), ? shows
help, q or ctrl-c quits. When the kernel cannot be reached the error is shown and top
keeps trying.

top needs a terminal. For scripts use 'aios ps --json', or --once to print one
snapshot as plain text.`,
		Example: `  export AIOS_KERNEL=http://127.0.0.1:7420 AIOS_TOKEN=aios_...
  aios top
  aios top --interval 5s
  aios top --once | grep running`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Interval < minTopInterval {
				return exitWith(ExitUsage, fmt.Errorf("--interval %s is too short: give at least %s", opts.Interval, minTopInterval))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTop(cmd.Context(), opts)
		},
	}
	opts.Remote.register(cmd.Flags())
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to refresh")
	cmd.Flags().BoolVar(&opts.Once, "once", false, "print one snapshot as plain text and exit (no terminal needed)")
	return cmd
}

func runTop(ctx context.Context, o *TopOptions) error {
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	m := newTopModel(ctx, c, c.URL(), o.Interval)
	if o.Once {
		snap, err := fetchTop(ctx, c)
		if err != nil {
			return remoteExit(err)
		}
		m.snap, m.fetched = snap, true
		_, err = io.WriteString(o.IO.Out, m.render(0, 0, plainStyles)+"\n")
		return err
	}
	if !IsTerminal(o.IO.Out) || !isTerminalInput(o.IO.In) {
		return exitWith(ExitUsage, errors.New("top needs a terminal on its standard input and output; for scripts use 'aios ps --json', or 'aios top --once' for one snapshot"))
	}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(o.IO.In), tea.WithOutput(o.IO.Out), tea.WithAltScreen())
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return exitWith(ExitKernel, fmt.Errorf("top: the terminal: %w", err))
	}
	return ctx.Err()
}

// isTerminalInput reports whether r is a terminal.
func isTerminalInput(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
