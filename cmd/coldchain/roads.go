package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// importRoads imports a road network (`coldchain import roads FILE`).
// Placeholder owned by the road-network work.
func importRoads(cmd *cobra.Command, cfg *config, file string) error {
	return errors.New("road import is not available yet")
}

// bindRoadImportFlags adds the road import's flags to the import command.
// Placeholder owned by the road-network work.
func bindRoadImportFlags(cmd *cobra.Command) {}
