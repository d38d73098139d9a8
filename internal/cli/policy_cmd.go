package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/policy"
)

// NewCmdPolicy builds `aios policy` and its subcommands.
func NewCmdPolicy(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy <command>",
		Short: "Test policies and explain decisions",
	}
	cmd.AddCommand(newCmdPolicyTest(io), newCmdPolicyEval(io))
	return cmd
}

func newCmdPolicyTest(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run Rego unit tests with OPA's tester",
		Long: `Run the Rego unit tests (rules named test_*) in DIR (default: the current directory)
with OPA's tester. The built-in default policy is loaded beside them, so tests can
evaluate data.aios.system.decision. Exit status 1 when a test fails.`,
		Example: `  aios policy test samples/policies`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			passed, failed, err := policy.RunTests(cmd.Context(), args, io.Out)
			if err != nil {
				return exitWith(ExitConfig, err)
			}
			if failed > 0 {
				return exitWith(1, fmt.Errorf("%d of %d policy tests failed", failed, passed+failed))
			}
			if passed == 0 {
				fmt.Fprintln(io.ErrOut, "aios: no policy tests found")
			}
			return nil
		},
	}
}

// policyEvalOptions are `aios policy eval`'s flags.
type policyEvalOptions struct {
	ConfigPath string
	Input      string
	Trace      bool
}

func newCmdPolicyEval(io *IOStreams) *cobra.Command {
	o := &policyEvalOptions{}
	cmd := &cobra.Command{
		Use:   "eval --input FILE",
		Short: "Show the decision policy takes for an input document, and why",
		Long: `Decide the input document in FILE (the JSON of docs/POLICY.md section 2; - reads
standard input) with the configured policy (the built-in default policy, [policy] paths
and grants, or the implicit grant when there is no [policy] table) and print the
decision: allow, reason and obligations. --trace adds OPA's evaluation trace.`,
		Example: `  aios policy eval --input call.json
  aios policy eval --input call.json --config aios.toml --trace`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyEval(cmd.Context(), io, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Input, "input", "i", "", "the input document: FILE, or - for standard input")
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (its [policy] table)")
	f.BoolVar(&o.Trace, "trace", false, "print OPA's evaluation trace after the decision")
	_ = cmd.MarkFlagRequired("input")
	return cmd
}

func runPolicyEval(ctx context.Context, s *IOStreams, o *policyEvalOptions) error {
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	var r io.Reader = s.In
	if o.Input != "-" {
		f, err := os.Open(o.Input)
		if err != nil {
			return exitWith(ExitNoInput, fmt.Errorf("read policy input: %w", err))
		}
		defer f.Close()
		r = f
	}
	in, err := policy.ReadInput(r)
	if err != nil {
		return exitWith(ExitUsage, err)
	}
	eng, err := policy.New(ctx, cfg.Policy.EngineConfig())
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	d, trace, err := eng.Explain(ctx, in)
	if err != nil {
		fmt.Fprintln(s.ErrOut, "aios:", err)
	}
	out, merr := json.MarshalIndent(d, "", "  ")
	if merr != nil {
		return fmt.Errorf("encode decision: %w", merr)
	}
	fmt.Fprintf(s.Out, "%s\n", out)
	if o.Trace {
		fmt.Fprint(s.Out, trace)
	}
	return nil
}
