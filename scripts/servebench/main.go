// Command servebench measures serving on one PostGIS producer table:
// coldchain's OGC API items (1,000 features in a bbox) and vector tiles at
// z10 and z12, side by side with a reference. The reference is
// pg_featureserv and pg_tileserv when their URLs are given, otherwise the
// same work as plain SQL run directly through pgx (the queries those
// servers issue, with no HTTP and no JSON framing): a ceiling rather than a
// competitor. Every case runs -conns clients for -duration with requests
// spread over the data (seeded), and reports requests per second, errors
// and the ratio coldchain ÷ reference. Run by scripts/serve-bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// config is what the flags say.
type config struct {
	base, db, featureserv, tileserv string
	conns                           int
	duration                        time.Duration
	extent                          orb.Bound
	bboxSide                        float64
}

// result is one case's outcome.
type result struct {
	requests, errors int64
	seconds          float64
}

func (r result) rate() float64 { return float64(r.requests) / r.seconds }

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "coldchain's URL")
	flag.StringVar(&c.db, "db", os.Getenv("DATABASE_URL"), "PostGIS connection string (for the SQL reference)")
	flag.StringVar(&c.featureserv, "featureserv", "", "pg_featureserv's URL (empty: plain SQL instead)")
	flag.StringVar(&c.tileserv, "tileserv", "", "pg_tileserv's URL (empty: plain SQL instead)")
	flag.IntVar(&c.conns, "conns", 32, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "length of each case")
	flag.Float64Var(&c.bboxSide, "bbox", 0.3, "side of the items bbox in degrees (about 1,000 producers at 600,000 over 8° x 6°)")
	flag.Parse()
	if c.conns < 1 || c.conns > 256 || c.duration <= 0 || c.duration > 10*time.Minute {
		log.Fatal("-conns must be 1..256 and -duration at most 10m")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, c.db)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM producer) x`).
		Scan(&c.extent.Min[0], &c.extent.Min[1], &c.extent.Max[0], &c.extent.Max[1]); err != nil {
		log.Fatalf("producer extent: %v", err)
	}
	var n int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM producer`).Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d producers over %v; %d clients, %s per case\n\n", n, c.extent, c.conns, c.duration)
	fmt.Println("| case | coldchain req/s | errors | reference | reference req/s | errors | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, cs := range cases(c, pool) {
		a := run(c, cs.coldchain)
		b := run(c, cs.reference)
		fmt.Printf("| %s | %.1f | %d | %s | %.1f | %d | %.2f |\n", cs.name, a.rate(), a.errors, cs.refName, b.rate(), b.errors, a.rate()/b.rate())
	}
}

// request does request number i of a case.
type request func(ctx context.Context, r *rand.Rand) error

// benchCase is one line of the table.
type benchCase struct {
	name, refName        string
	coldchain, reference request
}

// cases are items, then tiles at z10 and z12.
func cases(c config, pool *pgxpool.Pool) []benchCase {
	items := benchCase{name: "OGC items, 1,000 in a bbox", refName: "SQL directly",
		coldchain: httpGet(func(r *rand.Rand) string {
			b := randomBBox(c, r)
			return fmt.Sprintf("%s/ogc/collections/producers/items?limit=1000&bbox=%f,%f,%f,%f", c.base, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		}),
		reference: itemsSQL(c, pool)}
	if c.featureserv != "" {
		items.refName = "pg_featureserv"
		items.reference = httpGet(func(r *rand.Rand) string {
			b := randomBBox(c, r)
			return fmt.Sprintf("%s/collections/public.producer/items.json?limit=1000&bbox=%f,%f,%f,%f", c.featureserv, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		})
	}
	out := []benchCase{items}
	for _, z := range []maptile.Zoom{10, 12} {
		tc := benchCase{name: fmt.Sprintf("vector tile z%d", z), refName: "SQL directly",
			coldchain: httpGet(func(r *rand.Rand) string {
				t := randomTile(c, r, z)
				return fmt.Sprintf("%s/tiles/producers/%d/%d/%d.mvt", c.base, t.Z, t.X, t.Y)
			}),
			reference: tileSQL(c, pool, z)}
		if c.tileserv != "" {
			tc.refName = "pg_tileserv"
			tc.reference = httpGet(func(r *rand.Rand) string {
				t := randomTile(c, r, z)
				return fmt.Sprintf("%s/public.producer/%d/%d/%d.pbf", c.tileserv, t.Z, t.X, t.Y)
			})
		}
		out = append(out, tc)
	}
	return out
}

func randomBBox(c config, r *rand.Rand) orb.Bound {
	x := c.extent.Min[0] + r.Float64()*math.Max(0, c.extent.Max[0]-c.extent.Min[0]-c.bboxSide)
	y := c.extent.Min[1] + r.Float64()*math.Max(0, c.extent.Max[1]-c.extent.Min[1]-c.bboxSide)
	return orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + c.bboxSide, y + c.bboxSide}}
}

func randomTile(c config, r *rand.Rand, z maptile.Zoom) maptile.Tile {
	p := orb.Point{c.extent.Min[0] + r.Float64()*(c.extent.Max[0]-c.extent.Min[0]),
		c.extent.Min[1] + r.Float64()*(c.extent.Max[1]-c.extent.Min[1])}
	return maptile.At(p, z)
}

var client = &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

// httpGet requests the URLs url makes; anything but 200 is an error.
func httpGet(url func(r *rand.Rand) string) request {
	return func(ctx context.Context, r *rand.Rand) error {
		req, err := http.NewRequestWithContext(ctx, "GET", url(r), nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", req.URL, resp.Status)
		}
		return nil
	}
}

// itemsSQL is a page of 1,000 GeoJSON features in a bbox with the number
// matched, as pg_featureserv asks PostGIS for it.
func itemsSQL(c config, pool *pgxpool.Pool) request {
	return func(ctx context.Context, r *rand.Rand) error {
		b := randomBBox(c, r)
		var n int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM producer WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`,
			b.Min[0], b.Min[1], b.Max[0], b.Max[1]).Scan(&n); err != nil {
			return err
		}
		rows, err := pool.Query(ctx, `SELECT ST_AsGeoJSON(t.*, 'geom', 7) FROM producer t
			WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY id LIMIT 1000`, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		if err != nil {
			return err
		}
		for rows.Next() {
			_ = rows.RawValues()
		}
		return rows.Err()
	}
}

// tileSQL is one MVT of every producer in a tile (up to 50,000), as
// pg_tileserv asks PostGIS for it.
func tileSQL(c config, pool *pgxpool.Pool, z maptile.Zoom) request {
	return func(ctx context.Context, r *rand.Rand) error {
		t := randomTile(c, r, z)
		var mvt []byte
		return pool.QueryRow(ctx, `SELECT ST_AsMVT(m, 'producer', 4096, 'geom') FROM (
			SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 256) AS geom,
			       p.id, p.name, p.operator_type, p.product_class, p.annual_output_t, p.region_code
			FROM producer p
			WHERE ST_Intersects(p.geom, ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 256.0 / 4096), 4326))
			LIMIT 50000) m`, int(t.Z), int(t.X), int(t.Y)).Scan(&mvt)
	}
}

// run sends requests from c.conns clients for c.duration.
func run(c config, req request) result {
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var done, failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for i := range c.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for ctx.Err() == nil {
				err := req(ctx, r)
				if ctx.Err() != nil {
					return // cut off by the deadline: not counted
				}
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { log.Printf("first error: %v", err) })
					continue
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return result{requests: done.Load(), errors: failed.Load(), seconds: time.Since(start).Seconds()}
}
