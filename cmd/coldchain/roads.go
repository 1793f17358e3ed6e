package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/roads"
)

// bindRoadImportFlags adds the road import's flags to the import command.
func bindRoadImportFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("bbox", "", "roads: keep only roads inside minlon,minlat,maxlon,maxlat (WGS84)")
	f.String("speeds", "", "roads: speeds by OSM class in km/h, e.g. primary=60,track=8 (0 drops a class); defaults: "+roads.DefaultSpeeds.String())
	f.Float64("snap-m", roads.DefaultSnapMetres, "roads: snapping limit of the report (metres)")
	cmd.Long += `

"import roads FILE" reads a road network: OpenStreetMap .osm.pbf or .osm
(also .osm.gz, .osm.bz2), or GeoJSON lines with a highway property (as in
geodata/roads.geojson). Drivable roads get a speed by class (--speeds),
capped by a lower posted maxspeed, are split into edges at junctions, and
replace the stored network in one transaction. The import then reports
which producers, facilities and candidate sites lie farther than --snap-m
from every road (unreachable by road) and refreshes the service areas.`
	cmd.Example += `
  coldchain import roads andorra.osm.pbf
  coldchain import roads hunan.osm.pbf --bbox 113.9,26.4,114.5,26.9 --speeds track=8,unclassified=20`
}

// importRoads imports a road network (`coldchain import roads FILE`).
func importRoads(cmd *cobra.Command, cfg *config, file string) error {
	ctx := cmd.Context()
	opt, snapM, err := roadReadOptions(cmd)
	if err != nil {
		return err
	}
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	var bars []*progressbar.ProgressBar
	if tty {
		opt.Progress = func(stage string, size int64) io.Writer {
			bar := progressbar.DefaultBytes(size, stage)
			bars = append(bars, bar)
			return bar
		}
	}
	pool, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()

	start := time.Now()
	var n *roads.Network
	switch format := roadFormat(file); format {
	case "osm":
		n, err = roads.ReadOSM(ctx, file, opt)
	default:
		var in io.Reader = os.Stdin
		if file != "-" {
			f, err := os.Open(file)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			defer f.Close()
			in = f
		}
		n, err = roads.ReadGeoJSON(in, file, opt)
	}
	for _, b := range bars {
		_ = b.Finish()
	}
	if err != nil {
		return importErr(err)
	}
	read := time.Since(start)
	var sopt roads.StoreOptions
	if tty {
		bar := progressbar.Default(-1, "storing edges")
		defer bar.Finish()
		sopt.Progress = bar
	}
	if err := roads.Store(ctx, pool, n, sopt); err != nil {
		return importErr(err)
	}
	out := cmd.OutOrStdout()
	st := n.Stats
	fmt.Fprintf(out, "imported roads from %s: %s\n", filepath.Base(file), st.Summary())
	fmt.Fprintf(out, "  read %d roads, %d drivable (read %.1f s, stored %.1f s)\n", st.Ways, st.Drivable, read.Seconds(), (time.Since(start) - read).Seconds())
	if len(st.NotDrivable) > 0 || st.NoAccess > 0 || st.Cut > 0 {
		fmt.Fprintf(out, "  left out: %s; %d closed to motor vehicles; %d roads cut at missing nodes or the bounding box\n", countList(st.NotDrivable), st.NoAccess, st.Cut)
	}
	return afterRoads(ctx, cfg, pool, snapM, out)
}

// roadReadOptions reads the road import's flags: speeds, bounding box,
// datum and the snapping limit of the report.
func roadReadOptions(cmd *cobra.Command) (opt roads.ReadOptions, snapM float64, err error) {
	flags := cmd.Flags()
	list, _ := flags.GetString("speeds")
	settings := map[string]string{}
	for _, kv := range strings.Split(list, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		class, kmh, ok := strings.Cut(kv, "=")
		if !ok {
			return opt, 0, usageErr("--speeds: want class=kmh pairs separated by commas, got %q", kv)
		}
		settings[class] = kmh
	}
	bbox, _ := flags.GetString("bbox")
	snapM, _ = flags.GetFloat64("snap-m")
	speeds := roads.DefaultSpeeds.Clone()
	if err := speeds.Set(settings); err != nil {
		return opt, 0, usageErr("%v", err)
	}
	opt.Speeds = speeds
	if bbox != "" {
		b, err := layer.ParseBBox(bbox)
		if err != nil {
			return opt, 0, usageErr("--bbox: %v", err)
		}
		opt.BBox = &b
	}
	if name, _ := flags.GetString("datum"); name != "" {
		d, err := datum.Parse(name)
		if err != nil {
			return opt, 0, usageErr("--datum: %v", err)
		}
		opt.Datum = d
	}
	if !(snapM >= 1 && snapM <= 50000) {
		return opt, 0, usageErr("--snap-m: want 1 to 50000 metres, got %v", snapM)
	}
	return opt, snapM, nil
}

// afterRoads prints the snapping report and refreshes the stored service
// areas of a newly loaded network.
func afterRoads(ctx context.Context, cfg *config, pool *pgxpool.Pool, snapM float64, out io.Writer) error {
	g, err := roads.Load(ctx, pool)
	if err != nil {
		return err
	}
	rep, err := g.Report(ctx, pool, snapM)
	if err != nil {
		return err
	}
	writeSnapReport(out, rep)
	start := time.Now()
	if _, err := g.RefreshServiceAreas(ctx, pool, roads.PairOptions{SnapMetres: snapM}); err != nil {
		return err
	}
	cfg.log.Info("service areas refreshed", "minutes", roads.DefaultAreaMinutes, "duration", time.Since(start))
	return nil
}

// writeSnapReport prints which features join the network.
func writeSnapReport(w io.Writer, rep *roads.SnapReport) {
	fmt.Fprintf(w, "snapping to the nearest road of the main network (%d vertices; %d disconnected pieces in all) within %.0f m:\n",
		rep.MainVertices, rep.Components, rep.LimitMetres)
	none := true
	for _, l := range rep.Layers {
		none = none && l.Total == 0
	}
	if none {
		fmt.Fprintln(w, "  no producers, facilities or candidate sites yet (GET /api/v1/roads/snapping reports them once imported)")
	}
	for _, l := range rep.Layers {
		if l.Total == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s: %d of %d snapped to the main network", l.Layer, l.Snapped, l.Total)
		if l.Snapped > 0 {
			fmt.Fprintf(w, " (median %.0f m, max %.0f m)", l.MedianMetres, l.MaxMetres)
		}
		writeFragments(w, l)
		if l.Beyond == 0 {
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "; %d farther, unreachable by road:", l.Beyond)
		for i, u := range l.Unreachable {
			if i == 10 {
				fmt.Fprintf(w, " ... (GET /api/v1/roads/snapping lists all)")
				break
			}
			if u.NearestMetres >= 0 {
				fmt.Fprintf(w, " %s (%.1f km)", u.ID, u.NearestMetres/1000)
			} else {
				fmt.Fprintf(w, " %s (no road within 50 km)", u.ID)
			}
		}
		fmt.Fprintln(w)
	}
}

// writeFragments lists the features that reach only an isolated piece of
// road.
func writeFragments(w io.Writer, l roads.LayerSnap) {
	if l.OnFragment == 0 {
		return
	}
	fmt.Fprintf(w, "; %d only near isolated road fragments, reaching only what is on them:", l.OnFragment)
	for i, f := range l.Fragments {
		if i == 10 {
			fmt.Fprintf(w, " ... (GET /api/v1/roads/snapping lists all)")
			break
		}
		main := "main network beyond 50 km"
		if f.MainMetres >= 0 {
			main = fmt.Sprintf("main network %.0f m", f.MainMetres)
		}
		fmt.Fprintf(w, " %s (%d-vertex fragment %.0f m, %s)", f.ID, f.FragmentVertices, f.Metres, main)
	}
}

// roadFormat says whether file is OpenStreetMap ("osm") or GeoJSON.
func roadFormat(file string) string {
	f := strings.ToLower(file)
	for _, s := range []string{".gz", ".bz2"} {
		f = strings.TrimSuffix(f, s)
	}
	switch filepath.Ext(f) {
	case ".pbf", ".osm", ".xml":
		return "osm"
	}
	return "geojson"
}

func countList(m map[string]int) string {
	if len(m) == 0 {
		return "nothing"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// loadDemoRoads loads the demo county's road network (geodata/roads.geojson).
func loadDemoRoads(ctx context.Context, cfg *config, pool *pgxpool.Pool, out io.Writer) error {
	f, err := geodata.FS.Open("roads.geojson")
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	defer f.Close()
	n, err := roads.ReadGeoJSON(f, "roads.geojson", roads.ReadOptions{})
	if err != nil {
		return fmt.Errorf("demo roads: %w", err)
	}
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		return fmt.Errorf("demo roads: %w", err)
	}
	cfg.log.Info("demo loaded", "layer", "roads", "edges", len(n.Edges), "km", fmt.Sprintf("%.1f", n.Stats.Km))
	return afterRoads(ctx, cfg, pool, roads.DefaultSnapMetres, out)
}
