package scenario

import (
	"encoding/json"
	"testing"
)

func TestParseETag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{{`"v3"`, 3, true}, {`W/"v12"`, 12, true}, {"", 0, true}, {"*", 0, true}, {`"v0"`, 0, false}, {`"abc"`, 0, false}} {
		got, err := ParseETag(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseETag(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestDraftCheck(t *testing.T) {
	pt := json.RawMessage(`{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [114, 26]}}`)
	for _, tc := range []struct {
		name string
		d    Draft
		ok   bool
	}{
		{"put takes the draft id", Draft{Op: "put", Layer: "candidates", ID: "c9", Feature: pt}, true},
		{"put without an id", Draft{Op: "put", Layer: "candidates", Feature: pt}, false},
		{"remove", Draft{Op: "remove", Layer: "facilities", ID: "F1"}, true},
		{"remove without id", Draft{Op: "remove", Layer: "facilities"}, false},
		{"other layer", Draft{Op: "remove", Layer: "producers", ID: "p"}, false},
		{"polygon", Draft{Op: "put", Layer: "facilities", ID: "f", Feature: json.RawMessage(`{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}`)}, false},
	} {
		err := tc.d.check()
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.ok && tc.d.Op == "put" {
			var f struct{ ID string }
			if json.Unmarshal(tc.d.Feature, &f); f.ID != tc.d.ID {
				t.Errorf("%s: the stored feature's id is %q, want %q", tc.name, f.ID, tc.d.ID)
			}
		}
	}
}
