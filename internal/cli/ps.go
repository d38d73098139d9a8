package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// PsOptions are `aios ps`'s flags and dependencies.
type PsOptions struct {
	IO     *IOStreams
	Remote remoteFlags
	JSON   bool
}

// NewCmdPs builds `aios ps`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdPs(io *IOStreams, runF func(context.Context, *PsOptions) error) *cobra.Command {
	opts := &PsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "ps [--kernel URL]",
		Short: "List the runs on a served kernel",
		Long: `List the runs of the token's tenant on a kernel served by 'aios kernel serve', oldest
first: id, name, status, exit code, when it started, and the tokens it used (in/out).
Finished runs stay listed while the kernel keeps them (--keep-runs).`,
		Example: `  export AIOS_KERNEL=http://127.0.0.1:7420 AIOS_TOKEN=aios_...
  aios ps
  aios ps --json | jq -r '.[] | select(.status == "running") | .id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPs(cmd.Context(), opts)
		},
	}
	opts.Remote.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the runs as a JSON array, as GET /v1/runs returns them")
	return cmd
}

func runPs(ctx context.Context, o *PsOptions) error {
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	runs, err := c.Runs(ctx)
	if err != nil {
		return remoteExit(err)
	}
	if o.JSON {
		return writeJSON(o.IO.Out, runs)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tEXIT\tSTARTED\tTOKENS")
	for _, r := range runs {
		exit, started, tokens := "-", "-", "-"
		if r.ExitCode != nil {
			exit = fmt.Sprint(*r.ExitCode)
		}
		if r.Started != nil {
			started = r.Started.Local().Format(time.DateTime)
		}
		if r.Usage != nil {
			tokens = fmt.Sprintf("%d/%d", r.Usage.InputTokens, r.Usage.OutputTokens)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safeText(r.ID), safeText(r.Name), safeText(r.Status), exit, started, tokens)
	}
	return tw.Flush()
}
