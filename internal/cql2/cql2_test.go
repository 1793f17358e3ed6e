package cql2

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
)

var testQueryables = []Queryable{
	{Name: "product_class", Column: "product_class", Type: String},
	{Name: "name", Column: "name", Type: String},
	{Name: "annual_output_t", Column: "annual_output_t", Type: Number},
	{Name: "population", Column: "population", Type: Integer},
	{Name: "poverty_exit", Column: "poverty_exit", Type: Boolean},
	{Name: "geometry", Column: "geom", Type: GeometryType},
}

// compile parses filter in lang and compiles it, returning the SQL and
// its parameters.
func compile(t *testing.T, lang, filter string) (string, []any, error) {
	t.Helper()
	var e Expr
	var err error
	if lang == "json" {
		e, err = ParseJSON(filter, DefaultLimits)
	} else {
		e, err = ParseText(filter, DefaultLimits)
	}
	if err != nil {
		return "", nil, err
	}
	var args []any
	sql, err := Compile(e, Options{Queryables: testQueryables, Alias: "v", Arg: func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}})
	return sql, args, err
}

func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		lang, filter, sql string
		args              []any
	}{
		{"text", "product_class='citrus' AND annual_output_t>100",
			`(("v"."product_class" = $1::text) AND ("v"."annual_output_t" > $2::float8))`, []any{"citrus", 100.0}},
		{"json", `{"op":"and","args":[{"op":"=","args":[{"property":"product_class"},"citrus"]},{"op":">","args":[{"property":"annual_output_t"},100]}]}`,
			`(("v"."product_class" = $1::text) AND ("v"."annual_output_t" > $2::float8))`, []any{"citrus", 100.0}},
		{"text", `NOT (name LIKE 'Li%' OR "name" IS NULL)`,
			`(NOT (("v"."name" LIKE $1::text) OR ("v"."name" IS NULL)))`, []any{"Li%"}},
		{"text", "annual_output_t NOT BETWEEN 10 AND 2e2",
			`(NOT ("v"."annual_output_t" BETWEEN $1::float8 AND $2::float8))`, []any{10.0, 200.0}},
		{"text", "product_class IN ('citrus', 'tea')",
			`("v"."product_class" = ANY($1::text[]))`, []any{[]string{"citrus", "tea"}}},
		{"json", `{"op":"in","args":[{"property":"population"},[1,2]]}`,
			`("v"."population" = ANY($1::float8[]))`, []any{[]float64{1, 2}}},
		{"text", "poverty_exit = true and population >= -3",
			`(("v"."poverty_exit" = $1::boolean) AND ("v"."population" >= $2::float8))`, []any{true, -3.0}},
		{"text", "name = 'O''Brien'", `("v"."name" = $1::text)`, []any{"O'Brien"}},
		{"text", "S_INTERSECTS(geometry, POINT(116.5 30.25))",
			`ST_Intersects("v"."geom", ST_SetSRID(ST_GeomFromGeoJSON($1), $2::int))`, []any{`{"type":"Point","coordinates":[116.5,30.25]}`, 4326}},
		{"json", `{"op":"s_within","args":[{"property":"geometry"},{"bbox":[1,2,3,4]}]}`,
			`ST_Within("v"."geom", ST_SetSRID(ST_GeomFromGeoJSON($1), $2::int))`, []any{`{"type":"Polygon","coordinates":[[[1,2],[3,2],[3,4],[1,4],[1,2]]]}`, 4326}},
	} {
		sql, args, err := compile(t, tc.lang, tc.filter)
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if sql != tc.sql || !reflect.DeepEqual(args, tc.args) {
			t.Errorf("%s:\n got %s %#v\nwant %s %#v", tc.filter, sql, args, tc.sql, tc.args)
		}
	}
}

// TestRefused: injection attempts, unknown names, functions, type errors
// and filters over the limits are ErrInvalid with a useful message, and
// never compile.
func TestRefused(t *testing.T) {
	deep := strings.Repeat("(", 30) + "name = 'a'" + strings.Repeat(")", 30)
	long := "name IN (" + strings.TrimSuffix(strings.Repeat("'a',", 150), ",") + ")"
	for _, tc := range []struct{ lang, filter, want string }{
		{"text", "name = 'a'; DROP TABLE producer", "';'"},
		{"text", "name = 'a' OR 1=1 --", "unexpected"},
		{"text", "name = 'unterminated", "unterminated string"},
		{"text", `"name; DROP TABLE producer" = 'a'`, "unknown property"},
		{"text", "password = 'x'", `unknown property "password"`},
		{"text", "pg_sleep(10) = 1", "function pg_sleep"},
		{"text", "name = upper('a')", "function upper"},
		{"text", "annual_output_t > 'big'", "annual_output_t is a number"},
		{"text", "name > 3", "name is a string"},
		{"text", "annual_output_t + 1 > 3", "unexpected"},
		{"text", "S_INTERSECTS(name, POINT(1 2))", "not a geometry"},
		{"text", "S_INTERSECTS(geometry, POINT(1))", "geometry"},
		{"text", deep, "nested more than"},
		{"text", long, "IN list of more than"},
		{"text", "", "empty"},
		{"json", `{"op":"=","args":[{"property":"name"},{"op":"upper","args":["a"]}]}`, "not supported"},
		{"json", `{"op":"exec","args":[]}`, `operator "exec"`},
		{"json", `{"op":"=","args":[{"property":"x\"; DROP"},"a"]}`, "unknown property"},
		{"json", `[1]`, "want an object"},
	} {
		_, _, err := compile(t, tc.lang, tc.filter)
		if err == nil || !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: got %v, want an invalid-filter error containing %q", tc.lang, tc.filter, err, tc.want)
		}
	}
}

// FuzzParseText: the text parser never panics, and whatever it accepts
// compiles to SQL that holds no text of the filter's string literals.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"product_class='citrus' AND annual_output_t>100", "NOT (a LIKE 'x%')", "x IN (1, 2, 3)",
		"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))", "a BETWEEN 1 AND 2", `"a" IS NOT NULL`,
		"BBOX(1,2,3,4)", "name = 'it''s'", "((((a=1))))", "true",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseText(s, DefaultLimits)
		if err != nil {
			return
		}
		var args []any
		sql, err := Compile(e, Options{Queryables: testQueryables, Arg: func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args))
		}})
		if err != nil {
			return
		}
		if strings.Contains(sql, "'") || strings.Contains(sql, ";") {
			t.Fatalf("%q compiled to SQL with a quote or semicolon: %s", s, sql)
		}
	})
}

// FuzzParseJSON: the JSON reader never panics.
func FuzzParseJSON(f *testing.F) {
	f.Add(`{"op":"and","args":[{"op":"=","args":[{"property":"a"},"b"]},{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[1,2]}]}]}`)
	f.Add(`{"op":"in","args":[{"property":"a"},[1,2]]}`)
	f.Fuzz(func(t *testing.T, s string) {
		if e, err := ParseJSON(s, DefaultLimits); err == nil {
			_, _ = Compile(e, Options{Queryables: testQueryables, Arg: func(any) string { return "$1" }})
		}
	})
}
