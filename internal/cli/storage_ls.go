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

// StorageLsOptions are `aios storage ls`'s flags and dependencies.
type StorageLsOptions struct {
	IO     *IOStreams
	Flags  storageFlags
	Prefix string
	After  string
	Limit  int
}

// NewCmdStorageLs builds `aios storage ls`. runF replaces the command's work in tests; nil runs it.
func NewCmdStorageLs(io *IOStreams, runF func(context.Context, *StorageLsOptions) error) *cobra.Command {
	opts := &StorageLsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "ls [PREFIX] --agent NAME | --bundle FILE",
		Short: "List an agent's keys",
		Long: `List the keys of an agent's storage that start with PREFIX (all of them without
one), in byte order, with their newest version, its size and when it was written.
Deleted keys are left out (aios storage history still shows them). An agent that
stored nothing has an empty list. When more keys follow, stderr says which --after
shows them.`,
		Example: `  aios storage ls --agent writer
  aios storage ls drafts/ --agent writer --limit 1000
  aios storage ls --bundle summarizer-1.0.0.wasm --trust-key alice.pub --json | jq -r .key`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Prefix = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runStorageLs(cmd.Context(), opts)
		},
	}
	opts.Flags.register(cmd, "print one JSON object per key")
	cmd.Flags().StringVar(&opts.After, "after", "", "start after this key (the cursor the previous page gave)")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", storage.DefaultPage, fmt.Sprintf("at most N keys (at most %d)", storage.MaxPage))
	return cmd
}

// storageKeyRow is a key as `aios storage ls --json` prints it.
type storageKeyRow struct {
	Key     string    `json:"key"`
	Version int64     `json:"version"`
	Size    int64     `json:"size"`
	Time    time.Time `json:"time"`
}

func runStorageLs(ctx context.Context, o *StorageLsOptions) error {
	ctx = orBackground(ctx)
	if err := checkPage(o.Limit); err != nil {
		return err
	}
	store, sp, label, err := openStorage(ctx, o.IO, &o.Flags)
	if err != nil || store == nil {
		return err
	}
	defer store.Close()
	entries, next, err := store.List(ctx, sp, o.Prefix, o.After, o.Limit)
	if err != nil {
		return storageExit(err, label)
	}
	if o.Flags.JSON {
		enc := json.NewEncoder(o.IO.Out)
		for _, e := range entries {
			if err := enc.Encode(storageKeyRow{Key: e.Key, Version: int64(e.Version), Size: e.Size, Time: e.Time}); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
	} else {
		w := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KEY\tVERSION\tSIZE\tWRITTEN")
		for _, e := range entries {
			// Keys are the agent's text.
			fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", cell(e.Key), e.Version, e.Size, e.Time.Local().Format(time.RFC3339))
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if next != "" {
		fmt.Fprintf(o.IO.ErrOut, "aios: more keys follow: add --after %q\n", next)
	}
	return nil
}
