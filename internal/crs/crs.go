// Package crs lists the coordinate reference systems coldchain serves
// (OGC API – Features Part 2): their URIs, PostGIS SRIDs and axis order.
// Data is stored in WGS84 longitude/latitude (CRS84); PostGIS transforms
// to and from the others.
package crs

import (
	"fmt"
	"strings"
)

// CRS is a coordinate reference system clients may ask for.
type CRS struct {
	// URI is the OGC URI that names it in crs, bbox-crs, filter-crs and
	// Content-Crs.
	URI string
	// SRID is its PostGIS spatial_ref_sys id.
	SRID int
	// LatLon says its first axis is latitude (EPSG:4326 and EPSG:4490 by
	// their definitions), so coordinates are swapped on the way in and out.
	LatLon bool
	// Degrees says its units are degrees (else metres).
	Degrees bool
	Title   string
}

// CRS84 is WGS84 longitude/latitude, the storage and default CRS.
var CRS84 = CRS{URI: "http://www.opengis.net/def/crs/OGC/1.3/CRS84", SRID: 4326, Degrees: true,
	Title: "WGS 84 longitude/latitude (the storage CRS)"}

// All lists the supported CRSs, the default first.
var All = []CRS{
	CRS84,
	{URI: "http://www.opengis.net/def/crs/EPSG/0/4326", SRID: 4326, LatLon: true, Degrees: true, Title: "WGS 84 latitude/longitude"},
	{URI: "http://www.opengis.net/def/crs/EPSG/0/4490", SRID: 4490, LatLon: true, Degrees: true, Title: "CGCS2000 latitude/longitude"},
	{URI: "http://www.opengis.net/def/crs/EPSG/0/3857", SRID: 3857, Title: "Web Mercator (metres)"},
}

// URIs returns the URIs of All.
func URIs() []string {
	out := make([]string, len(All))
	for i, c := range All {
		out[i] = c.URI
	}
	return out
}

// Parse reads a CRS URI (also the [EPSG:4326] safe-CURIE and EPSG:4326
// short forms); an unsupported one is an error listing the supported.
func Parse(s string) (CRS, error) {
	v := strings.TrimSpace(s)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if short, ok := strings.CutPrefix(strings.ToUpper(v), "EPSG:"); ok {
		v = "http://www.opengis.net/def/crs/EPSG/0/" + short
	}
	if strings.EqualFold(v, "OGC:CRS84") {
		v = CRS84.URI
	}
	v = strings.Replace(v, "https://", "http://", 1)
	for _, c := range All {
		if v == c.URI {
			return c, nil
		}
	}
	return CRS{}, fmt.Errorf("unsupported CRS %q (supported: %s)", s, strings.Join(URIs(), ", "))
}

// Default reports whether c is CRS84, the storage CRS.
func (c CRS) Default() bool { return c.URI == CRS84.URI || c.URI == "" }

// Digits is how many decimals output coordinates keep: 7 for degrees
// (about 1 cm), 2 for metres.
func (c CRS) Digits() int {
	if c.Degrees || c.URI == "" {
		return 7
	}
	return 2
}
