// Package access decides how far producers are from sites: it is the one
// seam through which coverage, gaps and plans get travel times. Geodesic
// computes great-circle distances in PostGIS (ST_DWithin on geography) times
// a detour factor at a speed; a road network model answers the same
// interface with travel times on roads.
package access

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/postgres"
)

// Point is a WGS84 position.
type Point struct{ Lon, Lat float64 }

// Pair is a reachable origin-destination pair.
type Pair struct {
	From, To int32   // indices into the origin and destination slices
	Minutes  float64 // travel time
	Km       float64 // travel distance
}

// Model computes travel between points.
type Model interface {
	// Pairs returns every pair (i, j) with travel time from from[i] to to[j]
	// at most maxMinutes[i], ordered by origin then time.
	Pairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([]Pair, error)
	// Describe says how travel is computed, for reports.
	Describe() string
}

// Defaults of the geodesic model (docs/design.md#measures).
const (
	DefaultDetour   = 1.3
	DefaultSpeedKmh = 40
)

// Geodesic is great-circle distance times Detour, travelled at SpeedKmh.
type Geodesic struct {
	Pool     *pgxpool.Pool
	Detour   float64
	SpeedKmh float64
}

// NewGeodesic returns the geodesic model with the given detour factor and
// speed (0 takes the defaults).
func NewGeodesic(pool *pgxpool.Pool, detour, speedKmh float64) *Geodesic {
	if detour <= 0 {
		detour = DefaultDetour
	}
	if speedKmh <= 0 {
		speedKmh = DefaultSpeedKmh
	}
	return &Geodesic{Pool: pool, Detour: detour, SpeedKmh: speedKmh}
}

// Describe implements Model.
func (g *Geodesic) Describe() string {
	return fmt.Sprintf("geodesic distance x %.2f detour at %.0f km/h", g.Detour, g.SpeedKmh)
}

// Minutes converts a geodesic distance in metres to travel minutes.
func (g *Geodesic) Minutes(metres float64) float64 {
	return metres / 1000 * g.Detour / g.SpeedKmh * 60
}

// Pairs implements Model in PostGIS: both point sets go into indexed
// temporary geography tables and ST_DWithin finds the pairs within each
// origin's reach (maxMinutes at SpeedKmh, divided by the detour factor).
func (g *Geodesic) Pairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([]Pair, error) {
	if len(from) != len(maxMinutes) {
		return nil, fmt.Errorf("access: %d origins but %d limits", len(from), len(maxMinutes))
	}
	if len(from) == 0 || len(to) == 0 {
		return nil, nil
	}
	fx, fy := coords(from)
	tx, ty := coords(to)
	reach := make([]float64, len(maxMinutes))
	for i, m := range maxMinutes {
		reach[i] = math.Max(0, m) / 60 * g.SpeedKmh * 1000 / g.Detour
	}
	var out []Pair
	err := pgx.BeginFunc(ctx, g.Pool, func(db pgx.Tx) error {
		if _, err := db.Exec(ctx, `CREATE TEMP TABLE access_from ON COMMIT DROP AS
			SELECT (n - 1)::int AS i, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography AS g, r
			  FROM unnest($1::float8[], $2::float8[], $3::float8[]) WITH ORDINALITY AS t(x, y, r, n)`, fx, fy, reach); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, `CREATE TEMP TABLE access_to ON COMMIT DROP AS
			SELECT (n - 1)::int AS i, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography AS g
			  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(x, y, n)`, tx, ty); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, `CREATE INDEX ON access_to USING gist (g); ANALYZE access_from; ANALYZE access_to`); err != nil {
			return err
		}
		rows, err := db.Query(ctx, `SELECT f.i, t.i, ST_Distance(f.g, t.g)
			  FROM access_from f JOIN access_to t ON ST_DWithin(f.g, t.g, f.r)
			 ORDER BY f.i, 3, t.i`)
		if err != nil {
			return err
		}
		var p Pair
		var metres float64
		_, err = pgx.ForEachRow(rows, []any{&p.From, &p.To, &metres}, func() error {
			out = append(out, Pair{From: p.From, To: p.To, Minutes: g.Minutes(metres), Km: metres / 1000 * g.Detour})
			return nil
		})
		return err
	})
	if err != nil {
		return nil, postgres.Translate(err, "travel times")
	}
	return out, nil
}

func coords(ps []Point) ([]float64, []float64) {
	x := make([]float64, len(ps))
	y := make([]float64, len(ps))
	for i, p := range ps {
		x[i], y[i] = p.Lon, p.Lat
	}
	return x, y
}
