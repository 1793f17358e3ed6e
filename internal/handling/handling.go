// Package handling is the origin low-temperature handling measure: each
// month, the standing stock of every producer (output × harvest share ×
// holding days / 30) is assigned to the storage capacity it can reach (a
// compatible site within its class threshold, in one of its class's zones),
// producers claiming capacity nearest first; the stock handled converts back
// to tonnes handled per year.
//
// It is pure Go and is the one place the measure is computed: the coverage
// report measures a county with it, and the location engine's capacity
// problem (internal/locate) optimises exactly the same figure, so a plan's
// objective equals the measure recomputed with its sites.
package handling

import (
	"context"
	"math"
	"runtime"
	"sync"
)

// Bands are the access-time bands (minutes) in which producers claim
// storage capacity, nearest first.
var Bands = []float64{15, 30, 60, 120, 240}

// BandOf returns the band of an access time in minutes (len(Bands) for
// none or beyond the last band).
func BandOf(minutes float64) int {
	for b, limit := range Bands {
		if minutes >= 0 && minutes <= limit {
			return b
		}
	}
	return len(Bands)
}

// Network is the assignment graph: demand points with monthly standing
// stock, storage nodes (one per site and zone) with capacity, and arcs from
// each demand to the nodes it may use.
type Network struct {
	// Stock is each demand's standing stock per month (t).
	Stock [][12]float64
	// Start, Node and Minutes hold the arcs in compressed rows: demand i
	// may use nodes Node[Start[i]:Start[i+1]], reached in Minutes. A
	// demand's band (see BandOf) is that of its nearest node with capacity:
	// lower bands claim capacity first.
	Start   []int32
	Node    []int32
	Minutes []float64
	// Cap is each node's capacity (t).
	Cap []float64

	// Members, when set, splits the demands into the producers they
	// stand for (see Members).
	Members *Members

	shape *shape // the flow graph's layout (see Prepare), or nil
}

// AddDemand appends a demand with its stock and arcs (nodes and minutes).
func (n *Network) AddDemand(stock [12]float64, nodes []int32, minutes []float64) {
	if len(n.Start) == 0 {
		n.Start = append(n.Start, 0)
	}
	n.Stock = append(n.Stock, stock)
	n.Node = append(n.Node, nodes...)
	n.Minutes = append(n.Minutes, minutes...)
	n.Start = append(n.Start, int32(len(n.Node)))
}

// bands returns each demand's band under cap: that of its nearest arc to
// a node with capacity (len(Bands)+1 without one: it takes no part).
func (n *Network) bands(cap []float64) []int {
	out := make([]int, n.Len())
	for i := range out {
		best := math.Inf(1)
		for a := n.Start[i]; a < n.Start[i+1]; a++ {
			if cap[n.Node[a]] > 0 && n.Minutes[a] < best {
				best = n.Minutes[a]
			}
		}
		out[i] = len(Bands) + 1
		if !math.IsInf(best, 1) {
			out[i] = BandOf(best)
		}
	}
	return out
}

// Len is the number of demand points.
func (n *Network) Len() int { return len(n.Stock) }

// Arcs returns demand i's nodes.
func (n *Network) Arcs(i int) []int32 { return n.Node[n.Start[i]:n.Start[i+1]] }

// Assignment is the outcome of Assign.
type Assignment struct {
	// Handled is each demand's handled stock per month (t).
	Handled [][12]float64
	// NodeUsed is each node's used capacity per month (t).
	NodeUsed [][12]float64
	// Member is each member's handled stock per month (t), when the
	// network has Members.
	Member [][12]float64
}

// Assign assigns each month's stock to the capacities cap (Network.Cap
// when nil), nearest band first. The total handled each month is the
// maximum flow; within it, scarce capacity goes to the nearest producers.
func (n *Network) Assign(ctx context.Context, cap []float64) (*Assignment, error) {
	return n.AssignMonths(ctx, cap, AllMonths)
}

// AllMonths selects every month.
var AllMonths = [12]bool{true, true, true, true, true, true, true, true, true, true, true, true}

// AssignMonths is Assign for the selected months only (the others stay 0):
// months are independent, so a caller that needs some demands' figures
// may skip the months in which they hold no stock.
func (n *Network) AssignMonths(ctx context.Context, cap []float64, months [12]bool) (*Assignment, error) {
	if cap == nil {
		cap = n.Cap
	}
	a := &Assignment{Handled: make([][12]float64, n.Len()), NodeUsed: make([][12]float64, len(cap))}
	if n.Members != nil {
		a.Member = make([][12]float64, len(n.Members.Of))
	}
	var wg sync.WaitGroup
	todo := make(chan int, 12)
	for m := 0; m < 12; m++ {
		if months[m] {
			todo <- m
		}
	}
	close(todo)
	band := n.bands(cap)
	sh := n.shapeFor(len(cap))
	var byBand [][]int32
	if n.Members != nil {
		byBand = n.Members.byBand(band)
	}
	workers := min(runtime.GOMAXPROCS(0), 12)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range todo {
				if ctx.Err() != nil {
					return
				}
				n.assignMonth(m, sh, cap, band, byBand, a)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return a, nil
}
