package cql2

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/paulmach/orb/geojson"
)

// ParseJSON reads a CQL2 JSON filter within lim.
func ParseJSON(s string, lim Limits) (Expr, error) {
	if len(s) > lim.Length {
		return nil, invalid("%d characters; at most %d", len(s), lim.Length)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalid("not JSON: %v", err)
	}
	if dec.More() {
		return nil, invalid("more than one JSON value")
	}
	p := &parser{lim: lim}
	return p.jsonBool(v)
}

// jsonBool reads a boolean expression: an operation or true/false.
func (p *parser) jsonBool(v any) (Expr, error) {
	if b, ok := v.(bool); ok {
		return Literal{Value: b}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("want an object with op and args, got %s", jsonKind(v))
	}
	op, _ := obj["op"].(string)
	args, ok := obj["args"].([]any)
	if op == "" || !ok {
		return nil, invalid(`want {"op": ..., "args": [...]}`)
	}
	if err := p.count(); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	op = strings.ToLower(op)
	switch {
	case op == "and" || op == "or":
		return p.jsonLogical(op, args)
	case op == "not":
		if len(args) != 1 {
			return nil, invalid("not takes 1 argument, got %d", len(args))
		}
		e, err := p.jsonBool(args[0])
		return Not{Arg: e}, err
	case spatialOps[op] != "":
		return p.jsonSpatial(op, args)
	}
	return p.jsonPredicate(op, args)
}

func (p *parser) jsonLogical(op string, args []any) (Expr, error) {
	if len(args) < 2 {
		return nil, invalid("%s takes at least 2 arguments, got %d", op, len(args))
	}
	out := Logical{Op: op}
	for _, a := range args {
		e, err := p.jsonBool(a)
		if err != nil {
			return nil, err
		}
		out.Args = append(out.Args, e)
	}
	return out, nil
}

// jsonPredicate reads comparisons, like, between, in and isNull.
func (p *parser) jsonPredicate(op string, args []any) (Expr, error) {
	want := map[string]int{"like": 2, "between": 3, "in": 2, "isnull": 1}[op]
	if compareOps[op] {
		want = 2
	}
	if want == 0 {
		return nil, invalid("operator %q is not supported (supported: and, or, not, =, <>, <, <=, >, >=, like, between, in, isNull, %s)",
			op, strings.ToLower(strings.Join(SpatialOps(), ", ")))
	}
	if len(args) != want {
		return nil, invalid("%s takes %d arguments, got %d", op, want, len(args))
	}
	if op == "in" {
		return p.jsonIn(args)
	}
	xs := make([]Expr, len(args))
	for i, a := range args {
		e, err := p.jsonScalar(a)
		if err != nil {
			return nil, err
		}
		xs[i] = e
	}
	switch op {
	case "like":
		return Like{Arg: xs[0], Pattern: xs[1]}, nil
	case "between":
		return Between{Arg: xs[0], Low: xs[1], High: xs[2]}, nil
	case "isnull":
		return IsNull{Arg: xs[0]}, nil
	}
	return Compare{Op: op, Left: xs[0], Right: xs[1]}, nil
}

func (p *parser) jsonIn(args []any) (Expr, error) {
	arg, err := p.jsonScalar(args[0])
	if err != nil {
		return nil, err
	}
	vals, ok := args[1].([]any)
	if !ok || len(vals) == 0 {
		return nil, invalid("in: the second argument must be a non-empty array")
	}
	if len(vals) > p.lim.List {
		return nil, invalid("an IN list of more than %d values", p.lim.List)
	}
	out := In{Arg: arg}
	for _, v := range vals {
		e, err := p.jsonScalar(v)
		if err != nil {
			return nil, err
		}
		out.List = append(out.List, e)
	}
	return out, nil
}

// jsonScalar reads a property reference, a string, a number or a boolean.
func (p *parser) jsonScalar(v any) (Expr, error) {
	switch x := v.(type) {
	case string:
		return Literal{Value: x}, nil
	case bool:
		return Literal{Value: x}, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, invalid("%s is not a number", x)
		}
		return Literal{Value: f}, nil
	case map[string]any:
		if name, ok := x["property"].(string); ok && len(x) == 1 {
			return Property{Name: name}, nil
		}
		if _, ok := x["op"]; ok {
			op, _ := x["op"].(string)
			return nil, invalid("function or operator %q is not supported as a value", op)
		}
	}
	return nil, invalid(`want a value or {"property": name}, got %s`, jsonKind(v))
}

func (p *parser) jsonSpatial(op string, args []any) (Expr, error) {
	if len(args) != 2 {
		return nil, invalid("%s takes 2 arguments, got %d", op, len(args))
	}
	var xs [2]Expr
	for i, a := range args {
		obj, _ := a.(map[string]any)
		if obj == nil || obj["property"] != nil {
			e, err := p.jsonScalar(a)
			if err != nil {
				return nil, err
			}
			xs[i] = e
			continue
		}
		g, err := p.jsonGeometry(a)
		if err != nil {
			return nil, err
		}
		xs[i] = g
	}
	return Spatial{Op: op, Left: xs[0], Right: xs[1]}, nil
}

// jsonGeometry reads a GeoJSON geometry or {"bbox": [...]}.
func (p *parser) jsonGeometry(v any) (Expr, error) {
	obj := v.(map[string]any)
	if bb, ok := obj["bbox"].([]any); ok && obj["type"] == nil {
		var xs []float64
		for _, n := range bb {
			num, ok := n.(json.Number)
			f, err := num.Float64()
			if !ok || err != nil {
				return nil, invalid("bbox: want numbers")
			}
			xs = append(xs, f)
		}
		g, err := bboxPolygon(xs)
		if err != nil {
			return nil, invalid("%v", err)
		}
		return Geometry{Geom: g}, nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, invalid("geometry: %v", err)
	}
	g, err := geojson.UnmarshalGeometry(buf.Bytes())
	if err != nil {
		return nil, invalid("geometry: %v", err)
	}
	geom := g.Geometry()
	if err := checkFinite(geom); err != nil {
		return nil, invalid("geometry: %v", err)
	}
	if p.coords += countCoords(geom); p.coords > p.lim.Coords {
		return nil, invalid("geometries of more than %d coordinates; simplify them", p.lim.Coords)
	}
	return Geometry{Geom: geom}, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}
	return "an object"
}
