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
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	// next returns the fields of the next non-blank line.
	next := func() ([]string, error) {
		for sc.Scan() {
			line++
			if f := fields(sc.Text()); len(f) > 0 {
				return f, nil
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("orlib-pmed: line %d: %w", line+1, err)
		}
		return nil, io.EOF
	}
	head, err := next()
	if err == io.EOF {
		return nil, fmt.Errorf("orlib-pmed: empty input (want a first line \"n m p\")")
	}
	if err != nil {
		return nil, err
	}
	if len(head) != 3 {
		return nil, fmt.Errorf("orlib-pmed: line %d: want \"n m p\", got %d fields", line, len(head))
	}
	var hv [3]int
	for x, name := range []string{"n", "m", "p"} {
		v, err := strconv.Atoi(head[x])
		if err != nil || v < 0 {
			return nil, fmt.Errorf("orlib-pmed: line %d: %s = %s is not a non-negative integer", line, name, excerpt(head[x]))
		}
		hv[x] = v
	}
	n, m, p := hv[0], hv[1], hv[2]
	if n < 1 || n > maxORLibVertices {
		return nil, fmt.Errorf("orlib-pmed: line %d: n = %d out of range [1, %d]", line, n, maxORLibVertices)
	}
	if p < 1 || p > n {
		return nil, fmt.Errorf("orlib-pmed: line %d: p = %d out of range [1, n = %d]", line, p, n)
	}
	// Adjacency as a map from the ordered vertex pair to the edge cost, so
	// a later duplicate overwrites an earlier one; kept in first-seen order
	// for a deterministic graph.
	type edge struct{ a, b int32 }
	at := make(map[edge]int, m)
	var edges []edge
	var costs []float64
	for e := range m {
		f, err := next()
		if err == io.EOF {
			return nil, fmt.Errorf("orlib-pmed: unexpected end of input after %d of %d edges", e, m)
		}
		if err != nil {
			return nil, err
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("orlib-pmed: line %d: want \"i j cost\", got %d fields", line, len(f))
		}
		i, err1 := strconv.Atoi(f[0])
		j, err2 := strconv.Atoi(f[1])
		c, err3 := strconv.ParseFloat(f[2], 64)
		switch {
		case err1 != nil || err2 != nil:
			return nil, fmt.Errorf("orlib-pmed: line %d: vertices %s %s are not integers", line, excerpt(f[0]), excerpt(f[1]))
		case i < 1 || i > n || j < 1 || j > n:
			return nil, fmt.Errorf("orlib-pmed: line %d: vertex out of range [1, %d]", line, n)
		case err3 != nil || c < 0 || math.IsInf(c, 0):
			return nil, fmt.Errorf("orlib-pmed: line %d: cost %s is not a finite non-negative number", line, excerpt(f[2]))
		}
		if i == j {
			continue
		}
		k := edge{int32(min(i, j) - 1), int32(max(i, j) - 1)}
		if x, ok := at[k]; ok {
			costs[x] = c
			continue
		}
		at[k] = len(edges)
		edges = append(edges, k)
		costs = append(costs, c)
	}
	if err := orlibRest(next, line, warn); err != nil {
		return nil, err
	}

	// Adjacency lists in compressed form.
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
	// One Dijkstra per source; rows are full (n <= maxORLibVertices).
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
	in.Costs = Costs{Start: make([]int, 1, n+1), Site: make([]int32, 0, total), Cost: make([]float64, 0, total)}
	for _, row := range rows {
		for _, h := range row {
			in.Costs.Site = append(in.Costs.Site, h.site)
			in.Costs.Cost = append(in.Costs.Cost, h.dist)
		}
		in.Costs.Start = append(in.Costs.Start, len(in.Costs.Site))
	}
	return in, nil
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
