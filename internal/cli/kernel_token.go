package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/server"
)

// KernelTokenOptions are `aios kernel token`'s flags.
type KernelTokenOptions struct {
	IO     *IOStreams
	Tenant string
}

// NewCmdKernelToken builds `aios kernel token`. runF replaces the command's work in tests; nil
// runs it for real.
func NewCmdKernelToken(io *IOStreams, runF func(context.Context, *KernelTokenOptions) error) *cobra.Command {
	opts := &KernelTokenOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "token --tenant NAME",
		Short: "Create a bearer token for a tenant",
		Long: `Create a new random bearer token for a tenant of 'aios kernel serve'. The line to
add to the tokens file (TENANT:SHA256-HEX; the server keeps only the digest) goes to
standard output, the token itself to standard error: give it to the tenant, it is
not stored anywhere.`,
		Example: `  aios kernel token --tenant alice >> /etc/aios/tokens`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			token, line, err := server.NewToken(opts.Tenant)
			if err != nil {
				return exitWith(ExitUsage, fmt.Errorf("--tenant: %w", err))
			}
			fmt.Fprintln(opts.IO.Out, line)
			fmt.Fprintf(opts.IO.ErrOut, "aios: token for tenant %s (shown once; add the line on standard output to the tokens file):\n%s\n", opts.Tenant, token)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Tenant, "tenant", "", "the tenant the token acts for")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}
