package parks_test

import (
	"fmt"

	"github.com/coldchain/coldchain/internal/parks"
)

// Supply is moderately more important than roads (3) and strongly more
// important than labour (5); roads moderately more than labour (3).
func ExampleAHP() {
	res, err := parks.AHP([]string{"supply", "roads", "labour"}, [][]float64{
		{1, 3, 5},
		{1.0 / 3, 1, 3},
		{1.0 / 5, 1.0 / 3, 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, c := range res.Criteria {
		fmt.Printf("%s %.3f\n", c, res.Weights[i])
	}
	fmt.Printf("λmax %.3f, CI %.4f, CR %.4f\n", res.LambdaMax, res.CI, res.CR)
	// Output:
	// supply 0.637
	// roads 0.258
	// labour 0.105
	// λmax 3.039, CI 0.0193, CR 0.0332
}

// A table of three cells on two criteria: output within reach (more is
// better) and distance to a main road (less is better), weighted 0.6 and
// 0.4, then the best two cells at least 5 km apart.
func ExampleTable() {
	t := &parks.Table{
		Directions: []parks.Direction{parks.Benefit, parks.Cost},
		Values:     [][]float64{{9000, 3}, {6000, 0.5}, {8000, 1}},
		X:          []float64{0, 2000, 10000},
		Y:          []float64{0, 0, 0},
		IDs:        []string{"a", "b", "c"},
	}
	t.Normalise()
	scores := t.Scores([]float64{0.6, 0.4})
	for i, id := range t.IDs {
		fmt.Printf("%s %.3f\n", id, scores[i])
	}
	for _, i := range t.Top(t.Order(scores), 2, 5000) {
		fmt.Println("site", t.IDs[i])
	}
	// Output:
	// a 0.600
	// b 0.400
	// c 0.720
	// site c
	// site a
}
