package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/kernel/storage"
)

// StorageGetOptions are `aios storage get`'s flags and dependencies.
type StorageGetOptions struct {
	IO      *IOStreams
	Flags   storageFlags
	Key     string
	Version int64
	// isTerminal tells whether stdout is a terminal; IsTerminal unless a test says otherwise.
	isTerminal func(io.Writer) bool
}

// NewCmdStorageGet builds `aios storage get`. runF replaces the command's work in tests; nil runs it.
func NewCmdStorageGet(io *IOStreams, runF func(context.Context, *StorageGetOptions) error) *cobra.Command {
	opts := &StorageGetOptions{IO: io, isTerminal: IsTerminal}
	cmd := &cobra.Command{
		Use:   "get KEY --agent NAME | --bundle FILE",
		Short: "Print the value of an agent's key",
		Long: `Print the value of KEY in an agent's storage: its newest version, or the one
--version names. The value goes to stdout byte for byte. At a terminal, control
characters are shown as escapes, and a value that is not UTF-8 text is refused:
redirect it to a file, or use --json, which prints the version, time and size with
the value in base64.

Exits 66 when the key does not exist (or its newest version is a deletion).`,
		Example: `  aios storage get notes/today --agent writer
  aios storage get report.pdf --agent writer > report.pdf
  aios storage get notes/today --agent writer --version 3 --json | jq -r .value | base64 -d`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runStorageGet(cmd.Context(), opts)
		},
	}
	opts.Flags.register(cmd, "print the version, time, size and base64 value as JSON")
	cmd.Flags().Int64Var(&opts.Version, "version", 0, "this version of the key instead of the newest (see aios storage history)")
	return cmd
}

// storageItemRow is a version as `aios storage get --json` prints it; Value is base64.
type storageItemRow struct {
	Key     string    `json:"key"`
	Version int64     `json:"version"`
	Time    time.Time `json:"time"`
	Size    int64     `json:"size"`
	Deleted bool      `json:"deleted"`
	Value   []byte    `json:"value"`
}

func runStorageGet(ctx context.Context, o *StorageGetOptions) error {
	ctx = orBackground(ctx)
	if o.Version < 0 {
		return exitWith(ExitUsage, fmt.Errorf("--version must not be negative, not %d (versions start at 1)", o.Version))
	}
	store, sp, label, err := openStorage(ctx, o.IO, &o.Flags)
	if err != nil || store == nil {
		return err
	}
	defer store.Close()
	var it storage.Item
	if o.Version > 0 {
		it, err = store.GetVersion(ctx, sp, o.Key, storage.Version(o.Version))
	} else {
		it, err = store.Get(ctx, sp, o.Key)
	}
	if err != nil {
		return storageExit(err, label)
	}
	if o.Flags.JSON {
		return writeJSON(o.IO.Out, storageItemRow{Key: it.Key, Version: int64(it.Version), Time: it.Time, Size: it.Size, Deleted: it.Deleted, Value: it.Value})
	}
	if it.Deleted {
		return exitWith(ExitNoInput, fmt.Errorf("storage get %s version %d: the key was deleted in this version", quote(o.Key), it.Version))
	}
	if o.isTerminal(o.IO.Out) {
		if !utf8.Valid(it.Value) {
			return exitWith(ExitUsage, errors.New("the value is not UTF-8 text: redirect stdout to a file, or use --json (base64)"))
		}
		_, err = io.WriteString(o.IO.Out, safeLines(string(it.Value)))
	} else {
		_, err = o.IO.Out.Write(it.Value)
	}
	if err != nil {
		return exitWith(ExitKernel, fmt.Errorf("write: %w", err))
	}
	return nil
}
