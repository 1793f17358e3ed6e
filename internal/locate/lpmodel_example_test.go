package locate_test

import (
	"os"

	"github.com/coldchain/coldchain/internal/locate"
)

// A two-customer CFLP written for an exact solver: site 0 may open (fixed
// cost 10, capacity 4), site 1 already exists (capacity 3).
func ExampleWriteLP() {
	in := &locate.Instance{
		Name:   "tiny",
		Demand: []locate.Demand{{ID: "a", Weight: 2}, {ID: "b", Weight: 3}},
		Sites: []locate.Site{
			{ID: "new", FixedCost: 10, Capacity: 4},
			{ID: "old", Status: locate.Existing, Capacity: 3},
		},
		Costs: locate.Costs{
			Start: []int{0, 2, 4},
			Site:  []int32{0, 1, 1, 0},
			Cost:  []float64{1, 6, 4, 7},
		},
	}
	if err := locate.WriteLP(os.Stdout, in, locate.Params{Problem: locate.CFLP}); err != nil {
		panic(err)
	}
	// Output:
	// \ coldchain cflp "tiny": 2 demands, 2 sites
	// Minimize
	//  cost: 10 y_0 + 1 x_0_0 + 6 x_0_1 + 4 x_1_1 + 7 x_1_0
	// Subject To
	//  a_0: 1 x_0_0 + 1 x_0_1 = 1
	//  a_1: 1 x_1_1 + 1 x_1_0 = 1
	//  k_0: 2 x_0_0 + 3 x_1_0 - 4 y_0 <= 0
	//  k_1: 3 x_1_1 + 2 x_0_1 <= 3
	//  l_0_0: 1 x_0_0 - 1 y_0 <= 0
	//  l_1_0: 1 x_1_0 - 1 y_0 <= 0
	// Bounds
	// Binaries
	//  y_0
	//  x_0_0 x_0_1 x_1_1 x_1_0
	// End
}
