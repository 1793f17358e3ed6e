package crs

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in     string
		srid   int
		latLon bool
	}{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, false},
		{"OGC:CRS84", 4326, false},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", 4326, true},
		{"EPSG:4326", 4326, true},
		{"[EPSG:4490]", 4490, true},
		{"https://www.opengis.net/def/crs/EPSG/0/3857", 3857, false},
	} {
		c, err := Parse(tc.in)
		if err != nil || c.SRID != tc.srid || c.LatLon != tc.latLon {
			t.Errorf("%s: %+v %v", tc.in, c, err)
		}
	}
	for _, bad := range []string{"", "EPSG:2000", "http://www.opengis.net/def/crs/EPSG/0/4326x", "CRS84"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "supported:") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if !CRS84.Default() || All[1].Default() || All[3].Digits() != 2 || CRS84.Digits() != 7 {
		t.Error("Default or Digits")
	}
}
