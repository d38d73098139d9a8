package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// AnswerOptions are the flags and dependencies of `aios approve` and `aios deny`.
type AnswerOptions struct {
	IO      *IOStreams
	Remote  remoteFlags
	ID      string
	Approve bool
}

// NewCmdApprove builds `aios approve`. runF replaces the command's work in tests; nil runs it
// for real.
func NewCmdApprove(io *IOStreams, runF func(context.Context, *AnswerOptions) error) *cobra.Command {
	return newCmdAnswer(io, true, runF)
}

// NewCmdDeny builds `aios deny`. runF replaces the command's work in tests; nil runs it for
// real.
func NewCmdDeny(io *IOStreams, runF func(context.Context, *AnswerOptions) error) *cobra.Command {
	return newCmdAnswer(io, false, runF)
}

func newCmdAnswer(io *IOStreams, approve bool, runF func(context.Context, *AnswerOptions) error) *cobra.Command {
	opts := &AnswerOptions{IO: io, Approve: approve}
	verb, effect := "approve", "the call goes on"
	if !approve {
		verb, effect = "deny", "the call fails as a policy denial"
	}
	cmd := &cobra.Command{
		Use:   verb + " ID [--kernel URL]",
		Short: fmt.Sprintf("%s%s a call waiting for confirmation on a served kernel", string(verb[0]-'a'+'A'), verb[1:]),
		Long: fmt.Sprintf(`Answer a call that policy wants confirmed (a confirm obligation) on a kernel
served by 'aios kernel serve': %s.
'aios approvals' lists the calls waiting, and 'aios run --kernel' and 'aios logs'
name each as it comes. An approval is answered once; one not answered within the
kernel's --approval-timeout is denied.`, effect),
		Example: fmt.Sprintf(`  aios approvals
  aios %s apr_7d21e0 --kernel http://127.0.0.1:7420 --token "$TOKEN"`, verb),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAnswer(cmd.Context(), opts)
		},
	}
	opts.Remote.register(cmd.Flags())
	return cmd
}

func runAnswer(ctx context.Context, o *AnswerOptions) error {
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	a, err := c.Answer(ctx, o.ID, o.Approve)
	if err != nil {
		return remoteExit(err)
	}
	what := "approved"
	if !o.Approve {
		what = "denied"
	}
	fmt.Fprintf(o.IO.ErrOut, "aios: %s %s of run %s (%s)\n", what, safeText(a.Call), safeText(a.RunID), safeText(a.ID))
	return nil
}

// ApprovalsOptions are `aios approvals`'s flags and dependencies.
type ApprovalsOptions struct {
	IO     *IOStreams
	Remote remoteFlags
	JSON   bool
}

// NewCmdApprovals builds `aios approvals`. runF replaces the command's work in tests; nil runs
// it for real.
func NewCmdApprovals(io *IOStreams, runF func(context.Context, *ApprovalsOptions) error) *cobra.Command {
	opts := &ApprovalsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "approvals [--kernel URL]",
		Short: "List the calls waiting for confirmation on a served kernel",
		Long: `List the token's tenant's calls that policy wants confirmed and that wait for an
answer on a kernel served by 'aios kernel serve': approval id, run, agent, the call
and its arguments. Answer them with 'aios approve ID' or 'aios deny ID'.`,
		Example: `  aios approvals
  aios approvals --json | jq -r '.[].id' | xargs -n1 aios deny`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runApprovals(cmd.Context(), opts)
		},
	}
	opts.Remote.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the approvals as a JSON array, as GET /v1/approvals returns them")
	return cmd
}

func runApprovals(ctx context.Context, o *ApprovalsOptions) error {
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	as, err := c.Approvals(ctx)
	if err != nil {
		return remoteExit(err)
	}
	if o.JSON {
		return writeJSON(o.IO.Out, as)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRUN\tAGENT\tCALL\tWAITING\tARGS")
	for _, a := range as {
		args, _ := json.Marshal(a.Args)
		if len(args) > 80 {
			args = append(args[:77], "..."...)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safeText(a.ID), safeText(a.RunID), safeText(a.Agent), safeText(a.Call),
			roundDuration(time.Since(a.Created)).Truncate(time.Second), safeText(string(args)))
	}
	return tw.Flush()
}
