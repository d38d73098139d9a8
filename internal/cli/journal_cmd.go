package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
)

// JournalOptions are `aios journal`'s flags and dependencies.
type JournalOptions struct {
	IO         *IOStreams
	RunID      string
	ConfigPath string
	JSON       bool
}

// NewCmdJournal builds `aios journal`. runF replaces the command's work in tests; nil runs it
// for real.
func NewCmdJournal(io *IOStreams, runF func(context.Context, *JournalOptions) error) *cobra.Command {
	opts := &JournalOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "journal [RUN]",
		Short: "List durable runs, or the journaled system calls of one",
		Long: `Without RUN, list the durable runs of the data directory ('aios run --durable'),
oldest first: id, status, exit code, journaled calls, agent name, module, and the run
that started it as its child ('-' for none; a child is resumed with its parent).

With RUN, print the run's record on one line, then its journaled system calls in
order: index, call, errno (the
call's own numbering: aios errno names, WASI numbers), the bytes it wrote into the
agent's memory and result table, when it started and how long it took. --json prints
one JSON object a line instead: the record for runs; index, module, name, errno,
bytes, time and duration_ns for calls.`,
		Example: `  aios journal
  aios journal rm 20261201T030405-1a2b3c4d
  aios journal prune --older-than 168h
  aios journal 20261201T030405-1a2b3c4d
  aios journal 20261201T030405-1a2b3c4d --json | jq -r 'select(.name == "llm_generate") | .index'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.RunID = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runJournal(opts)
		},
	}
	cmd.AddCommand(newCmdJournalRm(io), newCmdJournalPrune(io))
	f := cmd.Flags()
	f.BoolVar(&opts.JSON, "json", false, "print JSON lines")
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file, for its data directory (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	return cmd
}

func runJournal(o *JournalOptions) error {
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	store, err := openJournals(cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if o.RunID == "" {
		runs, err := store.Runs()
		if err != nil {
			return exitWith(ExitKernel, err)
		}
		return printRuns(o, runs)
	}
	rec, err := store.Run(o.RunID)
	if err != nil {
		return exitWith(ExitNoInput, err)
	}
	calls, err := aios.JournalCalls(store, o.RunID)
	if err != nil {
		return exitWith(ExitKernel, err)
	}
	if !o.JSON {
		fmt.Fprintf(o.IO.Out, "run %s: %s, exit code %d; %s (%s), seed %d, engine %s, ABI %s\n",
			rec.ID, rec.Status, rec.ExitCode, safeText(rec.Name), safeText(rec.Module), rec.Seed, rec.Engine, rec.ABI)
		printLife(o.IO.Out, rec)
		fmt.Fprintln(o.IO.Out)
	}
	return printCalls(o, calls)
}

// printLife prints what happened to rec besides its calls: its restart policy, attempts,
// restarts and resumes, a restart it waits for, and the error it ended with.
func printLife(w io.Writer, rec journal.Run) {
	if rec.Restart.Policy == journal.OnFailure || rec.Restarts > 0 || rec.Resumes > 0 {
		fmt.Fprintf(w, "restart %s: attempt %d, restarts %d (backoffs %v), resumes %d\n",
			rec.Restart, max(rec.Attempt, 1), rec.Restarts, rec.Backoffs, rec.Resumes)
	}
	if !rec.RestartAt.IsZero() {
		fmt.Fprintf(w, "restarts at %s after: %s\n", rec.RestartAt.Format(time.RFC3339), safeText(rec.Failure))
	}
	if rec.Error != "" {
		fmt.Fprintf(w, "error: %s\n", safeText(rec.Error))
	}
}

func printRuns(o *JournalOptions, runs []journal.Run) error {
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		for _, r := range runs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATUS\tEXIT\tCALLS\tNAME\tMODULE\tPARENT")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.Status, r.ExitCode, r.Calls, safeText(r.Name), safeText(r.Module), cmp.Or(r.Parent, "-"))
	}
	return tw.Flush()
}

// callLine is one journaled call as `aios journal --json` prints it.
type callLine struct {
	Index      int       `json:"index"`
	Module     string    `json:"module"`
	Name       string    `json:"name"`
	Errno      string    `json:"errno"`
	Bytes      int       `json:"bytes"`
	Time       time.Time `json:"time"`
	DurationNS int64     `json:"duration_ns"`
	Trap       string    `json:"trap,omitempty"`
}

func lineOf(c *hostcalls.Call) callLine {
	l := callLine{Index: c.Index, Module: c.Module, Name: c.Name, Bytes: c.Bytes(), Time: c.Time,
		DurationNS: int64(c.Duration), Trap: c.Trap}
	switch {
	case c.Trap != "":
		l.Errno = "trap"
	case c.Module == hostcalls.ModuleAIOS:
		l.Errno = hostcalls.Errno(c.Errno()).String()
	default:
		l.Errno = strconv.FormatUint(c.Errno(), 10)
	}
	return l
}

func printCalls(o *JournalOptions, calls []*hostcalls.Call) error {
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		for _, c := range calls {
			if err := enc.Encode(lineOf(c)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tCALL\tERRNO\tBYTES\tTIME\tDURATION")
	for _, c := range calls {
		l := lineOf(c)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", l.Index, l.Name, l.Errno, l.Bytes,
			l.Time.UTC().Format("15:04:05.000000"), roundDuration(c.Duration))
	}
	return tw.Flush()
}
