package locate_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/coldchain/coldchain/internal/locate"
)

// Three villages on a road, 10 km apart; one pre-cooling station may be
// built at any of them and must lie within 12 km of the produce.
func ExampleDecodeJSON() {
	const src = `{"problem": "mclp", "p": 1, "radius": 12,
	 "demand": [{"id": "west", "x": 0, "y": 0, "weight": 40},
	            {"id": "centre", "x": 10, "y": 0, "weight": 25},
	            {"id": "east", "x": 20, "y": 0, "weight": 50}],
	 "candidates": [{"id": "W", "x": 0, "y": 0}, {"id": "C", "x": 10, "y": 0}, {"id": "E", "x": 20, "y": 0}]}`
	f, err := locate.DecodeJSON(strings.NewReader(src))
	if err != nil {
		panic(err)
	}
	in, err := f.Instance(0)
	if err != nil {
		panic(err)
	}
	res, err := locate.Solve(context.Background(), in, f.Params())
	if err != nil {
		panic(err)
	}
	fmt.Printf("open %s: %.0f t covered, bound %.0f\n", in.Sites[res.Sites[0]].ID, res.Objective, res.Bound)

	// The fewest stations covering everything within 8 km.
	params := f.Params()
	params.Problem, params.Radius = locate.LSCP, 8
	res, err = locate.Solve(context.Background(), in, params)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.0f stations needed (lower bound %.0f)\n", res.Objective, res.Bound)
	// Output:
	// open C: 115 t covered, bound 115
	// 3 stations needed (lower bound 3)
}
