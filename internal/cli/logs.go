package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/client"
)

// LogsOptions are `aios logs`'s flags and dependencies.
type LogsOptions struct {
	IO     *IOStreams
	Remote remoteFlags
	ID     string
	Follow bool
	JSON   bool
}

// NewCmdLogs builds `aios logs`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdLogs(io *IOStreams, runF func(context.Context, *LogsOptions) error) *cobra.Command {
	opts := &LogsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "logs [-f] ID [--kernel URL]",
		Short: "Show a run's log and tokens from a served kernel",
		Long: `Show the events of a run on a kernel served by 'aios kernel serve', as 'aios run'
shows them: log lines after their level (info:, warn:, ...), streamed LLM text after
llm:, and aios's own lines after aios:, each with its control characters escaped.
The kernel keeps a run's latest events (--event-buffer); older ones are reported missed.

Without -f, logs shows what the kernel holds so far and returns (for a running run,
once no event has come for half a second); with -f it follows
the run until it ends, reconnecting where it left off (Last-Event-ID) when the
connection drops, and ends with the run's status line.`,
		Example: `  aios logs run_5f3c9a
  aios logs -f run_5f3c9a --kernel https://kernel.example:7420 --token "$TOKEN"
  aios logs --json run_5f3c9a     # the events as JSON lines`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLogs(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.Follow, "follow", "f", false, "follow the run until it ends")
	f.BoolVar(&opts.JSON, "json", false, "print the events as JSON lines on standard output, as the API sends them")
	opts.Remote.register(f)
	return cmd
}

// snapshotQuiet is how long `aios logs` without -f waits for another event of a running run
// before it takes the kernel's backlog as sent: the API has no end marker for it, and the
// kernel sends the backlog at once.
const snapshotQuiet = 500 * time.Millisecond

func runLogs(ctx context.Context, o *LogsOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	r, err := c.Run(ctx, o.ID)
	if err != nil {
		return remoteExit(err)
	}
	var quiet *time.Timer
	if !o.Follow && !client.Final(r.Status) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		quiet = time.AfterFunc(snapshotQuiet, cancel)
		defer quiet.Stop()
	}
	show := newEventPrinter(o.IO.ErrOut, IsTerminal(o.IO.ErrOut), false)
	defer show.flush()
	enc := json.NewEncoder(o.IO.Out)
	for e, err := range c.Events(ctx, o.ID, 0) {
		if err != nil {
			if quiet != nil && ctx.Err() != nil {
				return nil
			}
			return remoteExit(err)
		}
		if quiet != nil {
			quiet.Reset(snapshotQuiet)
		}
		if o.JSON {
			if err := enc.Encode(e); err != nil {
				return exitWith(ExitKernel, fmt.Errorf("write the events: %w", err))
			}
			continue
		}
		showRemoteEvent(show, o.ID, e)
		if e.Type == client.EventStatus && client.Final(e.Status) {
			show.flush()
			fmt.Fprintf(o.IO.ErrOut, "aios: run %s %s\n", safeText(o.ID), statusText(e))
		}
	}
	return nil
}

// statusText says how a run ended, from its final status event.
func statusText(e client.Event) string {
	s := safeText(e.Status)
	if e.ExitCode != nil {
		s += fmt.Sprintf(", exit code %d", *e.ExitCode)
	}
	if e.Text != "" {
		s += ": " + safeText(e.Text)
	}
	return s
}
