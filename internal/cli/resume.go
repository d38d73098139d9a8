package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/journal"
)

// ResumeOptions are `aios resume`'s flags and dependencies.
type ResumeOptions struct {
	IO         *IOStreams
	RunID      string
	All        bool
	Module     string
	ConfigPath string
}

// NewCmdResume builds `aios resume`. runF replaces the command's work in tests; nil runs it
// for real.
func NewCmdResume(io *IOStreams, runF func(context.Context, *ResumeOptions) error) *cobra.Command {
	opts := &ResumeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "resume RUN | --all",
		Short: "Continue a durable run that was interrupted by a crash",
		Long: `Continue a run made with 'aios run --durable' whose process was killed before it
ended (its status in 'aios journal' is still "running"). The agent is re-executed from
the start with the run's input, arguments, environment, seed and limits; every system
call its journal holds is answered from the journal without contacting any LLM, tool,
memory or storage, and from the first call past the journal's end the run goes on live
against the configured cores, journaling as before. No generation whose result was
journaled is sent again.

An asynchronous call that was in flight at the crash (submitted, its result never
journaled) is started again; a stream the agent had partly read fails with ECANCELED
(docs/DURABLE.md). The output and exit status
are those of 'aios run'. The module is the one the run recorded, or --module; another
module, or a run that already ended, is refused (exit status 65).

With --all, every run whose status is still "running" is resumed at once in one process,
as a restarted kernel would: each run's output and summary are printed as 'aios run
--replicas' prints them.`,
		Example: `  aios run --durable agent.wasm --input "a long task"   # killed mid-run
  aios journal                                          # its status is still running
  aios resume 20261201T030405-1a2b3c4d
  aios resume --all                                     # every interrupted run`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.RunID = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runResume(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.All, "all", false, "resume every run of the data directory that is still running, at once")
	f.StringVar(&opts.Module, "module", "", "the module to run (default: the file or reference the run recorded)")
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	return cmd
}

func runResume(ctx context.Context, o *ResumeOptions) error {
	switch {
	case o.All && o.RunID != "":
		return exitWith(ExitUsage, errors.New("give RUN or --all, not both"))
	case o.All && o.Module != "":
		return exitWith(ExitUsage, errors.New("--module names one run's module; resume that run alone"))
	case !o.All && o.RunID == "":
		return exitWith(ExitUsage, errors.New("name the run to resume, or give --all"))
	}
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	store, err := openJournals(cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	recs, err := runsToResume(store, o)
	if err != nil || len(recs) == 0 {
		return err
	}
	sys, err := aios.New(ctx, cfg, aios.WithEngine(recs[0].Engine))
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	defer sys.Close(context.Background())
	results := make([]*aios.Result, len(recs))
	errs := make([]error, len(recs))
	agents := map[string]*resumable{} // by module and name, loaded once
	var wg sync.WaitGroup
	for i, rec := range recs {
		module := cmp.Or(o.Module, rec.Module)
		key := module + "\x00" + rec.Name
		ag, ok := agents[key]
		if !ok {
			ag = loadResumable(ctx, o.IO, sys, cfg, module, rec.Name)
			agents[key] = ag
			if ag.agent != nil {
				defer ag.agent.Close(context.Background())
			}
		}
		if ag.err != nil {
			errs[i] = ag.err
			continue
		}
		if rec.Engine != sys.Engine() {
			errs[i] = exitWith(ExitRefused, fmt.Errorf("run %s was recorded on %s; resume it alone", rec.ID, rec.Engine))
			continue
		}
		fmt.Fprintf(o.IO.ErrOut, "aios: resuming durable run %s\n", rec.ID)
		wg.Go(func() {
			res, _, err := ag.agent.Resume(ctx, store, rec.ID, aios.RunOptions{Identity: ag.loaded.identity(rec.Tenant), Confirm: newConfirmer(o.IO)})
			switch {
			case errors.Is(err, aios.ErrModuleMismatch), errors.Is(err, aios.ErrABIMismatch), errors.Is(err, aios.ErrNotResumable), errors.Is(err, aios.ErrResumeLimit):
				err = exitWith(ExitRefused, err)
			case res == nil:
				err = exitWith(ExitKernel, err)
			}
			results[i], errs[i] = res, err
		})
	}
	wg.Wait()
	if len(recs) == 1 && errs[0] != nil && results[0] == nil {
		return errs[0]
	}
	for i := range results {
		if results[i] == nil && errs[i] != nil {
			fmt.Fprintf(o.IO.ErrOut, "aios: run %s: %v\n", recs[i].ID, errs[i])
		}
	}
	return report(o.IO, compact(results), compactErrs(results, errs), nil)
}

// runsToResume are the runs o names: RUN, or with --all every run still "running".
func runsToResume(store *journal.Store, o *ResumeOptions) ([]journal.Run, error) {
	if !o.All {
		rec, err := store.Run(o.RunID)
		if err != nil {
			return nil, exitWith(ExitNoInput, err)
		}
		return []journal.Run{rec}, nil
	}
	recs, err := aios.Interrupted(store)
	if err != nil {
		return nil, exitWith(ExitKernel, err)
	}
	if len(recs) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "aios: no interrupted durable runs")
	}
	return recs, nil
}

// resumable is a module loaded for resuming, or why it could not be.
type resumable struct {
	loaded *loadedAgent
	agent  *aios.Agent
	err    error
}

func loadResumable(ctx context.Context, io *IOStreams, sys *aios.System, cfg config.Config, module, name string) *resumable {
	var tf trustFlags
	trust, cacheDir := tf.config(cfg)
	loaded, err := loadAgentWith(ctx, io, module, trust, cacheDir, nil)
	if err != nil {
		return &resumable{err: err}
	}
	agent, err := sys.Load(ctx, name, loaded.Wasm)
	if err != nil {
		return &resumable{err: exitWith(ExitRefused, fmt.Errorf("%s: %w", module, err))}
	}
	return &resumable{loaded: loaded, agent: agent}
}

// compact drops the runs that never started from results; compactErrs keeps errs in step,
// with the errors of the runs that did.
func compact(results []*aios.Result) []*aios.Result {
	var out []*aios.Result
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

func compactErrs(results []*aios.Result, errs []error) []error {
	var out []error
	for i, r := range results {
		if r != nil {
			out = append(out, errs[i])
		}
	}
	return out
}
