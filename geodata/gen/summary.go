package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// summary renders the counts written at the end of README.md.
func (w *world) summary() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	sumT := 0.0
	for _, t := range w.townships {
		sumT += t.areaKM2
	}
	p("Seed %d. County %s %s: %.1f km² (geodesic), population %d; %d townships (areas sum to %.1f km²), %d villages.\n\n",
		w.seed, countyCode, countyName, w.countyArea, w.countyPop, len(w.townships), sumT, len(w.villages))

	p("| township | code | area km² | population | villages | poverty-exit villages | producers |\n|---|---|---:|---:|---:|---:|---:|\n")
	prodIn := make([]int, len(w.townships))
	for _, pr := range w.producers {
		if t := w.townshipAt(pr.p); t != nil {
			prodIn[t.index]++
		}
	}
	for _, t := range w.townships {
		pov := 0
		for _, v := range t.villages {
			if v.poverty {
				pov++
			}
		}
		p("| %s | %s | %.1f | %d | %d | %d | %d |\n", t.name, t.code, t.areaKM2, t.pop, len(t.villages), pov, prodIn[t.index])
	}

	w.summaryClasses(&b)
	w.summaryFacilities(&b)
	w.summaryLand(&b)
	p("\nMedian distance to the county seat: facilities %.1f km, producers %.1f km.\n",
		median(w.facilityDists()), median(w.producerDists()))
	return b.String()
}

// summaryClasses writes producers and output by product class.
func (w *world) summaryClasses(b *strings.Builder) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("\n| product class | producers | output t/year |\n|---|---:|---:|\n")
	cnt := make([]int, len(classes))
	out := make([]float64, len(classes))
	total := 0.0
	for _, pr := range w.producers {
		i := classIndex(pr.class)
		cnt[i]++
		out[i] += pr.outputT
		total += pr.outputT
	}
	for i, c := range classes {
		p("| %s | %d | %.0f |\n", c.class, cnt[i], out[i])
	}
	p("| **total** | %d | %.0f |\n", len(w.producers), total)

}

// summaryFacilities writes facilities by type and capacity by zone.
func (w *world) summaryFacilities(b *strings.Builder) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("\n| facility type | existing | under construction |\n|---|---:|---:|\n")
	var types []string
	for _, f := range w.facilities {
		if !slices.Contains(types, f.ftype) {
			types = append(types, f.ftype)
		}
	}
	for _, ty := range types {
		e, u := 0, 0
		for _, f := range w.facilities {
			if f.ftype == ty {
				if f.status == "existing" {
					e++
				} else {
					u++
				}
			}
		}
		p("| %s | %d | %d |\n", ty, e, u)
	}
	p("\n| capacity zone | existing t | under construction t |\n|---|---:|---:|\n")
	for _, z := range zones {
		e, u := 0.0, 0.0
		for _, f := range w.facilities {
			for _, c := range f.caps {
				if c.zone == z {
					if f.status == "existing" {
						e += c.lo
					} else {
						u += c.lo
					}
				}
			}
		}
		p("| %s | %.0f | %.0f |\n", z, e, u)
	}

}

// summaryLand writes candidates by land use, exclusion zones and roads.
func (w *world) summaryLand(b *strings.Builder) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	land := map[string]int{}
	for _, c := range w.candidates {
		land[c.landUse]++
	}
	p("\nCandidates: %d (construction %d, farmland %d, other %d).\n", len(w.candidates), land["construction"], land["farmland"], land["other"])

	p("\n| exclusion kind | zones | area km² |\n|---|---:|---:|\n")
	for _, k := range []string{"ecological_redline", "basic_farmland", "water_source", "flood"} {
		n, a := 0, 0.0
		for _, z := range w.exclusions {
			if z.kind == k {
				n++
				a += z.areaKM2
			}
		}
		p("| %s | %d | %.1f |\n", k, n, a)
	}

	p("\n| highway | roads | length km |\n|---|---:|---:|\n")
	for _, h := range []string{"primary", "secondary", "tertiary", "unclassified", "track"} {
		n, l := 0, 0.0
		for _, r := range w.roads {
			if r.highway == h {
				n++
				ls := lineLonLat(r.line)
				l += geo.Length(ls) / 1000
			}
		}
		p("| %s | %d | %.1f |\n", h, n, l)
	}
}

func lineLonLat(l []ipt) orb.LineString {
	ls := make(orb.LineString, len(l))
	for i, q := range l {
		ls[i] = q.lonLat()
	}
	return ls
}

func (w *world) facilityDists() []float64 {
	var d []float64
	for _, f := range w.facilities {
		d = append(d, geo.Distance(f.q.lonLat(), w.seat.q.lonLat())/1000)
	}
	return d
}

func (w *world) producerDists() []float64 {
	var d []float64
	for _, p := range w.producers {
		d = append(d, geo.Distance(p.q.lonLat(), w.seat.q.lonLat())/1000)
	}
	return d
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
