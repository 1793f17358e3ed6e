package parks

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
)

// SuitabilityClass is a band of scores.
type SuitabilityClass struct {
	Name     string
	MinScore float64
}

// Classes are the suitability classes, best first: equal intervals of the
// 0–1 score. Cells a park cannot use are Excluded.
var Classes = []SuitabilityClass{{"high", 0.7}, {"good", 0.5}, {"moderate", 0.3}, {"low", 0}}

// Excluded is the class of cells a park cannot use: inside exclusion zones
// (too little land left), or without construction land when it is required.
const Excluded = "excluded"

// ClassOf returns the suitability class of a score.
func ClassOf(score float64) string {
	for _, c := range Classes {
		if score >= c.MinScore {
			return c.Name
		}
	}
	return Classes[len(Classes)-1].Name
}

// Result is a finished park-siting run.
type Result struct {
	FacilityType string `json:"facility_type"`
	// ProductClasses are the leading classes counted as supply.
	ProductClasses   []string          `json:"product_classes"`
	CatchmentMinutes float64           `json:"catchment_minutes"`
	Travel           string            `json:"travel"`
	Criteria         []CriterionResult `json:"criteria"`
	AHP              *AHPResult        `json:"ahp,omitempty"`
	// Sites is a GeoJSON FeatureCollection of the top sites, best first.
	Sites       SiteCollection `json:"sites"`
	Sensitivity Sensitivity    `json:"sensitivity"`
	// Areas is the area by suitability class; Townships the same by
	// township.
	Areas     []ClassArea    `json:"areas"`
	Townships []TownshipArea `json:"townships"`
	Grid      GridInfo       `json:"grid"`
	Notes     []string       `json:"notes,omitempty"`
	Seconds   float64        `json:"seconds"`
}

// CriterionResult is a criterion as the run used it.
type CriterionResult struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Unit      string `json:"unit"`
	Direction string `json:"direction"` // benefit|cost|score
	// Weight is the effective signed weight (absolute values sum to 1).
	Weight    float64 `json:"weight"`
	Available bool    `json:"available"`
	// Min and Max are the raw values' range over the feasible cells (the
	// normalisation's end points).
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Note string  `json:"note,omitempty"`
}

// GridInfo describes the grid.
type GridInfo struct {
	HexKm      float64 `json:"hex_km"`
	SRID       int     `json:"srid"`
	Cells      int     `json:"cells"`
	Feasible   int     `json:"feasible"`
	Excluded   int     `json:"excluded"`
	LandKm2    float64 `json:"land_km2"`
	FreeKm2    float64 `json:"free_km2"`
	Producers  int     `json:"producers"`
	OutputT    float64 `json:"output_t"`
	LeadingT   float64 `json:"leading_output_t"`
	MinAreaKm2 float64 `json:"min_area_km2"`
}

// ClassArea is the area of one suitability class.
type ClassArea struct {
	Class   string  `json:"class"`
	AreaKm2 float64 `json:"area_km2"`
	Share   float64 `json:"share"`
	Cells   int     `json:"cells"`
}

// TownshipArea is a township's area by suitability class.
type TownshipArea struct {
	Code    string             `json:"code"`
	Name    string             `json:"name"`
	AreaKm2 float64            `json:"area_km2"`
	ByClass map[string]float64 `json:"area_km2_by_class"`
	// SuitableShare is the share of the township's area in the high and
	// good classes.
	SuitableShare float64 `json:"suitable_share"`
	BestScore     float64 `json:"best_score"`
	BestCell      string  `json:"best_cell,omitempty"`
	Sites         []int   `json:"sites,omitempty"` // ranks of top sites here
}

// SiteCollection is a GeoJSON FeatureCollection of sites.
type SiteCollection struct {
	Type     string        `json:"type"`
	Features []SiteFeature `json:"features"`
}

// SiteFeature is a GeoJSON Feature of one site.
type SiteFeature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties Site              `json:"properties"`
}

// Site is one suggested park site and the reasons for its score.
type Site struct {
	Rank     int     `json:"rank"`
	Cell     string  `json:"cell"`
	Score    float64 `json:"score"`
	Class    string  `json:"class"`
	Township string  `json:"township,omitempty"`
	// TownshipName names the township holding the site.
	TownshipName string `json:"township_name,omitempty"`
	// SiteKind says where in the cell the site is: a construction-land
	// candidate site, the cell's centre, or the free point furthest from
	// the exclusion zones ("inscribed").
	SiteKind  string  `json:"site_kind"`
	Candidate string  `json:"candidate,omitempty"`
	FreeKm2   float64 `json:"free_km2"`
	Breakdown []Part  `json:"breakdown"`
	// CatchmentT is the output (t/yr) by class within the catchment time.
	CatchmentT      map[string]float64 `json:"catchment_t"`
	CatchmentTotalT float64            `json:"catchment_total_t"`
	Producers       int                `json:"producers"`
	Rule            RuleCheck          `json:"rule"`
	// StayShare is the share of sensitivity runs keeping the site in the
	// top K.
	StayShare float64 `json:"stay_share"`
	Summary   string  `json:"summary"`
}

// Part is one criterion's share of a site's score.
type Part struct {
	Criterion string  `json:"criterion"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	// Score is the normalised value in the weight's direction (0–1).
	Score        float64 `json:"score"`
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"`
	Detail       string  `json:"detail,omitempty"`
}

// RuleCheck is the national modern agricultural industrial park rule: one
// or two leading industries make at least half of the output. Output is
// measured in tonnes within the catchment (a proxy for output value).
type RuleCheck struct {
	Leading []string `json:"leading"`
	Share   float64  `json:"share"`
	Passes  bool     `json:"passes"`
	// Largest are the catchment's own largest classes, for comparison.
	Largest []string `json:"largest"`
	Text    string   `json:"text"`
}

// CellOut is one grid cell as stored for maps and tiles.
type CellOut struct {
	ID       string
	Geom     string   // GeoJSON
	Score    *float64 // nil when excluded
	Class    string
	Township string
	Props    map[string]any
}

// ruleShare is the least share of the leading industries.
const ruleShare = 0.5

// analysis is a run in progress.
type analysis struct {
	req       *Request
	ahp       *AHPResult
	data      *coverage.Data
	grid      *grid
	feasible  []int                // grid cell index of each table row
	row       map[int]int          // grid cell index -> table row
	catchment []map[string]float64 // by table row
	producers []int
	table     *Table
	weights   []float64
	scores    []float64 // by table row
	top       []int     // table rows of the top sites
	notes     []string
}

// Analyse runs the suitability analysis of a normalised request: it
// returns the result and the grid's cells. Problems a planner can fix (no
// producers, no usable cell) are ErrInvalid or ErrNotFound.
func Analyse(ctx context.Context, pool *pgxpool.Pool, model access.Model, req *Request, ahp *AHPResult) (*Result, []CellOut, error) {
	start := time.Now()
	a := &analysis{req: req, ahp: ahp, row: map[int]int{}}
	d, err := coverage.Load(ctx, pool, coverage.Filter{Region: req.Region})
	if err != nil {
		return nil, nil, err
	}
	a.data = d
	if len(d.Producers) == 0 {
		where := "the database"
		if req.Region != "" {
			where = "region " + req.Region
		}
		return nil, nil, derrors.Invalid("%s has no producers: parks are sited where supply is", where)
	}
	a.leadingClasses()
	g, err := buildGrid(ctx, pool, req)
	if err != nil {
		return nil, nil, err
	}
	a.grid = g
	for i, c := range g.Cells {
		if c.HasSite && (req.Land != "require" || c.Candidate != "") {
			a.row[i] = len(a.feasible)
			a.feasible = append(a.feasible, i)
		}
	}
	if len(a.feasible) == 0 {
		reason := fmt.Sprintf("no cell has %.2f km² of land outside the exclusion zones that apply to %s facilities", req.MinAreaKm2, req.Tier)
		if req.Land == "require" {
			reason = "no cell with enough free land holds a construction-land candidate site (land = require)"
		}
		return nil, nil, derrors.Invalid("%s", reason)
	}
	if err := a.catchments(ctx, model); err != nil {
		return nil, nil, err
	}
	if err := a.buildTable(); err != nil {
		return nil, nil, err
	}
	res := a.result(model)
	cells := a.cells(res)
	res.Seconds = round(time.Since(start).Seconds(), 3)
	return res, cells, nil
}

// leadingClasses defaults the leading classes to the region's two largest.
func (a *analysis) leadingClasses() {
	if len(a.req.ProductClasses) > 0 {
		out := map[string]float64{}
		for _, p := range a.data.Producers {
			out[p.Class] += p.Output
		}
		for _, c := range a.req.ProductClasses {
			if out[c] == 0 {
				a.notes = append(a.notes, fmt.Sprintf("leading class %s has no output in the region", c))
			}
		}
		return
	}
	out := map[string]float64{}
	for _, p := range a.data.Producers {
		out[p.Class] += p.Output
	}
	classes := make([]string, 0, len(out))
	for c := range out {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool {
		if out[classes[i]] != out[classes[j]] {
			return out[classes[i]] > out[classes[j]]
		}
		return classes[i] < classes[j]
	})
	if len(classes) > 2 {
		classes = classes[:2]
	}
	a.req.ProductClasses = classes
	a.notes = append(a.notes, fmt.Sprintf("leading classes not given: the region's two largest by output, %s", strings.Join(classes, " and ")))
}

// catchments sums, for every feasible site, the output by class of the
// producers within the catchment time (through the travel model).
func (a *analysis) catchments(ctx context.Context, model access.Model) error {
	sites := make([]access.Point, len(a.feasible))
	for r, i := range a.feasible {
		sites[r] = a.grid.Cells[i].Site
	}
	from := make([]access.Point, len(a.data.Producers))
	reach := make([]float64, len(from))
	for i, p := range a.data.Producers {
		from[i] = p.At
		reach[i] = a.req.CatchmentMinutes
	}
	pairs, err := model.Pairs(ctx, from, sites, reach)
	if err != nil {
		return err
	}
	a.catchment = make([]map[string]float64, len(sites))
	a.producers = make([]int, len(sites))
	for r := range a.catchment {
		a.catchment[r] = map[string]float64{}
	}
	for _, p := range pairs {
		if p.Minutes > a.req.CatchmentMinutes {
			continue
		}
		pr := a.data.Producers[p.From]
		a.catchment[p.To][pr.Class] += pr.Output
		a.producers[p.To]++
	}
	return nil
}

// buildTable fills the suitability table and settles the weights: a
// criterion the data cannot measure is left out and the others rescaled.
func (a *analysis) buildTable() error {
	t := &Table{}
	for _, c := range Criteria {
		t.Directions = append(t.Directions, c.Direction)
	}
	for r, i := range a.feasible {
		c := a.grid.Cells[i]
		supply := 0.0
		for _, cl := range a.req.ProductClasses {
			supply += a.catchment[r][cl]
		}
		land := 0.5 * c.FarmFree
		if c.Candidate != "" {
			land = 1
		}
		t.Values = append(t.Values, []float64{supply, math.Max(0, c.RoadKm), math.Max(0, c.TownKm), math.Max(0, c.ParkKm), land})
		t.X = append(t.X, c.X)
		t.Y = append(t.Y, c.Y)
		t.IDs = append(t.IDs, c.ID)
	}
	t.Normalise()
	a.table = t
	w := a.req.weightVector(a.ahp)
	missing := map[string]string{
		Roads:         a.grid.RoadNote,
		Labour:        "no town or county seat (regions with settlement town|county_seat) is loaded: the labour criterion is left out",
		ExistingParks: "no existing park or collection centre is loaded: the existing-parks criterion is left out",
	}
	avail := a.available()
	for c, def := range Criteria {
		if !avail[c] && w[c] != 0 {
			w[c] = 0
			a.notes = append(a.notes, missing[def.ID])
		}
	}
	a.weights = Normalised(w)
	if slices.Max(absAll(a.weights)) == 0 {
		return derrors.Invalid("every weighted criterion is unavailable in the data (%s)", strings.Join(a.notes, "; "))
	}
	return nil
}

func (a *analysis) available() []bool {
	return []bool{true, a.grid.Roads, a.grid.Towns, a.grid.Parks, true}
}

func absAll(w []float64) []float64 {
	out := make([]float64, len(w))
	for i, x := range w {
		out[i] = math.Abs(x)
	}
	return out
}

// result ranks the cells, picks the top sites and explains them.
func (a *analysis) result(model access.Model) *Result {
	req, t, g := a.req, a.table, a.grid
	res := &Result{FacilityType: req.FacilityType, ProductClasses: req.ProductClasses, CatchmentMinutes: req.CatchmentMinutes,
		Travel: model.Describe(), AHP: a.ahp, Sites: SiteCollection{Type: "FeatureCollection", Features: []SiteFeature{}}}
	avail := a.available()
	names := criterionIDs()
	for c, def := range Criteria {
		lo, hi := t.Range(c)
		cr := CriterionResult{ID: def.ID, Label: def.Label, Unit: def.Unit, Direction: def.Direction.String(),
			Weight: round(a.weights[c], 4), Available: avail[c], Min: round(lo, 3), Max: round(hi, 3)}
		if !avail[c] {
			cr.Min, cr.Max = 0, 0
			cr.Note = "not measurable in the loaded data"
		} else if def.Direction != Ready && hi-lo <= 1e-12*math.Max(1, math.Abs(hi)) {
			cr.Note = "equal in every feasible cell: it does not discriminate"
		}
		res.Criteria = append(res.Criteria, cr)
	}
	scores := t.Scores(a.weights)
	order := t.Order(scores)
	top := t.Top(order, req.Top, req.SeparationKm*1000)
	res.Sensitivity = t.Sensitise(names, a.weights, req.Top, req.SeparationKm*1000, req.SensitivityPct)
	if len(top) < req.Top {
		a.notes = append(a.notes, fmt.Sprintf("only %d sites at least %.1f km apart were found (of %d asked for)", len(top), req.SeparationKm, req.Top))
	}
	for rank, r := range top {
		res.Sites.Features = append(res.Sites.Features, a.site(rank, r, scores[r], res.Sensitivity))
	}
	a.scores = scores
	a.top = top
	res.Grid = GridInfo{HexKm: req.HexKm, SRID: g.SRID, Cells: len(g.Cells), Feasible: len(a.feasible),
		Excluded: len(g.Cells) - len(a.feasible), Producers: len(a.data.Producers), MinAreaKm2: req.MinAreaKm2}
	for _, p := range a.data.Producers {
		res.Grid.OutputT += p.Output
		if slices.Contains(req.ProductClasses, p.Class) {
			res.Grid.LeadingT += p.Output
		}
	}
	res.Grid.OutputT = round(res.Grid.OutputT, 1)
	res.Grid.LeadingT = round(res.Grid.LeadingT, 1)
	a.areas(res)
	res.Notes = a.notes
	return res
}
