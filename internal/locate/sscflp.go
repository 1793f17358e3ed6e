package locate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// cflpScanner reads whitespace-separated numbers from a text stream as one
// token sequence (line breaks carry no meaning) and remembers the line of
// each token, so that errors can say where the input went wrong.
type cflpScanner struct {
	r      *bufio.Reader
	format string
	line   int      // line of the tokens in toks
	toks   []string // rest of the current line's tokens
	err    error
}

func newCFLPScanner(r io.Reader, format string) *cflpScanner {
	return &cflpScanner{r: bufio.NewReaderSize(r, 1<<16), format: format}
}

// next returns the next token and its line, or io.EOF when the input ends.
func (s *cflpScanner) next() (string, int, error) {
	for len(s.toks) == 0 {
		if s.err != nil {
			return "", s.line, s.err
		}
		text, err := s.r.ReadString('\n')
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("%s: reading line %d: %w", s.format, s.line+1, err)
			}
			s.err = err
			if text == "" {
				continue
			}
		}
		s.line++
		s.toks = fields(text)
	}
	t := s.toks[0]
	s.toks = s.toks[1:]
	return t, s.line, nil
}

// float reads the next token as a finite number; what names it in errors.
func (s *cflpScanner) float(what string) (float64, error) {
	t, line, err := s.next()
	if err == io.EOF {
		return 0, fmt.Errorf("%s: unexpected end of input after line %d: missing %s", s.format, line, what)
	}
	if err != nil {
		return 0, err
	}
	v, perr := strconv.ParseFloat(t, 64)
	if perr != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%s: line %d: %s: %s is not a finite number", s.format, line, what, excerpt(t))
	}
	return v, nil
}

// count reads the next token as a positive integer (a size).
func (s *cflpScanner) count(what string) (int, error) {
	t, line, err := s.next()
	if err == io.EOF {
		return 0, fmt.Errorf("%s: unexpected end of input after line %d: missing %s", s.format, line, what)
	}
	if err != nil {
		return 0, err
	}
	v, perr := strconv.Atoi(t)
	if perr != nil || v <= 0 || v > 1<<24 {
		return 0, fmt.Errorf("%s: line %d: %s: %s is not a positive integer", s.format, line, what, excerpt(t))
	}
	return v, nil
}

// end reads the rest of the input: tokens left after the last expected
// value are reported to warn (published files carry such trailing values),
// not refused.
func (s *cflpScanner) end(warn func(string)) error {
	first, line, count := "", 0, 0
	for {
		t, l, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if count == 0 {
			first, line = t, l
		}
		count++
	}
	if count > 0 {
		warn(extraWarning(s.format, line, count, first))
	}
	return nil
}

// readSSCFLP parses the facility-major single-source CFLP format of the
// OR-Library cap instances as used by Guastaroba and Speranza: "m n"; m pairs
// "capacity fixed_cost"; n demands; then m rows of n costs, each the cost of
// assigning all of a customer's demand to the facility. Tokens may wrap lines
// arbitrarily; NUL bytes count as white space, and values after the last
// expected one are reported to warn and ignored.
func readSSCFLP(r io.Reader, warn func(string)) (*Instance, error) {
	s := newCFLPScanner(r, "sscflp")
	m, err := s.count("number of facilities m")
	if err != nil {
		return nil, err
	}
	n, err := s.count("number of customers n")
	if err != nil {
		return nil, err
	}
	if int64(m)*int64(n) > 1<<25 {
		return nil, fmt.Errorf("sscflp: %d facilities x %d customers is too large", m, n)
	}
	// Grow the slices as data arrives: a header alone allocates nothing big.
	in := &Instance{}
	for j := range m {
		c, err := s.float(fmt.Sprintf("capacity of facility %d", j+1))
		if err != nil {
			return nil, err
		}
		if !(c > 0) {
			return nil, fmt.Errorf("sscflp: line %d: capacity of facility %d is %v, want > 0", s.line, j+1, c)
		}
		f, err := s.float(fmt.Sprintf("fixed cost of facility %d", j+1))
		if err != nil {
			return nil, err
		}
		if f < 0 {
			return nil, fmt.Errorf("sscflp: line %d: fixed cost of facility %d is %v, want >= 0", s.line, j+1, f)
		}
		in.Sites = append(in.Sites, Site{ID: strconv.Itoa(j + 1), Capacity: c, FixedCost: f})
	}
	for i := range n {
		q, err := s.float(fmt.Sprintf("demand of customer %d", i+1))
		if err != nil {
			return nil, err
		}
		if q < 0 {
			return nil, fmt.Errorf("sscflp: line %d: demand of customer %d is %v, want >= 0", s.line, i+1, q)
		}
		in.Demand = append(in.Demand, Demand{ID: strconv.Itoa(i + 1), Weight: q})
	}
	cost := make([]float64, 0, min(m*n, 1<<16)) // facility-major, as in the file
	for j := range m {
		for i := range n {
			c, err := s.float(fmt.Sprintf("cost of facility %d for customer %d", j+1, i+1))
			if err != nil {
				return nil, err
			}
			if c < 0 {
				return nil, fmt.Errorf("sscflp: line %d: cost of facility %d for customer %d is %v, want >= 0", s.line, j+1, i+1, c)
			}
			cost = append(cost, c)
		}
	}
	if err := s.end(warn); err != nil {
		return nil, err
	}
	in.Costs = cflpDenseCosts(n, m, func(i, j int) float64 { return cost[j*n+i] })
	return in, nil
}

// cflpDenseCosts builds complete cost rows (every demand reaches every site),
// each sorted by ascending cost, ties by site index.
func cflpDenseCosts(n, m int, cost func(i, j int) float64) Costs {
	c := Costs{Start: make([]int, n+1), Site: make([]int32, 0, n*m), Cost: make([]float64, 0, n*m)}
	idx := make([]int32, m)
	row := make([]float64, m)
	for i := range n {
		for j := range m {
			idx[j] = int32(j)
			row[j] = cost(i, j)
		}
		sort.Slice(idx, func(a, b int) bool {
			ca, cb := row[idx[a]], row[idx[b]]
			if ca != cb {
				return ca < cb
			}
			return idx[a] < idx[b]
		})
		for _, j := range idx {
			c.Site = append(c.Site, j)
			c.Cost = append(c.Cost, row[j])
		}
		c.Start[i+1] = len(c.Site)
	}
	return c
}
