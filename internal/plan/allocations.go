package plan

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// Unserved is a producer of a plan's classes that the plan leaves (partly)
// unserved: not handled in full (capacity plans) or not covered.
type Unserved struct {
	Producer  string  `json:"producer"`
	OutputT   float64 `json:"output_t"`
	UnservedT float64 `json:"unserved_t"`
}

// unservedProducers lists the producers of the plan's classes the plan
// leaves unserved, by the problem's measure (handled or covered).
func (in *instance) unservedProducers(after *coverage.Report) []Unserved {
	var out []Unserved
	for _, a := range after.Producers {
		if !in.planClass(a.Class) {
			continue
		}
		left := a.OutputT
		if in.spec.Gain == "handled" {
			left = a.OutputT - a.HandledT
		} else if a.Covered {
			left = 0
		}
		if left > 1e-6 {
			out = append(out, Unserved{Producer: a.ID, OutputT: a.OutputT, UnservedT: round2(left)})
		}
	}
	return out
}

// AllocationColumns are the allocation layer's attributes, in order.
var AllocationColumns = []string{"kind", "producer", "product_class", "output_t", "site", "site_name", "minutes", "t", "unserved_t"}

// Allocations is a finished plan's allocation layer: a line from each
// producer to each new site it gains from (kind "allocation", id a-N, with
// minutes and tonnes), each served producer as a point with its sites
// (kind "demand", id d-PRODUCER), and the producers of the plan's classes
// left unserved (kind "unserved", id u-PRODUCER). It returns ErrNotFound for an unknown plan, ErrConflict
// for one not done.
func (s *Service) Allocations(ctx context.Context, id string) (*geojson.FeatureCollection, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != "done" {
		return nil, derrors.Conflict("plan %s is %s: only finished plans have allocations", p.ID, p.Status)
	}
	var r Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return nil, err
	}
	sites, err := sitePoints(r.Sites)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(r.Assigned)+len(r.Unserved))
	for _, a := range r.Assigned {
		ids = append(ids, a.Producer)
	}
	for _, u := range r.Unserved {
		ids = append(ids, u.Producer)
	}
	prods, err := s.producerPoints(ctx, ids)
	if err != nil {
		return nil, err
	}
	fc := allocationFeatures(&r, sites, prods)
	fc.ExtraMembers = geojson.Properties{"name": "plan " + p.ID + " allocations"}
	return fc, nil
}

// sitePoint is a plan site's place and name.
type sitePoint struct {
	at   orb.Point
	name string
}

// sitePoints maps a plan's site ids (candidate or expanded facility) to
// their places.
func sitePoints(raw json.RawMessage) (map[string]sitePoint, error) {
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, err
	}
	out := map[string]sitePoint{}
	for _, f := range fc.Features {
		id, _ := f.Properties["candidate_id"].(string)
		name, _ := f.Properties["name"].(string)
		out[id] = sitePoint{at: f.Geometry.Bound().Center(), name: name}
	}
	return out, nil
}

// producerPoint is a producer's place, class and output.
type producerPoint struct {
	at     orb.Point
	class  string
	output float64
}

// producerPoints reads the producers ids from the producers layer.
func (s *Service) producerPoints(ctx context.Context, ids []string) (map[string]producerPoint, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, ST_X(geom), ST_Y(geom), product_class, annual_output_t
		FROM producer WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, postgres.Translate(err, "producers")
	}
	out := map[string]producerPoint{}
	var id string
	var pp producerPoint
	_, err = pgx.ForEachRow(rows, []any{&id, &pp.at[0], &pp.at[1], &pp.class, &pp.output}, func() error {
		out[id] = pp
		return nil
	})
	return out, postgres.Translate(err, "producers")
}

// allocationFeatures builds the layer's features; producers deleted since
// the plan ran are left out.
func allocationFeatures(r *Result, sites map[string]sitePoint, prods map[string]producerPoint) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	type served struct {
		sites []string
		t     float64
	}
	demand := map[string]*served{}
	var order []string
	for _, a := range r.Assigned {
		pp, okP := prods[a.Producer]
		sp, okS := sites[a.Site]
		if !okP || !okS {
			continue
		}
		var minutes any = a.Minutes
		if a.Minutes < 0 {
			minutes = nil
		}
		f := geojson.NewFeature(orb.LineString{pp.at, sp.at})
		f.ID = fmt.Sprintf("a-%d", len(fc.Features)+1)
		f.Properties = geojson.Properties{"kind": "allocation", "producer": a.Producer, "product_class": pp.class, "output_t": pp.output,
			"site": a.Site, "site_name": sp.name, "minutes": minutes, "t": a.T, "unserved_t": nil}
		fc.Append(f)
		if demand[a.Producer] == nil {
			demand[a.Producer] = &served{}
			order = append(order, a.Producer)
		}
		d := demand[a.Producer]
		d.sites, d.t = append(d.sites, a.Site), d.t+a.T
	}
	for _, id := range order {
		pp, d := prods[id], demand[id]
		f := geojson.NewFeature(pp.at)
		f.ID = "d-" + id
		f.Properties = geojson.Properties{"kind": "demand", "producer": id, "product_class": pp.class, "output_t": pp.output,
			"site": strings.Join(d.sites, ";"), "site_name": nil, "minutes": nil, "t": round2(d.t), "unserved_t": nil}
		fc.Append(f)
	}
	for _, u := range r.Unserved {
		pp, ok := prods[u.Producer]
		if !ok {
			continue
		}
		f := geojson.NewFeature(pp.at)
		f.ID = "u-" + u.Producer
		f.Properties = geojson.Properties{"kind": "unserved", "producer": u.Producer, "product_class": pp.class, "output_t": pp.output,
			"site": nil, "site_name": nil, "minutes": nil, "t": nil, "unserved_t": u.UnservedT}
		fc.Append(f)
	}
	return fc
}

// allocationRows flattens the layer to rows: AllocationColumns, then the
// producer's lon/lat and (allocations) the site's.
func allocationRows(fc *geojson.FeatureCollection) ([]string, [][]any) {
	header := append(append([]string{}, AllocationColumns...), "lon", "lat", "site_lon", "site_lat")
	rows := make([][]any, 0, len(fc.Features))
	for _, f := range fc.Features {
		row := make([]any, 0, len(header))
		for _, c := range AllocationColumns {
			row = append(row, cellOf(f.Properties[c]))
		}
		switch g := f.Geometry.(type) {
		case orb.Point:
			row = append(row, g[0], g[1], nil, nil)
		case orb.LineString:
			row = append(row, g[0][0], g[0][1], g[1][0], g[1][1])
		}
		rows = append(rows, row)
	}
	return header, rows
}

// WriteAllocationsCSV writes the allocation layer as CSV (with a UTF-8
// byte-order mark when bom).
func WriteAllocationsCSV(w io.Writer, fc *geojson.FeatureCollection, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, xlsx.BOM); err != nil {
			return err
		}
	}
	header, rows := allocationRows(fc)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = runs.CSVCell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteAllocationsXLSX writes the allocation layer as a one-sheet workbook.
func WriteAllocationsXLSX(w io.Writer, fc *geojson.FeatureCollection) error {
	header, rows := allocationRows(fc)
	return xlsx.Write(w, []xlsx.Sheet{{Name: "allocations", Header: header, Rows: rows}})
}

// AllocationTotals sums the layer by kind: tonnes allocated and unserved
// and the number of features of each kind (for summaries and tests).
func AllocationTotals(fc *geojson.FeatureCollection) (count map[string]int, allocatedT, unservedT float64) {
	count = map[string]int{}
	for _, f := range fc.Features {
		k, _ := f.Properties["kind"].(string)
		count[k]++
		switch k {
		case "allocation":
			t, _ := f.Properties["t"].(float64)
			allocatedT += t
		case "unserved":
			t, _ := f.Properties["unserved_t"].(float64)
			unservedT += t
		}
	}
	return count, math.Round(allocatedT*100) / 100, math.Round(unservedT*100) / 100
}
