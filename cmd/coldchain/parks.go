package main

import "github.com/spf13/cobra"

// Placeholder owned by the park-siting work: replaced by the real command.
func newParksCmd(cfg *config) *cobra.Command {
	return &cobra.Command{Use: "parks", Short: "Suggest sites for industrial parks"}
}
