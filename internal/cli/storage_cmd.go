package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/storage"
)

// NewCmdStorage builds `aios storage` and its subcommands.
func NewCmdStorage(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "storage <command>",
		Short: "Read an agent's key/value storage",
		Long: `Read the keys agents stored (storage_put) in the data directory's storage.db, with
every version they kept. The agent is named by --agent (with --publisher and --tenant)
or --bundle. Nothing is changed.`,
	}
	cmd.AddCommand(NewCmdStorageLs(io, nil), NewCmdStorageGet(io, nil), NewCmdStorageHistory(io, nil))
	return cmd
}

// storageFlags are the flags every storage command takes.
type storageFlags struct {
	ConfigPath string
	Agent      agentFlags
	JSON       bool
}

func (f *storageFlags) register(cmd *cobra.Command, jsonHelp string) {
	fs := cmd.Flags()
	fs.StringVarP(&f.ConfigPath, "config", "c", "", "configuration file (it names the data directory)")
	f.Agent.register(fs, true, false)
	fs.BoolVar(&f.JSON, "json", false, jsonHelp)
}

// openStorage opens the storage store of the data directory and resolves the agent's space. A
// nil store and no error mean there is no store yet (stderr says so).
func openStorage(ctx context.Context, io *IOStreams, f *storageFlags) (*storage.Store, space.Space, string, error) {
	if err := f.Agent.check(); err != nil {
		return nil, "", "", err
	}
	cfg, err := loadConfigFrom(f.ConfigPath)
	if err != nil {
		return nil, "", "", err
	}
	sp, label, err := f.Agent.space(ctx, io, cfg)
	if err != nil {
		return nil, "", "", err
	}
	path := filepath.Join(cfg.DataDir, aios.StorageFile)
	if ok, err := openedFile(io, path, "storage"); !ok {
		return nil, "", "", err
	}
	store, err := storage.Open(ctx, path, cfg.Storage.Limits())
	if err != nil {
		return nil, "", "", exitWith(ExitKernel, err)
	}
	return store, sp, label, nil
}

// storageExit gives a store error its exit code: the operator's input (64), a key or version
// that is not there (66) or the store (70).
func storageExit(err error, label string) error {
	switch {
	case errors.Is(err, storage.ErrInvalid):
		return exitWith(ExitUsage, err)
	case errors.Is(err, storage.ErrNotFound):
		return exitWith(ExitNoInput, fmt.Errorf("%w in the storage of %s", err, label))
	}
	return exitWith(ExitKernel, err)
}

// checkPage refuses a --limit below 1; the store caps a large one at its page size.
func checkPage(limit int) error {
	if limit < 1 {
		return exitWith(ExitUsage, fmt.Errorf("--limit must be at least 1, not %d", limit))
	}
	return nil
}
