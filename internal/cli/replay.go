package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/journal"
)

// ReplayOptions are `aios replay`'s flags and dependencies.
type ReplayOptions struct {
	IO         *IOStreams
	RunID      string
	Module     string
	ConfigPath string
}

// NewCmdReplay builds `aios replay`. runF replaces the command's work in tests; nil runs it
// for real.
func NewCmdReplay(io *IOStreams, runF func(context.Context, *ReplayOptions) error) *cobra.Command {
	opts := &ReplayOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "replay RUN",
		Short: "Re-execute a durable run from its journal and check it is identical",
		Long: `Re-execute a run made with 'aios run --durable' from its journal, with no LLM core,
tool, memory or storage configured: every journaled system call (clocks, generations,
tools, memory, storage, messages, asynchronous calls) is answered from the journal and
nothing is sent anywhere. The run's input, arguments, environment, random seed and limits
come from its record.

Prints "identical" when the replay made the journal's calls with the same requests and
ended with the same output and exit code (exit status 0), or the first divergence: the
journaled call's index and name, what the journal holds and what the replay did (exit
status 1). The module is the one the run recorded (its file or hub reference), or --module;
a module whose digest differs from the recorded one is refused (exit status 65).`,
		Example: `  aios run --durable hello.wasm --input hi      # prints: aios: durable run 20261201T030405-1a2b3c4d ...
  aios replay 20261201T030405-1a2b3c4d
  aios replay 20261201T030405-1a2b3c4d --module build/hello.wasm`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReplay(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Module, "module", "", "the module to replay (default: the file or reference the run recorded)")
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file, for its data directory (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	return cmd
}

func runReplay(ctx context.Context, o *ReplayOptions) error {
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
	switch {
	case module != "":
	case rec.Parent != "" && cfg.Agents.Dir != "":
		module = filepath.Join(cfg.Agents.Dir, rec.Module) // a child's, from the agents directory
	default:
		module = rec.Module
	}
	var tf trustFlags
	trust, cacheDir := tf.config(cfg)
	loaded, err := loadAgentWith(ctx, o.IO, module, trust, cacheDir, nil)
	if err != nil {
		return err
	}
	// Nothing configured: no cores but the echo core, no tools, memory, storage or data
	// directory. A replay that reached any of them would have diverged first.
	sys, err := aios.New(ctx, config.Config{}, aios.WithEngine(rec.Engine))
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	defer sys.Close(context.Background())
	agent, err := sys.Load(ctx, rec.Name, loaded.Wasm)
	if err != nil {
		return exitWith(ExitRefused, fmt.Errorf("%s: %w", module, err))
	}
	defer agent.Close(context.Background())
	rep, err := agent.Replay(ctx, store, o.RunID)
	switch {
	case errors.Is(err, aios.ErrModuleMismatch):
		return exitWith(ExitRefused, fmt.Errorf("%w; give the recorded module with --module", err))
	case errors.Is(err, aios.ErrABIMismatch):
		return exitWith(ExitRefused, fmt.Errorf("%w; replay it with the aios that recorded it", err))
	case err != nil:
		return exitWith(ExitKernel, err)
	}
	return printReplay(o.IO, rep)
}

// printReplay tells what a replay found; a divergence is exit status 1.
func printReplay(io *IOStreams, rep *aios.ReplayReport) error {
	if d := rep.Divergence; d != nil {
		fmt.Fprintf(io.Out, "diverged at call %d (%s)\n  expected: %s\n  got:      %s\n",
			d.Index, safeText(d.Name), safeText(d.Expected), safeText(d.Got))
		return exitWith(1, fmt.Errorf("run %s: the replay diverged from its journal", rep.Run.ID))
	}
	ending := fmt.Sprintf("exit code %d", rep.Result.ExitCode)
	if rep.Run.Status == journal.Running {
		ending = "the run never ended; its journal was replayed to its end"
	}
	fmt.Fprintf(io.Out, "identical: %d journaled calls replayed, %s, output %d bytes\n",
		rep.Replayed, ending, len(rep.Result.Output))
	return nil
}
