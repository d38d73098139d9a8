package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/journal"
)

// newCmdJournalRm builds `aios journal rm`.
func newCmdJournalRm(io *IOStreams) *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "rm RUN...",
		Short: "Delete ended durable runs and their journals",
		Long: `Delete the record and journal of each RUN. A run that has not ended is kept: it
may still be resumed ('aios resume RUN'). The others are deleted even when one
is refused; the exit code then says why: 66 for a run that is not there, 64 for
one that has not ended, 70 for a failure to delete.

Ended runs are also deleted by themselves once they are older than [journal]
max_age (default 720h) in aios.toml; 'aios journal prune' does it by hand.`,
		Example: `  aios journal rm 20261201T030405-1a2b3c4d
  aios journal --json | jq -r 'select(.status == "failed") | .id' | xargs aios journal rm`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfigFrom(configPath)
			if err != nil {
				return err
			}
			store, err := openJournals(cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			var errs []error
			for _, id := range args {
				if err := store.Remove(id); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(io.Out, "removed %s\n", id)
			}
			if len(errs) == 0 {
				return nil
			}
			err = errors.Join(errs...)
			switch {
			case errors.Is(err, journal.ErrRunning):
				return exitWith(ExitUsage, fmt.Errorf("%w\n(a run that has not ended may still be resumed: aios resume RUN)", err))
			case errors.Is(err, journal.ErrNotFound):
				return exitWith(ExitNoInput, err)
			}
			return exitWith(ExitKernel, err)
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "configuration file, for its data directory (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	return cmd
}

// newCmdJournalPrune builds `aios journal prune`.
func newCmdJournalPrune(io *IOStreams) *cobra.Command {
	var (
		configPath string
		olderThan  time.Duration
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "prune --older-than DURATION",
		Short: "Delete durable runs that ended longer ago than a duration",
		Long: `Delete the record and journal of every durable run that ended more than
DURATION ago. Runs that have not ended are kept whatever their age.

Kernels and commands that open the journals do this by themselves for runs
older than [journal] max_age (default 720h; 0 keeps them).`,
		Example: `  aios journal prune --older-than 168h
  aios journal prune --older-than 0s --json    # every ended run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("older-than") {
				return exitWith(ExitUsage, fmt.Errorf("--older-than is required, e.g. --older-than 168h"))
			}
			if olderThan < 0 {
				return exitWith(ExitUsage, fmt.Errorf("--older-than %v is negative", olderThan))
			}
			cfg, err := loadConfigFrom(configPath)
			if err != nil {
				return err
			}
			store, err := openJournals(cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			removed, err := store.Prune(time.Now().Add(-olderThan))
			if asJSON {
				if werr := writeJSON(io.Out, struct {
					Removed []string `json:"removed"`
				}{append([]string{}, removed...)}); werr != nil {
					return werr
				}
			} else {
				fmt.Fprintf(io.Out, "removed %s that ended more than %v ago\n", plural(len(removed), "run"), olderThan)
			}
			if err != nil {
				return exitWith(ExitKernel, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.DurationVar(&olderThan, "older-than", 0, "delete runs that ended more than this long ago (e.g. 168h)")
	f.BoolVar(&asJSON, "json", false, "print the removed run ids as JSON")
	f.StringVarP(&configPath, "config", "c", "", "configuration file, for its data directory (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	return cmd
}
