// Command gen writes the synthetic demo county used by coldchain's demo and
// tests: regions, producers, facilities, candidate sites, exclusion zones and
// roads of an invented hilly county in the south-China hills.
//
// Usage, from the repository root:
//
//	go run ./geodata/gen [-seed 1] [-out geodata] [-png preview.png]
//
// The output is a pure function of the seed: everything is drawn from seeded
// PCG streams (one per layer) and nothing depends on map iteration order.
// The county boundary, townships and exclusion zones are valid OGC polygons
// whose vertices are shared exactly where features meet; see README.md.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
)

// world is everything the generator builds, in km unless noted.
type world struct {
	seed       uint64
	ter        *terrain
	countyRing []ipt
	countyKM   orb.Ring
	countyArea float64 // km², geodesic
	countyPop  int
	townships  []*township
	seat       *village
	villages   []*village
	exclusions []*exclusion
	roads      []*road
	producers  []*producer
	facilities []*facility
	candidates []*candidate
}

// generate builds the whole county for a seed.
func generate(seed uint64) (*world, error) {
	w := &world{seed: seed, ter: newTerrain(seed)}
	steps := []struct {
		name string
		run  func() error
	}{
		{"regions", w.buildRegions},
		{"exclusions", w.buildExclusions},
		{"villages", func() error { w.placeVillages(); return nil }},
		{"roads", w.buildRoads},
		{"facilities", w.buildFacilities},
		{"candidates", w.buildCandidates},
		{"producers", func() error { w.buildProducers(); return nil }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return w, nil
}

type file struct {
	name string
	data []byte
}

// files encodes the six GeoJSON layers, in a fixed order.
func (w *world) files() ([]file, error) {
	layers := []struct {
		name string
		fs   func() []feature
	}{
		{"regions.geojson", w.regionFeatures},
		{"producers.geojson", w.producerFeatures},
		{"facilities.geojson", w.facilityFeatures},
		{"candidates.geojson", w.candidateFeatures},
		{"exclusions.geojson", w.exclusionFeatures},
		{"roads.geojson", w.roadFeatures},
	}
	var out []file
	for _, l := range layers {
		b, err := featureCollection(l.fs())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
		out = append(out, file{l.name, b})
	}
	return out, nil
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed; the output is a pure function of it")
	out := flag.String("out", "geodata", "directory to write the .geojson files to")
	readme := flag.Bool("readme", true, "rewrite the summary section of OUT/README.md")
	png := flag.String("png", "", "also draw a preview map to this PNG file")
	flag.Parse()
	if err := run(*seed, *out, *readme, *png); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(seed uint64, out string, readme bool, png string) error {
	w, err := generate(seed)
	if err != nil {
		return err
	}
	fs, err := w.files()
	if err != nil {
		return err
	}
	for _, f := range fs {
		if err := os.WriteFile(filepath.Join(out, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	sum := w.summary()
	fmt.Print(sum)
	if readme {
		if err := updateReadme(filepath.Join(out, "README.md"), sum); err != nil {
			return err
		}
	}
	if png != "" {
		if err := w.preview(png); err != nil {
			return err
		}
	}
	return nil
}

const (
	summaryStart = "<!-- summary:start (written by go run ./geodata/gen) -->"
	summaryEnd   = "<!-- summary:end -->"
)

// updateReadme replaces the text between the summary markers.
func updateReadme(path, sum string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, summaryStart), strings.Index(s, summaryEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s: summary markers not found", path)
	}
	var nb bytes.Buffer
	nb.WriteString(s[:i+len(summaryStart)])
	nb.WriteString("\n")
	nb.WriteString(sum)
	nb.WriteString(s[j:])
	return os.WriteFile(path, nb.Bytes(), 0o644)
}
