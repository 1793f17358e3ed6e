// Package cql2 reads OGC Common Query Language filters (CQL2, OGC 21-065)
// in their text and JSON encodings into one small syntax tree, and
// compiles that tree to a parameterised SQL condition over a whitelist of
// queryable properties.
//
// The supported subset is what OGC API – Features Part 3 asks of a
// server's "basic CQL2" plus spatial predicates and advanced comparison:
// comparison (=, <>, <, <=, >, >=), AND, OR, NOT, IS [NOT] NULL,
// [NOT] LIKE, [NOT] BETWEEN, [NOT] IN, and the spatial predicates
// S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT, S_EQUALS, S_TOUCHES,
// S_CROSSES and S_OVERLAPS with WKT or GeoJSON geometry literals (and
// BBOX). Functions, arithmetic and temporal predicates are refused.
//
// Nothing a client writes becomes SQL text: property names are looked up
// in the caller's Queryables (and only their column names reach the SQL),
// every literal is a $n parameter. Filters are bounded in length, depth,
// size, list length and geometry size (Limits); exceeding a bound is an
// error saying which.
package cql2

import (
	"github.com/paulmach/orb"
)

// Expr is a node of a filter's syntax tree.
type Expr interface{ node() }

// Logical is AND or OR over two or more operands.
type Logical struct {
	Op   string // "and" or "or"
	Args []Expr
}

// Not negates its operand.
type Not struct{ Arg Expr }

// Compare is a binary comparison: Op is one of = <> < <= > >=.
type Compare struct {
	Op          string
	Left, Right Expr
}

// Like matches Arg against a pattern with % (any text) and _ (one
// character); a backslash escapes either.
type Like struct{ Arg, Pattern Expr }

// Between is Low <= Arg <= High.
type Between struct{ Arg, Low, High Expr }

// In is Arg equal to one of List.
type In struct {
	Arg  Expr
	List []Expr
}

// IsNull is Arg IS NULL.
type IsNull struct{ Arg Expr }

// Spatial is a spatial predicate; Op is its CQL2 name in lower case
// (s_intersects, s_within, …).
type Spatial struct {
	Op          string
	Left, Right Expr
}

// Property names a queryable.
type Property struct{ Name string }

// Literal is a string, a float64 or a bool.
type Literal struct{ Value any }

// Geometry is a geometry literal, in the filter's CRS.
type Geometry struct{ Geom orb.Geometry }

func (Logical) node()  {}
func (Not) node()      {}
func (Compare) node()  {}
func (Like) node()     {}
func (Between) node()  {}
func (In) node()       {}
func (IsNull) node()   {}
func (Spatial) node()  {}
func (Property) node() {}
func (Literal) node()  {}
func (Geometry) node() {}

// Limits bound a filter.
type Limits struct {
	Length int // characters of the filter text or JSON
	Depth  int // nesting of logical operators and parentheses
	Nodes  int // nodes of the syntax tree
	List   int // values of one IN list
	Coords int // coordinates of all geometry literals together
}

// DefaultLimits are the bounds a server applies.
var DefaultLimits = Limits{Length: 8192, Depth: 12, Nodes: 400, List: 100, Coords: 10000}

// spatialOps maps the CQL2 spatial predicates to PostGIS functions.
var spatialOps = map[string]string{
	"s_intersects": "ST_Intersects",
	"s_within":     "ST_Within",
	"s_contains":   "ST_Contains",
	"s_disjoint":   "ST_Disjoint",
	"s_equals":     "ST_Equals",
	"s_touches":    "ST_Touches",
	"s_crosses":    "ST_Crosses",
	"s_overlaps":   "ST_Overlaps",
}

// SpatialOps lists the spatial predicates supported, in upper case.
func SpatialOps() []string {
	return []string{"S_INTERSECTS", "S_WITHIN", "S_CONTAINS", "S_DISJOINT", "S_EQUALS", "S_TOUCHES", "S_CROSSES", "S_OVERLAPS"}
}

var compareOps = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}
