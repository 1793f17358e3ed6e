package parks

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/runs"
)

// ReadResult decodes a finished park-siting plan's result; a plan that is
// not done is ErrConflict.
func ReadResult(p *runs.Plan) (*Result, error) {
	if p.Status != "done" {
		return nil, derrors.Conflict("plan %s is %s: only finished plans export", p.ID, p.Status)
	}
	var r Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return nil, fmt.Errorf("plan %s: %w", p.ID, err)
	}
	return &r, nil
}

// siteColumns are the flat columns of the site list, before the
// per-criterion ones.
var siteColumns = []string{"rank", "cell", "score", "class", "township", "township_name", "site_kind", "candidate", "free_km2",
	"catchment_t", "producers", "catchment_by_class", "rule_leading", "rule_share", "rule_passes", "stay_share", "summary"}

// columns returns the site list's columns: siteColumns, then for each
// criterion its value, normalised score, weight and contribution.
func columns() []string {
	out := append([]string{}, siteColumns...)
	for _, c := range Criteria {
		out = append(out, "value_"+c.ID, "score_"+c.ID, "weight_"+c.ID, "contribution_"+c.ID)
	}
	return out
}

// flat returns a site's attributes as flat columns.
func flat(s Site) map[string]any {
	classes := make([]string, 0, len(s.CatchmentT))
	for c := range s.CatchmentT {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool {
		if s.CatchmentT[classes[i]] != s.CatchmentT[classes[j]] {
			return s.CatchmentT[classes[i]] > s.CatchmentT[classes[j]]
		}
		return classes[i] < classes[j]
	})
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = c + ":" + strconv.FormatFloat(s.CatchmentT[c], 'f', -1, 64)
	}
	m := map[string]any{
		"rank": s.Rank, "cell": s.Cell, "score": s.Score, "class": s.Class, "township": s.Township, "township_name": s.TownshipName,
		"site_kind": s.SiteKind, "candidate": s.Candidate, "free_km2": s.FreeKm2, "catchment_t": s.CatchmentTotalT,
		"producers": s.Producers, "catchment_by_class": strings.Join(parts, ";"), "rule_leading": strings.Join(s.Rule.Leading, ";"),
		"rule_share": s.Rule.Share, "rule_passes": s.Rule.Passes, "stay_share": s.StayShare, "summary": s.Summary,
	}
	for _, c := range Criteria {
		m["value_"+c.ID], m["score_"+c.ID], m["weight_"+c.ID], m["contribution_"+c.ID] = nil, nil, 0.0, 0.0
	}
	for _, p := range s.Breakdown {
		m["value_"+p.Criterion], m["score_"+p.Criterion], m["weight_"+p.Criterion], m["contribution_"+p.Criterion] = p.Value, p.Score, p.Weight, p.Contribution
	}
	return m
}

// WriteGeoJSON writes a finished plan's sites as GeoJSON points with their
// score breakdown as flat properties (QGIS- and GDAL-friendly).
func WriteGeoJSON(w io.Writer, p *runs.Plan) error {
	r, err := ReadResult(p)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, f := range r.Sites.Features {
		nf := geojson.NewFeature(f.Geometry.Coordinates)
		nf.ID = f.ID
		nf.Properties = flat(f.Properties)
		fc.Append(nf)
	}
	fc.ExtraMembers = geojson.Properties{"name": "park sites " + p.ID}
	return json.NewEncoder(w).Encode(fc)
}

// WriteCSV writes a finished plan's sites as CSV, with lon and lat.
func WriteCSV(w io.Writer, p *runs.Plan) error {
	r, err := ReadResult(p)
	if err != nil {
		return err
	}
	cols := columns()
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, cols...), "lon", "lat")); err != nil {
		return err
	}
	for _, f := range r.Sites.Features {
		m := flat(f.Properties)
		rec := make([]string, 0, len(cols)+2)
		for _, c := range cols {
			rec = append(rec, runs.CSVCell(m[c]))
		}
		pt := f.Geometry.Coordinates.Bound().Center()
		rec = append(rec, strconv.FormatFloat(pt[0], 'f', 6, 64), strconv.FormatFloat(pt[1], 'f', 6, 64))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTownshipsCSV writes a finished plan's area by suitability class and
// township as CSV (km²), with a total row.
func WriteTownshipsCSV(w io.Writer, p *runs.Plan) error {
	r, err := ReadResult(p)
	if err != nil {
		return err
	}
	names := classNames()
	cw := csv.NewWriter(w)
	header := []string{"township", "name", "area_km2"}
	for _, n := range names {
		header = append(header, n+"_km2")
	}
	header = append(header, "suitable_share", "best_score", "best_cell", "sites")
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, t := range r.Townships {
		rec := []string{t.Code, t.Name, runs.CSVCell(t.AreaKm2)}
		for _, n := range names {
			rec = append(rec, runs.CSVCell(t.ByClass[n]))
		}
		sites := make([]string, len(t.Sites))
		for i, s := range t.Sites {
			sites[i] = strconv.Itoa(s)
		}
		rec = append(rec, runs.CSVCell(t.SuitableShare), runs.CSVCell(t.BestScore), t.BestCell, strings.Join(sites, ";"))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	total := []string{"", "total", runs.CSVCell(r.Grid.LandKm2)}
	suitable := 0.0
	for _, n := range names {
		for _, a := range r.Areas {
			if a.Class == n {
				total = append(total, runs.CSVCell(a.AreaKm2))
				if n == "high" || n == "good" {
					suitable += a.AreaKm2
				}
			}
		}
	}
	share := 0.0
	if r.Grid.LandKm2 > 0 {
		share = round(suitable/r.Grid.LandKm2, 4)
	}
	total = append(total, runs.CSVCell(share), "", "", "")
	if err := cw.Write(total); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
