package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
)

func newDemoCmd(cfg *config) *cobra.Command {
	var reset bool
	cmd := &cobra.Command{
		Use:   "demo [--reset]",
		Short: "Load the synthetic demo county (idempotent)",
		Long: `Load the synthetic demo county from the GeoJSON files in geodata/ (embedded
in the binary): regions, producers, facilities, candidate sites, exclusion
zones and the road network. Running it again does nothing when the demo is
already loaded; on a database holding other data it refuses unless --reset,
which first deletes every layer's features (plans are kept).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			return loadDemo(cmd.Context(), cfg, pool, reset, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&reset, "reset", false, "delete every layer's features first")
	return cmd
}

// loadDemo loads the demo county unless it is loaded already.
func loadDemo(ctx context.Context, cfg *config, pool *pgxpool.Pool, reset bool, out io.Writer) error {
	st := &layer.Store{Pool: pool}
	var loaded string
	_ = pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'demo'`).Scan(&loaded)
	if !reset {
		if loaded == geodata.Version {
			fmt.Fprintln(out, "demo county already loaded")
			var roadsLoaded bool
			if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM road)`).Scan(&roadsLoaded); err != nil || roadsLoaded {
				return err
			}
			return loadDemoRoads(ctx, cfg, pool, out)
		}
		for _, l := range layer.All {
			n, err := st.Count(ctx, l, layer.Query{})
			if err != nil {
				return err
			}
			if n > 0 {
				return usageErr("the database already holds %d %s that are not the demo county: run `coldchain demo --reset` to replace every layer with the demo", n, l.Name)
			}
		}
	}
	if _, err := pool.Exec(ctx, `TRUNCATE region, producer, facility, candidate_site, exclusion_zone; DELETE FROM meta WHERE key = 'demo'`); err != nil {
		return err
	}
	for _, l := range layer.All {
		if l.ReadOnly {
			continue // roads: loaded below by their own importer
		}
		f, err := geodata.FS.Open(l.Name + ".geojson")
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		res, err := ingest.Import(ctx, st, l, f, ingest.Options{Format: ingest.GeoJSON})
		f.Close()
		if err != nil {
			return fmt.Errorf("demo %s: %w", l.Name, err)
		}
		cfg.log.Info("demo loaded", "layer", l.Name, "features", res.Rows)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('demo', $1)`, geodata.Version); err != nil {
		return err
	}
	fmt.Fprintln(out, "demo county loaded")
	return loadDemoRoads(ctx, cfg, pool, out)
}
