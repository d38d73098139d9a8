package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/kernel/storage"
)

// StorageHistoryOptions are `aios storage history`'s flags and dependencies.
type StorageHistoryOptions struct {
	IO     *IOStreams
	Flags  storageFlags
	Key    string
	Before int64
	Limit  int
}

// NewCmdStorageHistory builds `aios storage history`. runF replaces the command's work in
// tests; nil runs it.
func NewCmdStorageHistory(io *IOStreams, runF func(context.Context, *StorageHistoryOptions) error) *cobra.Command {
	opts := &StorageHistoryOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "history KEY --agent NAME | --bundle FILE",
		Short: "List the versions of an agent's key, newest first",
		Long: `List every version of KEY in an agent's storage, newest first: version, when it was
written, its size, and whether it deleted the key. aios storage get --version N prints
one of them. Exits 66 when the key was never written.`,
		Example: `  aios storage history notes/today --agent writer
  aios storage history notes/today --agent writer --before 10 --limit 5 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runStorageHistory(cmd.Context(), opts)
		},
	}
	opts.Flags.register(cmd, "print one JSON object per version")
	cmd.Flags().Int64Var(&opts.Before, "before", 0, "only versions older than this one (0: from the newest)")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", storage.DefaultPage, fmt.Sprintf("at most N versions (at most %d)", storage.MaxPage))
	return cmd
}

// storageVersionRow is a version as `aios storage history --json` prints it.
type storageVersionRow struct {
	Version int64     `json:"version"`
	Time    time.Time `json:"time"`
	Size    int64     `json:"size"`
	Deleted bool      `json:"deleted"`
}

func runStorageHistory(ctx context.Context, o *StorageHistoryOptions) error {
	ctx = orBackground(ctx)
	if err := checkPage(o.Limit); err != nil {
		return err
	}
	if o.Before < 0 {
		return exitWith(ExitUsage, fmt.Errorf("--before must not be negative, not %d", o.Before))
	}
	store, sp, label, err := openStorage(ctx, o.IO, &o.Flags)
	if err != nil || store == nil {
		return err
	}
	defer store.Close()
	revs, err := store.History(ctx, sp, o.Key, storage.Version(o.Before), o.Limit)
	if err != nil {
		return storageExit(err, label)
	}
	if o.Flags.JSON {
		enc := json.NewEncoder(o.IO.Out)
		for _, r := range revs {
			if err := enc.Encode(storageVersionRow{Version: int64(r.Version), Time: r.Time, Size: r.Size, Deleted: r.Deleted}); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tWRITTEN\tSIZE\tDELETED")
	for _, r := range revs {
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\n", r.Version, r.Time.Local().Format(time.RFC3339), r.Size, yesNo(r.Deleted))
	}
	return w.Flush()
}
