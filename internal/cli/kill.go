package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// KillOptions are `aios kill`'s flags and dependencies.
type KillOptions struct {
	IO     *IOStreams
	Remote remoteFlags
	ID     string
}

// NewCmdKill builds `aios kill`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdKill(io *IOStreams, runF func(context.Context, *KillOptions) error) *cobra.Command {
	opts := &KillOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "kill ID [--kernel URL]",
		Short: "Cancel a run on a served kernel",
		Long: `Cancel a run on a kernel served by 'aios kernel serve' (DELETE /v1/runs/ID). The call
or sleep the agent is in ends at once and the run ends "canceled"; kill does not wait
for that ('aios logs -f ID' does). A run that has already ended is left as it is.`,
		Example: `  aios kill run_5f3c9a --kernel http://127.0.0.1:7420 --token "$TOKEN"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runKill(cmd.Context(), opts)
		},
	}
	opts.Remote.register(cmd.Flags())
	return cmd
}

func runKill(ctx context.Context, o *KillOptions) error {
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	r, err := c.Cancel(ctx, o.ID)
	if err != nil {
		return remoteExit(err)
	}
	fmt.Fprintf(o.IO.ErrOut, "aios: run %s: cancel asked (status %s)\n", safeText(r.ID), safeText(r.Status))
	return nil
}
