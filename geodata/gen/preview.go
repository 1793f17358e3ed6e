package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"slices"

	"github.com/paulmach/orb"
)

// preview draws a quick-look map (hillshade, zones, roads, settlements,
// producers, facilities, candidates) with the standard library only.

const pxPerKM = 28.0

type canvas struct {
	img    *image.RGBA
	origin orb.Point // km at pixel (0, H)
	h      int
}

func (c *canvas) px(p orb.Point) (float64, float64) {
	return (p[0] - c.origin[0]) * pxPerKM, float64(c.h) - (p[1]-c.origin[1])*pxPerKM
}

func (c *canvas) blend(x, y int, col color.RGBA, a float64) {
	if !(image.Point{x, y}.In(c.img.Rect)) || a <= 0 {
		return
	}
	o := c.img.RGBAAt(x, y)
	mix := func(u, v uint8) uint8 { return uint8(float64(u)*(1-a) + float64(v)*a + 0.5) }
	c.img.SetRGBA(x, y, color.RGBA{mix(o.R, col.R), mix(o.G, col.G), mix(o.B, col.B), 255})
}

func (c *canvas) disc(p orb.Point, r float64, col color.RGBA, a float64) {
	x0, y0 := c.px(p)
	for y := int(y0 - r - 1); y <= int(y0+r+1); y++ {
		for x := int(x0 - r - 1); x <= int(x0+r+1); x++ {
			d := math.Hypot(float64(x)+0.5-x0, float64(y)+0.5-y0)
			c.blend(x, y, col, a*math.Max(0, math.Min(1, r-d+0.5)))
		}
	}
}

func (c *canvas) line(pts []orb.Point, width float64, col color.RGBA, a float64, dash bool) {
	step := 0.5 / pxPerKM
	walked := 0.0
	for k := 0; k+1 < len(pts); k++ {
		L := dist(pts[k], pts[k+1])
		for s := 0.0; s <= L; s += step {
			walked += step
			if dash && math.Mod(walked*pxPerKM, 8) > 4.5 {
				continue
			}
			c.disc(lerp(pts[k], pts[k+1], s/math.Max(L, 1e-9)), width/2, col, a*0.35)
		}
	}
}

// fill paints a ring with even-odd scanlines.
func (c *canvas) fill(r orb.Ring, col color.RGBA, a float64) {
	b := c.img.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		yk := c.origin[1] + (float64(c.h)-(float64(y)+0.5))/pxPerKM
		var xs []float64
		for i := range r {
			p, q := r[i], r[(i+1)%len(r)]
			if (p[1] > yk) != (q[1] > yk) {
				xs = append(xs, p[0]+(yk-p[1])/(q[1]-p[1])*(q[0]-p[0]))
			}
		}
		slices.Sort(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			x0, _ := c.px(orb.Point{xs[i], yk})
			x1, _ := c.px(orb.Point{xs[i+1], yk})
			for x := int(math.Round(x0)); x < int(math.Round(x1)); x++ {
				c.blend(x, y, col, a)
			}
		}
	}
}

func closed(r orb.Ring) []orb.Point { return append(append([]orb.Point(nil), r...), r[0]) }

var classColor = map[string]color.RGBA{
	"leafy_vegetable": {40, 160, 40, 255}, "hardy_vegetable": {120, 170, 30, 255}, "berry": {230, 30, 90, 255},
	"fruit": {250, 150, 0, 255}, "citrus": {255, 200, 0, 255}, "meat": {140, 60, 40, 255},
	"aquatic": {0, 120, 220, 255}, "dairy": {250, 250, 250, 255}, "flower": {220, 90, 220, 255},
	"tea": {0, 90, 50, 255}, "mushroom": {160, 120, 90, 255}, "herbs": {90, 200, 170, 255},
}

func (w *world) preview(path string) error {
	b := w.countyKM.Bound().Pad(1.5)
	W := int((b.Max[0] - b.Min[0]) * pxPerKM)
	H := int((b.Max[1] - b.Min[1]) * pxPerKM)
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, W, H)), origin: b.Min, h: H}
	w.drawTerrain(c, b, W, H)
	w.drawLines(c)
	w.drawSettlements(c)
	w.drawSites(c)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, c.img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// drawTerrain draws a hillshade with a hypsometric tint over bound b, every
// second pixel.
func (w *world) drawTerrain(c *canvas, b orb.Bound, W, H int) {
	for y := 0; y < H; y += 2 {
		for x := 0; x < W; x += 2 {
			p := orb.Point{b.Min[0] + (float64(x)+1)/pxPerKM, b.Min[1] + (float64(H)-float64(y)-1)/pxPerKM}
			e := w.ter.elev(p)
			ex := w.ter.elev(orb.Point{p[0] + 0.07, p[1]})
			ey := w.ter.elev(orb.Point{p[0], p[1] + 0.07})
			nx, ny := -(ex-e)/70, -(ey-e)/70
			shade := (nx*-0.6 + ny*0.6 + 1) / math.Sqrt(nx*nx+ny*ny+1)
			shade = math.Max(0.35, math.Min(1.3, shade))
			t := math.Min(1, math.Max(0, (e-90)/1300))
			base := [3]float64{170 + 60*t, 200 - 40*t + 30*t*t, 150 - 20*t}
			if !inRing(w.countyKM, p) {
				base = [3]float64{225, 225, 225}
				shade = 0.6 + 0.4*shade
			}
			col := color.RGBA{uint8(math.Min(255, base[0]*shade)), uint8(math.Min(255, base[1]*shade)), uint8(math.Min(255, base[2]*shade)), 255}
			for dy := range 2 {
				for dx := range 2 {
					c.img.SetRGBA(x+dx, y+dy, col)
				}
			}
		}
	}
}

// drawLines draws exclusion zones, rivers, boundaries and roads.
func (w *world) drawLines(c *canvas) {
	zoneCol := map[string]color.RGBA{
		"ecological_redline": {200, 0, 0, 255}, "basic_farmland": {230, 200, 0, 255},
		"water_source": {0, 80, 255, 255}, "flood": {0, 200, 230, 255},
	}
	for _, z := range w.exclusions {
		c.fill(z.km, zoneCol[z.kind], 0.25)
		c.line(closed(z.km), 1.5, zoneCol[z.kind], 0.9, false)
	}
	for _, rv := range w.ter.rivers {
		wd := 2.0
		if rv.main {
			wd = 3.5
		}
		c.line(rv.pts, wd, color.RGBA{30, 90, 200, 255}, 1, false)
	}
	for _, t := range w.townships {
		c.line(closed(t.km), 1.5, color.RGBA{90, 60, 110, 255}, 0.8, true)
	}
	c.line(closed(w.countyKM), 3, color.RGBA{40, 20, 60, 255}, 1, false)
	roadStyle := map[string]struct {
		w   float64
		col color.RGBA
	}{
		"primary": {4, color.RGBA{220, 40, 30, 255}}, "secondary": {3, color.RGBA{240, 140, 20, 255}},
		"tertiary": {2.2, color.RGBA{250, 220, 60, 255}}, "unclassified": {1.4, color.RGBA{255, 255, 255, 255}},
		"track": {1.2, color.RGBA{120, 70, 30, 255}},
	}
	for _, h := range []string{"track", "unclassified", "tertiary", "secondary", "primary"} {
		for _, r := range w.roads {
			if r.highway == h {
				st := roadStyle[h]
				c.line(ringKM(r.line), st.w, st.col, 1, h == "track")
			}
		}
	}
}

// drawSettlements draws producers and villages.
func (w *world) drawSettlements(c *canvas) {
	for _, pr := range w.producers {
		c.disc(pr.p, 1.6, classColor[pr.class], 0.9)
	}
	for _, v := range w.villages {
		r, col := 2.5, color.RGBA{60, 60, 60, 255}
		switch v.settlement {
		case "county_seat":
			r, col = 7, color.RGBA{0, 0, 0, 255}
		case "town":
			r, col = 5, color.RGBA{40, 40, 40, 255}
		case "central_village":
			r = 3.5
		}
		c.disc(v.p, r+1.2, color.RGBA{255, 255, 255, 255}, 1)
		c.disc(v.p, r, col, 1)
		if v.poverty {
			c.disc(v.p, 1.5, color.RGBA{255, 120, 0, 255}, 1)
		}
	}
}

// drawSites draws facilities (parks as areas) and candidate sites.
func (w *world) drawSites(c *canvas) {
	for _, f := range w.facilities {
		if f.park != nil {
			c.fill(ringKM(f.park), color.RGBA{120, 0, 160, 255}, 0.5)
		}
		x, y := c.px(f.p)
		col := color.RGBA{0, 0, 200, 255}
		if f.status != "existing" {
			col = color.RGBA{120, 120, 255, 255}
		}
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				k := color.RGBA{255, 255, 255, 255}
				if max(abs(dx), abs(dy)) < 4 {
					k = col
				}
				c.blend(int(x)+dx, int(y)+dy, k, 1)
			}
		}
	}
	for _, cd := range w.candidates {
		x, y := c.px(cd.p)
		for dy := -5; dy <= 5; dy++ {
			for dx := -5; dx <= 5; dx++ {
				if abs(dx)+abs(dy) <= 5 && abs(dx)+abs(dy) >= 3 {
					c.blend(int(x)+dx, int(y)+dy, color.RGBA{230, 0, 200, 255}, 1)
				}
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
