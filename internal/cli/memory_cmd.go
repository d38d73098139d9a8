package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/space"
)

// NewCmdMemory builds `aios memory` and its subcommands.
func NewCmdMemory(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "memory <command>",
		Short: "Read an agent's memory",
		Long: `Read the memory entries agents stored (memory_add) in the data directory's
memory.db: an agent's own space, named by --agent (with --publisher and --tenant)
or --bundle, or a shared space of a tenant (--space). Nothing is changed.`,
	}
	cmd.AddCommand(NewCmdMemoryLs(io, nil), NewCmdMemorySearch(io, nil))
	return cmd
}

// MemoryLsOptions are `aios memory ls`'s flags and dependencies.
type MemoryLsOptions struct {
	IO         *IOStreams
	ConfigPath string
	Agent      agentFlags
	After      string
	Limit      int
	JSON       bool
}

// NewCmdMemoryLs builds `aios memory ls`. runF replaces the command's work in tests; nil runs it.
func NewCmdMemoryLs(io *IOStreams, runF func(context.Context, *MemoryLsOptions) error) *cobra.Command {
	opts := &MemoryLsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "ls --agent NAME | --bundle FILE | --space NAME",
		Short: "List the entries of an agent's memory, oldest first",
		Long: `List the entries of a memory space in the order they were added: id, creation
time, text (its first line, cut short) and metadata. An agent that stored nothing has
an empty list. When more entries follow, stderr says which --after shows them.`,
		Example: `  aios memory ls --agent writer
  aios memory ls --bundle summarizer-1.0.0.wasm --trust-key alice.pub --limit 1000
  aios memory ls --space team --tenant acme --json | jq -r .text`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runMemoryLs(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (it names the data directory)")
	opts.Agent.register(f, true, true)
	f.StringVar(&opts.After, "after", "", "start after the entry with this id (the cursor the previous page gave)")
	f.IntVarP(&opts.Limit, "limit", "n", memory.DefaultListPage, fmt.Sprintf("at most N entries (at most %d)", memory.MaxListPage))
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per entry")
	return cmd
}

// memoryRow is one entry as `aios memory ls --json` and `aios memory search --json` print it.
type memoryRow struct {
	ID       string            `json:"id"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Created  *time.Time        `json:"created,omitempty"`
	Updated  *time.Time        `json:"updated,omitempty"`
	Score    *float64          `json:"score,omitempty"` // search only: higher is better
}

func runMemoryLs(ctx context.Context, o *MemoryLsOptions) error {
	ctx = orBackground(ctx)
	if o.Limit < 0 {
		return exitWith(ExitUsage, fmt.Errorf("--limit must not be negative, not %d", o.Limit))
	}
	if o.Limit == 0 {
		return exitWith(ExitUsage, errors.New("--limit must be at least 1"))
	}
	store, sp, label, err := openMemory(ctx, o.IO, o.ConfigPath, &o.Agent)
	if err != nil || store == nil {
		return err
	}
	defer store.Close()
	recs, next, err := store.List(ctx, sp, memory.ID(o.After), o.Limit)
	if err != nil {
		if errors.Is(err, memory.ErrNotFound) {
			return exitWith(ExitNoInput, fmt.Errorf("--after %s: no such entry in the memory of %s", quote(o.After), label))
		}
		return memoryExit(err)
	}
	rows := make([]memoryRow, len(recs))
	for i, r := range recs {
		rows[i] = memoryRow{ID: string(r.ID), Text: r.Text, Metadata: r.Metadata, Created: &recs[i].Created, Updated: &recs[i].Updated}
	}
	if err := printMemoryRows(o.IO, rows, o.JSON, false); err != nil {
		return err
	}
	if next != "" {
		fmt.Fprintf(o.IO.ErrOut, "aios: more entries follow: add --after %s\n", next)
	}
	return nil
}

// openMemory opens the memory store of the data directory and resolves the space to read. A
// nil store and no error mean there is no store yet (stderr says so).
func openMemory(ctx context.Context, io *IOStreams, configPath string, a *agentFlags) (*memory.Store, space.Space, string, error) {
	if err := a.check(); err != nil {
		return nil, "", "", err
	}
	cfg, err := loadConfigFrom(configPath)
	if err != nil {
		return nil, "", "", err
	}
	sp, label, err := a.space(ctx, io, cfg)
	if err != nil {
		return nil, "", "", err
	}
	path := filepath.Join(cfg.DataDir, aios.MemoryFile)
	if ok, err := openedFile(io, path, "memory"); !ok {
		return nil, "", "", err
	}
	// No embedder: the operator's side has no cores to embed with, so only keyword search.
	store, err := memory.Open(path, cfg.Memory.Options(nil))
	if err != nil {
		return nil, "", "", exitWith(ExitKernel, err)
	}
	return store, sp, label, nil
}

// memoryExit gives a store error its exit code: the operator's input (64) or the store (70).
func memoryExit(err error) error {
	if errors.Is(err, memory.ErrInvalid) {
		return exitWith(ExitUsage, err)
	}
	return exitWith(ExitKernel, err)
}

// printMemoryRows prints entries as JSON lines or, for people, a table.
func printMemoryRows(io *IOStreams, rows []memoryRow, asJSON, scored bool) error {
	if asJSON {
		enc := json.NewEncoder(io.Out)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	if scored {
		fmt.Fprintln(w, "SCORE\tID\tTEXT\tMETADATA")
	} else {
		fmt.Fprintln(w, "ID\tCREATED\tTEXT\tMETADATA")
	}
	for _, r := range rows {
		// Texts and metadata are the agent's: inert, one line each.
		text, meta := cell(shorten(firstLine(r.Text), 60)), cell(shorten(metaSummary(r.Metadata), 60))
		if scored {
			fmt.Fprintf(w, "%.4g\t%s\t%s\t%s\n", *r.Score, r.ID, text, meta)
		} else {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.ID, r.Created.Local().Format(time.RFC3339), text, meta)
		}
	}
	return w.Flush()
}

// firstLine is s up to its first line break, with "…" when more follows.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// shorten cuts s to at most n bytes (on a rune boundary), marking the cut with "…".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// metaSummary is k=v pairs sorted by key, or "-" when there are none.
func metaSummary(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	return strings.Join(keys, " ")
}
