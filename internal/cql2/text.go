package cql2

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/coldchain/coldchain/internal/derrors"
)

// token kinds of the text encoding.
const (
	tokEOF = iota
	tokIdent
	tokQuoted // "property name"
	tokString
	tokNumber
	tokPunct // ( ) , and comparison operators
	tokGeom  // a WKT geometry or BBOX(...) literal, kept as raw text
)

type token struct {
	kind int
	text string // identifiers as written; strings unquoted
	pos  int    // byte offset, for messages
}

// wktKeywords start geometry literals.
var wktKeywords = map[string]bool{
	"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true, "BBOX": true,
}

// invalid is the error for a filter that cannot be read.
func invalid(format string, args ...any) error {
	return derrors.Invalid("filter: "+format, args...)
}

// lex splits s into tokens.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '\'':
			t, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			toks, i = append(toks, t), n
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, invalid("unterminated quoted property name at %d", i)
			}
			toks = append(toks, token{kind: tokQuoted, text: s[i+1 : i+1+end], pos: i})
			i += end + 2
		case r == '-' || r == '+' || r == '.' || (r >= '0' && r <= '9'):
			n := lexNumberEnd(s, i)
			if n == i+1 && (r == '-' || r == '+' || r == '.') || n == i {
				return nil, invalid("unexpected %q at %d (arithmetic is not supported)", r, i)
			}
			toks, i = append(toks, token{kind: tokNumber, text: s[i:n], pos: i}), n
		case r == '_' || unicode.IsLetter(r):
			t, n, err := lexWord(s, i)
			if err != nil {
				return nil, err
			}
			toks, i = append(toks, t), n
		default:
			t, n, err := lexPunct(s, i)
			if err != nil {
				return nil, err
			}
			toks, i = append(toks, t), n
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(s)}), nil
}

// lexString reads a '...' literal (” is a quote) starting at i.
func lexString(s string, i int) (token, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != '\'' {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return token{kind: tokString, text: b.String(), pos: i}, j + 1, nil
	}
	return token{}, 0, invalid("unterminated string starting at %d (close it with ', and write '' for a quote inside)", i)
}

// lexNumberEnd returns the end of the number starting at i.
func lexNumberEnd(s string, i int) int {
	j := i
	if s[j] == '-' || s[j] == '+' {
		j++
	}
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
		j++
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '-' || s[k] == '+') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for j = k; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
			}
		}
	}
	return j
}

// lexWord reads an identifier, or a geometry literal when the word is a
// WKT keyword followed by a parenthesis.
func lexWord(s string, i int) (token, int, error) {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r != '_' && r != ':' && r != '.' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		j += size
	}
	word := s[i:j]
	if !wktKeywords[strings.ToUpper(word)] {
		return token{kind: tokIdent, text: word, pos: i}, j, nil
	}
	k := j
	for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') {
		k++
	}
	// Optional Z/M dimension markers are not supported: 2D only.
	if k >= len(s) || s[k] != '(' {
		return token{kind: tokIdent, text: word, pos: i}, j, nil
	}
	depth := 0
	for m := k; m < len(s); m++ {
		switch s[m] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return token{kind: tokGeom, text: s[i : m+1], pos: i}, m + 1, nil
			}
		}
	}
	return token{}, 0, invalid("unbalanced parentheses in the geometry starting at %d", i)
}

// lexPunct reads parentheses, commas and comparison operators.
func lexPunct(s string, i int) (token, int, error) {
	for _, op := range []string{"<>", "<=", ">=", "(", ")", ",", "=", "<", ">"} {
		if strings.HasPrefix(s[i:], op) {
			return token{kind: tokPunct, text: op, pos: i}, i + len(op), nil
		}
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r == ';' {
		return token{}, 0, invalid("unexpected ';' at %d: a filter is one expression", i)
	}
	return token{}, 0, invalid("unexpected %q at %d", r, i)
}

// parser reads tokens by recursive descent, counting depth and nodes.
type parser struct {
	toks  []token
	pos   int
	depth int
	nodes int
	lim   Limits
	// coords counts the coordinates of geometry literals.
	coords int
}

// ParseText reads a CQL2 text filter within lim.
func ParseText(s string, lim Limits) (Expr, error) {
	if len(s) > lim.Length {
		return nil, invalid("%d characters; at most %d", len(s), lim.Length)
	}
	if strings.TrimSpace(s) == "" {
		return nil, invalid("empty; write a condition such as product_class = 'citrus'")
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, lim: lim}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, invalid("unexpected %q at %d: join conditions with AND or OR", t.text, t.pos)
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// keyword reports whether the next token is the word kw (any case) and
// consumes it if so.
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if t.kind == tokIdent && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) punct(s string) bool {
	if t := p.peek(); t.kind == tokPunct && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expect(s string) error {
	if !p.punct(s) {
		t := p.peek()
		return invalid("want %q at %d, got %q", s, t.pos, t.text)
	}
	return nil
}

// count adds a node, refusing filters over the node limit.
func (p *parser) count() error {
	p.nodes++
	if p.nodes > p.lim.Nodes {
		return invalid("more than %d terms; split the query", p.lim.Nodes)
	}
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.lim.Depth {
		return invalid("nested more than %d levels deep", p.lim.Depth)
	}
	return nil
}

func (p *parser) or() (Expr, error) {
	return p.logical("or", p.and)
}

func (p *parser) and() (Expr, error) {
	return p.logical("and", p.not)
}

// logical reads operands joined by the keyword op.
func (p *parser) logical(op string, operand func() (Expr, error)) (Expr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []Expr{first}
	for p.keyword(op) {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return first, nil
	}
	return Logical{Op: op, Args: args}, p.count()
}

func (p *parser) not() (Expr, error) {
	if p.keyword("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		e, err := p.not()
		p.depth--
		if err != nil {
			return nil, err
		}
		return Not{Arg: e}, p.count()
	}
	return p.primary()
}

func (p *parser) primary() (Expr, error) {
	if p.punct("(") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		e, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	return p.predicate()
}

// predicate reads a spatial predicate, a boolean literal or a comparison.
func (p *parser) predicate() (Expr, error) {
	t := p.peek()
	if t.kind == tokIdent && p.toks[p.pos+1].kind == tokPunct && p.toks[p.pos+1].text == "(" {
		if _, ok := spatialOps[strings.ToLower(t.text)]; ok {
			return p.spatial()
		}
	}
	left, err := p.scalar()
	if err != nil {
		return nil, err
	}
	if lit, ok := left.(Literal); ok {
		if _, isBool := lit.Value.(bool); isBool && p.atBoundary() {
			return left, nil
		}
	}
	return p.rest(left)
}

// atBoundary reports whether the next token ends a predicate.
func (p *parser) atBoundary() bool {
	t := p.peek()
	return t.kind == tokEOF || (t.kind == tokPunct && t.text == ")") ||
		(t.kind == tokIdent && (strings.EqualFold(t.text, "and") || strings.EqualFold(t.text, "or")))
}

// rest reads what follows a predicate's first operand.
func (p *parser) rest(left Expr) (Expr, error) {
	if err := p.count(); err != nil {
		return nil, err
	}
	if p.keyword("is") {
		neg := p.keyword("not")
		if !p.keyword("null") {
			return nil, invalid("want NULL after IS at %d", p.peek().pos)
		}
		return negate(IsNull{Arg: left}, neg), nil
	}
	neg := p.keyword("not")
	switch {
	case p.keyword("like"):
		pat, err := p.scalar()
		return negate(Like{Arg: left, Pattern: pat}, neg), err
	case p.keyword("between"):
		lo, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if !p.keyword("and") {
			return nil, invalid("want AND in BETWEEN at %d", p.peek().pos)
		}
		hi, err := p.scalar()
		return negate(Between{Arg: left, Low: lo, High: hi}, neg), err
	case p.keyword("in"):
		list, err := p.list()
		return negate(In{Arg: left, List: list}, neg), err
	case neg:
		return nil, invalid("want LIKE, BETWEEN or IN after NOT at %d", p.peek().pos)
	}
	t := p.next()
	if t.kind != tokPunct || !compareOps[t.text] {
		return nil, invalid("want a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL) at %d, got %q", t.pos, t.text)
	}
	right, err := p.scalar()
	return Compare{Op: t.text, Left: left, Right: right}, err
}

func negate(e Expr, neg bool) Expr {
	if neg {
		return Not{Arg: e}
	}
	return e
}

// list reads ( scalar {, scalar} ) for IN.
func (p *parser) list() ([]Expr, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var out []Expr
	for {
		e, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if out = append(out, e); len(out) > p.lim.List {
			return nil, invalid("an IN list of more than %d values", p.lim.List)
		}
		if !p.punct(",") {
			break
		}
	}
	return out, p.expect(")")
}

// spatial reads NAME(geomExpr, geomExpr).
func (p *parser) spatial() (Expr, error) {
	name := strings.ToLower(p.next().text)
	p.next() // (
	if err := p.count(); err != nil {
		return nil, err
	}
	a, err := p.geomOperand()
	if err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	b, err := p.geomOperand()
	if err != nil {
		return nil, err
	}
	return Spatial{Op: name, Left: a, Right: b}, p.expect(")")
}

// geomOperand is a property or a geometry literal.
func (p *parser) geomOperand() (Expr, error) {
	t := p.peek()
	if t.kind != tokGeom {
		return p.scalar()
	}
	p.next()
	g, err := parseWKT(t.text)
	if err != nil {
		return nil, invalid("geometry at %d: %v", t.pos, err)
	}
	if p.coords += countCoords(g); p.coords > p.lim.Coords {
		return nil, invalid("geometries of more than %d coordinates; simplify them", p.lim.Coords)
	}
	return Geometry{Geom: g}, nil
}

// scalar reads a property, a string, a number or a boolean.
func (p *parser) scalar() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return Literal{Value: t.text}, nil
	case tokNumber:
		x, err := strconv.ParseFloat(t.text, 64)
		if err != nil || x != x {
			return nil, invalid("%q at %d is not a number", t.text, t.pos)
		}
		return Literal{Value: x}, nil
	case tokQuoted:
		return Property{Name: t.text}, nil
	case tokIdent:
		if p.peek().kind == tokPunct && p.peek().text == "(" {
			return nil, invalid("function %s at %d is not supported (supported: comparisons, LIKE, BETWEEN, IN, IS NULL, %s)",
				t.text, t.pos, strings.Join(SpatialOps(), ", "))
		}
		switch strings.ToLower(t.text) {
		case "true":
			return Literal{Value: true}, nil
		case "false":
			return Literal{Value: false}, nil
		case "and", "or", "not", "is", "null", "like", "between", "in":
			return nil, invalid("unexpected keyword %s at %d", strings.ToUpper(t.text), t.pos)
		}
		return Property{Name: t.text}, nil
	case tokGeom:
		return nil, invalid("a geometry at %d can only be an argument of a spatial predicate", t.pos)
	case tokEOF:
		return nil, invalid("the filter ends too early")
	}
	return nil, invalid("unexpected %q at %d", t.text, t.pos)
}

// parseWKT reads a WKT geometry or a BBOX(minx, miny, maxx, maxy).
func parseWKT(s string) (orb.Geometry, error) {
	if strings.EqualFold(s[:4], "BBOX") {
		inner := strings.TrimSpace(s[4:])
		inner = strings.TrimSuffix(strings.TrimPrefix(inner, "("), ")")
		parts := strings.Split(inner, ",")
		var v []float64
		for _, x := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, err
			}
			v = append(v, f)
		}
		return bboxPolygon(v)
	}
	g, err := wkt.Unmarshal(s)
	if err != nil {
		return nil, err
	}
	return g, checkFinite(g)
}
