package layer

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
)

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// FuzzParseQuery feeds every layer's query parser arbitrary query
// strings: it returns ErrInvalid or a query within bounds whose SQL holds
// every value as a parameter (seeds under testdata/fuzz/FuzzParseQuery).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"bbox=113.9,26.4,114.6,26.8&limit=10&offset=5",
		"product_class=citrus,leafy_vegetable&min_output_t=100",
		"region=4310&region_code=43102",
		"bbox=1,2,3&limit=0",
		"min_output_t=NaN",
		"bbox=-180,-90,180,90,0,10",
		"status=existing&tier=county,township&facility_type=cold_room",
		"limit=10001&offset=-1",
		"x=%00&region=1'--",
		"filter=product_class%3D'citrus'%20AND%20annual_output_t%3E100&sortby=-annual_output_t&properties=name",
		"filter=S_INTERSECTS(geometry,POINT(26.5%20114))&filter-crs=EPSG:4326&crs=EPSG:3857",
		"bbox=3000000,12600000,3100000,12700000&bbox-crs=EPSG:3857",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, l := range All {
			q, err := l.ParseQuery(v, 100)
			if err != nil {
				if !errors.Is(err, derrors.ErrInvalid) {
					t.Fatalf("%s: %v is not ErrInvalid", l.Name, err)
				}
				continue
			}
			if q.Limit < 1 || q.Limit > MaxLimit || q.Offset < 0 {
				t.Fatalf("%s: limit %d offset %d out of bounds", l.Name, q.Limit, q.Offset)
			}
			sql, args, err := l.where(q)
			if err != nil {
				t.Fatalf("%s: a parsed query does not compile: %v", l.Name, err)
			}
			if n := len(placeholder.FindAllString(sql, -1)); n != len(args) {
				t.Fatalf("%s: %d placeholders for %d arguments in %q", l.Name, n, len(args), sql)
			}
			if strings.Contains(strings.ReplaceAll(sql, "'{}'", ""), "'") {
				t.Fatalf("%s: a value reached the SQL text: %q", l.Name, sql)
			}
		}
	})
}

// FuzzParseBBox: a bbox parses into a WGS84 box or ErrInvalid.
func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"113.9,26.4,114.6,26.8", "1,2,3", "NaN,0,1,1", "-180,-90,180,90,0,1", "1e400,0,0,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBBox(s)
		if err != nil {
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("%v is not ErrInvalid", err)
			}
			return
		}
		if !(b.Min[0] <= b.Max[0] && b.Min[1] <= b.Max[1] && b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -90 && b.Max[1] <= 90) {
			t.Fatalf("%q parsed to %v", s, b)
		}
	})
}
