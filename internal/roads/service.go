package roads

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Service-area defaults: the thresholds of the tile layer and of requests
// that name none, and the half-width of the band drawn around reachable
// roads.
var DefaultAreaMinutes = []float64{30, 60, 120}

// DefaultBufferMetres is the default half-width of a service area around
// the roads reached.
const DefaultBufferMetres = 300

// Limits of a service-area request.
const (
	maxAreaThresholds = 6
	maxAreaMinutes    = 1440
	maxAreaSites      = 500
)

// AreaOptions shape service areas.
type AreaOptions struct {
	// Minutes are the thresholds (default DefaultAreaMinutes); each area
	// contains the smaller ones.
	Minutes []float64
	// BufferMetres is how far around a reached road the area extends
	// (default DefaultBufferMetres).
	BufferMetres float64
	// Pair sets snapping and the off-road speed.
	Pair PairOptions
}

// Validate fills defaults, sorts the thresholds and checks the ranges.
func (o *AreaOptions) Validate() error {
	if len(o.Minutes) == 0 {
		o.Minutes = slices.Clone(DefaultAreaMinutes)
	}
	o.Minutes = slices.Clone(o.Minutes)
	slices.Sort(o.Minutes)
	o.Minutes = slices.Compact(o.Minutes)
	if len(o.Minutes) > maxAreaThresholds {
		return derrors.Invalid("minutes: at most %d thresholds", maxAreaThresholds)
	}
	for _, m := range o.Minutes {
		if !(m >= 1 && m <= maxAreaMinutes) {
			return derrors.Invalid("minutes: want thresholds from 1 to %d, got %v", maxAreaMinutes, m)
		}
	}
	if o.BufferMetres == 0 {
		o.BufferMetres = DefaultBufferMetres
	}
	if !(o.BufferMetres >= 10 && o.BufferMetres <= 5000) {
		return derrors.Invalid("buffer_m: want 10 to 5000 metres, got %v", o.BufferMetres)
	}
	o.Pair = o.Pair.withDefaults()
	return nil
}

// Site is a facility whose service area is drawn.
type Site struct {
	ID, Name, Type, Status string
	At                     orb.Point
}

// SiteFilter selects facilities.
type SiteFilter struct {
	IDs      []string // these facilities (ErrNotFound if one is missing); empty: all that match
	Statuses []string // default existing and under_construction
	Region   string   // administrative code prefix
}

// LoadSites reads facilities (a polygon's point on surface stands for it).
func LoadSites(ctx context.Context, pool *pgxpool.Pool, f SiteFilter) ([]Site, error) {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{"existing", "under_construction"}
	}
	rows, err := pool.Query(ctx, `
		SELECT id, name, facility_type, status, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))
		  FROM facility
		 WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR id = ANY($1))
		   AND (coalesce(cardinality($1::text[]), 0) > 0 OR status = ANY($2))
		   AND ($3 = '' OR coldchain_within(region_code, $3))
		 ORDER BY id`, f.IDs, statuses, f.Region)
	if err != nil {
		return nil, postgres.Translate(err, "facilities")
	}
	var out []Site
	var s Site
	if _, err := pgx.ForEachRow(rows, []any{&s.ID, &s.Name, &s.Type, &s.Status, &s.At[0], &s.At[1]}, func() error {
		out = append(out, s)
		return nil
	}); err != nil {
		return nil, postgres.Translate(err, "facilities")
	}
	if len(f.IDs) > 0 && len(out) < len(slices.Compact(slices.Sorted(slices.Values(f.IDs)))) {
		var missing []string
		for _, id := range f.IDs {
			if !slices.ContainsFunc(out, func(s Site) bool { return s.ID == id }) {
				missing = append(missing, id)
			}
		}
		return nil, derrors.NotFound("no facility %s", strings.Join(missing, ", "))
	}
	if len(out) > maxAreaSites {
		return nil, derrors.Invalid("%d facilities selected: at most %d per request (filter by facility or region)", len(out), maxAreaSites)
	}
	return out, nil
}

// Unreached is a point that does not join the road network.
type Unreached struct {
	ID   string  `json:"id"`
	Name string  `json:"name,omitempty"`
	Lon  float64 `json:"lon"`
	Lat  float64 `json:"lat"`
	// NearestMetres is the distance to the nearest road, or -1 when none is
	// within 50 km.
	NearestMetres float64 `json:"nearest_road_m"`
}

// Unsnapped lists the sites that do not join the network within opt's
// snapping limit.
func (g *Graph) Unsnapped(sites []Site, opt PairOptions) []Unreached {
	opt = opt.withDefaults()
	out := []Unreached{}
	for _, s := range sites {
		if _, ok := g.Snap(s.At, opt.SnapMetres); !ok {
			out = append(out, g.unreached(s.ID, s.Name, s.At))
		}
	}
	return out
}

// unreached describes a point that did not snap.
func (g *Graph) unreached(id, name string, p orb.Point) Unreached {
	return Unreached{ID: id, Name: name, Lon: p[0], Lat: p[1], NearestMetres: math.Round(g.NearestRoad(p, 50000))}
}

// areaPieces are the lines of every service area: for sites[k] and
// threshold m, the stretches of road from which the site is reached within
// m minutes, and the site's off-road leg.
type areaPieces struct {
	site    []int32
	minutes []float64
	srid    []int32
	wkb     [][]byte
}

// pieces runs one bounded reverse search per site.
func (g *Graph) pieces(ctx context.Context, sites []Site, opt AreaOptions) (*areaPieces, []Unreached, error) {
	out := &areaPieces{}
	unreached := []Unreached{}
	places := make([]place, len(sites))
	for k, s := range sites {
		places[k] = g.place(s.At, opt.Pair)
		if !places[k].ok {
			unreached = append(unreached, g.unreached(s.ID, s.Name, s.At))
		}
	}
	maxT := opt.Minutes[len(opt.Minutes)-1]
	type result struct {
		k     int
		lines [][]orb.LineString // by threshold
	}
	results := make([]result, len(sites))
	err := g.parallel(ctx, len(sites), opt.Pair.Workers, func(s *search, k int) {
		pl := places[k]
		if !pl.ok || maxT-pl.offMin < 0 {
			return
		}
		s.Run(g.rev, g.arriving(pl), maxT-pl.offMin, nil, 0)
		snapAt := g.pointAt(pl.edge, pl.frac)
		res := result{k: k, lines: make([][]orb.LineString, len(opt.Minutes))}
		// Each threshold gets the stretches first reached within it (its
		// band); areaSQL unions the bands of the smaller thresholds in.
		prev := make([][][2]float64, len(g.edges))
		for ti, m := range opt.Minutes {
			budget := m - pl.offMin
			if budget < 0 {
				continue
			}
			res.lines[ti] = append(res.lines[ti], orb.LineString{sites[k].At, snapAt})
			for ei := range g.edges {
				cur := g.reachable(s, int32(ei), pl, budget)
				for _, iv := range subtract(cur, prev[ei]) {
					if l := g.substring(int32(ei), iv[0], iv[1]); l != nil {
						res.lines[ti] = append(res.lines[ti], l)
					}
				}
				prev[ei] = cur
			}
		}
		results[k] = res
	})
	if err != nil {
		return nil, nil, err
	}
	for k, res := range results {
		srid := utmSRID(sites[k].At)
		for ti, ls := range res.lines {
			for _, l := range ls {
				b, err := wkb.Marshal(l)
				if err != nil {
					return nil, nil, err
				}
				out.site = append(out.site, int32(k))
				out.minutes = append(out.minutes, opt.Minutes[ti])
				out.srid = append(out.srid, srid)
				out.wkb = append(out.wkb, b)
			}
		}
	}
	return out, unreached, nil
}

// reachable returns the parts [f0, f1] of edge ei from which the site at pl
// is reached within budget minutes, given the reverse search s (time from
// each vertex to the site).
func (g *Graph) reachable(s *search, ei int32, pl place, budget float64) [][2]float64 {
	e := &g.edges[ei]
	var iv [][2]float64
	// Towards the edge's source, then on: s*rev + D(u) <= budget.
	if du, _ := s.At(e.u); e.rev >= 0 && du <= budget {
		hi := 1.0
		if e.rev > 0 {
			hi = math.Min(1, (budget-du)/e.rev)
		}
		iv = append(iv, [2]float64{0, hi})
	}
	// Towards its target, then on: (1-s)*fwd + D(v) <= budget.
	if dv, _ := s.At(e.v); e.fwd >= 0 && dv <= budget {
		lo := 0.0
		if e.fwd > 0 {
			lo = math.Max(0, 1-(budget-dv)/e.fwd)
		}
		iv = append(iv, [2]float64{lo, 1})
	}
	// Straight along the site's own edge.
	if ei == pl.edge {
		if e.fwd >= 0 {
			lo := 0.0
			if e.fwd > 0 {
				lo = math.Max(0, pl.frac-budget/e.fwd)
			}
			iv = append(iv, [2]float64{lo, pl.frac})
		}
		if e.rev >= 0 {
			hi := 1.0
			if e.rev > 0 {
				hi = math.Min(1, pl.frac+budget/e.rev)
			}
			iv = append(iv, [2]float64{pl.frac, hi})
		}
	}
	if len(iv) < 2 {
		return iv
	}
	slices.SortFunc(iv, func(a, b [2]float64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	merged := iv[:1]
	for _, x := range iv[1:] {
		last := &merged[len(merged)-1]
		if x[0] <= last[1] {
			last[1] = math.Max(last[1], x[1])
		} else {
			merged = append(merged, x)
		}
	}
	return merged
}

// subtract returns the parts of the sorted, disjoint intervals a that are
// not in b (also sorted and disjoint); touching ends are kept so that
// bands join their inner areas.
func subtract(a, b [][2]float64) [][2]float64 {
	if len(b) == 0 {
		return a
	}
	var out [][2]float64
	for _, x := range a {
		lo, hi := x[0], x[1]
		for _, y := range b {
			if y[1] <= lo || y[0] >= hi {
				continue
			}
			if y[0] > lo {
				out = append(out, [2]float64{lo, y[0]})
			}
			lo = math.Max(lo, y[1])
		}
		if lo < hi {
			out = append(out, [2]float64{lo, hi})
		}
	}
	return out
}

// pointAt is the point at fraction f along edge ei.
func (g *Graph) pointAt(ei int32, f float64) orb.Point {
	l := g.substring(ei, f, f)
	if l == nil {
		return g.pts[g.edges[ei].first]
	}
	return l[0]
}

// substring is the part of edge ei between fractions f0 <= f1 (a single
// point repeated when f0 == f1; nil when f0 > f1).
func (g *Graph) substring(ei int32, f0, f1 float64) orb.LineString {
	if f0 > f1 {
		return nil
	}
	e := &g.edges[ei]
	total := g.cum[e.end-1]
	d0, d1 := f0*total, f1*total
	interp := func(d float64) orb.Point {
		k := e.first
		for k+2 < e.end && g.cum[k+1] < d {
			k++
		}
		seg := g.cum[k+1] - g.cum[k]
		t := 0.0
		if seg > 0 {
			t = math.Max(0, math.Min(1, (d-g.cum[k])/seg))
		}
		a, b := g.pts[k], g.pts[k+1]
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	}
	out := orb.LineString{interp(d0)}
	for k := e.first + 1; k < e.end-1; k++ {
		if g.cum[k] > d0 && g.cum[k] < d1 {
			out = append(out, g.pts[k])
		}
	}
	return append(out, interp(d1))
}

// utmSRID is the EPSG code of the WGS84 UTM zone of p.
func utmSRID(p orb.Point) int32 {
	zone := int32(math.Floor((p[0]+180)/6)) + 1
	zone = max(1, min(60, zone))
	if p[1] < 0 {
		return 32700 + zone
	}
	return 32600 + zone
}

// areaSQL buffers each site's pieces per threshold band in its UTM zone
// (each line simplified to a quarter of the buffer first: the band's edge
// moves by at most that much; buffering lines one by one and unioning the
// results is many times faster than buffering their collection) and nests
// the thresholds: each area is
// the union of its band and the next smaller area grown by 1e-6 degrees
// (about 10 cm), so that it covers that area despite floating-point noise
// in the overlay and coordinates rounded to 1e-7 degrees in GeoJSON. The results are valid MultiPolygons in WGS84. $5
// is the buffer in metres.
const areaSQL = `
	WITH RECURSIVE piece AS (
	  SELECT u.site, u.minutes, u.srid, ST_Transform(ST_GeomFromWKB(u.g, 4326), u.srid) AS g
	    FROM unnest($1::int[], $2::float8[], $3::int[], $4::bytea[]) AS u(site, minutes, srid, g)),
	band AS (
	  SELECT site, minutes,
	         ST_Transform(ST_Union(ST_Buffer(ST_Simplify(g, $5 / 4, true), $5, 'quad_segs=3')), 4326) AS a,
	         row_number() OVER (PARTITION BY site ORDER BY minutes) AS k
	    FROM piece GROUP BY site, minutes),
	nest AS (
	  SELECT site, minutes, k, a FROM band WHERE k = 1
	  UNION ALL
	  SELECT b.site, b.minutes, b.k, ST_Union(ST_Buffer(n.a, 1e-6, 'quad_segs=1'), b.a)
	    FROM nest n JOIN band b ON b.site = n.site AND b.k = n.k + 1),
	area AS (
	  SELECT site, minutes, ST_Multi(ST_CollectionExtract(ST_MakeValid(a), 3)) AS geom FROM nest)
	`

// ServiceAreas draws the nested service areas of sites: for each site and
// threshold, the land within opt.BufferMetres of the roads from which the
// site is reached within the threshold (by road, plus the site's off-road
// leg). It returns the areas as a JSON array of GeoJSON Features (largest
// area of each site first) and the sites that do not join the network.
func (g *Graph) ServiceAreas(ctx context.Context, pool *pgxpool.Pool, sites []Site, opt AreaOptions) (json.RawMessage, []Unreached, error) {
	if err := opt.Validate(); err != nil {
		return nil, nil, err
	}
	p, unreached, err := g.pieces(ctx, sites, opt)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(sites))
	names := make([]string, len(sites))
	types := make([]string, len(sites))
	for k, s := range sites {
		ids[k], names[k], types[k] = s.ID, s.Name, s.Type
	}
	var out string
	err = pool.QueryRow(ctx, areaSQL+`
		SELECT coalesce(json_agg(json_build_object(
		         'type', 'Feature',
		         'id', ($6::text[])[a.site + 1] || '/' || a.minutes,
		         'geometry', ST_AsGeoJSON(a.geom, 7)::json,
		         'properties', json_build_object(
		           'facility_id', ($6::text[])[a.site + 1],
		           'name', ($7::text[])[a.site + 1],
		           'facility_type', ($8::text[])[a.site + 1],
		           'minutes', a.minutes,
		           'area_km2', round((ST_Area(a.geom::geography) / 1e6)::numeric, 3)))
		         ORDER BY a.site, a.minutes DESC), '[]')::text
		  FROM area a`, p.site, p.minutes, p.srid, p.wkb, opt.BufferMetres, ids, names, types).Scan(&out)
	if err != nil {
		return nil, nil, postgres.Translate(err, "service areas")
	}
	return json.RawMessage(out), unreached, nil
}

// RefreshServiceAreas recomputes the stored service areas (the tile
// layer's) of every existing or under-construction facility at the default
// thresholds, unless they are up to date with the network and the
// facilities. It reports whether it recomputed them.
func (g *Graph) RefreshServiceAreas(ctx context.Context, pool *pgxpool.Pool, pair PairOptions) (bool, error) {
	opt := AreaOptions{Pair: pair}
	if err := opt.Validate(); err != nil {
		return false, err
	}
	var digest, stored *string
	err := pool.QueryRow(ctx, `
		SELECT (SELECT md5(string_agg(id || ':' || name || ':' || facility_type || ':' || encode(ST_AsBinary(geom), 'hex'), ',' ORDER BY id))
		          FROM facility WHERE status IN ('existing', 'under_construction')),
		       areas_key
		  FROM road_network`).Scan(&digest, &stored)
	if err != nil {
		return false, postgres.Translate(err, "service areas")
	}
	h := sha256.New()
	_ = binary.Write(h, binary.LittleEndian, g.Version)
	fmt.Fprintf(h, "|%v|%v|%v|%v|%v", deref(digest), opt.Minutes, opt.BufferMetres, opt.Pair.SnapMetres, opt.Pair.OffRoadKmh)
	key := hex.EncodeToString(h.Sum(nil))
	if stored != nil && *stored == key {
		return false, nil
	}
	var sites []Site
	if !g.Empty() {
		if sites, err = LoadSites(ctx, pool, SiteFilter{}); err != nil {
			return false, err
		}
	}
	p, _, err := g.pieces(ctx, sites, opt)
	if err != nil {
		return false, err
	}
	ids := make([]string, len(sites))
	names := make([]string, len(sites))
	types := make([]string, len(sites))
	for k, s := range sites {
		ids[k], names[k], types[k] = s.ID, s.Name, s.Type
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Lock the state row first: concurrent refreshes queue up here.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM road_network FOR UPDATE`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM road_service_area`); err != nil {
			return err
		}
		if len(p.site) > 0 {
			if _, err := tx.Exec(ctx, areaSQL+`
				INSERT INTO road_service_area (facility_id, minutes, name, facility_type, area_km2, geom)
				SELECT ($6::text[])[a.site + 1], a.minutes, ($7::text[])[a.site + 1], ($8::text[])[a.site + 1],
				       ST_Area(a.geom::geography) / 1e6, a.geom
				  FROM area a WHERE NOT ST_IsEmpty(a.geom)`,
				p.site, p.minutes, p.srid, p.wkb, opt.BufferMetres, ids, names, types); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE road_network SET areas_key = $1`, key)
		return err
	})
	if err != nil {
		return false, postgres.Translate(err, "service areas")
	}
	return true, nil
}

// StoredServiceAreas returns the stored service areas (RefreshServiceAreas)
// as a JSON array of GeoJSON Features like ServiceAreas', selected by
// facility ids (empty: all), region code prefix and thresholds (empty: all).
func StoredServiceAreas(ctx context.Context, pool *pgxpool.Pool, ids []string, region string, minutes []float64) (json.RawMessage, error) {
	var out string
	err := pool.QueryRow(ctx, `
		SELECT coalesce(json_agg(json_build_object(
		         'type', 'Feature',
		         'id', a.facility_id || '/' || a.minutes,
		         'geometry', ST_AsGeoJSON(a.geom, 7)::json,
		         'properties', json_build_object(
		           'facility_id', a.facility_id, 'name', a.name, 'facility_type', a.facility_type,
		           'minutes', a.minutes, 'area_km2', round(a.area_km2::numeric, 3)))
		         ORDER BY a.facility_id, a.minutes DESC), '[]')::text
		  FROM road_service_area a LEFT JOIN facility f ON f.id = a.facility_id
		 WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR a.facility_id = ANY($1))
		   AND ($2 = '' OR coldchain_within(f.region_code, $2))
		   AND (coalesce(cardinality($3::float8[]), 0) = 0 OR a.minutes = ANY($3))`, ids, region, minutes).Scan(&out)
	if err != nil {
		return nil, postgres.Translate(err, "service areas")
	}
	return json.RawMessage(out), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
