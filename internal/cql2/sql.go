package cql2

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/geojson"
)

// Type is a queryable's JSON Schema type.
type Type string

// Queryable types.
const (
	String       Type = "string"
	Number       Type = "number"
	Integer      Type = "integer"
	Boolean      Type = "boolean"
	GeometryType Type = "geometry"
)

// Queryable is a property a filter may name, and the column it reads.
type Queryable struct {
	Name   string
	Column string
	Type   Type
	Enum   []string // documented values of a string, if a fixed set
	Title  string
}

// Options say how to compile a filter.
type Options struct {
	// Queryables is the whitelist of properties.
	Queryables []Queryable
	// SRID of the geometry literals (0: 4326); SwapXY says their first
	// axis is latitude (EPSG:4326 and EPSG:4490 by the book) and swaps it.
	SRID   int
	SwapXY bool
	// Alias qualifies column names (e.g. "v"); "" leaves them bare.
	Alias string
	// Arg adds a parameter value and returns its placeholder ($n).
	Arg func(v any) string
}

// compiler holds the state of one compilation.
type compiler struct {
	o      Options
	byName map[string]Queryable
}

// Compile turns e into an SQL boolean expression whose values are all
// parameters (added through o.Arg) and whose column names all come from
// o.Queryables. Unknown properties and type mismatches are ErrInvalid
// naming the property.
func Compile(e Expr, o Options) (string, error) {
	c := &compiler{o: o, byName: map[string]Queryable{}}
	for _, q := range o.Queryables {
		c.byName[q.Name] = q
	}
	return c.boolean(e)
}

func (c *compiler) boolean(e Expr) (string, error) {
	switch e := e.(type) {
	case Logical:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			s, err := c.boolean(a)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(e.Op)+" ") + ")", nil
	case Not:
		s, err := c.boolean(e.Arg)
		return "(NOT " + s + ")", err
	case Literal:
		if b, ok := e.Value.(bool); ok {
			return c.o.Arg(b) + "::boolean", nil
		}
		return "", invalid("%v is not a condition", e.Value)
	case Property:
		q, err := c.property(e.Name)
		if err == nil && q.Type != Boolean {
			err = invalid("%s is a %s, not a condition; compare it with a value", e.Name, q.Type)
		}
		return c.column(q), err
	case Compare, Like, Between, In, IsNull:
		return c.predicate(e)
	case Spatial:
		return c.spatial(e)
	}
	return "", invalid("a value where a condition is expected")
}

// predicate compiles the scalar predicates.
func (c *compiler) predicate(e Expr) (string, error) {
	switch e := e.(type) {
	case Compare:
		l, r, err := c.pair(e.Left, e.Right, e.Op)
		return "(" + l + " " + e.Op + " " + r + ")", err
	case Like:
		l, r, err := c.pair(e.Arg, e.Pattern, "LIKE")
		if err == nil && c.typeOf(e.Arg) != String {
			err = invalid("LIKE needs text; %s is not text", describe(e.Arg))
		}
		return "(" + l + " LIKE " + r + ")", err
	case Between:
		l, lo, err := c.pair(e.Arg, e.Low, "BETWEEN")
		if err != nil {
			return "", err
		}
		_, hi, err := c.pair(e.Arg, e.High, "BETWEEN")
		return "(" + l + " BETWEEN " + lo + " AND " + hi + ")", err
	case In:
		return c.in(e)
	case IsNull:
		s, err := c.scalar(e.Arg, "")
		return "(" + s + " IS NULL)", err
	}
	return "", invalid("unsupported predicate")
}

// in compiles IN as = ANY(array parameter) when the list is all
// literals, else as ORed equalities.
func (c *compiler) in(e In) (string, error) {
	l, err := c.scalar(e.Arg, "")
	if err != nil {
		return "", err
	}
	t := c.typeOf(e.Arg)
	var strs []string
	var nums []float64
	for _, x := range e.List {
		lit, ok := x.(Literal)
		if !ok {
			return "", invalid("IN lists take values only")
		}
		if err := c.check(t, lit, e.Arg, "IN"); err != nil {
			return "", err
		}
		switch v := lit.Value.(type) {
		case string:
			strs = append(strs, v)
		case float64:
			nums = append(nums, v)
		case bool:
			return "", invalid("IN lists of booleans are not supported; use =")
		}
	}
	if t == String {
		return "(" + l + " = ANY(" + c.o.Arg(strs) + "::text[]))", nil
	}
	return "(" + l + " = ANY(" + c.o.Arg(nums) + "::float8[]))", nil
}

// pair compiles two operands of a comparison, checking their types agree.
func (c *compiler) pair(a, b Expr, op string) (string, string, error) {
	ta, tb := c.typeOf(a), c.typeOf(b)
	if ta == GeometryType || tb == GeometryType {
		return "", "", invalid("%s cannot compare geometries; use a spatial predicate (%s)", op, strings.Join(SpatialOps(), ", "))
	}
	if lit, ok := b.(Literal); ok && ta != "" {
		if err := c.check(ta, lit, a, op); err != nil {
			return "", "", err
		}
	} else if lit, ok := a.(Literal); ok && tb != "" {
		if err := c.check(tb, lit, b, op); err != nil {
			return "", "", err
		}
	} else if ta != "" && tb != "" && !compatible(ta, tb) {
		return "", "", invalid("%s compares %s (%s) with %s (%s)", op, describe(a), ta, describe(b), tb)
	}
	l, err := c.scalar(a, op)
	if err != nil {
		return "", "", err
	}
	r, err := c.scalar(b, op)
	return l, r, err
}

func compatible(a, b Type) bool {
	num := func(t Type) bool { return t == Number || t == Integer }
	return a == b || num(a) && num(b)
}

// check refuses a literal whose type does not suit a property of type t.
func (c *compiler) check(t Type, lit Literal, prop Expr, op string) error {
	lt := literalType(lit)
	if t == "" || compatible(t, lt) {
		return nil
	}
	return invalid("%s %s: %s is a %s, so compare it with a %s, not %s", describe(prop), op, describe(prop), t, t, describe(lit))
}

func literalType(l Literal) Type {
	switch l.Value.(type) {
	case string:
		return String
	case float64:
		return Number
	case bool:
		return Boolean
	}
	return ""
}

// typeOf is the type of a scalar operand ("" for unknown properties,
// which scalar then refuses).
func (c *compiler) typeOf(e Expr) Type {
	switch e := e.(type) {
	case Property:
		return c.byName[e.Name].Type
	case Literal:
		return literalType(e)
	case Geometry:
		return GeometryType
	}
	return ""
}

// scalar compiles a property (its column) or a literal (a parameter).
func (c *compiler) scalar(e Expr, op string) (string, error) {
	switch e := e.(type) {
	case Property:
		q, err := c.property(e.Name)
		if err == nil && q.Type == GeometryType && op != "" {
			err = invalid("%s is the geometry; use a spatial predicate", e.Name)
		}
		return c.column(q), err
	case Literal:
		switch v := e.Value.(type) {
		case string:
			return c.o.Arg(v) + "::text", nil
		case float64:
			return c.o.Arg(v) + "::float8", nil
		case bool:
			return c.o.Arg(v) + "::boolean", nil
		}
	case Geometry:
		return "", invalid("a geometry can only be an argument of a spatial predicate")
	}
	return "", invalid("a condition where a value is expected")
}

// property looks name up among the queryables.
func (c *compiler) property(name string) (Queryable, error) {
	q, ok := c.byName[name]
	if !ok {
		names := make([]string, len(c.o.Queryables))
		for i, q := range c.o.Queryables {
			names[i] = q.Name
		}
		return q, invalid("unknown property %q (queryables: %s)", name, strings.Join(names, ", "))
	}
	return q, nil
}

func (c *compiler) column(q Queryable) string {
	col := pgx.Identifier{q.Column}.Sanitize()
	if c.o.Alias != "" {
		col = pgx.Identifier{c.o.Alias}.Sanitize() + "." + col
	}
	return col
}

// spatial compiles a spatial predicate between the geometry property and
// a literal (or two of either).
func (c *compiler) spatial(e Spatial) (string, error) {
	args := [2]string{}
	for i, x := range []Expr{e.Left, e.Right} {
		switch x := x.(type) {
		case Property:
			q, err := c.property(x.Name)
			if err != nil {
				return "", err
			}
			if q.Type != GeometryType {
				return "", invalid("%s: %s is not a geometry", strings.ToUpper(e.Op), x.Name)
			}
			args[i] = c.column(q)
		case Geometry:
			s, err := c.geometry(x)
			if err != nil {
				return "", err
			}
			args[i] = s
		default:
			return "", invalid("%s takes the geometry property and a geometry (WKT or GeoJSON)", strings.ToUpper(e.Op))
		}
	}
	return fmt.Sprintf("%s(%s, %s)", spatialOps[e.Op], args[0], args[1]), nil
}

// geometry is a geometry literal as a GeoJSON parameter, moved to WGS84.
func (c *compiler) geometry(g Geometry) (string, error) {
	geom := g.Geom
	if c.o.SwapXY {
		geom = SwapXY(geom)
	}
	b, err := geojson.NewGeometry(geom).MarshalJSON()
	if err != nil {
		return "", invalid("geometry: %v", err)
	}
	srid := c.o.SRID
	if srid == 0 {
		srid = 4326
	}
	expr := "ST_SetSRID(ST_GeomFromGeoJSON(" + c.o.Arg(string(b)) + "), " + c.o.Arg(srid) + "::int)"
	if srid != 4326 {
		expr = "ST_Transform(" + expr + ", 4326)"
	}
	return expr, nil
}

// describe names an operand in messages.
func describe(e Expr) string {
	switch e := e.(type) {
	case Property:
		return e.Name
	case Literal:
		if s, ok := e.Value.(string); ok {
			return "'" + s + "'"
		}
		return fmt.Sprint(e.Value)
	}
	return "a geometry"
}
