package locate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/coldchain/coldchain/internal/shortest"
)

// maxORLibVertices caps the graph size readORLibPMed accepts: the instance
// keeps a full n x n cost matrix.
const maxORLibVertices = 5000

// readORLibPMed reads Beasley's OR-Library p-median format: a line "n m p",
// then m lines "i j cost", undirected edges between 1-based vertices. When an
// edge appears more than once the last occurrence wins (the OR-Library rule).
// Costs are all-pairs shortest path lengths; every vertex is a unit-weight
// demand and a candidate site with ID "1".."n", and Instance.P is p. Each
// demand's row lists every vertex it can reach (itself at cost 0), nearest
// first. The instance is named after the file when r is a named file.
func readORLibPMed(r io.Reader, warn func(string)) (*Instance, error) {
	rd := &orlibReader{sc: bufio.NewScanner(r)}
	rd.sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n, m, p, err := rd.header()
	if err != nil {
		return nil, err
	}
	edges, costs, err := rd.edges(n, m)
	if err != nil {
		return nil, err
	}
	if err := orlibRest(rd.next, rd.line, warn); err != nil {
		return nil, err
	}
	in := &Instance{
		Name:   orlibName(r, n, p),
		Demand: make([]Demand, n),
		Sites:  make([]Site, n),
		P:      p,
	}
	for v := range n {
		id := strconv.Itoa(v + 1)
		in.Demand[v] = Demand{ID: id, Weight: 1}
		in.Sites[v] = Site{ID: id}
	}
	in.Costs = allPairsCosts(orlibGraph(n, edges, costs))
	return in, nil
}

// orlibReader reads an OR-Library file line by line, counting lines for
// messages.
type orlibReader struct {
	sc   *bufio.Scanner
	line int
}

// orlibEdge is an undirected edge between 0-based vertices a < b.
type orlibEdge struct{ a, b int32 }

// next returns the fields of the next non-blank line.
func (rd *orlibReader) next() ([]string, error) {
	for rd.sc.Scan() {
		rd.line++
		if f := fields(rd.sc.Text()); len(f) > 0 {
			return f, nil
		}
	}
	if err := rd.sc.Err(); err != nil {
		return nil, fmt.Errorf("orlib-pmed: line %d: %w", rd.line+1, err)
	}
	return nil, io.EOF
}

// header reads and checks the first line, "n m p".
func (rd *orlibReader) header() (n, m, p int, err error) {
	head, err := rd.next()
	if err == io.EOF {
		return 0, 0, 0, fmt.Errorf("orlib-pmed: empty input (want a first line \"n m p\")")
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if len(head) != 3 {
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: want \"n m p\", got %d fields", rd.line, len(head))
	}
	var hv [3]int
	for x, name := range []string{"n", "m", "p"} {
		v, err := strconv.Atoi(head[x])
		if err != nil || v < 0 {
			return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: %s = %s is not a non-negative integer", rd.line, name, excerpt(head[x]))
		}
		hv[x] = v
	}
	n, m, p = hv[0], hv[1], hv[2]
	if n < 1 || n > maxORLibVertices {
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: n = %d out of range [1, %d]", rd.line, n, maxORLibVertices)
	}
	if p < 1 || p > n {
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: p = %d out of range [1, n = %d]", rd.line, p, n)
	}
	return n, m, p, nil
}

// edges reads the m edge lines. A later duplicate of an edge overwrites
// the earlier cost (the OR-Library rule); edges keep their first-seen
// order for a deterministic graph.
func (rd *orlibReader) edges(n, m int) ([]orlibEdge, []float64, error) {
	at := make(map[orlibEdge]int, m)
	var edges []orlibEdge
	var costs []float64
	for e := range m {
		f, err := rd.next()
		if err == io.EOF {
			return nil, nil, fmt.Errorf("orlib-pmed: unexpected end of input after %d of %d edges", e, m)
		}
		if err != nil {
			return nil, nil, err
		}
		i, j, c, err := rd.edge(f, n)
		if err != nil {
			return nil, nil, err
		}
		if i == j {
			continue
		}
		k := orlibEdge{int32(min(i, j) - 1), int32(max(i, j) - 1)}
		if x, ok := at[k]; ok {
			costs[x] = c
			continue
		}
		at[k] = len(edges)
		edges = append(edges, k)
		costs = append(costs, c)
	}
	return edges, costs, nil
}

// edge parses and checks one "i j cost" line (1-based vertices).
func (rd *orlibReader) edge(f []string, n int) (i, j int, c float64, err error) {
	if len(f) != 3 {
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: want \"i j cost\", got %d fields", rd.line, len(f))
	}
	i, err1 := strconv.Atoi(f[0])
	j, err2 := strconv.Atoi(f[1])
	c, err3 := strconv.ParseFloat(f[2], 64)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: vertices %s %s are not integers", rd.line, excerpt(f[0]), excerpt(f[1]))
	case i < 1 || i > n || j < 1 || j > n:
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: vertex out of range [1, %d]", rd.line, n)
	case err3 != nil || c < 0 || math.IsInf(c, 0):
		return 0, 0, 0, fmt.Errorf("orlib-pmed: line %d: cost %s is not a finite non-negative number", rd.line, excerpt(f[2]))
	}
	return i, j, c, nil
}

// orlibGraph builds the undirected graph in compressed adjacency form.
func orlibGraph(n int, edges []orlibEdge, costs []float64) *shortest.Graph {
	g := &shortest.Graph{Start: make([]int32, n+1), To: make([]int32, 2*len(edges)), Cost: make([]float64, 2*len(edges))}
	for _, e := range edges {
		g.Start[e.a+1]++
		g.Start[e.b+1]++
	}
	for v := range n {
		g.Start[v+1] += g.Start[v]
	}
	fill := slices.Clone(g.Start[:n])
	for x, e := range edges {
		g.To[fill[e.a]], g.Cost[fill[e.a]] = e.b, costs[x]
		fill[e.a]++
		g.To[fill[e.b]], g.Cost[fill[e.b]] = e.a, costs[x]
		fill[e.b]++
	}
	return g
}

// allPairsCosts runs one Dijkstra per source (in parallel chunks) and
// returns full rows, nearest first: every reachable vertex, itself at 0.
func allPairsCosts(g *shortest.Graph) Costs {
	n := len(g.Start) - 1
	rows := make([][]kdHit, n)
	parallelChunks(n, func(lo, hi int) {
		search := shortest.NewSearch(n)
		for s := lo; s < hi; s++ {
			search.Run(g, []shortest.Seed{{V: int32(s)}}, math.Inf(1), nil, 0)
			row := make([]kdHit, 0, n)
			for v := range int32(n) {
				if d, _ := search.At(v); !math.IsInf(d, 1) {
					row = append(row, kdHit{d, v})
				}
			}
			slices.SortFunc(row, func(a, b kdHit) int {
				if a.worse(b) {
					return 1
				}
				if b.worse(a) {
					return -1
				}
				return 0
			})
			rows[s] = row
		}
	})
	total := 0
	for _, row := range rows {
		total += len(row)
	}
	c := Costs{Start: make([]int, 1, n+1), Site: make([]int32, 0, total), Cost: make([]float64, 0, total)}
	for _, row := range rows {
		for _, h := range row {
			c.Site = append(c.Site, h.site)
			c.Cost = append(c.Cost, h.dist)
		}
		c.Start = append(c.Start, len(c.Site))
	}
	return c
}

// orlibName names an OR-Library instance after its file, if r has a name.
func orlibName(r io.Reader, n, p int) string {
	if f, ok := r.(interface{ Name() string }); ok {
		base := filepath.Base(f.Name())
		if name := strings.TrimSuffix(base, filepath.Ext(base)); name != "" && name != "." {
			return name
		}
	}
	return fmt.Sprintf("orlib-pmed n=%d p=%d", n, p)
}

// orlibRest reads the lines after the last edge: their values are reported
// to warn and ignored.
func orlibRest(next func() ([]string, error), line int, warn func(string)) error {
	first, at, count := "", 0, 0
	for {
		f, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if count == 0 {
			first, at = f[0], line+1
		}
		count += len(f)
	}
	if count > 0 {
		warn(extraWarning("orlib-pmed", at, count, first))
	}
	return nil
}
