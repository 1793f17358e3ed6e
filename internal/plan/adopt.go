package plan

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Adopted is what adopting a plan added to the facilities layer.
type Adopted struct {
	Plan       string   `json:"plan"`
	Facilities []string `json:"facilities"`
	Expansions []string `json:"expansions"`
}

// Adopt turns a finished plan's sites into facilities with status
// "planned": new sites as new facilities, expansions as planned
// enlargements of their facilities (counted into that facility's capacity
// by coverage with planned facilities). It returns ErrNotFound for an
// unknown plan, ErrConflict for a plan not done, without sites, or adopted
// already.
func (s *Service) Adopt(ctx context.Context, id string) (*Adopted, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != "done" || p.Kind != "facility" {
		return nil, derrors.Conflict("plan %s is %s %s plan: only a finished facility plan can be adopted", id, p.Status, p.Kind)
	}
	var req Request
	var res Result
	if err := json.Unmarshal(p.Params, &req); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(p.Result, &res); err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(res.Sites)
	if err != nil {
		return nil, err
	}
	if len(fc.Features) == 0 {
		return nil, derrors.Conflict("plan %s suggests no sites: nothing to adopt", id)
	}
	out := &Adopted{Plan: id, Facilities: []string{}, Expansions: []string{}}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM facility WHERE plan_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return derrors.Conflict("plan %s is adopted already (%d facilities come from it)", id, n)
		}
		for _, f := range fc.Features {
			if err := adoptSite(ctx, tx, id, &req, f, out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, postgres.Translate(err, "facility")
	}
	return out, nil
}

// adoptSite inserts one plan site as a planned facility.
func adoptSite(ctx context.Context, tx pgx.Tx, planID string, req *Request, f *geojson.Feature, out *Adopted) error {
	pt, ok := f.Geometry.(orb.Point)
	if !ok {
		return fmt.Errorf("plan %s: site %v is not a point", planID, f.ID)
	}
	caps := map[string]float64{}
	if raw, err := json.Marshal(f.Properties["capacity_t"]); err == nil {
		_ = json.Unmarshal(raw, &caps)
	}
	rank := int(f.Properties.MustFloat64("rank", 0))
	newID := fmt.Sprintf("plan-%s-%d", planID[:8], rank)
	expands, _ := f.Properties["expands"].(string)
	name := f.Properties.MustString("name", newID)
	typ, tier, classes := req.FacilityType, req.Tier, req.ProductClasses
	if expands != "" {
		name = name + " (expansion)"
		typ, _ = f.Properties["facility_type"].(string)
		tier, _ = f.Properties["tier"].(string)
		classes = nil
		if err := tx.QueryRow(ctx, `SELECT product_classes FROM facility WHERE id = $1`, expands).Scan(&classes); err != nil {
			return err
		}
		out.Expansions = append(out.Expansions, newID)
	} else {
		out.Facilities = append(out.Facilities, newID)
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO facility (id, name, facility_type, tier, status, capacity_frozen_t, capacity_chilled_t, capacity_ca_t,
		                      capacity_cool_t, capacity_ambient_t, product_classes, build_cost, geom, plan_id, expands)
		VALUES ($1, $2, $3, $4, 'planned', $5, $6, $7, $8, $9, $10, $11, ST_SetSRID(ST_MakePoint($12, $13), 4326), $14, NULLIF($15, ''))`,
		newID, name, typ, tier, caps["frozen"], caps["chilled"], caps["ca"], caps["cool"], caps["ambient"],
		classes, f.Properties.MustFloat64("build_cost", 0), pt[0], pt[1], planID, expands)
	return err
}
