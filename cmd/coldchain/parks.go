package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/parks"
	"github.com/coldchain/coldchain/internal/runs"
)

// parksOpts are the flags of `coldchain parks`.
type parksOpts struct {
	req                       parks.Request
	weights                   map[string]string
	ahpFile, out, suitability string
	travel                    travelFlags
}

func newParksCmd(cfg *config) *cobra.Command {
	o := &parksOpts{}
	req := &o.req
	cmd := &cobra.Command{
		Use:   "parks",
		Short: "Suggest sites for industrial parks (suitability analysis)",
		Long: `Suggest sites for an agricultural industrial park by suitability analysis on a
hexagon grid over the region. Each cell is scored on the output of the leading
product classes reachable within the catchment time (road travel times when a
road model is in use), the distance to main roads (when a road network is
loaded), to towns (labour), to existing parks and collection centres (a
negative weight spreads away from them, a positive one co-locates) and the
availability of construction land; exclusion zones that apply to the tier are
hard filters. Criteria are min-max normalised and combined by direct weights
(--weights) or AHP pairwise comparisons (--ahp; a consistency ratio of 0.1 or
more is refused). The top K cells at least --separation-km apart are the
sites; each weight is then moved ±20 % to show how stable they are.

The run is stored as a plan (kind parks). The sites table goes to standard
output; -o writes the sites with their score breakdown as GeoJSON (or CSV
for a .csv name), --suitability the graded hexagons as GeoJSON.

Criteria: supply, roads, labour, existing_parks, land. Default weights by
park type (docs/parks.md):
  processing_park     supply 0.35, roads 0.25, labour 0.15, existing_parks -0.10, land 0.15
  science_park        supply 0.20, roads 0.15, labour 0.35, existing_parks +0.10, land 0.20
  demonstration_park  supply 0.40, roads 0.15, labour 0.10, existing_parks -0.15, land 0.20`,
		Example: `  coldchain parks --type processing_park --top 3
  coldchain parks --type science_park --top 2 --hex-km 0.8 -o science.geojson
  coldchain parks --type processing_park --weights supply=0.5,roads=0.3,existing_parks=-0.2
  coldchain parks --type demonstration_park --ahp ahp.json --suitability grid.geojson
    (ahp.json: {"criteria": ["supply", "roads", "labour"], "matrix": [[1, 3, 5], [0.3333, 1, 3], [0.2, 0.3333, 1]]})`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, cfg) },
	}
	f := cmd.Flags()
	f.StringVar(&req.FacilityType, "type", "processing_park", "park type: processing_park, science_park or demonstration_park")
	f.IntVar(&req.Top, "top", 3, "number of sites K")
	f.StringVar(&req.Region, "region", "", "administrative code of the region to grid (default: everything)")
	f.StringSliceVar(&req.ProductClasses, "classes", nil, "leading product classes counted as supply (default: the region's two largest)")
	f.StringVar(&req.Tier, "tier", "county", "tier of the park: selects the exclusion zones that apply")
	f.Float64Var(&req.HexKm, "hex-km", 1, "hexagon edge in km")
	f.Float64Var(&req.CatchmentMinutes, "catchment", 20, "catchment travel time T in minutes")
	f.Float64Var(&req.SeparationKm, "separation-km", 5, "least distance between two sites in km")
	f.Float64Var(&req.MinAreaKm2, "min-area", 0.5, "land a park needs in a cell outside exclusion zones, km²")
	f.StringVar(&req.Land, "land", "prefer", "construction land: prefer (a criterion) or require (a filter)")
	f.StringSliceVar(&req.MainRoads, "main-roads", nil, "OSM highway classes counted as main roads (default motorway, trunk, primary, secondary and their links)")
	f.StringToStringVar(&o.weights, "weights", nil, "signed weights by criterion, e.g. supply=0.4,roads=0.3,existing_parks=-0.1 (default: the park type's)")
	f.StringVar(&o.ahpFile, "ahp", "", "JSON file with an AHP pairwise comparison matrix instead of --weights")
	f.Float64Var(&req.SensitivityPct, "sensitivity", 20, "move each weight by this many percent in the sensitivity analysis")
	f.StringVar(&req.Name, "name", "", "name of the plan")
	f.StringVarP(&o.out, "output", "o", "", "write the sites with their score breakdown to FILE (.geojson, or .csv)")
	f.StringVar(&o.suitability, "suitability", "", "write the graded hexagons to FILE (GeoJSON)")
	o.travel.bind(cmd)
	return cmd
}

// run reads the weights or AHP file, runs the park siting and writes the
// report and the requested files.
func (o *parksOpts) run(cmd *cobra.Command, cfg *config) error {
	if err := o.readWeights(); err != nil {
		return err
	}
	pool, model, err := cfg.openTravel(cmd.Context(), &o.travel)
	if err != nil {
		return err
	}
	defer pool.Close()
	svc := &parks.Service{Pool: pool, Travel: model, Log: cfg.log}
	p, err := svc.Run(cmd.Context(), o.req)
	if err != nil {
		return parksErr(err)
	}
	r, err := parks.ReadResult(p)
	if err != nil {
		return err
	}
	writeParks(cmd.OutOrStdout(), p, r)
	if o.out != "" {
		if err := writeFile(o.out, func(w io.Writer) error {
			if strings.HasSuffix(strings.ToLower(o.out), ".csv") {
				return parks.WriteCSV(w, p)
			}
			return parks.WriteGeoJSON(w, p)
		}); err != nil {
			return err
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "wrote", o.out)
	}
	if o.suitability != "" {
		if err := writeFile(o.suitability, func(w io.Writer) error {
			return svc.WriteSuitability(cmd.Context(), w, p.ID, nil)
		}); err != nil {
			return err
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "wrote", o.suitability)
	}
	return nil
}

// readWeights puts --weights or the --ahp file into the request.
func (o *parksOpts) readWeights() error {
	if len(o.weights) > 0 {
		o.req.Weights = map[string]float64{}
		for k, v := range o.weights {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return usageErr("--weights %s=%s: not a number", k, v)
			}
			o.req.Weights[strings.TrimSpace(k)] = x
		}
	}
	if o.ahpFile != "" {
		b, err := os.ReadFile(o.ahpFile)
		if err != nil {
			return usageErr("--ahp: %v", err)
		}
		var a parks.AHPInput
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return usageErr("--ahp %s: want {\"criteria\": [...], \"matrix\": [[...]]}: %v", o.ahpFile, err)
		}
		o.req.AHP = &a
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func parksErr(err error) error {
	var inf *runs.InfeasibleError
	if errors.As(err, &inf) {
		return &exitError{code: 1, err: fmt.Errorf("park siting %s cannot be done: %v", inf.PlanID, inf.Reason)}
	}
	if errors.Is(err, derrors.ErrInvalid) {
		return &exitError{code: 2, err: err}
	}
	return err
}

func writeParks(w io.Writer, p *runs.Plan, r *parks.Result) {
	fmt.Fprintf(w, "Park siting %s: top %d %s sites\n", p.ID, len(r.Sites.Features), strings.ReplaceAll(r.FacilityType, "_", " "))
	fmt.Fprintf(w, "  supply: %s within %.0f min (%s)\n", strings.Join(r.ProductClasses, ", "), r.CatchmentMinutes, r.Travel)
	g := r.Grid
	fmt.Fprintf(w, "  grid: %d hexagons of %.2f km edge (EPSG:%d), %d usable, %d excluded; %.1f km² of land, %.1f km² outside exclusion zones\n",
		g.Cells, g.HexKm, g.SRID, g.Feasible, g.Excluded, g.LandKm2, g.FreeKm2)
	var ws []string
	for _, c := range r.Criteria {
		if c.Weight != 0 {
			ws = append(ws, fmt.Sprintf("%s %+.3f", c.ID, c.Weight))
		}
	}
	fmt.Fprintf(w, "  weights: %s", strings.Join(ws, ", "))
	if r.AHP != nil {
		fmt.Fprintf(w, " (AHP: λmax %.3f, CI %.3f, CR %.3f)", r.AHP.LambdaMax, r.AHP.CI, r.AHP.CR)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "rank\tcell\ttownship\tlon, lat\tscore\tclass"
	for _, c := range r.Criteria {
		if c.Weight != 0 {
			head += "\t" + c.ID
		}
	}
	fmt.Fprintln(tw, head+"\tcatchment t\tleading share\trule\tstays")
	for _, f := range r.Sites.Features {
		s := f.Properties
		pt := f.Geometry.Coordinates.Bound().Center()
		line := fmt.Sprintf("%d\t%s\t%s\t%.4f, %.4f\t%.3f\t%s", s.Rank, s.Cell, s.TownshipName, pt[0], pt[1], s.Score, s.Class)
		for _, part := range s.Breakdown {
			line += fmt.Sprintf("\t%.3f", part.Contribution)
		}
		rule := "fails"
		if s.Rule.Passes {
			rule = "meets"
		}
		line += fmt.Sprintf("\t%.0f\t%.0f %% (%s)\t%s\t%.0f %%", s.CatchmentTotalT, 100*s.Rule.Share, strings.Join(s.Rule.Leading, "+"), rule, 100*s.StayShare)
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	fmt.Fprintln(w, "  (criterion columns: contribution = normalised score × |weight|)")
	for _, f := range r.Sites.Features {
		fmt.Fprintf(w, "  %s\n", f.Properties.Summary)
	}
	writeParksSensitivity(w, r)
	writeParksAreas(w, r)
}

// writeParksSensitivity writes how stable the sites are to weight changes.
func writeParksSensitivity(w io.Writer, r *parks.Result) {
	sens := r.Sensitivity
	fmt.Fprintf(w, "\nSensitivity (each weight ±%.0f %%, %d runs): %s\n", sens.ChangePct, len(sens.Runs), sens.Verdict)
	fmt.Fprintf(w, "  same top %d: %.0f %% of runs; same order: %.0f %%; same best site: %.0f %%; Kendall τ-b of all cells: mean %.3f, min %.3f\n",
		len(sens.Sites), 100*sens.SameSetShare, 100*sens.SameOrderShare, 100*sens.SameFirstShare, sens.MeanKendallTau, sens.MinKendallTau)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  run\ttop cells\tkept\tKendall τ")
	for _, run := range sens.Runs {
		fmt.Fprintf(tw, "  %s %+.0f %%\t%s\t%.0f %%\t%.3f\n", run.Criterion, run.ChangePct, strings.Join(run.Top, " "), 100*run.Kept, run.KendallTau)
	}
	tw.Flush()
}

// writeParksAreas writes the area by suitability class, the township
// table and the notes.
func writeParksAreas(w io.Writer, r *parks.Result) {
	fmt.Fprintln(w, "\nArea by suitability class")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tkm²\tshare\tcells\t")
	for _, a := range r.Areas {
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f %%\t%d\t\n", a.Class, a.AreaKm2, 100*a.Share, a.Cells)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nTownships (km² by class)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "township\tname\tkm²\thigh\tgood\tmoderate\tlow\texcluded\tsuitable\tbest score\tsites\t")
	for _, t := range r.Townships {
		sites := make([]string, len(t.Sites))
		for i, s := range t.Sites {
			sites[i] = strconv.Itoa(s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f %%\t%.3f\t%s\t\n", t.Code, t.Name, t.AreaKm2,
			t.ByClass["high"], t.ByClass["good"], t.ByClass["moderate"], t.ByClass["low"], t.ByClass[parks.Excluded],
			100*t.SuitableShare, t.BestScore, strings.Join(sites, ","))
	}
	tw.Flush()
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes")
		for _, n := range r.Notes {
			fmt.Fprintln(w, "  -", n)
		}
	}
}
