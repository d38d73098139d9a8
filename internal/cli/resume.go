package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
)

// ResumeOptions are `aios resume`'s flags and dependencies.
type ResumeOptions struct {
	IO         *IOStreams
	RunID      string
	Module     string
	ConfigPath string
}

// NewCmdResume builds `aios resume`. runF replaces the command's work in tests; nil runs it
// for real.
func NewCmdResume(io *IOStreams, runF func(context.Context, *ResumeOptions) error) *cobra.Command {
	opts := &ResumeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "resume RUN",
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
module, or a run that already ended, is refused (exit status 65).`,
		Example: `  aios run --durable agent.wasm --input "a long task"   # killed mid-run
  aios journal                                          # its status is still running
  aios resume 20261201T030405-1a2b3c4d`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runResume(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Module, "module", "", "the module to run (default: the file or reference the run recorded)")
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	return cmd
}

func runResume(ctx context.Context, o *ResumeOptions) error {
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	store, err := openJournals(cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	rec, err := store.Run(o.RunID)
	if err != nil {
		return exitWith(ExitNoInput, err)
	}
	module := o.Module
	if module == "" {
		module = rec.Module
	}
	var tf trustFlags
	trust, cacheDir := tf.config(cfg)
	loaded, err := loadAgentWith(ctx, o.IO, module, trust, cacheDir, nil)
	if err != nil {
		return err
	}
	sys, err := aios.New(ctx, cfg, aios.WithEngine(rec.Engine))
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	defer sys.Close(context.Background())
	agent, err := sys.Load(ctx, rec.Name, loaded.Wasm)
	if err != nil {
		return exitWith(ExitRefused, fmt.Errorf("%s: %w", module, err))
	}
	defer agent.Close(context.Background())
	fmt.Fprintf(o.IO.ErrOut, "aios: resuming durable run %s\n", rec.ID)
	res, _, err := agent.Resume(ctx, store, o.RunID, aios.RunOptions{Identity: loaded.identity(rec.Tenant), Confirm: newConfirmer(o.IO)})
	switch {
	case errors.Is(err, aios.ErrModuleMismatch), errors.Is(err, aios.ErrABIMismatch), errors.Is(err, aios.ErrNotResumable):
		return exitWith(ExitRefused, err)
	case res == nil:
		return exitWith(ExitKernel, err)
	}
	return report(o.IO, []*aios.Result{res}, []error{err}, nil)
}
