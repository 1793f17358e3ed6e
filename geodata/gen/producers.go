package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
)

type producer struct {
	id, name, operator, class string
	p                         orb.Point
	q                         ipt
	outputT                   float64
	months                    [12]int // thousandths, summing to 1000
}

// classSpec describes one product class: how many producers, where it grows
// and the typical monthly harvest profile (Jan..Dec, relative weights).
type classSpec struct {
	class   string
	count   int
	label   string
	profile [12]float64
	shift   bool // varieties ripen a month earlier or later
}

var classes = []classSpec{
	{"leafy_vegetable", 500, "Leafy Veg", [12]float64{11, 11, 12, 10, 8, 6, 5, 5, 6, 8, 9, 10}, false},
	{"hardy_vegetable", 400, "Veg", [12]float64{12, 8, 4, 2, 1, 0.5, 0.5, 1, 5, 15, 24, 27}, true},
	{"citrus", 240, "Citrus", [12]float64{18, 0, 0, 0, 0, 0, 0, 0, 0, 15, 35, 32}, false},
	{"fruit", 160, "Fruit", [12]float64{0, 0, 0, 0, 0, 10, 25, 30, 22, 13, 0, 0}, true},
	{"tea", 200, "Tea", [12]float64{0, 0, 16, 34, 20, 8, 7, 6, 5, 4, 0, 0}, false},
	{"mushroom", 140, "Mushroom", [12]float64{17, 15, 14, 10, 0, 0, 0, 0, 0, 10, 16, 18}, false},
	{"meat", 160, "", [12]float64{11, 9, 8, 7, 7, 7, 7, 7, 8, 8, 9, 12}, false},
	{"aquatic", 120, "Fish Pond", [12]float64{11, 7, 6, 6, 7, 7, 8, 8, 9, 10, 10, 11}, false},
	{"berry", 40, "Strawberry", [12]float64{25, 22, 20, 10, 0, 0, 0, 0, 0, 0, 0, 23}, false},
	{"herbs", 20, "Herb", [12]float64{0, 0, 0, 0, 0, 0, 0, 5, 30, 40, 25, 0}, false},
	{"flower", 12, "Flower", [12]float64{5, 15, 30, 30, 15, 5, 0, 0, 0, 0, 0, 0}, false},
	{"dairy", 8, "Dairy", [12]float64{8.6, 8.4, 8.8, 8.9, 8.7, 8.2, 7.8, 7.8, 8.1, 8.4, 8.5, 8.6}, false},
}

// Output ranges in t/year by operator type: family farm, cooperative,
// enterprise, village collective, smallholders (an aggregate of households).
var outputRange = map[string][5][2]float64{
	"leafy_vegetable": {{20, 200}, {300, 3000}, {800, 5000}, {100, 800}, {40, 400}},
	"hardy_vegetable": {{30, 300}, {400, 3500}, {1000, 6000}, {150, 1000}, {60, 500}},
	"citrus":          {{50, 400}, {300, 1500}, {800, 2000}, {100, 600}, {50, 300}},
	"fruit":           {{20, 200}, {200, 1500}, {500, 2500}, {50, 400}, {20, 150}},
	"tea":             {{2, 12}, {10, 60}, {20, 60}, {5, 30}, {2, 10}},
	"mushroom":        {{20, 150}, {100, 500}, {200, 500}, {30, 200}, {20, 100}},
	"meat":            {{50, 300}, {200, 800}, {500, 1500}, {50, 250}, {50, 150}},
	"aquatic":         {{10, 80}, {50, 300}, {100, 300}, {20, 120}, {10, 50}},
	"berry":           {{5, 40}, {30, 200}, {80, 400}, {20, 100}, {5, 30}},
	"herbs":           {{5, 50}, {30, 200}, {50, 300}, {10, 80}, {5, 30}},
	"flower":          {{5, 40}, {20, 150}, {50, 300}, {10, 60}, {5, 30}},
	"dairy":           {{100, 500}, {300, 1500}, {1000, 4000}, {200, 600}, {100, 300}},
}

var operators = []string{"family_farm", "cooperative", "enterprise", "village_collective", "smallholders"}
var operatorLabel = []string{"Family Farm", "Cooperative", "Co. Ltd", "Village Collective", "Smallholders"}

// Operator mix per class (weights in the order of operators).
func operatorWeights(class string) []float64 {
	switch class {
	case "meat":
		return []float64{50, 15, 25, 5, 5}
	case "dairy":
		return []float64{40, 30, 30, 0, 0}
	case "aquatic":
		return []float64{55, 20, 5, 10, 10}
	case "tea":
		return []float64{30, 30, 10, 10, 20}
	case "citrus", "fruit":
		return []float64{40, 22, 6, 8, 24}
	}
	return []float64{38, 20, 5, 10, 27}
}

// site describes terrain at a producer location.
type site struct {
	p                   orb.Point
	elev, slope, river  float64 // m, degrees, km to nearest river
	seat, town, village float64 // km to county seat, nearest town seat, nearest settlement
}

// suit is the terrain suitability of a site for a class (relative weight).
func suit(class string, s site) float64 {
	bell := func(x, lo, hi float64) float64 { // 1 inside [lo, hi], falling off outside
		switch {
		case x < lo:
			return math.Exp(-(lo - x) / math.Max(lo*0.3, 1))
		case x > hi:
			return math.Exp(-(x - hi) / math.Max(hi*0.3, 1))
		}
		return 1
	}
	flat := math.Exp(-s.slope / 4)
	low := math.Exp(-math.Max(0, s.elev-160) / 120)
	switch class {
	case "leafy_vegetable":
		return flat * low * (1 + 2*math.Exp(-s.town/4))
	case "hardy_vegetable":
		return math.Exp(-s.slope/7) * bell(s.elev, 100, 500)
	case "citrus":
		return bell(s.slope, 5, 22) * bell(s.elev, 120, 450)
	case "fruit":
		return bell(s.slope, 3, 18) * bell(s.elev, 150, 600)
	case "tea":
		return bell(s.slope, 8, 35) * bell(s.elev, 280, 1100) * 1.5
	case "mushroom":
		return bell(s.elev, 200, 800) * math.Exp(-s.village/1.5)
	case "meat":
		return bell(s.river, 0.6, 5) * bell(s.village, 0.5, 3) * bell(s.slope, 2, 15)
	case "aquatic":
		return math.Exp(-s.river/0.4) * flat * 3
	case "berry":
		return flat * low * math.Exp(-s.seat/6) * 3
	case "herbs":
		return bell(s.elev, 300, 900) * bell(s.slope, 5, 30)
	case "flower":
		return flat * math.Exp(-s.seat/8) * 2
	case "dairy":
		return flat * low * math.Exp(-s.seat/10) * bell(s.river, 0.5, 5)
	}
	return 1
}

// buildProducers scatters producers around villages (valleys denser), then
// assigns classes so that every class gets exactly its quota while following
// the terrain: in random order each site draws a class with probability
// proportional to suitability × remaining quota share.
func (w *world) buildProducers() {
	r := rand.New(rand.NewPCG(w.seed, 0x9d))
	total := 0
	for _, c := range classes {
		total += c.count
	}
	sites := w.producerSites(r, total*4/3)
	sites, assigned := assignClasses(r, sites)
	for i, s := range sites {
		w.producers = append(w.producers, newProducer(r, i, s, classes[assigned[i]]))
	}
}

// producerSites scatters n sites around villages, weighted by population
// and valley preference, outside the red line and the water-source zone.
func (w *world) producerSites(r *rand.Rand, n int) []site {
	// Village weights: population × valley preference.
	weights := make([]float64, len(w.villages))
	sum := 0.0
	for i, v := range w.villages {
		weights[i] = float64(v.pop) * (0.25 + w.habitability(v.p))
		if v.settlement == "county_seat" {
			weights[i] *= 0.3 // urban
		}
		sum += weights[i]
	}
	pick := func() *village {
		x := r.Float64() * sum
		for i, wt := range weights {
			x -= wt
			if x < 0 {
				return w.villages[i]
			}
		}
		return w.villages[len(w.villages)-1]
	}
	var sites []site
	for len(sites) < n {
		v := pick()
		d := 0.15 + r.ExpFloat64()*0.75
		if r.Float64() < 0.3 {
			d = 0.3 + r.ExpFloat64()*1.5 // orchards and tea gardens up the hillsides
		}
		p := add(v.p, polar(d, 2*math.Pi*r.Float64()))
		if !insideBy(w.countyKM, p, 0.05) || w.blockedForProducer(p) {
			continue
		}
		s := site{p: p, elev: w.ter.elev(p), slope: w.ter.slope(p), seat: dist(p, w.seat.p)}
		s.river, _ = w.ter.riverDist(p, 10)
		s.town, s.village = math.Inf(1), math.Inf(1)
		for _, u := range w.villages {
			dd := dist(p, u.p)
			s.village = min(s.village, dd)
			if u.settlement == "town" || u.settlement == "county_seat" {
				s.town = min(s.town, dd)
			}
		}
		if s.village < 0.12 {
			continue
		}
		sites = append(sites, s)
	}
	return sites
}

// assignClasses gives each class its quota of sites and drops the sites no
// class took; it returns the kept sites and their class indices.
func assignClasses(r *rand.Rand, sites []site) ([]site, []int) {
	// Classes pick their quota from the pool, the most terrain-bound first,
	// by weighted sampling without replacement (weight: suitability cubed);
	// the sites nobody wants are dropped.
	order := []string{"aquatic", "tea", "berry", "flower", "dairy", "herbs", "citrus", "fruit", "mushroom", "meat", "hardy_vegetable", "leafy_vegetable"}
	assigned := make([]int, len(sites))
	for i := range assigned {
		assigned[i] = -1
	}
	for _, cl := range order {
		ci := classIndex(cl)
		ws := make([]float64, len(sites))
		for i, s := range sites {
			if assigned[i] < 0 {
				v := suit(cl, s) + 1e-3
				ws[i] = v * v * v
			}
		}
		for range classes[ci].count {
			i := weightedIndex(r, ws)
			assigned[i] = ci
			ws[i] = 0
		}
	}
	var kept []site
	var keptClass []int
	for i, s := range sites {
		if assigned[i] >= 0 {
			kept = append(kept, s)
			keptClass = append(keptClass, assigned[i])
		}
	}
	return kept, keptClass
}

// newProducer is the i-th producer, of class c at site s.
func newProducer(r *rand.Rand, i int, s site, c classSpec) *producer {
	op := weightedIndex(r, operatorWeights(c.class))
	rg := outputRange[c.class][op]
	out := math.Exp(math.Log(rg[0]) + r.Float64()*(math.Log(rg[1])-math.Log(rg[0])))
	label := c.label
	if c.class == "meat" {
		label = "Pig Farm"
		if r.Float64() < 0.4 {
			label = "Poultry Farm"
		}
	}
	pr := &producer{
		id:       fmt.Sprintf("P%05d", i+1),
		operator: operators[op],
		class:    c.class,
		p:        s.p,
		q:        toIPT(s.p),
		outputT:  math.Round(out*10) / 10,
		months:   harvestShares(r, c),
	}
	pr.name = fmt.Sprintf("Demo %s %s %04d", label, operatorLabel[op], i+1)
	return pr
}

// blockedForProducer: no farms in the red line or the water-source zone.
func (w *world) blockedForProducer(p orb.Point) bool {
	for _, z := range w.exclusions {
		if (z.kind == "ecological_redline" || z.kind == "water_source") && inRing(z.km, p) {
			return true
		}
	}
	return false
}

func weightedIndex(r *rand.Rand, ws []float64) int {
	tot := 0.0
	for _, v := range ws {
		tot += v
	}
	x := r.Float64() * tot
	for i, v := range ws {
		x -= v
		if x < 0 && v > 0 {
			return i
		}
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i] > 0 {
			return i
		}
	}
	return 0
}

// harvestShares perturbs the class profile (±15 % per month, an optional
// one-month variety shift), rounds to thousandths and puts the rounding
// remainder on the largest month so the shares sum to exactly 1.000.
func harvestShares(r *rand.Rand, c classSpec) [12]int {
	var w [12]float64
	shift := 0
	if c.shift {
		shift = []int{-1, 0, 0, 1}[r.IntN(4)]
	}
	sum := 0.0
	for m := range 12 {
		w[m] = c.profile[((m-shift)%12+12)%12] * (1 + 0.15*(2*r.Float64()-1))
		sum += w[m]
	}
	var q [12]int
	tot, big := 0, 0
	for m := range 12 {
		q[m] = int(math.Round(1000 * w[m] / sum))
		tot += q[m]
		if q[m] > q[big] {
			big = m
		}
	}
	q[big] += 1000 - tot
	return q
}

// classIndex returns the position of a class in classes (for stable summaries).
func classIndex(class string) int {
	return slices.IndexFunc(classes, func(c classSpec) bool { return c.class == class })
}
