package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// projection maps lon/lat to SVG pixels: equirectangular, scaled by the
// cosine of the middle latitude so that the county keeps its shape.
type projection struct {
	b          orb.Bound
	k, cos     float64
	w, h, edge float64
}

func newProjection(b orb.Bound, width float64) projection {
	mid := (b.Min[1] + b.Max[1]) / 2
	p := projection{b: b, cos: math.Cos(mid * math.Pi / 180), w: width, edge: 12}
	dx := math.Max((b.Max[0]-b.Min[0])*p.cos, 1e-6)
	dy := math.Max(b.Max[1]-b.Min[1], 1e-6)
	p.k = (width - 2*p.edge) / dx
	p.h = dy*p.k + 2*p.edge
	if p.h > width*1.1 { // tall regions: fit the height instead
		p.k = (width*1.1 - 2*p.edge) / dy
		p.h = width * 1.1
	}
	return p
}

func (p projection) xy(q orb.Point) (float64, float64) {
	return p.edge + (q[0]-p.b.Min[0])*p.cos*p.k, p.edge + (p.b.Max[1]-q[1])*p.k
}

// path is an SVG path of rings and lines.
func (p projection) path(g orb.Geometry) string {
	var sb strings.Builder
	line := func(ls []orb.Point, closed bool) {
		for i, q := range ls {
			x, y := p.xy(q)
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&sb, "%s%.1f %.1f", cmd, x, y)
		}
		if closed {
			sb.WriteString("Z")
		}
	}
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			line(r, true)
		}
	case orb.MultiPolygon:
		for _, pg := range g {
			for _, r := range pg {
				line(r, true)
			}
		}
	case orb.LineString:
		line(g, false)
	}
	return sb.String()
}

// mapBound is the map's extent: the regions, else the producers and sites.
func mapBound(d *data) orb.Bound {
	var b orb.Bound
	first := true
	add := func(g orb.Bound) {
		if first {
			b, first = g, false
		} else {
			b = b.Union(g)
		}
	}
	for _, r := range d.Regions {
		add(r.Geom.Bound())
	}
	if first {
		for _, p := range d.Producers {
			add(orb.Point{p.At.Lon, p.At.Lat}.Bound())
		}
		for _, f := range d.Sites.Features {
			add(f.Geometry.Bound())
		}
	}
	return b.Pad(math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]) * 0.02)
}

// mapSVG draws the plan's map: township boundaries, gap hexagons, the
// plan's producers (served by a new site, left unserved, other), the
// allocation lines and the new sites numbered by rank.
func mapSVG(d *data, t texts) template.HTML {
	p := newProjection(mapBound(d), 900)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg id="plan-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, p.w, p.h+58, template.HTMLEscapeString(t.get("map_title")))
	fmt.Fprintf(&sb, `<rect width="%.0f" height="%.0f" fill="#f7f9fb"/>`, p.w, p.h+58)
	for _, r := range d.Regions {
		stroke, width := "#9aa5b1", 0.7
		if r.Level == "county" {
			stroke, width = "#3e4c59", 1.6
		}
		fmt.Fprintf(&sb, `<path class="region" d="%s" fill="none" stroke="%s" stroke-width="%.1f"/>`, p.path(r.Geom), stroke, width)
	}
	maxT := 0.0
	for _, h := range d.Hexagons {
		maxT = math.Max(maxT, h.Properties.MustFloat64("uncovered_t", 0))
	}
	for _, h := range d.Hexagons {
		op := 0.15 + 0.6*h.Properties.MustFloat64("uncovered_t", 0)/math.Max(maxT, 1e-9)
		fmt.Fprintf(&sb, `<path class="gap" d="%s" fill="#e4572e" fill-opacity="%.2f" stroke="#e4572e" stroke-opacity="0.5" stroke-width="0.5"/>`, p.path(h.Geometry), op)
	}
	drawAllocations(&sb, p, d)
	for _, f := range d.Sites.Features {
		x, y := p.xy(f.Geometry.Bound().Center())
		rank := f.Properties.MustInt("rank", 0)
		fmt.Fprintf(&sb, `<g class="site"><circle cx="%.1f" cy="%.1f" r="9" fill="#0b3c8c" stroke="#fff" stroke-width="2"/>`+
			`<text x="%.1f" y="%.1f" font-size="10" font-weight="bold" fill="#fff" text-anchor="middle">%d</text></g>`, x, y, x, y+3.5, rank)
	}
	legend(&sb, p, t)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// drawAllocations draws the allocation lines and the producers coloured by
// what the plan does for them.
func drawAllocations(sb *strings.Builder, p projection, d *data) {
	state := map[string]string{}
	for _, f := range d.Allocations.Features {
		id, _ := f.Properties["producer"].(string)
		switch f.Properties["kind"] {
		case "allocation":
			fmt.Fprintf(sb, `<path class="allocation" d="%s" stroke="#2b6cb0" stroke-opacity="0.35" stroke-width="0.7" fill="none"/>`, p.path(f.Geometry))
		case "demand":
			state[id] = "#2f9e44"
		case "unserved":
			state[id] = "#c92a2a"
		}
	}
	for _, pr := range d.Producers {
		x, y := p.xy(orb.Point{pr.At.Lon, pr.At.Lat})
		fill := state[pr.ID]
		if fill == "" {
			fill = "#7b8794"
		}
		fmt.Fprintf(sb, `<circle class="producer" cx="%.1f" cy="%.1f" r="2" fill="%s"/>`, x, y, fill)
	}
}

// legend writes the key under the map and a 10 km scale bar in its
// top right corner.
func legend(sb *strings.Builder, p projection, t texts) {
	y := p.h + 22
	items := []struct{ shape, key string }{
		{`<circle cx="%.0f" cy="%.0f" r="6" fill="#0b3c8c"/>`, "legend_site"},
		{`<circle cx="%.0f" cy="%.0f" r="3" fill="#2f9e44"/>`, "legend_served"},
		{`<circle cx="%.0f" cy="%.0f" r="3" fill="#c92a2a"/>`, "legend_unserved"},
		{`<circle cx="%.0f" cy="%.0f" r="3" fill="#7b8794"/>`, "legend_other"},
		{`<rect x="%.0f" y="%.0f" width="12" height="10" transform="translate(-6 -5)" fill="#e4572e" fill-opacity="0.5"/>`, "legend_gap"},
	}
	x := 20.0
	for _, it := range items {
		label := t.get(it.key)
		if x > 20 && x+24+textWidth(label, 11) > p.w-120 {
			x, y = 20, y+18
		}
		fmt.Fprintf(sb, it.shape, x, y)
		fmt.Fprintf(sb, `<text x="%.0f" y="%.0f" font-size="11" fill="#323f4b">%s</text>`, x+10, y+4, template.HTMLEscapeString(label))
		x += 24 + textWidth(label, 11)
	}
	km := 10.0 / 111.32 * p.k
	fmt.Fprintf(sb, `<path d="M%.0f %.0fh%.1f" stroke="#323f4b" stroke-width="2"/><text x="%.0f" y="%.0f" font-size="11" fill="#323f4b">10 km</text>`,
		p.w-20-km, 24.0, km, p.w-20-km, 19.0)
}

// textWidth estimates a label's width in pixels: CJK characters are
// square, Latin ones about 0.6 of the font size.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2e80 {
			w += size
		} else {
			w += size * 0.6
		}
	}
	return w
}
