package cli

import (
	"path/filepath"

	"github.com/spf13/cobra"
)

// NewCmdHub builds `aios hub`, the parent of the commands that run a hub.
func NewCmdHub(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hub <command>",
		Short: "Run a hub: an OCI registry for agent bundles",
		Long: `A hub stores agent bundles so others can pull and run them. Any OCI registry is a
hub; aios hub serve runs one on this machine, with its data on disk.`,
		Example: `  aios hub adduser alice --password-stdin < password.txt
  aios hub serve --anonymous-pull`,
	}
	cmd.AddCommand(NewCmdHubServe(io, nil), NewCmdHubAddUser(io, nil))
	return cmd
}

// hubPaths fills in the hub's data directory (the data directory's hub/) and htpasswd file
// (ROOT/htpasswd) when the flags leave them out.
func hubPaths(root, htpasswd string) (string, string, error) {
	if root == "" {
		dir, err := dataDir()
		if err != nil {
			return "", "", err
		}
		root = filepath.Join(dir, "hub")
	}
	if htpasswd == "" {
		htpasswd = filepath.Join(root, "htpasswd")
	}
	return root, htpasswd, nil
}
