package main

import (
	"github.com/paulmach/orb/geo"
)

func polygonAreaKM2(r []ipt) float64 { return geo.Area(lonLatPolygon(r)) / 1e6 }

func (w *world) regionFeatures() []feature {
	fs := []feature{{
		id:   countyCode,
		geom: multiPolygonGeom(w.countyRing),
		props: props{
			{"code", countyCode}, {"name", countyName}, {"level", "county"}, {"parent_code", nil},
			{"key_county", "national"}, {"poverty_exit", true}, {"population", w.countyPop}, {"settlement", nil},
		},
	}}
	for _, t := range w.townships {
		fs = append(fs, feature{
			id:   t.code,
			geom: multiPolygonGeom(t.ring),
			props: props{
				{"code", t.code}, {"name", t.name}, {"level", "township"}, {"parent_code", countyCode},
				{"key_county", "none"}, {"poverty_exit", false}, {"population", t.pop}, {"settlement", nil},
			},
		})
	}
	for _, v := range w.villages {
		fs = append(fs, feature{
			id:   v.code,
			geom: pointGeom(v.q),
			props: props{
				{"code", v.code}, {"name", v.name}, {"level", "village"}, {"parent_code", v.township.code},
				{"key_county", "none"}, {"poverty_exit", v.poverty}, {"population", v.pop}, {"settlement", v.settlement},
			},
		})
	}
	return fs
}

func (w *world) producerFeatures() []feature {
	var fs []feature
	for _, p := range w.producers {
		months := make([]float64, 12)
		for m, q := range p.months {
			months[m] = float64(q) / 1000
		}
		fs = append(fs, feature{
			id:   p.id,
			geom: pointGeom(p.q),
			props: props{
				{"id", p.id}, {"name", p.name}, {"operator_type", p.operator}, {"product_class", p.class},
				{"annual_output_t", round(p.outputT, 1)}, {"harvest_months", months},
			},
		})
	}
	return fs
}

func (w *world) facilityFeatures() []feature {
	var fs []feature
	for _, f := range w.facilities {
		caps := map[string]float64{}
		for _, c := range f.caps {
			caps[c.zone] = round(c.lo, 0)
		}
		g := pointGeom(f.q)
		if f.park != nil {
			g = polygonGeom(f.park)
		}
		fs = append(fs, feature{
			id:   f.id,
			geom: g,
			props: props{
				{"id", f.id}, {"name", f.name}, {"facility_type", f.ftype}, {"tier", f.tier}, {"status", f.status},
				{"capacity_t", caps}, {"product_classes", f.classes},
			},
		})
	}
	return fs
}

func (w *world) candidateFeatures() []feature {
	var fs []feature
	for _, c := range w.candidates {
		fs = append(fs, feature{
			id:   c.id,
			geom: pointGeom(c.q),
			props: props{
				{"id", c.id}, {"name", c.name}, {"allowed_tiers", c.tiers}, {"allowed_types", c.types},
				{"build_cost", round(c.cost, 0)}, {"land_use", c.landUse}, {"source", "user"},
			},
		})
	}
	return fs
}

func (w *world) exclusionFeatures() []feature {
	var fs []feature
	for _, z := range w.exclusions {
		fs = append(fs, feature{
			id:   z.id,
			geom: polygonGeom(z.ring),
			props: props{
				{"id", z.id}, {"name", z.name}, {"kind", z.kind}, {"applies_to_tiers", z.tiers},
			},
		})
	}
	return fs
}

func (w *world) roadFeatures() []feature {
	var fs []feature
	for _, r := range w.roads {
		var speed any
		if r.speed > 0 {
			speed = r.speed
		}
		fs = append(fs, feature{
			id:   r.id,
			geom: lineGeom(r.line),
			props: props{
				{"id", r.id}, {"name", r.name}, {"highway", r.highway}, {"oneway", false}, {"maxspeed_kmh", speed},
			},
		})
	}
	return fs
}
