package locate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxSJCPoints caps the points of an sjc file: the instance keeps the full
// n x n distance matrix.
const maxSJCPoints = 5000

// readSJC parses the São José dos Campos covering format (Lorena & Pereira):
// r holds n on its first line, then n lines "x y"; demand holds n numbers,
// the weight of each point in the same order. Every point is a demand node
// and a candidate site, IDs are the 1-based line numbers, and costs are the
// full Euclidean distance matrix (no cutoff: the radius is not known here).
// CRLF line ends are accepted.
func readSJC(r, demand io.Reader, warn func(string)) (*Instance, error) {
	if demand == nil {
		return nil, errors.New("sjc: the demand file is missing (--demand FILE)")
	}
	tok := newSJCTokens(r)
	n, err := tok.int("sjc: number of points")
	if err != nil {
		return nil, err
	}
	if n <= 0 || n > maxSJCPoints {
		return nil, fmt.Errorf("sjc: number of points %d out of range [1, %d]", n, maxSJCPoints)
	}
	in := &Instance{}
	for i := range n {
		x, err := tok.float(fmt.Sprintf("sjc: x of point %d", i+1))
		if err != nil {
			return nil, err
		}
		y, err := tok.float(fmt.Sprintf("sjc: y of point %d", i+1))
		if err != nil {
			return nil, err
		}
		id := strconv.Itoa(i + 1)
		in.Demand = append(in.Demand, Demand{ID: id, X: x, Y: y})
		in.Sites = append(in.Sites, Site{ID: id, X: x, Y: y})
	}
	tok.rest("sjc", warn)
	if tok.err != nil {
		return nil, fmt.Errorf("sjc: %w", tok.err)
	}
	dt := newSJCTokens(demand)
	for i := range n {
		w, err := dt.float(fmt.Sprintf("sjc demand file: weight of point %d", i+1))
		if err != nil {
			return nil, err
		}
		if w < 0 {
			return nil, fmt.Errorf("sjc demand file: weight of point %d is negative (%v)", i+1, w)
		}
		in.Demand[i].Weight = w
	}
	dt.rest("sjc demand file", warn)
	if dt.err != nil {
		return nil, fmt.Errorf("sjc demand file: %w", dt.err)
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		return nil, err
	}
	return in, nil
}

// sjcTokens reads whitespace-separated fields (CRLF-safe) with messages that
// say which value was expected.
type sjcTokens struct {
	sc  *bufio.Scanner
	err error
}

func newSJCTokens(r io.Reader) *sjcTokens {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	sc.Split(scanTokens)
	return &sjcTokens{sc: sc}
}

func (t *sjcTokens) next() (string, bool) {
	if t.sc.Scan() {
		return t.sc.Text(), true
	}
	t.err = t.sc.Err()
	return "", false
}

func (t *sjcTokens) float(what string) (float64, error) {
	s, ok := t.next()
	if !ok {
		if t.err != nil {
			return 0, fmt.Errorf("%s: %w", what, t.err)
		}
		return 0, fmt.Errorf("%s: unexpected end of file", what)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s: %s is not a finite number", what, excerpt(s))
	}
	return v, nil
}

func (t *sjcTokens) int(what string) (int, error) {
	s, ok := t.next()
	if !ok {
		if t.err != nil {
			return 0, fmt.Errorf("%s: %w", what, t.err)
		}
		return 0, fmt.Errorf("%s: unexpected end of file", what)
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %s is not an integer", what, excerpt(s))
	}
	return v, nil
}

// rest reads the tokens left after the last expected one and reports them
// to warn.
func (t *sjcTokens) rest(what string, warn func(string)) {
	first, count := "", 0
	for {
		s, ok := t.next()
		if !ok {
			break
		}
		if count == 0 {
			first = s
		}
		count++
	}
	if count > 0 {
		warn(fmt.Sprintf("%s: ignored %d extra value(s) after the last expected one, starting with %s", what, count, excerpt(first)))
	}
}

// scanTokens is a bufio.SplitFunc for tokens separated by white space or
// NUL bytes.
func scanTokens(data []byte, atEOF bool) (advance int, token []byte, err error) {
	start := 0
	for start < len(data) {
		r, w := utf8.DecodeRune(data[start:])
		if !isSep(r) {
			break
		}
		start += w
	}
	for i := start; i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		if isSep(r) {
			return i + w, data[start:i], nil
		}
		i += w
	}
	if atEOF && len(data) > start {
		return len(data), data[start:], nil
	}
	return start, nil, nil
}
