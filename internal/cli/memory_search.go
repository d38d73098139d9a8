package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/kernel/memory"
)

// MemorySearchOptions are `aios memory search`'s flags and dependencies.
type MemorySearchOptions struct {
	IO         *IOStreams
	ConfigPath string
	Agent      agentFlags
	Query      string
	Mode       string
	K          int
	Filter     []string
	JSON       bool
}

// NewCmdMemorySearch builds `aios memory search`. runF replaces the command's work in tests;
// nil runs it.
func NewCmdMemorySearch(io *IOStreams, runF func(context.Context, *MemorySearchOptions) error) *cobra.Command {
	opts := &MemorySearchOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "search QUERY --agent NAME | --bundle FILE | --space NAME",
		Short: "Search an agent's memory by keyword",
		Long: `Search a memory space as an agent's memory_search does, best match first: score,
id, text and metadata. Any word of QUERY matches; more and rarer matches rank higher
(BM25). --filter keeps entries whose metadata has KEY=VALUE.

Only keyword search is available here: vector and hybrid search embed the query
through the kernel's cores, which the operator's commands do not run.`,
		Example: `  aios memory search "release notes" --agent writer
  aios memory search deadline --space team --tenant acme --filter kind=task -k 5
  aios memory search invoice --agent clerk --json | jq -r .id`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runMemorySearch(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (it names the data directory)")
	opts.Agent.register(f, true, true)
	f.StringVar(&opts.Mode, "mode", "keyword", "how to rank: keyword (vector and hybrid need the kernel's embedding core)")
	f.IntVarP(&opts.K, "limit", "k", 10, "at most K entries (the store caps K at its max_k)")
	f.StringArrayVar(&opts.Filter, "filter", nil, "only entries whose metadata has KEY=VALUE (repeatable)")
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per entry")
	return cmd
}

func runMemorySearch(ctx context.Context, o *MemorySearchOptions) error {
	ctx = orBackground(ctx)
	switch o.Mode {
	case "keyword":
	case "vector", "hybrid":
		return exitWith(ExitUsage, fmt.Errorf("--mode %s embeds the query through the kernel's embedding core, which aios memory search does not run; use --mode keyword", o.Mode))
	default:
		return exitWith(ExitUsage, fmt.Errorf("--mode %s: want keyword (vector and hybrid need the kernel)", quote(o.Mode)))
	}
	if o.K < 1 {
		return exitWith(ExitUsage, fmt.Errorf("--limit must be at least 1, not %d", o.K))
	}
	filter := map[string]string{}
	for _, kv := range o.Filter {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return exitWith(ExitUsage, fmt.Errorf("--filter %s: want KEY=VALUE", quote(kv)))
		}
		filter[k] = v
	}
	store, sp, _, err := openMemory(ctx, o.IO, o.ConfigPath, &o.Agent)
	if err != nil || store == nil {
		return err
	}
	defer store.Close()
	hits, err := store.Search(ctx, sp, memory.Query{Text: o.Query, Mode: memory.Keyword, K: o.K, Filter: filter})
	if err != nil {
		return memoryExit(err)
	}
	rows := make([]memoryRow, len(hits))
	for i, h := range hits {
		rows[i] = memoryRow{ID: string(h.ID), Text: h.Text, Metadata: h.Metadata, Score: &hits[i].Score}
	}
	return printMemoryRows(o.IO, rows, o.JSON, true)
}
