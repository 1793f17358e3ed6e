package httpapi

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
)

func TestTileRegistryChecks(t *testing.T) {
	rows := func(q *tileQuery) string { return "SELECT geom FROM t WHERE geom && " + q.BBox() }
	ok := tileLayer{Name: "things", Geometry: "point", Rows: rows, Fields: []tileField{{Name: "id", Type: "String"}}}
	with := func(f func(l *tileLayer)) tileLayer {
		l := ok
		l.Fields = append([]tileField(nil), ok.Fields...)
		f(&l)
		return l
	}
	cases := []struct {
		name   string
		layers []tileLayer
		want   string // "" when the registry is fine
	}{
		{"fine", []tileLayer{ok}, ""},
		{"upper-case name", []tileLayer{with(func(l *tileLayer) { l.Name = "Things" })}, "name must match"},
		{"quote in name", []tileLayer{with(func(l *tileLayer) { l.Name = `a"b` })}, "name must match"},
		{"twice", []tileLayer{ok, ok}, "registered twice"},
		{"no rows", []tileLayer{with(func(l *tileLayer) { l.Rows = nil })}, "no Rows"},
		{"geometry", []tileLayer{with(func(l *tileLayer) { l.Geometry = "raster" })}, "geometry"},
		{"zooms", []tileLayer{with(func(l *tileLayer) { l.MinZoom, l.MaxZoom = 10, 5 })}, "zooms"},
		{"field named geom", []tileLayer{with(func(l *tileLayer) { l.Fields[0].Name = "geom" })}, "not a new lower-case identifier"},
		{"field injection", []tileLayer{with(func(l *tileLayer) { l.Fields[0].Name = `id", now() AS "x` })}, "not a new lower-case identifier"},
		{"field type", []tileLayer{with(func(l *tileLayer) { l.Fields[0].Type = "Date" })}, "type"},
		{"param without check", []tileLayer{with(func(l *tileLayer) { l.Params = []tileParam{{Name: "p"}} })}, "Valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newTileRegistry(tc.layers)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// Every registered layer, the other areas' included, is well formed and
// filters its rows by the tile so that the spatial index is used.
func TestRegisteredTileLayers(t *testing.T) {
	reg, err := newTileRegistry((&Server{}).tileLayers())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range reg.layers {
		t.Run(l.Name, func(t *testing.T) {
			q := newTileQuery(9, 418, 216, url.Values{})
			if sql := l.Rows(q); !strings.Contains(sql, q.BBox()) {
				t.Errorf("Rows does not filter by q.BBox():\n%s", sql)
			}
			if l.Title == "" || l.Description == "" || len(l.Fields) == 0 {
				t.Errorf("layer %s lacks a title, description or fields", l.Name)
			}
		})
	}
}

func TestParseTile(t *testing.T) {
	cases := []struct {
		z, x, y string
		ok      bool
	}{
		{"0", "0", "0", true},
		{"9", "418", "216", true},
		{"22", "4194303", "0", true},
		{"23", "0", "0", false},
		{"-1", "0", "0", false},
		{"1", "2", "0", false},
		{"1", "0", "2", false},
		{"01", "0", "0", false},
		{"+1", "0", "0", false},
		{"1", "0.5", "0", false},
		{"", "0", "0", false},
		{"99999999999999999999", "0", "0", false},
	}
	for _, tc := range cases {
		t.Run(tc.z+"/"+tc.x+"/"+tc.y, func(t *testing.T) {
			_, _, _, err := parseTile(tc.z, tc.x, tc.y)
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("parseTile: %v", err)
			}
		})
	}
}
