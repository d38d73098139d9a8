package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/hostcalls"
)

// NewCmdVersion builds `aios version`.
func NewCmdVersion(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the aios version and the ABI it implements",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := "devel"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(io.Out, "aios %s (ABI %d.%d)\n", v, hostcalls.ABIMajor, hostcalls.ABIMinor)
			return nil
		},
	}
}
