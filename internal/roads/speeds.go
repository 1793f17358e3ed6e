package roads

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/coldchain/coldchain/internal/derrors"
)

// Speeds maps an OSM highway class to the travel speed (km/h) of a loaded
// light truck on it. A class that is absent (or has a speed of 0) is not
// drivable and is left out of the network.
type Speeds map[string]float64

// DefaultSpeeds are average speeds of a loaded light truck on rural Chinese
// roads, by OSM class, grouped as Chinese road administration classes them:
//
//	expressway 高速公路              motorway 80, motorway_link 40
//	national/provincial 国道/省道    trunk 60, primary 50, secondary 40, *_link 25–30
//	county road 县道                 tertiary 30, tertiary_link 20
//	village road 乡道/村道           unclassified 25, residential 20, service 15, living_street 10, road 20
//	track 机耕路/林道                track 10
//
// They are well below posted limits (expressways 100–120 km/h, class I–II
// highways 60–80 km/h) because trucks climb, pass through towns and share
// the road with tractors and tricycles; a lower posted maxspeed caps them.
var DefaultSpeeds = Speeds{
	"motorway": 80, "motorway_link": 40,
	"trunk": 60, "trunk_link": 30,
	"primary": 50, "primary_link": 30,
	"secondary": 40, "secondary_link": 25,
	"tertiary": 30, "tertiary_link": 20,
	"unclassified": 25, "residential": 20, "service": 15, "living_street": 10, "road": 20,
	"track": 10,
}

// Classes lists the default table's classes, fastest first.
func Classes() []string {
	out := slices.Collect(maps.Keys(DefaultSpeeds))
	slices.SortFunc(out, func(a, b string) int {
		if DefaultSpeeds[a] != DefaultSpeeds[b] {
			if DefaultSpeeds[a] > DefaultSpeeds[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// classAliases lets GeoJSON files name road classes the way Chinese road
// data does (administrative class, in Chinese or English).
var classAliases = map[string]string{
	"expressway": "motorway", "高速公路": "motorway", "高速": "motorway",
	"national": "trunk", "国道": "trunk",
	"provincial": "primary", "省道": "primary",
	"county": "tertiary", "县道": "tertiary",
	"township": "unclassified", "乡道": "unclassified",
	"village": "unclassified", "村道": "unclassified",
	"机耕路": "track", "林道": "track",
}

// Canonical returns the OSM class a GeoJSON highway value names (an OSM
// class or an alias such as "county" or 县道), lower-cased.
func Canonical(class string) string {
	c := strings.ToLower(strings.TrimSpace(class))
	if a, ok := classAliases[c]; ok {
		return a
	}
	return c
}

// Clone returns a copy of s.
func (s Speeds) Clone() Speeds { return maps.Clone(s) }

// Drivable reports whether class has a speed.
func (s Speeds) Drivable(class string) bool { return s[class] > 0 }

// Speed returns the travel speed on a road of class whose posted limit is
// maxspeed (0: none posted): the class speed, capped by the posted limit.
func (s Speeds) Speed(class string, maxspeed float64) float64 {
	v := s[class]
	if maxspeed > 0 && maxspeed < v {
		v = maxspeed
	}
	return v
}

// Set overrides speeds from "class=kmh" settings (e.g. the --speed flag).
// A speed of 0 makes a class undrivable. Unknown classes are accepted (OSM
// has more highway values than the defaults name). It returns ErrInvalid
// for a malformed setting.
func (s Speeds) Set(settings map[string]string) error {
	for class, v := range settings {
		c := Canonical(class)
		if c == "" {
			return derrors.Invalid("--speed: empty road class")
		}
		kmh, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(kmh >= 0 && kmh <= 200) {
			return derrors.Invalid("--speed %s=%s: want a speed from 0 to 200 km/h", class, v)
		}
		if kmh == 0 {
			delete(s, c)
			continue
		}
		s[c] = kmh
	}
	return nil
}

// String lists the table as "class=kmh" pairs, fastest first.
func (s Speeds) String() string {
	keys := slices.Collect(maps.Keys(s))
	slices.SortFunc(keys, func(a, b string) int {
		if s[a] != s[b] {
			if s[a] > s[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%g", k, s[k])
	}
	return strings.Join(parts, ",")
}

// parseMaxspeed reads an OSM maxspeed value ("60", "60 mph", "50;40") in
// km/h; 0 when there is no usable number ("none", "signals", "CN:urban").
func parseMaxspeed(v string) float64 {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, ";,"); i >= 0 {
		v = v[:i]
	}
	mph := strings.HasSuffix(v, "mph")
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(v, "mph"), "km/h"))
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x <= 0 || x > 300 {
		return 0
	}
	if mph {
		x *= 1.609344
	}
	return x
}
