package layer

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/derrors"
)

// Feature is one input feature before validation.
type Feature struct {
	// Row numbers the feature for messages: the feature's position in a
	// GeoJSON file (1-based) or its line in a CSV file.
	Row   int
	ID    any // feature-level id (string or number), nil if none
	Props map[string]any
	Geom  orb.Geometry
	// Text says values come from CSV text: numbers, booleans, lists and
	// objects are parsed from strings, and "" means absent.
	Text bool
}

// Row is a validated feature ready to store.
type Row struct {
	Row    int
	Key    string
	Values []any // in Columns() order
	Geom   orb.Geometry
}

// Vocab holds vocabularies defined in the database.
type Vocab struct {
	Classes []string // product class codes
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)
	codePattern = regexp.MustCompile(`^[0-9]{2,12}$`)
)

const maxText = 500

// IsRegionCode reports whether s has the form of an administrative code
// (2 to 12 digits, hierarchical).
func IsRegionCode(s string) bool { return codePattern.MatchString(s) }

// CheckRegionCode is the problem of a request's region parameter param
// when s is not an administrative code (empty included); nil otherwise.
func CheckRegionCode(param, s string) error {
	if IsRegionCode(s) {
		return nil
	}
	return derrors.Invalid("%s: %q is not an administrative code (2 to 12 digits, such as 360781)", param, s)
}

// Decode validates f for layer l and returns the row to store, or every
// problem found as row errors.
func (l *Layer) Decode(f Feature, v *Vocab) (Row, derrors.RowErrors) {
	d := decoder{layer: l, f: f, vocab: v}
	row := Row{Row: f.Row}
	row.Key = d.key()
	for _, fd := range l.Fields {
		if fd.Kind == Capacity {
			row.Values = append(row.Values, d.capacity(fd)...)
			continue
		}
		if fd.Name == l.Key {
			row.Values = append(row.Values, row.Key)
			continue
		}
		row.Values = append(row.Values, d.value(fd))
	}
	l.derive(row.Values)
	row.Geom = d.geometry()
	return row, d.errs
}

// derive fills absent values of fields that derive them from the others.
func (l *Layer) derive(values []any) {
	var cols []string
	var byCol map[string]any
	for _, fd := range l.Fields {
		if fd.Derive == nil {
			continue
		}
		if cols == nil {
			cols = l.Columns()
		}
		i := slices.Index(cols, fd.Name)
		if values[i] != nil {
			continue
		}
		if byCol == nil {
			byCol = make(map[string]any, len(cols))
			for k, c := range cols {
				byCol[c] = values[k]
			}
		}
		values[i] = fd.Derive(byCol)
	}
}

type decoder struct {
	layer *Layer
	f     Feature
	vocab *Vocab
	errs  derrors.RowErrors
}

func (d *decoder) fail(field, format string, args ...any) {
	d.errs = append(d.errs, derrors.RowError{Row: d.f.Row, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// raw returns a property, treating null (and "" in text mode) as absent.
func (d *decoder) raw(name string) (any, bool) {
	v, ok := d.f.Props[name]
	if !ok || v == nil {
		return nil, false
	}
	if s, isStr := v.(string); isStr && d.f.Text && strings.TrimSpace(s) == "" {
		return nil, false
	}
	return v, true
}

func (d *decoder) key() string {
	name := d.layer.Key
	var fid string
	if d.f.ID != nil {
		fid = scalarString(d.f.ID)
	}
	prop, hasProp := d.raw(name)
	pid := ""
	if hasProp {
		pid = scalarString(prop)
	}
	switch {
	case fid != "" && pid != "" && fid != pid:
		d.fail(name, "feature id %q and property %s %q differ", fid, name, pid)
		return pid
	case pid == "":
		pid = fid
	}
	if name == "code" {
		if pid == "" {
			d.fail("code", "required")
		} else if !codePattern.MatchString(pid) {
			d.fail("code", "%q is not an administrative code (2 to 12 digits)", pid)
		}
		return pid
	}
	if pid == "" {
		return d.layer.IDPrefix + newID()
	}
	if !idPattern.MatchString(pid) {
		d.fail(name, "%q is not a valid id (letters, digits and _ . : -, at most 64, starting with a letter or digit)", pid)
	}
	return pid
}

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// scalarString renders a string or a whole number as an id.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// value decodes and checks one field of a row: a missing field is its
// default (or a failure when required); a present one is handed to the
// checker for its kind. Failures are recorded on d.
func (d *decoder) value(fd Field) any {
	v, ok := d.raw(fd.Name)
	if !ok {
		if fd.Required {
			d.fail(fd.Name, "required")
		}
		return fd.Default
	}
	switch fd.Kind {
	case Text:
		return d.textValue(fd, v)
	case Code:
		s := scalarString(v)
		if !codePattern.MatchString(s) {
			d.fail(fd.Name, "%q is not an administrative code (2 to 12 digits)", s)
		}
		return s
	case Enum:
		return d.enumValue(fd, v)
	case Class:
		s, ok := v.(string)
		if !ok {
			d.fail(fd.Name, "want a product class code")
			return nil
		}
		s = strings.TrimSpace(s)
		d.checkClass(fd.Name, s)
		return s
	case Number, Integer:
		return d.numberValue(fd, v)
	case Bool:
		return d.boolValue(fd, v)
	case EnumList, ClassList:
		return d.listValue(fd, v)
	case Shares:
		return d.shares(fd.Name, v)
	}
	return v
}

// textValue is free text: any scalar as a string, valid UTF-8, at most
// maxText characters, trimmed.
func (d *decoder) textValue(fd Field, v any) any {
	s, ok := v.(string)
	if !ok {
		s = scalarString(v)
	}
	if !utf8.ValidString(s) {
		d.fail(fd.Name, "not valid UTF-8 text")
	} else if utf8.RuneCountInString(s) > maxText {
		d.fail(fd.Name, "longer than %d characters", maxText)
	}
	return strings.TrimSpace(s)
}

// enumValue is one of the field's Enum values, trimmed.
func (d *decoder) enumValue(fd Field, v any) any {
	s, ok := v.(string)
	if !ok {
		d.fail(fd.Name, "want text, one of %s", strings.Join(fd.Enum, "|"))
		return nil
	}
	s = strings.TrimSpace(s)
	if !slices.Contains(fd.Enum, s) {
		d.fail(fd.Name, "unknown value %q (want %s)", s, strings.Join(fd.Enum, "|"))
	}
	return s
}

// numberValue is a number within [fd.Min, fd.Max]; an Integer field must be
// whole and comes back as int64, a Number field as float64.
func (d *decoder) numberValue(fd Field, v any) any {
	x, ok := d.number(fd.Name, v)
	if !ok {
		return nil
	}
	if x < fd.Min || x > fd.Max {
		d.fail(fd.Name, "%v out of range [%v, %v]", x, fd.Min, fd.Max)
	}
	if fd.Kind == Integer {
		if x != math.Trunc(x) {
			d.fail(fd.Name, "%v is not a whole number", x)
		}
		return int64(x)
	}
	return x
}

// boolValue is a JSON boolean or one of the usual spellings of true and
// false in text (true/t/1/yes/y, false/f/0/no/n, any case).
func (d *decoder) boolValue(fd Field, v any) any {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "t", "1", "yes", "y":
			return true
		case "false", "f", "0", "no", "n":
			return false
		}
	}
	d.fail(fd.Name, "want true or false, got %v", v)
	return nil
}

// listValue is a list of trimmed text values, each a known product class
// (ClassList) or one of the field's Enum values (EnumList); a required list
// needs at least one.
func (d *decoder) listValue(fd Field, v any) any {
	list, ok := d.list(fd.Name, v)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			d.fail(fd.Name, "want a list of text values, got %v", e)
			return nil
		}
		s = strings.TrimSpace(s)
		if fd.Kind == ClassList {
			d.checkClass(fd.Name, s)
		} else if !slices.Contains(fd.Enum, s) {
			d.fail(fd.Name, "unknown value %q (want %s)", s, strings.Join(fd.Enum, "|"))
		}
		out = append(out, s)
	}
	if fd.Required && len(out) == 0 {
		d.fail(fd.Name, "needs at least one value")
	}
	return out
}

func (d *decoder) checkClass(field, s string) {
	if d.vocab != nil && !slices.Contains(d.vocab.Classes, s) {
		d.fail(field, "unknown product class %q (want %s)", s, strings.Join(d.vocab.Classes, "|"))
	}
}

func (d *decoder) number(field string, v any) (float64, bool) {
	var x float64
	switch t := v.(type) {
	case float64:
		x = t
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			d.fail(field, "%q is not a number", t.String())
			return 0, false
		}
		x = f
	case string:
		if !d.f.Text {
			d.fail(field, "want a number, got text %q", t)
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			d.fail(field, "%q is not a number", t)
			return 0, false
		}
		x = f
	default:
		d.fail(field, "want a number, got %v", v)
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		d.fail(field, "must be a finite number, got %v", x)
		return 0, false
	}
	return x, true
}

// list accepts a JSON array, or in text mode a JSON array text or values
// separated by ';' or '|' (or ',').
func (d *decoder) list(field string, v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case string:
		if d.f.Text {
			s := strings.TrimSpace(t)
			if strings.HasPrefix(s, "[") {
				var out []any
				if err := json.Unmarshal([]byte(s), &out); err != nil {
					d.fail(field, "not a JSON array: %v", err)
					return nil, false
				}
				return out, true
			}
			var out []any
			for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' || r == ',' }) {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out, true
		}
	}
	d.fail(field, "want a list, got %v", v)
	return nil, false
}

func (d *decoder) shares(field string, v any) any {
	list, ok := d.list(field, v)
	if !ok {
		return nil
	}
	if len(list) != 12 {
		d.fail(field, "want 12 monthly shares, got %d", len(list))
		return nil
	}
	out := make([]float64, 12)
	sum := 0.0
	for i, e := range list {
		x, ok := d.number(field, e)
		if !ok {
			return nil
		}
		if x < 0 {
			d.fail(field, "share of month %d is negative (%v)", i+1, x)
			return nil
		}
		out[i] = x
		sum += x
	}
	if math.Abs(sum-1) > 0.001 {
		d.fail(field, "shares sum to %.4g, want 1 (±0.001)", sum)
		return nil
	}
	return out
}

// capacity reads capacity_t as an object {zone: tonnes}, or (CSV) columns
// capacity_<zone>_t, and returns one value per zone.
func (d *decoder) capacity(fd Field) []any {
	out := make([]any, len(Zones))
	for i := range out {
		out[i] = 0.0
	}
	if v, ok := d.raw(fd.Name); ok {
		obj, isObj := v.(map[string]any)
		if s, isStr := v.(string); isStr && d.f.Text {
			if err := json.Unmarshal([]byte(s), &obj); err != nil {
				d.fail(fd.Name, `want a JSON object like {"chilled": 500}: %v`, err)
				return out
			}
			isObj = true
		}
		if !isObj {
			d.fail(fd.Name, `want an object of tonnes per zone, like {"chilled": 500}`)
			return out
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			i := slices.Index(Zones, k)
			if i < 0 {
				d.fail(fd.Name, "unknown temperature zone %q (want %s)", k, strings.Join(Zones, "|"))
				continue
			}
			out[i] = d.tonnes(fd.Name+"."+k, obj[k])
		}
		return out
	}
	for i, z := range Zones {
		col := "capacity_" + z + "_t"
		if v, ok := d.raw(col); ok {
			out[i] = d.tonnes(col, v)
		}
	}
	return out
}

func (d *decoder) tonnes(field string, v any) float64 {
	x, ok := d.number(field, v)
	if !ok {
		return 0
	}
	if x < 0 || x > 1e8 {
		d.fail(field, "%v tonnes out of range [0, 1e8]", x)
	}
	return x
}

func (d *decoder) geometry() orb.Geometry {
	g := d.f.Geom
	if g == nil {
		d.fail("geometry", "missing (want %s)", strings.Join(d.layer.Geometry, " or "))
		return nil
	}
	t := g.GeoJSONType()
	if !slices.Contains(d.layer.Geometry, t) {
		d.fail("geometry", "%s not allowed for %s (want %s)", t, d.layer.Name, strings.Join(d.layer.Geometry, " or "))
		return nil
	}
	if !d.checkCoords(g) {
		return nil
	}
	if p, ok := g.(orb.Polygon); ok && d.layer.PromotePolygons {
		return orb.MultiPolygon{p}
	}
	return g
}

// checkCoords checks every position is finite and in range, and rings are
// closed with at least four positions.
func (d *decoder) checkCoords(g orb.Geometry) bool {
	ok := true
	point := func(p orb.Point) {
		if !ok {
			return
		}
		x, y := p[0], p[1]
		switch {
		case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0):
			d.fail("geometry", "coordinate [%v, %v] is not a finite number", x, y)
			ok = false
		case math.Abs(y) > 90 && math.Abs(x) <= 90 && math.Abs(y) <= 180:
			d.fail("geometry", "latitude %v out of range [-90, 90]; the coordinates look swapped ([%v, %v]): GeoJSON and CSV want longitude first", y, x, y)
			ok = false
		case math.Abs(x) > 180 || math.Abs(y) > 90:
			d.fail("geometry", "coordinate [%v, %v] out of range (longitude -180..180, latitude -90..90; projected coordinates need their CRS: import with --srs EPSG:NNNN, e.g. EPSG:4547 for CGCS2000 Gauss-Krüger CM 114E)", x, y)
			ok = false
		}
	}
	ring := func(r orb.Ring) {
		for _, p := range r {
			point(p)
		}
		if !ok {
			return
		}
		if len(r) < 4 {
			d.fail("geometry", "polygon ring has %d positions, needs at least 4", len(r))
			ok = false
		} else if !r.Closed() {
			d.fail("geometry", "polygon ring is not closed (first position %v, last %v)", r[0], r[len(r)-1])
			ok = false
		}
	}
	switch t := g.(type) {
	case orb.Point:
		point(t)
	case orb.MultiPoint:
		for _, p := range t {
			point(p)
		}
	case orb.LineString:
		for _, p := range t {
			point(p)
		}
	case orb.Polygon:
		for _, r := range t {
			ring(r)
		}
	case orb.MultiPolygon:
		for _, p := range t {
			for _, r := range p {
				ring(r)
			}
		}
	}
	if ok {
		if p, isPoly := g.(orb.Polygon); isPoly && len(p) == 0 {
			d.fail("geometry", "empty polygon")
			ok = false
		}
		if mp, isMulti := g.(orb.MultiPolygon); isMulti && len(mp) == 0 {
			d.fail("geometry", "empty multipolygon")
			ok = false
		}
	}
	return ok
}
