package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// workflowFlags are `aios run`'s flags for workflow files (docs/WORKFLOWS.md).
type workflowFlags struct {
	// Yes approves every step that asks for confirmation (confirm = true).
	Yes bool
	// DryRun prints the plan, level by level, and runs nothing.
	DryRun bool
}

func (f *workflowFlags) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.Yes, "yes", "y", false, "workflow: approve every step that asks for confirmation")
	fs.BoolVar(&f.DryRun, "dry-run", false, "workflow: check the file and print the plan without running anything")
}

// isWorkflowFile reports whether `aios run` was given a workflow rather than an agent: a file
// whose name ends in .toml.
func isWorkflowFile(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".toml")
}

// agentOnly refuses the workflow flags for an agent run.
func (f *workflowFlags) agentOnly() error {
	switch {
	case f.Yes:
		return exitWith(ExitUsage, fmt.Errorf("--yes is for workflow files (FILE.toml)"))
	case f.DryRun:
		return exitWith(ExitUsage, fmt.Errorf("--dry-run is for workflow files (FILE.toml)"))
	}
	return nil
}

// checkWorkflow refuses the flags of `aios run` that mean nothing for a workflow.
func (o *RunOptions) checkWorkflow() error {
	switch {
	case o.Remote.url() != "":
		return exitWith(ExitUsage, fmt.Errorf("workflows run on this host; --kernel (or $AIOS_KERNEL) is not supported for %s", o.File))
	case o.Replicas != 1:
		return exitWith(ExitUsage, fmt.Errorf("--replicas is for agents, not workflows; run several steps instead"))
	case len(o.Args) > 0:
		return exitWith(ExitUsage, fmt.Errorf("arguments after -- are for agents; give a step its arguments with args = [...] in the workflow file"))
	}
	return nil
}
