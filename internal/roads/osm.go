package roads

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"

	"github.com/coldchain/coldchain/internal/derrors"
)

// ReadOSM reads the drivable roads of an OpenStreetMap file: .osm.pbf, or
// .osm XML (optionally .gz or .bz2). It reads the file twice, ways first
// and then only the nodes they use, so memory grows with the road network
// rather than with the extract.
//
// A way is drivable when its highway class has a speed in opt.Speeds and
// neither access (no, private, unless a motor vehicle tag allows it) nor
// motor_vehicle=no or motorcar=no forbids it. oneway=yes|1|true|-1|reverse
// is honoured, and implied on motorways and roundabouts.
func ReadOSM(ctx context.Context, path string, opt ReadOptions) (*Network, error) {
	speeds := opt.speeds()
	st := ReadStats{NotDrivable: map[string]int{}}
	var ways []way
	var needed []int64
	err := scanOSM(ctx, path, "reading ways", &opt, true, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok {
			return
		}
		rw, ok := osmWay(w, speeds, &st)
		if !ok {
			return
		}
		ways = append(ways, rw)
		needed = append(needed, rw.nodes...)
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(needed)
	needed = slices.Compact(needed)
	coords := make([]orb.Point, len(needed))
	found := make([]bool, len(needed))
	err = scanOSM(ctx, path, "reading nodes", &opt, false, func(o osm.Object) {
		n, ok := o.(*osm.Node)
		if !ok {
			return
		}
		if i, ok := slices.BinarySearch(needed, int64(n.ID)); ok {
			coords[i], found[i] = orb.Point{n.Lon, n.Lat}, true
		}
	})
	if err != nil {
		return nil, err
	}
	coord := func(k int64) (orb.Point, bool) {
		i, ok := slices.BinarySearch(needed, k)
		if !ok || !found[i] {
			return orb.Point{}, false
		}
		return coords[i], true
	}
	n := build(ways, coord, &opt, st)
	n.Source = path
	return n, nil
}

// scanOSM calls fn for each object of the file (ways in the first pass,
// nodes in the second for PBF; XML has every object in both).
func scanOSM(ctx context.Context, path, stage string, opt *ReadOptions, waysPass bool, fn func(osm.Object)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if opt.Progress != nil {
		size := int64(-1)
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		r = io.TeeReader(r, opt.Progress(stage, size))
	}
	br := bufio.NewReaderSize(r, 1<<16)
	var in io.Reader = br
	switch {
	case strings.HasSuffix(path, ".gz"):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return derrors.Invalid("%s: not a gzip file: %v", path, err)
		}
		defer gz.Close()
		in = bufio.NewReaderSize(gz, 1<<16)
	case strings.HasSuffix(path, ".bz2"):
		in = bufio.NewReaderSize(bzip2.NewReader(br), 1<<16)
	}
	head, _ := in.(*bufio.Reader).Peek(64)
	var sc osm.Scanner
	switch {
	case isXML(head):
		sc = osmxml.New(ctx, in)
	case bytes.Contains(head, []byte("OSMHeader")):
		ps := osmpbf.New(ctx, in, max(1, runtime.GOMAXPROCS(0)-1))
		ps.SkipRelations = true
		if waysPass {
			ps.SkipNodes = true
			ps.FilterWay = func(w *osm.Way) bool { return w.Tags.Find("highway") != "" }
		} else {
			ps.SkipWays = true
		}
		sc = ps
	default:
		return derrors.Invalid("%s is neither OpenStreetMap PBF (.osm.pbf) nor OSM XML (.osm)", path)
	}
	defer sc.Close()
	for sc.Scan() {
		fn(sc.Object())
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return derrors.Invalid("%s: cannot read the OpenStreetMap data: %v", path, err)
	}
	return nil
}

func isXML(head []byte) bool {
	s := strings.TrimLeft(string(head), "\ufeff \t\r\n")
	return strings.HasPrefix(s, "<?xml") || strings.HasPrefix(s, "<osm")
}

// allowsMotor lists access values that let a motor vehicle in.
var allowsMotor = []string{"yes", "designated", "permissive", "destination", "agricultural", "forestry", "delivery"}

// osmWay turns an OSM way into a road, or reports that it is not drivable.
func osmWay(w *osm.Way, speeds Speeds, st *ReadStats) (way, bool) {
	t := w.Tags
	class := t.Find("highway")
	if class == "" {
		return way{}, false
	}
	st.Ways++
	if !speeds.Drivable(class) || t.Find("area") == "yes" {
		st.NotDrivable[class]++
		return way{}, false
	}
	// The most specific motor-vehicle tag decides; else access does.
	allowed := t.Find("access") != "no" && t.Find("access") != "private"
	for _, k := range []string{"motorcar", "motor_vehicle", "vehicle"} {
		if v := t.Find(k); v != "" {
			allowed = slices.Contains(allowsMotor, v)
			break
		}
	}
	if !allowed {
		st.NoAccess++
		return way{}, false
	}
	rw := way{
		ref:      fmt.Sprintf("way/%d", w.ID),
		name:     firstTag(t, "name", "name:zh", "name:en"),
		roadRef:  t.Find("ref"),
		class:    class,
		maxspeed: parseMaxspeed(t.Find("maxspeed")),
		nodes:    make([]int64, len(w.Nodes)),
	}
	switch t.Find("oneway") {
	case "yes", "true", "1":
		rw.oneway = 1
	case "-1", "reverse":
		rw.oneway = -1
	case "no", "false", "0", "reversible", "alternating":
	default:
		j := t.Find("junction")
		if class == "motorway" || class == "motorway_link" || j == "roundabout" || j == "circular" {
			rw.oneway = 1
		}
	}
	for i, n := range w.Nodes {
		rw.nodes[i] = int64(n.ID)
	}
	st.Drivable++
	return rw, true
}

func firstTag(t osm.Tags, keys ...string) string {
	for _, k := range keys {
		if v := t.Find(k); v != "" {
			return v
		}
	}
	return ""
}
