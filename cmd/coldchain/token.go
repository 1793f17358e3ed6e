package main

import "github.com/spf13/cobra"

// Placeholder owned by the GIS-clients work: replaced by the real command.
func newTokenCmd(cfg *config) *cobra.Command {
	return &cobra.Command{Use: "token", Short: "Manage API tokens"}
}
