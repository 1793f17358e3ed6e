package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/geodata/province"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
)

func newDemoCmd(cfg *config) *cobra.Command {
	var reset, prov bool
	po := province.Default()
	cmd := &cobra.Command{
		Use:   "demo [--reset] [--province [--counties N] [--producers N] [--seed S]]",
		Short: "Load the synthetic demo county or a synthetic province (idempotent)",
		Long: `Load the synthetic demo county from the GeoJSON files in geodata/ (embedded
in the binary): regions, producers, facilities, candidate sites, exclusion
zones and the road network. Running it again does nothing when the demo is
already loaded; on a database holding other data it refuses unless --reset,
which first deletes every layer's features (plans are kept).

--province generates a synthetic province instead (geodata/province): a
province, prefectures, --counties counties (default 12) with their
townships (polygons) and villages (points), --producers producers (default
25,000) and in every county facilities, candidate sites and exclusion
zones; the same --seed gives the same province. It has no road network
(travel is geodesic). Loading another province or the county needs --reset.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !prov && (cmd.Flags().Changed("counties") || cmd.Flags().Changed("producers") || cmd.Flags().Changed("seed")) {
				return usageErr("--counties, --producers and --seed size a synthetic province: add --province")
			}
			if prov && po.Counties < 1 {
				return usageErr("--counties must be 1–%d, not %d", province.MaxCounties, po.Counties)
			}
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			if prov {
				return loadProvince(cmd.Context(), cfg, pool, po, reset, cmd.OutOrStdout())
			}
			return loadDemo(cmd.Context(), cfg, pool, reset, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&reset, "reset", false, "delete every layer's features first")
	cmd.Flags().BoolVar(&prov, "province", false, "load a synthetic province instead of the demo county")
	cmd.Flags().IntVar(&po.Counties, "counties", po.Counties, fmt.Sprintf("counties of the synthetic province (1–%d)", province.MaxCounties))
	cmd.Flags().IntVar(&po.Producers, "producers", po.Producers, fmt.Sprintf("producers of the synthetic province (0–%d)", province.MaxProducers))
	cmd.Flags().Uint64Var(&po.Seed, "seed", po.Seed, "seed of the synthetic province")
	return cmd
}

// loadProvince generates and loads a synthetic province unless the same
// one is loaded already.
func loadProvince(ctx context.Context, cfg *config, pool *pgxpool.Pool, o province.Options, reset bool, out io.Writer) error {
	p, err := province.Generate(o)
	if err != nil {
		return usageErr("demo --province: %v", err)
	}
	version := p.Version()
	var loaded string
	_ = pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'demo'`).Scan(&loaded)
	if loaded == version && !reset {
		fmt.Fprintln(out, "synthetic province already loaded")
		return nil
	}
	if !reset {
		if err := refuseOtherData(ctx, pool); err != nil {
			return err
		}
	}
	if _, err := pool.Exec(ctx, `TRUNCATE region, producer, facility, candidate_site, exclusion_zone, road, road_vertex;
	    DELETE FROM meta WHERE key = 'demo'`); err != nil {
		return err
	}
	counts, err := province.Load(ctx, &layer.Store{Pool: pool}, p)
	if err != nil {
		return err
	}
	for _, name := range province.LayerNames {
		cfg.log.Info("demo loaded", "layer", name, "features", counts[name])
	}
	if _, err := pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('demo', $1)`, version); err != nil {
		return err
	}
	fmt.Fprintf(out, "synthetic province %s loaded: %d prefectures, %d counties, %d townships, %d producers\n",
		p.Code, len(p.Prefectures), len(p.Counties), len(p.Townships), counts["producers"])
	return nil
}

// refuseOtherData refuses to load a demo over features the user loaded.
func refuseOtherData(ctx context.Context, pool *pgxpool.Pool) error {
	st := &layer.Store{Pool: pool}
	for _, l := range layer.All {
		n, err := st.Count(ctx, l, layer.Query{})
		if err != nil {
			return err
		}
		if n > 0 {
			return usageErr("the database already holds %d %s that are not this demo: run `coldchain demo --reset` (with the same flags) to replace every layer with it", n, l.Name)
		}
	}
	return nil
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
		if err := refuseOtherData(ctx, pool); err != nil {
			return err
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
