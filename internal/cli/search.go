package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/packager/oci"
)

// EnvHub names the hub `aios search` asks when --hub is not given.
const EnvHub = "AIOS_HUB"

// defaultHub is the hub `aios hub serve` runs by default.
const defaultHub = "localhost:5000"

// maxListedVersions is how many versions a search row shows; --json has them all.
const maxListedVersions = 5

// SearchOptions are `aios search`'s flags and dependencies.
type SearchOptions struct {
	IO       *IOStreams
	Term     string
	Hub      string
	JSON     bool
	Registry registryFlags
}

// NewCmdSearch builds `aios search`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdSearch(io *IOStreams, runF func(context.Context, *SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "search [TERM] [--hub HOST]",
		Short: "List a hub's agents with their versions and descriptions",
		Long: `List the agents on a hub: every repository holding at least one bundle, with its
versions (highest first) and description. A TERM keeps the agents whose repository,
name or description contains it, ignoring case.

The hub is --hub, else $AIOS_HUB, else localhost:5000. A hub that does not allow
anonymous pulls needs an account: --username with --password-stdin, else
$AIOS_HUB_USER and $AIOS_HUB_PASSWORD, else the login aios login saved for the hub.`,
		Example: `  aios search
  aios search summar --hub hub.example.com
  aios search --json | jq '.[].versions[0].tag'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Term = args[0]
			}
			if opts.Hub == "" {
				opts.Hub = os.Getenv(EnvHub)
			}
			if opts.Hub == "" {
				cfg, err := loadConfig()
				if err != nil {
					return err
				}
				opts.Hub = cmp.Or(cfg.Hub.Default, defaultHub)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSearch(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Hub, "hub", "", "the hub's HOST[:PORT] (default $"+EnvHub+", else aios.toml's hub.default, else "+defaultHub+")")
	f.BoolVar(&opts.JSON, "json", false, "print the agents as JSON")
	opts.Registry.register(f)
	return cmd
}

// searchResult is one agent in `aios search --json`; the form is stable for scripts.
type searchResult struct {
	Ref         string          `json:"ref"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Versions    []searchVersion `json:"versions"`
}

type searchVersion struct {
	Tag     string `json:"tag"`
	Version string `json:"version,omitempty"`
	Digest  string `json:"digest"`
	Created string `json:"created,omitempty"`
}

func runSearch(ctx context.Context, o *SearchOptions) error {
	remote, err := o.Registry.remote(o.Hub, o.IO.In)
	if err != nil {
		return err
	}
	agents, err := remote.Search(ctx, o.Hub, o.Term)
	if err != nil {
		return withLoginHint(bundleExit(err, ExitUnavailable), o.Hub)
	}
	if o.JSON {
		return printSearchJSON(o.IO, agents)
	}
	if len(agents) == 0 {
		if o.Term == "" {
			fmt.Fprintf(o.IO.ErrOut, "no agents on %s\n", o.Hub)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "no agents on %s match %q\n", o.Hub, o.Term)
		}
		return nil
	}
	w := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "REFERENCE\tVERSIONS\tDESCRIPTION")
	for _, a := range agents {
		// The hub's annotations are whatever the publisher (or the hub) wrote.
		fmt.Fprintf(w, "%s\t%s\t%s\n", safeText(a.Ref), safeText(versionList(a.Versions)), safeText(oneLine(a.Description)))
	}
	return w.Flush()
}

func printSearchJSON(io *IOStreams, agents []oci.Agent) error {
	out := make([]searchResult, 0, len(agents))
	for _, a := range agents {
		r := searchResult{Ref: a.Ref, Name: a.Name, Description: a.Description, Versions: []searchVersion{}}
		for _, v := range a.Versions {
			r.Versions = append(r.Versions, searchVersion{Tag: v.Tag, Version: v.Version, Digest: v.Digest, Created: v.Created})
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return exitWith(ExitKernel, fmt.Errorf("write search results: %w", err))
	}
	return nil
}

// versionList joins the first tags, noting how many more there are.
func versionList(vs []oci.Version) string {
	tags := make([]string, 0, min(len(vs), maxListedVersions))
	for _, v := range vs[:min(len(vs), maxListedVersions)] {
		tags = append(tags, v.Tag)
	}
	s := strings.Join(tags, ", ")
	if extra := len(vs) - len(tags); extra > 0 {
		s += fmt.Sprintf(" (+%d more)", extra)
	}
	return s
}

// oneLine keeps a description's first line, so each agent stays on one row.
func oneLine(s string) string {
	first, _, cut := strings.Cut(s, "\n")
	if cut {
		return first + " ..."
	}
	return first
}
