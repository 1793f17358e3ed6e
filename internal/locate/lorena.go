package locate

import (
	"fmt"
	"io"
	"math"
	"strconv"
)

// lorenaMaxN caps the points of a lorena file: its cost rows are complete
// (n x n arcs).
const lorenaMaxN = 5000

// lorenaMaxCoord bounds the coordinates so that distances stay finite.
const lorenaMaxCoord = 1e150

// readLorena parses the capacitated p-median format of Lorena and Senne:
// "n p", then n lines "x y Q q". Every point is a customer of weight q and a
// candidate site of capacity Q; costs are real (unrounded) Euclidean
// distances, so a median serves itself at cost 0 and its own demand counts
// against its capacity. The file's p is stored in Instance.P.
func readLorena(r io.Reader, warn func(string)) (*Instance, error) {
	s := newCFLPScanner(r, "lorena")
	n, err := s.count("number of points n")
	if err != nil {
		return nil, err
	}
	p, err := s.count("number of medians p")
	if err != nil {
		return nil, err
	}
	if p > n {
		return nil, fmt.Errorf("lorena: line %d: p = %d exceeds the number of points n = %d", s.line, p, n)
	}
	if n > lorenaMaxN {
		return nil, fmt.Errorf("lorena: %d points is too many for complete distance rows (at most %d)", n, lorenaMaxN)
	}
	in := &Instance{P: p} // grown as points arrive
	for i := range n {
		var v [4]float64
		for k, what := range [4]string{"x", "y", "capacity Q", "demand q"} {
			if v[k], err = s.float(fmt.Sprintf("%s of point %d", what, i+1)); err != nil {
				return nil, err
			}
		}
		if math.Abs(v[0]) > lorenaMaxCoord || math.Abs(v[1]) > lorenaMaxCoord {
			return nil, fmt.Errorf("lorena: line %d: coordinates of point %d beyond +-%g", s.line, i+1, lorenaMaxCoord)
		}
		if !(v[2] > 0) {
			return nil, fmt.Errorf("lorena: line %d: capacity of point %d is %v, want > 0", s.line, i+1, v[2])
		}
		if v[3] < 0 {
			return nil, fmt.Errorf("lorena: line %d: demand of point %d is %v, want >= 0", s.line, i+1, v[3])
		}
		addMedianPoint(in, v[0], v[1], v[3], v[2])
	}
	if err := s.end(warn); err != nil {
		return nil, err
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		return nil, err
	}
	return in, nil
}

// addMedianPoint adds a customer of demand q at (x, y) to in, and a
// candidate median of capacity capa at the same place (the capacitated
// p-median's layout, as the lorena format has it), both numbered from 1.
func addMedianPoint(in *Instance, x, y, q, capa float64) {
	id := strconv.Itoa(len(in.Demand) + 1)
	in.Demand = append(in.Demand, Demand{ID: id, X: x, Y: y, Weight: q})
	in.Sites = append(in.Sites, Site{ID: id, X: x, Y: y, Capacity: capa})
}
