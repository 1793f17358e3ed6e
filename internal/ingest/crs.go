package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres"
)

// sourceCRS is the coordinate reference system of a file's coordinates:
// an EPSG code that PostGIS's spatial_ref_sys holds, or, for a file whose
// CRS GDAL could not name, its WKT definition (which PROJ reads). The zero
// value is WGS84 longitude/latitude.
type sourceCRS struct {
	srid int
	wkt  string
	name string // for messages: "EPSG:4547" or the CRS's own name
}

func (c sourceCRS) isWGS84() bool { return c.wkt == "" && (c.srid == 0 || c.srid == layer.SRID) }

var epsgPattern = regexp.MustCompile(`(?i)^(?:EPSG:+|urn:ogc:def:crs:EPSG:[0-9.]*:)?([0-9]{4,6})$`)

// parseSRS reads a CRS name as given to --srs or in a GeoJSON file's crs
// member: EPSG:4547, 4547, urn:ogc:def:crs:EPSG::4547, or CRS84.
func parseSRS(s string) (sourceCRS, error) {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	if strings.HasSuffix(up, "CRS84") || up == "WGS84" {
		return sourceCRS{srid: layer.SRID, name: "EPSG:4326"}, nil
	}
	m := epsgPattern.FindStringSubmatch(s)
	if m == nil {
		return sourceCRS{}, derrors.Invalid("CRS %q: want an EPSG code such as EPSG:4490 (CGCS2000) or EPSG:4547 (CGCS2000 3-degree Gauss-Krüger CM 114E)", s)
	}
	n, _ := strconv.Atoi(m[1])
	return sourceCRS{srid: n, name: "EPSG:" + m[1]}, nil
}

// checkSRID makes sure PostGIS can transform from c: an EPSG code must be
// in spatial_ref_sys.
func checkSRID(ctx context.Context, pool *pgxpool.Pool, c sourceCRS) error {
	if c.srid == 0 || c.srid == layer.SRID {
		return nil
	}
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = $1 AND srid = $1`, c.srid).Scan(&n)
	if err != nil {
		return postgres.Translate(err, "spatial_ref_sys")
	}
	if n == 0 {
		return derrors.Invalid("unknown CRS %s: PostGIS has no such EPSG code (spatial_ref_sys); check the code: CGCS2000 is EPSG:4490, "+
			"its 3-degree Gauss-Krüger zones EPSG:4513–4533 (zone number in the easting) and EPSG:4534–4554 (by central meridian), 6-degree zones EPSG:4491–4512", c.name)
	}
	return nil
}

// crsNamer is a reader that learns the coordinates' CRS from the file
// itself (a GeoJSON crs member); "" when the file names none.
type crsNamer interface {
	crsName() string
}

// reprojectBatch is how many geometries go to PostGIS per transform.
const reprojectBatch = 1000

// reprojector hands on features with their geometry transformed to WGS84
// by PostGIS (ST_Transform), a batch at a time. The CRS is the one given
// (--srs, or the GDAL source's), else the file's own crs member, else WGS84
// (features pass unchanged).
type reprojector struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	fr       featureReader
	given    sourceCRS
	resolved *sourceCRS
	queue    []queued
	done     error // the reader's io.EOF or fatal error, after the queue
}

type queued struct {
	f   layer.Feature
	err error // a *rowError
}

func (p *reprojector) Next() (layer.Feature, error) {
	if len(p.queue) == 0 {
		if p.done != nil {
			return layer.Feature{}, p.done
		}
		if err := p.fill(); err != nil {
			return layer.Feature{}, err
		}
		if len(p.queue) == 0 {
			return layer.Feature{}, p.done
		}
	}
	q := p.queue[0]
	p.queue = p.queue[1:]
	return q.f, q.err
}

// fill reads the next batch and transforms it.
func (p *reprojector) fill() error {
	p.queue = p.queue[:0]
	for len(p.queue) < reprojectBatch {
		f, err := p.fr.Next()
		if isRowError(err) {
			p.queue = append(p.queue, queued{err: err})
			continue
		}
		if err != nil {
			p.done = err
			if !errors.Is(err, io.EOF) {
				return err
			}
			break
		}
		p.queue = append(p.queue, queued{f: f})
	}
	from, err := p.source()
	if err != nil || from.isWGS84() {
		return err
	}
	return p.transform(from)
}

// source decides the CRS once, after the first batch (a GeoJSON file's
// crs member comes before its features): the given one, else the file's
// crs member, else WGS84. A crs member seen only later is refused.
func (p *reprojector) source() (sourceCRS, error) {
	given := p.given.srid != 0 || p.given.wkt != ""
	n, named := p.fr.(crsNamer)
	member := ""
	if named && !given {
		member = n.crsName()
	}
	if p.resolved != nil {
		if member != "" && p.resolved.srid == 0 {
			if c, err := parseSRS(member); err != nil || !c.isWGS84() {
				return sourceCRS{}, derrors.Invalid("the file's crs member (%s) comes after its features: move it before \"features\", or import with --srs EPSG:NNNN", member)
			}
		}
		return *p.resolved, nil
	}
	from := p.given
	if member != "" {
		c, err := parseSRS(member)
		if err != nil {
			return sourceCRS{}, derrors.Invalid("the file's crs member names %q, not an EPSG code: import with --srs EPSG:NNNN", member)
		}
		if err := checkSRID(p.ctx, p.pool, c); err != nil {
			return sourceCRS{}, err
		}
		from = c
	}
	p.resolved = &from
	return from, nil
}

const (
	transformSRID = `SELECT ST_AsBinary(ST_Transform(ST_SetSRID(ST_GeomFromWKB(g), $2::int), 4326))
		FROM unnest($1::bytea[]) WITH ORDINALITY AS t(g, n) ORDER BY n`
	transformWKT = `SELECT ST_AsBinary(ST_Transform(ST_GeomFromWKB(g), $2::text, 4326))
		FROM unnest($1::bytea[]) WITH ORDINALITY AS t(g, n) ORDER BY n`
)

// transform moves the queued geometries from CRS from to WGS84 in one
// query; if PostGIS refuses the batch, geometry by geometry, so that the
// rows it cannot transform are reported.
func (p *reprojector) transform(from sourceCRS) error {
	var idx []int
	var wkbs [][]byte
	for i, q := range p.queue {
		if q.err != nil || q.f.Geom == nil {
			continue
		}
		b, err := wkb.Marshal(q.f.Geom)
		if err != nil {
			p.queue[i] = queued{err: &rowError{derrors.RowError{Row: q.f.Row, Field: "geometry", Reason: err.Error()}}}
			continue
		}
		idx = append(idx, i)
		wkbs = append(wkbs, b)
	}
	if len(wkbs) == 0 {
		return nil
	}
	out, err := p.query(from, wkbs)
	if err == nil {
		for k, i := range idx {
			p.setGeom(i, out[k], from)
		}
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return postgres.Translate(err, "geometry")
	}
	for k, i := range idx {
		one, err := p.query(from, wkbs[k:k+1])
		if errors.As(err, &pe) {
			p.queue[i] = queued{err: p.cannot(p.queue[i].f, from)}
			continue
		}
		if err != nil {
			return postgres.Translate(err, "geometry")
		}
		p.setGeom(i, one[0], from)
	}
	return nil
}

func (p *reprojector) query(from sourceCRS, wkbs [][]byte) ([][]byte, error) {
	sql, arg := transformSRID, any(from.srid)
	if from.srid == 0 {
		sql, arg = transformWKT, from.wkt
	}
	rows, err := p.pool.Query(p.ctx, sql, wkbs, arg)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (p *reprojector) setGeom(i int, b []byte, from sourceCRS) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		p.queue[i] = queued{err: p.cannot(p.queue[i].f, from)}
		return
	}
	p.queue[i].f.Geom = g
}

func (p *reprojector) cannot(f layer.Feature, from sourceCRS) error {
	return &rowError{derrors.RowError{Row: f.Row, Field: "geometry",
		Reason: fmt.Sprintf("PostGIS cannot transform the coordinates from %s to WGS84: are they in that CRS? (check --srs)", from.name)}}
}
