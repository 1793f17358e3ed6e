package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// Vector tiles: GET /tiles/{layers}/{z}/{x}/{y}.mvt answers one Mapbox
// Vector Tile built by PostGIS in one query (ST_AsMVT over
// ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y))), one
// MVT layer per requested layer: /tiles/producers,facilities/9/418/216.mvt.
// GET /tiles/{layers}.json answers its TileJSON 3.0, GET /tiles the list
// of layers.

const (
	maxTileZoom = 22
	// tileExtent and tileBuffer are the MVT grid and the margin around it
	// (in grid units) that keeps lines and polygons seamless across tiles.
	tileExtent = 4096
	tileBuffer = 64
	// maxTileLayers caps the layers of one tile request.
	maxTileLayers = 12
	// defaultTileMaxAge is how long clients may reuse a tile unasked.
	defaultTileMaxAge = time.Minute
	// DefaultTileLimit is the default cap on one layer's features in one
	// tile: pg_tileserv's default (MaxFeaturesPerTile, 50,000).
	DefaultTileLimit = 50000
	// clusterMaxZoom is the highest zoom at which producers are clustered
	// (clusterCells cells per tile side, 16 of the 4,096 MVT units, about
	// 2 screen pixels: clustering is invisible but a county-wide tile at z10
	// holds a few thousand points instead of every producer).
	clusterMaxZoom = 12
	clusterCells   = 256
)

// tileLayer is one layer of vector tiles: its name and how PostGIS selects
// its rows for a tile. The registry (tileLayers) is the allow-list of tile
// layers; nothing a client sends becomes SQL text.
//
// To add a layer, return it from the hook in your own file: roads and
// service areas from roadTileLayers (tiles_roads.go), suitability from
// parkTileLayers (tiles_parks.go). For example:
//
//	tileLayer{
//		Name: "roads", Title: "Road network", Geometry: "line", MinZoom: 8,
//		Fields: []tileField{
//			{Name: "id", Type: "String"},
//			{Name: "highway", Type: "String", Description: "OSM highway class"},
//			{Name: "minutes", Type: "Number", Description: "travel time along the edge"},
//		},
//		Params: []tileParam{{Name: "highway", Description: "only these OSM classes (comma-separated)",
//			Valid: oneOf("motorway", "trunk", "primary", "secondary", "tertiary")}},
//		Rows: func(q *tileQuery) string {
//			sql := `SELECT geom, id, highway, minutes FROM road WHERE geom && ` + q.BBox()
//			if v := q.Param("highway"); v != "" {
//				sql += ` AND highway = ANY(` + q.Arg(strings.Split(v, ",")) + `::text[])`
//			}
//			return sql + ` ORDER BY minutes DESC, id`
//		},
//	}
//
// Rules for Rows: return one SELECT whose column geom is the geometry in
// SRID 4326 and whose other columns are named exactly as Fields; restrict
// rows with "geom && q.BBox()" so that the spatial index is used; put every
// value in through q.Arg (a $n parameter), never into the SQL text; name
// only tables and columns you wrote yourself. ORDER BY says which features
// a tile keeps when it holds more than the per-tile limit.
type tileLayer struct {
	// Name is the layer's URL and MVT layer name: lower case letters,
	// digits and underscores.
	Name        string
	Title       string
	Description string
	// Geometry is "point", "line" or "polygon" (for clients' styling).
	Geometry string
	// MinZoom and MaxZoom bound the zooms clients should ask for (TileJSON);
	// MaxZoom 0 means maxTileZoom.
	MinZoom, MaxZoom int
	// MaxAge is how long clients may cache a tile (0: defaultTileMaxAge).
	MaxAge time.Duration
	// Fields are the feature attributes, in the order Rows selects them.
	Fields []tileField
	// Params are the query parameters the layer reads.
	Params []tileParam
	// Rows returns the SELECT of the layer's rows in tile q.
	Rows func(q *tileQuery) string
}

// tileField is one attribute of a tile layer's features.
type tileField struct {
	Name string
	// Type is the TileJSON field type: "String", "Number" or "Boolean".
	Type        string
	Description string
}

// tileParam is a query parameter of a tile layer (e.g. plan=<id>).
type tileParam struct {
	Name        string
	Description string
	Required    bool
	// Valid checks a value; its error message is shown to the client.
	Valid func(v string) error
}

// tileQuery is one tile request as Rows sees it: the tile, the validated
// parameters, and the SQL arguments collected so far.
type tileQuery struct {
	Z, X, Y int
	// Bounds says the rows serve the layers' extent (TileJSON), not a
	// tile: nothing is clustered.
	Bounds bool
	params url.Values
	args   []any
}

func newTileQuery(z, x, y int, params url.Values) *tileQuery {
	q := &tileQuery{Z: z, X: x, Y: y, params: params}
	// $1..$3: the tile, $4: its margin as a share of the tile; every
	// layer of the query shares them.
	q.Arg(z)
	q.Arg(x)
	q.Arg(y)
	q.Arg(float64(tileBuffer) / tileExtent)
	return q
}

// Arg adds v as an SQL parameter and returns its placeholder ($n).
func (q *tileQuery) Arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// BBox returns an SQL expression for the tile with its margin, in SRID
// 4326, clipped to the Web Mercator world: filter rows with
// "geom && q.BBox()".
func (q *tileQuery) BBox() string {
	return `ST_Transform(ST_ClipByBox2D(ST_TileEnvelope($1, $2, $3, margin => $4), ST_TileEnvelope(0, 0, 0)), 4326)`
}

// Param returns the value of the layer's parameter name ("" when absent).
func (q *tileQuery) Param(name string) string { return q.params.Get(name) }

// oneOf accepts comma-separated values from vocab.
func oneOf(vocab ...string) func(string) error {
	return func(v string) error {
		for _, p := range strings.Split(v, ",") {
			if !slices.Contains(vocab, p) {
				return fmt.Errorf("unknown value %q (want %s, comma-separated)", p, strings.Join(vocab, "|"))
			}
		}
		return nil
	}
}

var tileNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func validPlanID(v string) error {
	if !runs.ValidID(v) {
		return fmt.Errorf("%q is not a plan id", v)
	}
	return nil
}

// tileLayers returns every tile layer: the core ones, then those of the
// road-network and park-siting work.
func (s *Server) tileLayers() []tileLayer {
	out := coreTileLayers()
	out = append(out, roadTileLayers()...)
	return append(out, parkTileLayers()...)
}

// coreTileLayers are the stored layers and plan sites.
func coreTileLayers() []tileLayer {
	return append(pointTileLayers(), areaTileLayers()...)
}

// pointTileLayers are producers, facilities and candidate sites.
func pointTileLayers() []tileLayer {
	return []tileLayer{
		{
			Name: "producers", Title: "Producers", Geometry: "point",
			Description: fmt.Sprintf("Farms, cooperatives and bases; the largest output first when a tile is full. At zoom %d and below, "+
				"producers within one of %dx%d cells of a tile are one feature at their mean position: point_count members, "+
				"their summed annual_output_t, and the largest member's other attributes.", clusterMaxZoom, clusterCells, clusterCells),
			Fields: []tileField{
				{Name: "id", Type: "String"}, {Name: "name", Type: "String"},
				{Name: "operator_type", Type: "String"}, {Name: "product_class", Type: "String"},
				{Name: "annual_output_t", Type: "Number", Description: "yearly output, tonnes (a cluster's: its members' sum)"},
				{Name: "region_code", Type: "String"},
				{Name: "point_count", Type: "Number", Description: "producers the feature stands for (1 above the clustering zoom)"},
			},
			Rows: producerTileRows,
		},
		{
			Name: "facilities", Title: "Facilities", Geometry: "point",
			Description: "Storage, pre-cooling and cold-chain facilities (parks are polygons); the largest capacity first.",
			Fields: []tileField{
				{Name: "id", Type: "String"}, {Name: "name", Type: "String"},
				{Name: "facility_type", Type: "String"}, {Name: "tier", Type: "String"}, {Name: "status", Type: "String"},
				{Name: "capacity_total_t", Type: "Number", Description: "capacity over every temperature zone, tonnes"},
				{Name: "capacity_frozen_t", Type: "Number"}, {Name: "capacity_chilled_t", Type: "Number"},
				{Name: "capacity_ca_t", Type: "Number"}, {Name: "capacity_cool_t", Type: "Number"},
				{Name: "capacity_ambient_t", Type: "Number"},
				{Name: "product_classes", Type: "String", Description: "accepted classes, comma-separated; empty: any its zones suit"},
				{Name: "build_cost", Type: "Number"}, {Name: "region_code", Type: "String"},
			},
			Rows: func(q *tileQuery) string {
				return `SELECT geom, id, name, facility_type, tier, status,
					capacity_frozen_t + capacity_chilled_t + capacity_ca_t + capacity_cool_t + capacity_ambient_t AS capacity_total_t,
					capacity_frozen_t, capacity_chilled_t, capacity_ca_t, capacity_cool_t, capacity_ambient_t,
					array_to_string(product_classes, ',') AS product_classes, build_cost, region_code
					FROM facility WHERE geom && ` + q.BBox() + ` ORDER BY capacity_total_t DESC, id`
			},
		},
		{
			Name: "candidates", Title: "Candidate sites", Geometry: "point",
			Description: "Where new facilities may go.",
			Fields: []tileField{
				{Name: "id", Type: "String"}, {Name: "name", Type: "String"},
				{Name: "allowed_tiers", Type: "String", Description: "comma-separated"},
				{Name: "allowed_types", Type: "String", Description: "comma-separated; empty: any type of an allowed tier"},
				{Name: "build_cost", Type: "Number", Description: "10,000 CNY"},
				{Name: "land_use", Type: "String"}, {Name: "source", Type: "String"}, {Name: "region_code", Type: "String"},
			},
			Rows: func(q *tileQuery) string {
				return `SELECT geom, id, name, array_to_string(allowed_tiers, ',') AS allowed_tiers,
					array_to_string(allowed_types, ',') AS allowed_types, build_cost, land_use, source, region_code
					FROM candidate_site WHERE geom && ` + q.BBox() + ` ORDER BY id`
			},
		},
	}
}

// producerTileRows selects producers, clustered per tile cell at low
// zooms: the cells nest in the tile grid (x from longitude, y from the
// Mercator ordinate, both scaled to 2^z × clusterCells cells over the
// world), so a cluster never spans two tiles. Each cell keeps its largest
// producer's attributes, its member count and summed output, at the
// members' mean position.
func producerTileRows(q *tileQuery) string {
	if q.Z > clusterMaxZoom || q.Bounds {
		return `SELECT geom, id, name, operator_type, product_class, annual_output_t, region_code, 1 AS point_count
			FROM producer WHERE geom && ` + q.BBox() + ` ORDER BY annual_output_t DESC, id`
	}
	cells := q.Arg(float64(int(1)<<q.Z) * clusterCells)
	return `SELECT geom, id, name, operator_type, product_class, annual_output_t, region_code, point_count FROM (
		SELECT DISTINCT ON (cx, cy)
			ST_SetSRID(ST_MakePoint(avg(ST_X(geom)) OVER w, avg(ST_Y(geom)) OVER w), 4326) AS geom,
			id, name, operator_type, product_class, sum(annual_output_t) OVER w AS annual_output_t, region_code,
			count(*) OVER w AS point_count
		FROM (SELECT p.*, floor((ST_X(geom) + 180) / 360 * ` + cells + `) AS cx,
				floor((pi() - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2))) / (2 * pi()) * ` + cells + `) AS cy
			FROM producer p WHERE geom && ` + q.BBox() + `) p
		WINDOW w AS (PARTITION BY cx, cy ORDER BY annual_output_t DESC, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
		ORDER BY cx, cy, annual_output_t DESC, id) c
		ORDER BY annual_output_t DESC, id`
}

// areaTileLayers are the polygon layers and plan sites.
func areaTileLayers() []tileLayer {
	return []tileLayer{
		{
			Name: "exclusions", Title: "Exclusion zones", Geometry: "polygon",
			Description: "Ecological red lines, basic farmland, water sources and flood zones.",
			Fields: []tileField{
				{Name: "id", Type: "String"}, {Name: "name", Type: "String"}, {Name: "kind", Type: "String"},
				{Name: "applies_to_tiers", Type: "String", Description: "tiers the zone forbids, comma-separated"},
				{Name: "region_code", Type: "String"},
			},
			Rows: func(q *tileQuery) string {
				return `SELECT geom, id, name, kind, array_to_string(applies_to_tiers, ',') AS applies_to_tiers, region_code
					FROM exclusion_zone WHERE geom && ` + q.BBox() + ` ORDER BY id`
			},
		},
		{
			Name: "regions", Title: "Administrative areas", Geometry: "polygon",
			Description: "County and township boundaries: given polygons, and areas derived from points (derived=true); level=township keeps townships only.",
			Fields: []tileField{
				{Name: "code", Type: "String"}, {Name: "name", Type: "String"}, {Name: "level", Type: "String"},
				{Name: "parent_code", Type: "String"}, {Name: "key_county", Type: "String"}, {Name: "population", Type: "Number"},
				{Name: "derived", Type: "Boolean", Description: "the area is derived from the region's point, not a given boundary"},
			},
			Params: []tileParam{{Name: "level", Description: "only regions of these levels (comma-separated)", Valid: oneOf(layer.Levels...)}},
			Rows: func(q *tileQuery) string {
				sql := `SELECT coalesce(area, geom) AS geom, code, name, level, parent_code, key_county, population, derived FROM region
					WHERE GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON' AND coalesce(area, geom) && ` + q.BBox()
				if v := q.Param("level"); v != "" {
					sql += ` AND level = ANY(` + q.Arg(strings.Split(v, ",")) + `::text[])`
				}
				return sql + ` ORDER BY length(code), code`
			},
		},
		{
			Name: "plan_sites", Title: "Sites of a plan", Geometry: "point", MaxAge: 24 * time.Hour,
			Description: "The new sites a finished plan suggests (plans never change once finished).",
			Fields: []tileField{
				{Name: "id", Type: "String"}, {Name: "rank", Type: "Number"},
				{Name: "candidate_id", Type: "String"}, {Name: "name", Type: "String"},
				{Name: "facility_type", Type: "String"}, {Name: "tier", Type: "String"},
				{Name: "build_cost", Type: "Number"}, {Name: "summary", Type: "String", Description: "why the site was chosen"},
			},
			Params: []tileParam{{Name: "plan", Required: true, Description: "the plan's id", Valid: validPlanID}},
			Rows: func(q *tileQuery) string {
				return `SELECT geom, site_id AS id,
					CASE jsonb_typeof(f->'properties'->'rank') WHEN 'number' THEN (f->'properties'->>'rank')::float8 END AS rank,
					f->'properties'->>'candidate_id' AS candidate_id, f->'properties'->>'name' AS name,
					f->'properties'->>'facility_type' AS facility_type, f->'properties'->>'tier' AS tier,
					CASE jsonb_typeof(f->'properties'->'build_cost') WHEN 'number' THEN (f->'properties'->>'build_cost')::float8 END AS build_cost,
					f->'properties'->'explanation'->>'summary' AS summary
					FROM (SELECT geom, site_id, feature AS f, n FROM plan_site WHERE plan_id = ` + q.Arg(q.Param("plan")) + `::uuid) s
					WHERE geom && ` + q.BBox() + ` ORDER BY n`
			},
		},
	}
}

// tileRegistry is the checked set of tile layers.
type tileRegistry struct {
	layers []*tileLayer
	byName map[string]*tileLayer
}

// newTileRegistry checks ls: names, fields and parameters are identifiers,
// unique, and every layer can select rows.
func newTileRegistry(ls []tileLayer) (*tileRegistry, error) {
	reg := &tileRegistry{byName: map[string]*tileLayer{}}
	for i := range ls {
		l := &ls[i]
		if !tileNamePattern.MatchString(l.Name) {
			return nil, fmt.Errorf("tile layer %q: the name must match %s", l.Name, tileNamePattern)
		}
		if reg.byName[l.Name] != nil {
			return nil, fmt.Errorf("tile layer %q is registered twice", l.Name)
		}
		if l.Rows == nil {
			return nil, fmt.Errorf("tile layer %q: no Rows", l.Name)
		}
		if !slices.Contains([]string{"point", "line", "polygon"}, l.Geometry) {
			return nil, fmt.Errorf("tile layer %q: geometry %q (want point, line or polygon)", l.Name, l.Geometry)
		}
		if l.MaxZoom == 0 {
			l.MaxZoom = maxTileZoom
		}
		if l.MinZoom < 0 || l.MinZoom > l.MaxZoom || l.MaxZoom > maxTileZoom {
			return nil, fmt.Errorf("tile layer %q: zooms %d to %d (want 0 to %d)", l.Name, l.MinZoom, l.MaxZoom, maxTileZoom)
		}
		if l.MaxAge == 0 {
			l.MaxAge = defaultTileMaxAge
		}
		seen := map[string]bool{"geom": true}
		for _, f := range l.Fields {
			if !tileNamePattern.MatchString(f.Name) || seen[f.Name] {
				return nil, fmt.Errorf("tile layer %q: field %q is not a new lower-case identifier", l.Name, f.Name)
			}
			if !slices.Contains([]string{"String", "Number", "Boolean"}, f.Type) {
				return nil, fmt.Errorf("tile layer %q: field %q has type %q (want String, Number or Boolean)", l.Name, f.Name, f.Type)
			}
			seen[f.Name] = true
		}
		for _, p := range l.Params {
			if !tileNamePattern.MatchString(p.Name) || p.Valid == nil {
				return nil, fmt.Errorf("tile layer %q: parameter %q needs an identifier name and a Valid check", l.Name, p.Name)
			}
		}
		reg.layers = append(reg.layers, l)
		reg.byName[l.Name] = l
	}
	return reg, nil
}

// names returns the layer names in registry order.
func (reg *tileRegistry) names() []string {
	out := make([]string, len(reg.layers))
	for i, l := range reg.layers {
		out[i] = l.Name
	}
	return out
}

// resolve reads a comma-separated list of layer names and the request's
// parameters: unknown layers are ErrNotFound; unknown, missing or bad
// parameters ErrInvalid.
func (reg *tileRegistry) resolve(names string, query url.Values) ([]*tileLayer, url.Values, error) {
	var ls []*tileLayer
	for _, n := range strings.Split(names, ",") {
		l := reg.byName[n]
		if l == nil {
			return nil, nil, derrors.NotFound("no tile layer %q (layers: %s)", n, strings.Join(reg.names(), ", "))
		}
		if slices.Contains(ls, l) {
			return nil, nil, derrors.Invalid("tile layer %q is named twice", n)
		}
		ls = append(ls, l)
	}
	if len(ls) > maxTileLayers {
		return nil, nil, derrors.Invalid("at most %d layers per tile", maxTileLayers)
	}
	params := url.Values{}
	for _, l := range ls {
		for _, p := range l.Params {
			v := strings.TrimSpace(query.Get(p.Name))
			if v == "" {
				if p.Required {
					return nil, nil, derrors.Invalid("%s: required by tile layer %s", p.Name, l.Name)
				}
				continue
			}
			if err := p.Valid(v); err != nil {
				return nil, nil, derrors.Invalid("%s: %v", p.Name, err)
			}
			params.Set(p.Name, v)
		}
	}
	for name := range query {
		if !params.Has(name) && query.Get(name) != "" {
			return nil, nil, derrors.Invalid("unknown query parameter %q for tile layers %s", name, names)
		}
	}
	return ls, params, nil
}

// parseTile reads z, x and y: whole numbers with z from 0 to maxTileZoom
// and x, y from 0 to 2^z - 1; anything else is ErrInvalid.
func parseTile(zs, xs, ys string) (z, x, y int, err error) {
	num := func(name, s string, max int) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > max || s != strconv.Itoa(n) {
			return 0, derrors.Invalid("%s: want a whole number from 0 to %d, got %q", name, max, s)
		}
		return n, nil
	}
	if z, err = num("z", zs, maxTileZoom); err != nil {
		return
	}
	if x, err = num("x", xs, 1<<z-1); err != nil {
		return
	}
	y, err = num("y", ys, 1<<z-1)
	return
}

// tileSQL is the one query of a tile: each layer's ST_AsMVT, concatenated
// (an MVT is a sequence of layers). limit caps each layer's features.
func tileSQL(ls []*tileLayer, q *tileQuery, limit int) string {
	extent, buffer, lim := q.Arg(tileExtent), q.Arg(tileBuffer), q.Arg(limit)
	parts := make([]string, len(ls))
	for i, l := range ls {
		cols := []string{"ST_AsMVTGeom(ST_Transform(r.geom, 3857), ST_TileEnvelope($1, $2, $3), " + extent + ", " + buffer + ", true) AS geom"}
		for _, f := range l.Fields {
			cols = append(cols, "r."+pgx.Identifier{f.Name}.Sanitize())
		}
		rows := l.Rows(q)
		parts[i] = fmt.Sprintf(`(SELECT coalesce(ST_AsMVT(m, %s, %s, 'geom'), ''::bytea)
			FROM (SELECT %s FROM (%s) r WHERE r.geom && %s LIMIT %s) m WHERE m.geom IS NOT NULL)`,
			q.Arg(l.Name), extent, strings.Join(cols, ", "), rows, q.BBox(), lim)
	}
	return "SELECT " + strings.Join(parts, "\n || ")
}

// tile answers GET /tiles/{layers}/{z}/{x}/{y}.mvt.
func (s *Server) tile(reg *tileRegistry) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ls, params, err := reg.resolve(chi.URLParam(r, "layers"), r.URL.Query())
		if err != nil {
			return err
		}
		z, x, y, err := parseTile(chi.URLParam(r, "z"), chi.URLParam(r, "x"), chi.URLParam(r, "y"))
		if err != nil {
			return err
		}
		q := newTileQuery(z, x, y, params)
		limit := s.TileLimit
		if limit <= 0 {
			limit = DefaultTileLimit
		}
		var mvt []byte
		if err := s.readPool().QueryRow(r.Context(), tileSQL(ls, q, limit), q.args...).Scan(&mvt); err != nil {
			return postgres.Translate(err, "tile")
		}
		sum := sha256.Sum256(mvt)
		etag := `"` + hex.EncodeToString(sum[:16]) + `"`
		maxAge := ls[0].MaxAge
		for _, l := range ls {
			maxAge = min(maxAge, l.MaxAge)
		}
		h := w.Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", s.cacheControl(maxAge))
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
		h.Set("Content-Length", strconv.Itoa(len(mvt)))
		_, err = w.Write(mvt)
		return err
	}
}

// cacheControl lets shared caches keep public data; with ReadAuth the data
// is for token holders only.
func (s *Server) cacheControl(maxAge time.Duration) string {
	scope := "public"
	if s.ReadAuth {
		scope = "private"
	}
	return fmt.Sprintf("%s, max-age=%d", scope, int(maxAge.Seconds()))
}

// etagMatches reports whether an If-None-Match header names etag.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// tileJSON answers GET /tiles/{layers}.json: TileJSON 3.0 with the data's
// bounds and each layer's fields.
func (s *Server) tileJSON(reg *tileRegistry) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		names := chi.URLParam(r, "layers")
		ls, params, err := reg.resolve(names, r.URL.Query())
		if err != nil {
			return err
		}
		q := newTileQuery(0, 0, 0, params)
		q.Bounds = true
		geoms := make([]string, len(ls))
		for i, l := range ls {
			geoms[i] = "SELECT r.geom FROM (" + l.Rows(q) + ") r"
		}
		var b [4]*float64
		err = s.readPool().QueryRow(r.Context(), `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(g.geom) AS e FROM (`+
			strings.Join(geoms, " UNION ALL ")+`) g) x`, q.args...).Scan(&b[0], &b[1], &b[2], &b[3])
		if err != nil {
			return postgres.Translate(err, "tile layer bounds")
		}
		bounds := []float64{-180, -85.0511, 180, 85.0511}
		if b[0] != nil {
			bounds = []float64{*b[0], *b[1], *b[2], *b[3]}
		}
		minZoom, maxZoom := 0, maxTileZoom
		var vls []map[string]any
		var titles []string
		for _, l := range ls {
			minZoom, maxZoom = max(minZoom, l.MinZoom), min(maxZoom, l.MaxZoom)
			fields := map[string]string{}
			for _, f := range l.Fields {
				fields[f.Name] = f.Type
			}
			vls = append(vls, map[string]any{"id": l.Name, "description": l.Title + ": " + l.Description,
				"minzoom": l.MinZoom, "maxzoom": l.MaxZoom, "fields": fields, "geometry_type": l.Geometry})
			titles = append(titles, l.Title)
		}
		// The zoom at which the bounds fill about one tile.
		span := max(bounds[2]-bounds[0], (bounds[3]-bounds[1])*1.2, 1e-6)
		zoom := min(max(int(math.Floor(math.Log2(360/span))), minZoom), maxZoom)
		tiles := baseURL(r) + "/tiles/" + names + "/{z}/{x}/{y}.mvt"
		if len(params) > 0 {
			tiles += "?" + params.Encode()
		}
		w.Header().Set("Cache-Control", s.cacheControl(defaultTileMaxAge))
		return writeJSON(w, http.StatusOK, map[string]any{
			"tilejson":      "3.0.0",
			"name":          names,
			"description":   strings.Join(titles, ", ") + " from coldchain",
			"version":       "1.0.0",
			"scheme":        "xyz",
			"tiles":         []string{tiles},
			"minzoom":       minZoom,
			"maxzoom":       maxZoom,
			"bounds":        bounds,
			"center":        []float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, float64(zoom)},
			"vector_layers": vls,
		})
	}
}

// tileIndex answers GET /tiles: every tile layer and its TileJSON.
func (s *Server) tileIndex(reg *tileRegistry) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		base := baseURL(r)
		var out []map[string]any
		for _, l := range reg.layers {
			params := make([]map[string]any, 0, len(l.Params))
			for _, p := range l.Params {
				params = append(params, map[string]any{"name": p.Name, "description": p.Description, "required": p.Required})
			}
			out = append(out, map[string]any{
				"name": l.Name, "title": l.Title, "description": l.Description, "geometry": l.Geometry,
				"minzoom": l.MinZoom, "maxzoom": l.MaxZoom, "params": params,
				"tilejson": base + "/tiles/" + l.Name + ".json",
				"tiles":    base + "/tiles/" + l.Name + "/{z}/{x}/{y}.mvt",
			})
		}
		return writeJSON(w, http.StatusOK, map[string]any{"layers": out})
	}
}
