package roads

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres"
)

// StoreOptions tune storing a network.
type StoreOptions struct {
	// Progress, if set, is told how many edges there are and then each
	// edge written.
	Progress interface {
		ChangeMax(int)
		Add(int) error
	}
}

// Store replaces the stored road network with n in one transaction: the
// old network stays if anything fails. Edges get the region that contains
// them (region_code) as of now.
func Store(ctx context.Context, pool *pgxpool.Pool, n *Network, opt StoreOptions) error {
	if len(n.Edges) == 0 {
		return derrors.Invalid("%s has no drivable roads (%d roads read, classes: %v)", n.Source, n.Stats.Ways, n.Stats.NotDrivable)
	}
	if opt.Progress != nil {
		opt.Progress.ChangeMax(len(n.Edges))
	}
	speeds, err := json.Marshal(n.Speeds)
	if err != nil {
		return err
	}
	stats, err := json.Marshal(n.Stats)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE road, road_vertex`); err != nil {
			return err
		}
		if err := stageNetwork(ctx, tx, n, opt); err != nil {
			return err
		}
		if err := insertStaged(ctx, tx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE road_network SET source = $1, imported_at = now(), speeds = $2, stats = $3`, n.Source, speeds, stats)
		return err
	})
	if err != nil {
		return postgres.Translate(err, "roads")
	}
	_, err = pool.Exec(ctx, `ANALYZE road; ANALYZE road_vertex`)
	return postgres.Translate(err, "roads")
}

// stageNetwork copies n's vertices and edges, geometry as EWKB, into the
// temporary tables stage_road_vertex and stage_road, dropped on commit.
func stageNetwork(ctx context.Context, tx pgx.Tx, n *Network, opt StoreOptions) error {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_road_vertex (id bigint, g bytea) ON COMMIT DROP;
		CREATE TEMP TABLE stage_road (id bigint, way text, name text, ref text, highway text, oneway boolean,
		  maxspeed_kmh float8, speed_kmh float8, length_m float8, source bigint, target bigint, g bytea) ON COMMIT DROP`); err != nil {
		return err
	}
	vi := 0
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_road_vertex"}, []string{"id", "g"}, pgx.CopyFromFunc(func() ([]any, error) {
		if vi == len(n.Vertices) {
			return nil, nil
		}
		b, err := layer.EWKB(n.Vertices[vi])
		vi++
		return []any{int64(vi), b}, err
	}))
	if err != nil {
		return err
	}
	ei := 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"stage_road"},
		[]string{"id", "way", "name", "ref", "highway", "oneway", "maxspeed_kmh", "speed_kmh", "length_m", "source", "target", "g"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if ei == len(n.Edges) {
				return nil, nil
			}
			e := &n.Edges[ei]
			ei++
			row, err := edgeRow(int64(ei), e)
			if err == nil && opt.Progress != nil {
				_ = opt.Progress.Add(1)
			}
			return row, err
		}))
	return err
}

// edgeRow is edge e's row of stage_road, with id id.
func edgeRow(id int64, e *Edge) ([]any, error) {
	b, err := layer.EWKB(e.Geom)
	if err != nil {
		return nil, err
	}
	var maxspeed *float64
	if e.Maxspeed > 0 {
		maxspeed = &e.Maxspeed
	}
	return []any{id, e.Way, e.Name, e.Ref, e.Highway, e.Oneway, maxspeed, e.Speed, e.Length, e.Source, e.Target, b}, nil
}

// insertStaged moves the staged vertices and edges into road_vertex and
// road, giving each edge the region that contains it.
func insertStaged(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `INSERT INTO road_vertex (id, geom) SELECT id, ST_GeomFromEWKB(g) FROM stage_road_vertex`); err != nil {
		return err
	}
	// Regions hold points too (villages); only areas give a region.
	_, err := tx.Exec(ctx, `
		INSERT INTO road (id, way, name, ref, highway, oneway, maxspeed_kmh, speed_kmh, length_m, source, target, region_code, geom)
		SELECT id, way, name, ref, highway, oneway, maxspeed_kmh, speed_kmh, length_m, source, target,
		       CASE WHEN EXISTS (SELECT 1 FROM region) THEN coldchain_region_of(ST_GeomFromEWKB(g)) END, ST_GeomFromEWKB(g)
		  FROM stage_road`)
	return err
}

// Info describes the stored network.
type Info struct {
	Version    int64              `json:"version"`
	Source     string             `json:"source,omitempty"`
	ImportedAt *time.Time         `json:"imported_at,omitempty"`
	Edges      int64              `json:"edges"`
	Km         float64            `json:"km"`
	Speeds     Speeds             `json:"speeds,omitempty"`
	KmByClass  map[string]float64 `json:"km_by_class,omitempty"`
}

// Describe reads what network is stored.
func Describe(ctx context.Context, pool *pgxpool.Pool) (Info, error) {
	var in Info
	var src *string
	var speeds []byte
	rows, err := pool.Query(ctx, `SELECT highway, sum(length_m) / 1000 FROM road GROUP BY highway`)
	if err != nil {
		return in, postgres.Translate(err, "roads")
	}
	in.KmByClass = map[string]float64{}
	var class string
	var km float64
	if _, err := pgx.ForEachRow(rows, []any{&class, &km}, func() error {
		in.KmByClass[class] = km
		in.Km += km
		return nil
	}); err != nil {
		return in, postgres.Translate(err, "roads")
	}
	err = pool.QueryRow(ctx, `SELECT version, source, imported_at, speeds, (SELECT count(*) FROM road) FROM road_network`).
		Scan(&in.Version, &src, &in.ImportedAt, &speeds, &in.Edges)
	if err != nil {
		return in, postgres.Translate(err, "road network")
	}
	if src != nil {
		in.Source = *src
	}
	if len(speeds) > 0 {
		if err := json.Unmarshal(speeds, &in.Speeds); err != nil {
			return in, fmt.Errorf("road speeds: %w", err)
		}
	}
	return in, nil
}
