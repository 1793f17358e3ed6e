package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/roads"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// travelFlags are the distance model's settings.
type travelFlags struct {
	detour, speed float64
	travel        string
	snapM, offKmh float64
}

func (t *travelFlags) bind(cmd *cobra.Command) {
	cmd.Flags().Float64Var(&t.detour, "detour", access.DefaultDetour, "geodesic travel: detour factor applied to straight-line distance")
	cmd.Flags().Float64Var(&t.speed, "speed", access.DefaultSpeedKmh, "geodesic travel: speed in km/h")
	cmd.Flags().StringVar(&t.travel, "travel", "auto", "travel times: road (the imported road network), geodesic, or auto (road when roads are loaded)")
	cmd.Flags().Float64Var(&t.snapM, "snap-m", roads.DefaultSnapMetres, "road travel: points farther than this from every road (metres) are unreachable by road")
	cmd.Flags().Float64Var(&t.offKmh, "off-road-kmh", roads.DefaultOffRoadKmh, "road travel: speed between a point and its nearest road")
}

// model returns the travel model the flags choose. With --travel auto it
// is the road model falling back to geodesic travel while no road network
// is loaded (it switches by itself once roads are imported).
func (t *travelFlags) model(pool *pgxpool.Pool) (access.Model, error) {
	if !(t.detour >= 1 && t.detour <= 5) {
		return nil, usageErr("--detour: want 1 to 5, got %v", t.detour)
	}
	if !(t.speed >= 1 && t.speed <= 200) {
		return nil, usageErr("--speed: want 1 to 200 km/h, got %v", t.speed)
	}
	if !(t.snapM >= 1 && t.snapM <= 50000) {
		return nil, usageErr("--snap-m: want 1 to 50000 metres, got %v", t.snapM)
	}
	if !(t.offKmh >= 1 && t.offKmh <= 60) {
		return nil, usageErr("--off-road-kmh: want 1 to 60 km/h, got %v", t.offKmh)
	}
	geodesic := access.NewGeodesic(t.detour, t.speed)
	var road *access.Road
	switch t.travel {
	case "geodesic":
		return geodesic, nil
	case "road":
		road = access.NewRoad(pool, t.snapM, t.offKmh, nil)
	case "auto", "":
		road = access.NewRoad(pool, t.snapM, t.offKmh, geodesic)
	default:
		return nil, usageErr("--travel: want auto, road or geodesic, got %q", t.travel)
	}
	// Load the network now, so that reports name it from the start.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loaded, err := road.Loaded(ctx)
	if err != nil {
		return nil, err
	}
	if !loaded && t.travel == "road" {
		return nil, usageErr("--travel road: no road network is loaded (coldchain import roads FILE.osm.pbf)")
	}
	return road, nil
}

// coverageFilter is the coverage command's filter: --include planned
// counts planned facilities as built.
func coverageFilter(region string, regions, classes, include []string) (coverage.Filter, error) {
	filter := coverage.Filter{Region: region, Regions: regions, Classes: classes}
	for _, inc := range include {
		if inc != "planned" {
			return filter, usageErr("--include: want planned, got %q", inc)
		}
		filter.Statuses = []string{"existing", "planned"}
	}
	return filter, nil
}

func newCoverageCmd(cfg *config) *cobra.Command {
	var region, format, out string
	var regions, classes, include []string
	var month int
	var hexKm float64
	var travel travelFlags
	cmd := &cobra.Command{
		Use:   "coverage",
		Short: "Measure coverage, handling rate and gaps of a region",
		Long: `Measure, for the whole database or a region: access time to the nearest
compatible facility, coverage rate (output within its class threshold),
the origin low-temperature handling rate (capacity-aware, month by month),
peak standing stock against reachable capacity, and gaps by region, class,
zone and month. --format geojson writes the hexagon gap map.`,
		Example: `  coldchain coverage
  coldchain coverage --region 369901101 --class leafy_vegetable,berry
  coldchain coverage --format geojson --month 4 -o gaps-april.geojson`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCoverageFormat(format, out); err != nil {
				return err
			}
			hex := coverage.HexOptions{SizeKm: hexKm, Month: month}
			if err := hex.Validate(); err != nil {
				return usageErr("%v", err)
			}
			pool, model, err := cfg.openTravel(cmd.Context(), &travel)
			if err != nil {
				return err
			}
			defer pool.Close()
			filter, err := coverageFilter(region, regions, classes, include)
			if err != nil {
				return err
			}
			d, err := coverage.Load(cmd.Context(), pool, filter)
			if err != nil {
				return err
			}
			rep, err := coverage.Compute(cmd.Context(), model, d, coverage.Options{})
			if err != nil {
				return err
			}
			warnReport(cmd.ErrOrStderr(), rep)
			w, closeOut, err := output(cmd, out)
			if err != nil {
				return err
			}
			defer closeOut()
			switch format {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			case "geojson":
				hexes, err := coverage.Hexagons(cmd.Context(), pool, d, rep, hex)
				if err != nil {
					return err
				}
				return json.NewEncoder(w).Encode(map[string]any{"type": "FeatureCollection", "features": hexes})
			case "xlsx":
				return xlsx.Write(w, coverageSheets(rep))
			}
			writeCoverageTable(w, rep)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&region, "region", "", "administrative code of the region (default: everything)")
	f.StringSliceVar(&regions, "regions", nil, fmt.Sprintf("administrative codes (at most %d): measure the producers under any of them", coverage.MaxRegions))
	f.StringSliceVar(&classes, "class", nil, "product classes to measure (default: all)")
	f.StringSliceVar(&include, "include", nil, "planned: count planned facilities (adopted plans) as built")
	f.StringVar(&format, "format", "table", "table, json, geojson (hexagon gap map) or xlsx (totals, classes, townships, months, gaps)")
	f.IntVar(&month, "month", 0, "geojson: map this month's uncovered output (1-12; default the year's)")
	f.Float64Var(&hexKm, "hex-km", 2, "geojson: hexagon edge in km")
	f.StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	travel.bind(cmd)
	return cmd
}

// openTravel opens the database and the travel model the flags choose; the
// caller closes the pool.
func (c *config) openTravel(ctx context.Context, t *travelFlags) (*pgxpool.Pool, access.Model, error) {
	pool, err := c.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	model, err := t.model(pool)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return pool, model, nil
}

// output returns stdout or a created file.
func output(cmd *cobra.Command, path string) (io.Writer, func(), error) {
	if path == "" || path == "-" {
		return cmd.OutOrStdout(), func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// warnReport prints the report's warnings (such as derived areas).
func warnReport(w io.Writer, rep *coverage.Report) {
	for _, m := range rep.Warnings {
		fmt.Fprintln(w, "warning:", m)
	}
}

func pct(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }

func writeCoverageTable(w io.Writer, rep *coverage.Report) {
	t := rep.Totals
	name := rep.RegionName
	if len(rep.RegionCodes) > 0 {
		name = "regions " + strings.Join(rep.RegionCodes, ", ")
	} else if name == "" {
		name = "all regions"
	}
	fmt.Fprintf(w, "Coverage of %s (%s)\n", name, rep.Travel)
	fmt.Fprintf(w, "  producers %d, output %.0f t/yr\n", t.Producers, t.OutputT)
	fmt.Fprintf(w, "  coverage rate %s (%.0f t within class threshold of a compatible facility)\n", pct(t.CoverageRate), t.CoveredT)
	fmt.Fprintf(w, "  origin low-temperature handling rate %s (%.0f t/yr)\n", pct(t.HandlingRate), t.HandledT)
	fmt.Fprintf(w, "  peak month %d: standing stock %.0f t, handled %.0f t, capacity gap %.0f t\n", t.PeakMonth, t.PeakStockT, t.PeakHandledStockT, t.PeakCapacityGapT)
	fmt.Fprintf(w, "  median access %.0f min; %d producers without a compatible facility within reach\n\n", t.MedianAccessMinutes, t.NoAccessProducers)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tzone\tthreshold min\tproducers\toutput t\tcovered\thandled\tpeak gap t\tmedian min\t")
	for _, c := range rep.Classes {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%d\t%.0f\t%s\t%s\t%.0f\t%.0f\t\n", c.Class, c.Zone, c.ThresholdMinutes, c.Producers, c.OutputT, pct(c.CoverageRate), pct(c.HandlingRate), c.PeakCapacityGapT, c.MedianAccessMinutes)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "region\tname\tproducers\toutput t\tcovered\thandled\tuncovered t\tmedian min\t")
	regions := append([]coverage.RegionSummary(nil), rep.Regions...)
	sort.SliceStable(regions, func(i, j int) bool { return regions[i].HandlingRate < regions[j].HandlingRate })
	for _, r := range regions {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%s\t%s\t%.0f\t%.0f\t\n", r.Region, r.Name, r.Producers, r.OutputT, pct(r.CoverageRate), pct(r.HandlingRate), r.OutputT-r.CoveredT, r.MedianAccessMinutes)
	}
	tw.Flush()
}

func newPlanCmd(cfg *config) *cobra.Command {
	var req plan.Request
	var out, lang string
	var travel travelFlags
	var run plan.RunOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Suggest sites for new facilities (runs the location engine)",
		Long: `Suggest where new facilities should go: maximise covered tonnes with p sites
(mclp), fewest sites to cover a share (lscp), least tonne-weighted travel
(pmedian), least worst access (pcenter), or least build + transport +
spoilage cost with capacities (cflp). Existing compatible facilities are
fixed; candidates are the candidates layer and/or generated from towns,
central villages and a hexagon grid, minus exclusion zones that apply to
the tier. The plan is stored; its result states the proven gap.

A region above county level (a province or prefecture code, or --regions)
is planned as the server plans it: one part per county, p and the budget
shared out by output, each part solved with its own proven gap, then the
parts combined and measured once on the whole region (no combined bound).
The parts are printed with the combined result. --no-split solves the
region as one instance instead.`,
		Example: `  coldchain plan --problem mclp --type precooling --tier field --classes leafy_vegetable --p 3
  coldchain plan --problem lscp --type cold_room --tier township --classes citrus --coverage-target 0.9 -o plan.geojson
  coldchain plan --problem mclp --classes leafy_vegetable --p 12 --region 39 --time-limit 10 --parallel 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if run.Parallel < 1 || run.Parallel > maxParallel {
				return usageErr("--parallel: give 1 to %d county parts at once, got %d", maxParallel, run.Parallel)
			}
			pool, model, err := cfg.openTravel(cmd.Context(), &travel)
			if err != nil {
				return err
			}
			defer pool.Close()
			// The CLI runs its own plan only: it leaves other processes'
			// plans (and orphans) to the servers.
			svc, err := plan.Open(cmd.Context(), pool, model, cfg.log, plan.Options{})
			if err != nil {
				return err
			}
			defer svc.Close()
			p, err := svc.RunWith(cmd.Context(), req, run)
			if err != nil {
				return planErr(err)
			}
			if p.Status != "done" {
				return &exitError{code: 1, err: fmt.Errorf("plan %s failed: %s", p.ID, p.Error)}
			}
			plan.Localize(p, lang)
			writePlanSummary(cmd.OutOrStdout(), p)
			if out == "" {
				return nil
			}
			if err := writeFile(out, func(w io.Writer) error {
				if strings.HasSuffix(out, ".csv") {
					return plan.WriteCSV(w, p)
				}
				return plan.WriteGeoJSON(w, p)
			}); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "wrote", out)
			return nil
		},
	}
	bindPlanFlags(cmd, &req)
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "write the project list to FILE (.geojson or .csv)")
	f.StringVar(&lang, "lang", "en", "language of notes, labels and reasons: en or zh")
	f.BoolVar(&run.Whole, "no-split", false, "solve a province or prefecture as one instance, not by county parts")
	f.IntVar(&run.Parallel, "parallel", 1, "county parts of a province plan solved at once")
	travel.bind(cmd)
	cmd.AddCommand(newPlanAdoptCmd(cfg), newPlanExportCmd(cfg))
	return cmd
}

// maxParallel bounds coldchain plan --parallel.
const maxParallel = 64

// bindPlanFlags binds the plan request's flags (planFlags maps its fields
// to them).
func bindPlanFlags(cmd *cobra.Command, req *plan.Request) {
	f := cmd.Flags()
	f.StringVar(&req.Problem, "problem", "mclp", problemNames())
	f.StringVar(&req.FacilityType, "type", "precooling", "facility type to add")
	f.StringVar(&req.Tier, "tier", "field", "tier of the new facilities")
	f.StringSliceVar(&req.ProductClasses, "classes", nil, "product classes the new facilities serve")
	f.StringSliceVar(&req.Zones, "zones", nil, "temperature zones of the new facilities (default: the classes')")
	f.IntVar(&req.P, "p", 0, "number of new sites")
	f.Float64Var(&req.Budget, "budget", 0, "cap on build cost (10,000 CNY); capacity: the most tonnes handled within it")
	f.Float64Var(&req.HandlingTarget, "handling-target", 0, "capacity: least build cost to handle this share of the output (e.g. 0.6)")
	f.Var(menuFlag{&req.CapacityMenu}, "capacity-menu", "modular sizes of new sites, T:COST,... (tonnes in the first zone : 10,000 CNY)")
	f.Var(menuFlag{&req.ExpansionMenu}, "expansion-menu", "capacity: expansions of existing facilities of the type, T:COST,...")
	f.BoolVar(&req.NoExpansions, "no-expansions", false, "capacity: do not consider expanding existing facilities")
	f.Var(priorityFlag{&req.Priority}, "priority", "weights of priority areas, e.g. poverty_exit=2,key_county=1.5")
	f.Float64Var(&req.CoverageTarget, "coverage-target", 0, "lscp: share of output to cover (default 1)")
	f.Float64Var(&req.ThresholdMinutes, "threshold", 0, "coverage threshold in minutes (default: each class's)")
	f.StringVar(&req.Region, "region", "", "administrative code of the region (default: everything); above county level a plan is split by county")
	f.StringSliceVar(&req.Regions, "regions", nil, "administrative codes of several regions (at most 200), planned by county parts")
	f.StringVar(&req.Scenario, "scenario", "", "run on this scenario's draft edits of candidates and facilities (its id)")
	f.StringVar(&req.Candidates, "candidates", "both", "user, generated or both")
	f.Float64Var(&req.CandidateHexKm, "candidate-hex-km", 3, "edge of the generated candidate grid's hexagons (km)")
	f.Int64Var(&req.Seed, "seed", 1, "random seed (same seed, same plan)")
	f.Float64Var(&req.TimeLimitS, "time-limit", 30, "engine time limit in seconds")
	f.StringVar(&req.Name, "name", "", "name of the plan")
}

// planFlags maps a plan request's field names to the plan command's flags,
// so that a message about a field names the flag to fix.
var planFlags = map[string]string{
	"handling_target": "--handling-target", "capacity_menu": "--capacity-menu", "expansion_menu": "--expansion-menu",
	"priority.poverty_exit": "--priority", "priority.key_county": "--priority",
	"product_classes": "--classes", "facility_type": "--type", "tier": "--tier", "problem": "--problem",
	"zones": "--zones", "p": "--p", "budget": "--budget", "coverage_target": "--coverage-target",
	"threshold_minutes": "--threshold", "region": "--region", "regions": "--regions", "candidates": "--candidates",
	"candidate_hex_km": "--candidate-hex-km", "time_limit_s": "--time-limit", "name": "--name",
}

// flagMessage renames the field a validation message starts with.
func flagMessage(msg string) string {
	field, rest, ok := strings.Cut(msg, ":")
	if flag, known := planFlags[field]; ok && known {
		return flag + ":" + rest
	}
	return msg
}

func planErr(err error) error {
	var inf *plan.InfeasibleError
	if errorsAs(err, &inf) {
		return &exitError{code: 1, err: fmt.Errorf("plan %s cannot be met: %v", inf.PlanID, inf.Reason)}
	}
	if errors.Is(err, derrors.ErrInvalid) {
		return usageErr("%s", flagMessage(derrors.Message(err, err.Error())))
	}
	return err
}

func writePlanSummary(w io.Writer, p *plan.Plan) {
	var r plan.Result
	_ = json.Unmarshal(p.Result, &r)
	fmt.Fprintf(w, "Plan %s (%s)\n", p.ID, r.Problem)
	if r.NoBound {
		fmt.Fprintf(w, "  objective %.2f %s (sum of %d county parts); no combined bound (see the notes); %.1f s\n", r.Objective, r.ObjectiveLabel, len(r.Parts), r.Seconds)
	} else {
		fmt.Fprintf(w, "  objective %.2f %s; proven bound %.2f; gap %.3f %%; %.1f s\n", r.Objective, r.ObjectiveLabel, r.Bound, r.Gap, r.Seconds)
	}
	c := r.Change
	fmt.Fprintf(w, "  coverage %s -> %s; handling %s -> %s; %d producers (%.0f t) newly covered\n",
		pct(c.CoverageRateBefore), pct(c.CoverageRateAfter), pct(c.HandlingRateBefore), pct(c.HandlingRateAfter), c.NewlyCoveredProducers, c.NewlyCoveredT)
	fmt.Fprintf(w, "  access improved for %d producers (%d by more than 15 min, mean %.1f min); build cost %.0f, subsidy estimate %.0f (10,000 CNY)\n",
		c.ImprovedProducers, c.ImprovedOver15Min, c.MeanImprovementMinutes, c.BuildCost, c.SubsidyEstimate)
	for _, b := range r.ByClass {
		fmt.Fprintf(w, "  %s: handling %s -> %s (%.0f -> %.0f of %.0f t)\n", b.Class, pct(b.HandlingRateBefore), pct(b.HandlingRateAfter), b.HandledTBefore, b.HandledTAfter, b.OutputT)
	}
	if g := r.Priority; g.GainT > 0 {
		fmt.Fprintf(w, "  gain %.0f t %s, %s of it in poverty-exit areas (%s of the output)\n", g.GainT, g.Measure, pct(g.PovertyExitShare), pct(g.PovertyExitOutput))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintln(w)
	writePartsTable(w, r.Parts)
	writeSitesTable(w, r.Sites)
}

// writePartsTable lists a province plan's county parts, each with its own
// proven bound and gap.
func writePartsTable(w io.Writer, parts []plan.Part) {
	if len(parts) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "part\tcounty\tname\tstatus\tp\tbudget\toutput t\tobjective\tproven bound\tgap\tsites\tseconds")
	for _, p := range parts {
		bound, gap := fmt.Sprintf("%.2f", p.Bound), fmt.Sprintf("%.3f %%", p.Gap)
		if p.Status != "done" {
			bound, gap = "-", "-"
		}
		status := p.Status
		if p.Error != "" {
			status += ": " + p.Error
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%.0f\t%.0f\t%.2f\t%s\t%s\t%d\t%.1f\n", p.N, p.Region, p.Name, status,
			p.P, p.Budget, p.OutputT, p.Objective, bound, gap, p.Sites, p.Seconds)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// writeSitesTable lists a plan's sites with the reason for each.
func writeSitesTable(w io.Writer, sites json.RawMessage) {
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Rank        int              `json:"rank"`
				Name        string           `json:"name"`
				CandidateID string           `json:"candidate_id"`
				BuildCost   float64          `json:"build_cost"`
				Explanation plan.Explanation `json:"explanation"`
			} `json:"properties"`
		} `json:"features"`
	}
	_ = json.Unmarshal(sites, &fc)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tsite\tname\tlon, lat\tserves t\tproducers\tmarginal\tnearest existing\trunner-up")
	for _, f := range fc.Features {
		p := f.Properties
		e := p.Explanation
		near, runner := "-", "-"
		if e.NearestExisting != nil {
			near = fmt.Sprintf("%s (%.0f min)", e.NearestExisting.ID, e.NearestExisting.Minutes)
		}
		if e.RunnerUp != nil {
			runner = fmt.Sprintf("%s (%.0f worse)", e.RunnerUp.ID, e.RunnerUp.Loss)
			if e.RunnerUp.Loss < 0 {
				runner = fmt.Sprintf("%s (%.0f better)", e.RunnerUp.ID, -e.RunnerUp.Loss)
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.4f, %.4f\t%.0f\t%d\t%.0f %s\t%s\t%s\n", p.Rank, p.CandidateID, p.Name,
			f.Geometry.Coordinates[0], f.Geometry.Coordinates[1], e.ServesT, e.ServesProducers, e.MarginalGain, e.MarginalLabel, near, runner)
	}
	tw.Flush()
}
