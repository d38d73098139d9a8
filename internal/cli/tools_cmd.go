package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/policy"
)

// NewCmdTools builds `aios tools` and its subcommands.
func NewCmdTools(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tools <command>",
		Short: "Show the tools agents may call",
	}
	cmd.AddCommand(NewCmdToolsList(io, nil))
	return cmd
}

// ToolsListOptions are `aios tools list`'s flags and dependencies.
type ToolsListOptions struct {
	IO         *IOStreams
	ConfigPath string
	Agent      agentFlags
	JSON       bool
}

// NewCmdToolsList builds `aios tools list`. runF replaces the command's work in tests; nil runs it.
func NewCmdToolsList(io *IOStreams, runF func(context.Context, *ToolsListOptions) error) *cobra.Command {
	opts := &ToolsListOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the configured tools and, for an agent, whether policy grants them",
		Long: `List the tools of the configuration's [[tools]] entries: name, kind (http_fetch,
extism or mcp), source (the plugin or server), whether it is destructive (its calls
need confirmation), and its parameters, optional ones in brackets. MCP servers are
started to ask for their tools, and stopped again; a source that fails is a warning
on stderr.

With --agent or --bundle, GRANTED says whether policy lets that agent call the tool,
exactly as the kernel decides it when the agent asks tool_list. --agent NAME is a plain
module of that name (it declares any tool, so the operator's grants alone decide);
--bundle FILE is the bundle, with what its manifest declares and its verified signer.`,
		Example: `  aios tools list
  aios tools list --bundle summarizer-1.0.0.wasm --trust-key alice.pub
  aios tools list --json | jq -r .name`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runToolsList(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (its [[tools]] and [policy])")
	opts.Agent.register(f, false, false)
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per tool")
	return cmd
}

// toolRow is one tool as `aios tools list --json` prints it; the form is stable for scripts.
type toolRow struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Source      string   `json:"source"`
	Description string   `json:"description"`
	Destructive bool     `json:"destructive"`
	Required    []string `json:"required"`
	Optional    []string `json:"optional"`
	// Granted and Reason are policy's decision for the agent named; absent without one.
	Granted *bool  `json:"granted,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func runToolsList(ctx context.Context, o *ToolsListOptions) error {
	ctx = orBackground(ctx)
	withAgent := o.Agent.Name != "" || o.Agent.Bundle != ""
	if withAgent {
		if err := o.Agent.check(); err != nil {
			return err
		}
	}
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	var (
		agent policy.Agent
		gate  *aios.ToolPolicy
	)
	if withAgent {
		if agent, err = o.Agent.identity(ctx, o.IO, cfg); err != nil {
			return err
		}
		if gate, err = aios.NewToolPolicy(ctx, cfg); err != nil {
			return exitWith(ExitConfig, err)
		}
	}
	m, err := aios.OpenTools(cfg)
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	if m == nil {
		fmt.Fprintln(o.IO.ErrOut, "aios: no tools are configured (add [[tools]] entries to aios.toml)")
		return nil
	}
	infos := m.List(ctx)
	for _, u := range m.Unavailable() {
		fmt.Fprintln(o.IO.ErrOut, "aios: warning:", safeText(u))
	}
	if err := m.Close(); err != nil {
		fmt.Fprintln(o.IO.ErrOut, "aios: warning:", safeLines(err.Error()))
	}
	rows := make([]toolRow, len(infos))
	for i, t := range infos {
		rows[i] = newToolRow(t)
		if gate != nil {
			d, err := gate.Decide(ctx, agent, t.Name)
			if err != nil {
				return exitWith(ExitConfig, fmt.Errorf("policy for tool %s: %w", quote(t.Name), err))
			}
			rows[i].Granted, rows[i].Reason = &d.Allow, d.Reason
		}
	}
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return nil
	}
	return printToolRows(o.IO, rows, gate != nil)
}

// printToolRows prints the tools as a table for people.
func printToolRows(io *IOStreams, rows []toolRow, granted bool) error {
	w := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	head := "NAME\tKIND\tSOURCE\tDESTRUCTIVE\t"
	if granted {
		head += "GRANTED\t"
	}
	fmt.Fprintln(w, head+"PARAMETERS")
	for _, r := range rows {
		// An MCP server names its tools and parameters: text the operator did not write.
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t", cell(r.Name), cell(r.Kind), cell(r.Source), yesNo(r.Destructive))
		if granted {
			line += yesNo(*r.Granted) + "\t"
		}
		fmt.Fprintln(w, line+cell(paramSummary(r.Required, r.Optional)))
	}
	return w.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// maxParamSummary bounds the PARAMETERS cell; --json has them all.
const maxParamSummary = 80

// paramSummary is "url [method] [headers]": required names, then optional ones in brackets,
// cut short at maxParamSummary bytes.
func paramSummary(required, optional []string) string {
	parts := slices.Clone(required)
	for _, p := range optional {
		parts = append(parts, "["+p+"]")
	}
	s := strings.Join(parts, " ")
	if len(s) > maxParamSummary {
		s = strings.ToValidUTF8(s[:maxParamSummary], "") + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

func newToolRow(t tools.Info) toolRow {
	req, opt := schemaParams(t.Parameters)
	return toolRow{Name: t.Name, Kind: t.Kind, Source: t.Source, Description: t.Description, Destructive: t.Destructive,
		Required: req, Optional: opt}
}

// schemaParams reads a tool's JSON Schema for the names of its top-level properties: those it
// requires, in the schema's order, and the others, sorted. A schema it cannot read has none.
func schemaParams(schema json.RawMessage) (required, optional []string) {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	required, optional = []string{}, []string{}
	if err := json.Unmarshal(schema, &s); err != nil {
		return required, optional
	}
	for _, name := range s.Required {
		if !slices.Contains(required, name) {
			required = append(required, name)
		}
	}
	for name := range s.Properties {
		if !slices.Contains(required, name) {
			optional = append(optional, name)
		}
	}
	slices.Sort(optional)
	return required, optional
}
