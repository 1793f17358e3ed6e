package roads

import (
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// RandomPoint returns a point of a random edge (tests and benchmarks).
func (g *Graph) RandomPoint(rng *rand.Rand) orb.Point {
	ei := int32(rng.IntN(len(g.edges)))
	return g.pointAt(ei, rng.Float64())
}
