package httpapi

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/coldchain/coldchain/internal/derrors"
)

// Query parameters parse into typed structs, one per endpoint, whose
// fields carry the parameter's name and rules in tags; the same tags
// document the parameter in the OpenAPI document:
//
//	query:"limit"        the parameter's name (fields without it are ignored)
//	doc:"plans to list"  its description
//	min:"1" max:"500"    bounds (numbers; both or neither), enforced
//	unit:"metres"        named in the bounds' error message
//	want:"1 to 12"       what the error message says is wanted (default: the bounds)
//	enum:"a|b"           documented values of a string (checking them stays with the handler)
//	example:"30,60"      an example value, documented
//
// Field types: string (trimmed), int, float64, []string and []float64
// (comma-separated, blanks dropped). A struct that embeds strictQuery
// refuses parameters it does not declare.

// strictQuery, embedded in a query struct, makes unknown parameters a 400.
type strictQuery struct{}

func (strictQuery) strict() {}

type strictQueryer interface{ strict() }

// queryField is one parameter of a query struct.
type queryField struct {
	index    []int
	name     string
	tag      reflect.StructTag
	typ      reflect.Type
	min, max *float64
}

// queryFields lists the parameters of query struct type t, those of its
// embedded structs included.
func queryFields(t reflect.Type) ([]queryField, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("query type %s is not a struct", t)
	}
	var out []queryField
	for _, f := range reflect.VisibleFields(t) {
		name := f.Tag.Get("query")
		if name == "" {
			continue
		}
		qf, err := newQueryField(f, name)
		if err != nil {
			return nil, err
		}
		out = append(out, qf)
	}
	return out, nil
}

// newQueryField reads field f's tags.
func newQueryField(f reflect.StructField, name string) (queryField, error) {
	qf := queryField{index: f.Index, name: name, tag: f.Tag, typ: f.Type}
	for _, b := range []struct {
		key string
		dst **float64
	}{{"min", &qf.min}, {"max", &qf.max}} {
		if v := f.Tag.Get(b.key); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return qf, fmt.Errorf("%s: %s tag %q: %v", name, b.key, v, err)
			}
			*b.dst = &x
		}
	}
	if (qf.min == nil) != (qf.max == nil) {
		return qf, fmt.Errorf("%s: give both min and max, or neither", name)
	}
	switch f.Type {
	case reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[float64](),
		reflect.TypeFor[[]string](), reflect.TypeFor[[]float64]():
		return qf, nil
	}
	return qf, fmt.Errorf("%s: unsupported type %s", name, f.Type)
}

// decodeQuery parses q into dst, a pointer to a query struct. A value that
// does not parse or is out of bounds is ErrInvalid naming the parameter.
func decodeQuery(q url.Values, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	fields, err := queryFields(v.Type())
	if err != nil {
		return err // a programming error, caught by the OpenAPI build at start
	}
	if _, ok := dst.(strictQueryer); ok {
		if err := refuseUnknown(q, fields); err != nil {
			return err
		}
	}
	for _, f := range fields {
		raw := q.Get(f.name)
		if raw == "" {
			continue
		}
		if err := f.set(v.FieldByIndex(f.index), raw); err != nil {
			return err
		}
	}
	return nil
}

// refuseUnknown answers ErrInvalid for a parameter not among fields.
func refuseUnknown(q url.Values, fields []queryField) error {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	for name := range q {
		if !slices.Contains(names, name) {
			if len(names) == 0 {
				return derrors.Invalid("unknown query parameter %q", name)
			}
			return derrors.Invalid("unknown query parameter %q (want %s)", name, strings.Join(names, ", "))
		}
	}
	return nil
}

// set parses raw into the field value fv.
func (f queryField) set(fv reflect.Value, raw string) error {
	switch fv.Interface().(type) {
	case string:
		fv.SetString(strings.TrimSpace(raw))
	case []string:
		fv.Set(reflect.ValueOf(splitList(raw)))
	case int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || !f.inBounds(float64(n)) {
			return f.invalid(raw)
		}
		fv.SetInt(int64(n))
	case float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil || !f.inBounds(x) {
			return f.invalid(raw)
		}
		fv.SetFloat(x)
	case []float64:
		var xs []float64
		for _, p := range splitList(raw) {
			x, err := strconv.ParseFloat(p, 64)
			if err != nil || !f.inBounds(x) {
				return f.invalid(p)
			}
			xs = append(xs, x)
		}
		fv.Set(reflect.ValueOf(xs))
	}
	return nil
}

func (f queryField) inBounds(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	return f.min == nil || (x >= *f.min && x <= *f.max)
}

// invalid is the error for value raw, which did not parse or is out of
// bounds: "want <want tag | min to max unit>, got raw", or without either
// "raw is not a number".
func (f queryField) invalid(raw string) error {
	want := f.tag.Get("want")
	if want == "" && f.min != nil {
		want = strings.TrimSpace(fmt.Sprintf("%s to %s %s", fmtNum(*f.min), fmtNum(*f.max), f.tag.Get("unit")))
	}
	if want == "" {
		return derrors.Invalid("%s: %q is not a number", f.name, raw)
	}
	return derrors.Invalid("%s: want %s, got %q", f.name, want, raw)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// splitList splits a comma-separated value, trimming and dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// queryParams documents the parameters of query struct type t.
func queryParams(t reflect.Type) ([]apiParam, error) {
	fields, err := queryFields(t)
	if err != nil {
		return nil, err
	}
	out := make([]apiParam, len(fields))
	for i, f := range fields {
		var s schema
		switch f.typ {
		case reflect.TypeFor[int]():
			s = schema{"type": "integer"}
		case reflect.TypeFor[float64]():
			s = number()
		default:
			s = str()
		}
		if f.min != nil {
			s["minimum"], s["maximum"] = *f.min, *f.max
		}
		if e := f.tag.Get("enum"); e != "" {
			s["enum"] = strings.Split(e, "|")
		}
		if ex := f.tag.Get("example"); ex != "" {
			s["example"] = ex
		}
		out[i] = queryParam(f.name, f.tag.Get("doc"), s)
	}
	return out, nil
}

// goSchema is the JSON Schema of Go value v's type, generated from its
// fields and JSON tags (kin-openapi's openapi3gen). Fields without
// omitempty are required; enums maps a JSON field name to its values
// (applied to a string field, or to the items of a string list); extra
// adds keywords (bounds, descriptions) to top-level properties. A list
// property without maxItems is an error: every list in a request is
// bounded.
func goSchema(v any, enums map[string][]string, extra map[string]schema) (schema, error) {
	custom := func(name string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
		if vals, ok := enums[name]; ok && t.Kind() == reflect.String {
			s.Enum = make([]any, len(vals))
			for i, v := range vals {
				s.Enum[i] = v
			}
		}
		return nil
	}
	ref, err := openapi3gen.NewSchemaRefForValue(v, nil, openapi3gen.SchemaCustomizer(custom))
	if err != nil {
		return nil, err
	}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && !strings.Contains(opts, "omitempty") {
			ref.Value.Required = append(ref.Value.Required, name)
		}
	}
	b, err := json.Marshal(ref.Value)
	if err != nil {
		return nil, err
	}
	var out schema
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	props, _ := out["properties"].(map[string]any)
	for name, kw := range extra {
		p, ok := props[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: no property %s", t, name)
		}
		for k, x := range kw {
			p[k] = x
		}
	}
	for name, p := range props {
		if p, _ := p.(map[string]any); p["type"] == "array" && p["maxItems"] == nil {
			return nil, fmt.Errorf("%s.%s: a list without maxItems; bound it", t, name)
		}
	}
	return out, nil
}
