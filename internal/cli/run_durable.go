package cli

import (
	"context"
	"fmt"
	"math"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/journal"
)

// durableFlags are `aios run --durable`'s flags and the journal store it opens.
type durableFlags struct {
	on      bool
	restart string // --restart as given
	policy  journal.Restart
	store   *journal.Store
}

func (d *durableFlags) register(f *pflag.FlagSet) {
	f.BoolVar(&d.on, "durable", false, "journal every system call in the data directory; prints the run id for 'aios replay' and 'aios journal' (docs/DURABLE.md)")
	f.StringVar(&d.restart, "restart", "", `with --durable, restart the run when it fails: "never" or "on-failure[:N]" (at most N restarts, default 3; else [durable] restart)`)
}

// check refuses --durable where it cannot be honoured yet, a workflow file, and a --restart
// policy that is unknown or comes without --durable.
func (d *durableFlags) check(file string) error {
	if d.on && isWorkflowFile(file) {
		return exitWith(ExitUsage, fmt.Errorf("--durable: workflows are not journaled yet; run their agents with aios run --durable (docs/DURABLE.md)"))
	}
	if d.restart == "" {
		return nil
	}
	if !d.on {
		return exitWith(ExitUsage, fmt.Errorf("--restart: only a durable run can be restarted; add --durable"))
	}
	p, err := journal.ParseRestart(d.restart)
	if err != nil {
		return exitWith(ExitUsage, fmt.Errorf("--restart: %w", err))
	}
	d.policy = p
	return nil
}

// open opens the data directory's journals when --durable was given. The caller closes them
// with close.
func (d *durableFlags) open(cfg config.Config) error {
	if !d.on {
		return nil
	}
	s, err := openJournals(cfg)
	if err != nil {
		return err
	}
	d.store = s
	return nil
}

func (d *durableFlags) close() {
	if d.store != nil {
		_ = d.store.Close()
	}
}

// openJournals opens the journals of cfg's data directory.
func openJournals(cfg config.Config) (*journal.Store, error) {
	if cfg.DataDir == "" {
		return nil, exitWith(ExitConfig, fmt.Errorf("durable runs need a data directory (data_dir or $%s)", config.EnvDataDir))
	}
	o := journal.Options{Fsync: cfg.Journal.Fsync, MaxRunBytes: int64(min(cfg.Journal.MaxRunBytes, math.MaxInt64)),
		MaxAge: cfg.Journal.MaxAge}
	s, err := journal.Open(filepath.Join(cfg.DataDir, aios.JournalDir), o)
	if err != nil {
		return nil, exitWith(ExitKernel, err)
	}
	return s, nil
}

// run runs agent once, journaled when --durable was given: then the run id is told on
// standard error, as "aios: durable run ID ...", before the agent starts.
func (d *durableFlags) run(ctx context.Context, io *IOStreams, agent *aios.Agent, source string, o aios.RunOptions) (*aios.Result, error) {
	if d.store == nil {
		return agent.Run(ctx, o)
	}
	id := journal.NewID()
	fmt.Fprintf(io.ErrOut, "aios: durable run %s (aios replay %s; aios journal %s)\n", id, id, id)
	res, _, err := agent.RunDurable(ctx, d.store, journal.Run{ID: id, Module: source, Restart: d.policy}, o)
	return res, err
}
