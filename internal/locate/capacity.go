package locate

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/coldchain/coldchain/internal/handling"
)

// CapacityModel is the capacity problem's data. The network holds every
// producer's monthly standing stock and the storage nodes (site × zone) it
// may use, with the existing capacity; Instance.Sites are the options —
// a new site in one of its modular sizes, or an expansion of an existing
// facility — each adding capacity to nodes at its FixedCost. The objective
// is the handling measure itself (package handling): yearly tonnes handled,
// weighted per demand by Value (tonnes per tonne of handled stock, times a
// priority weight).
type CapacityModel struct {
	Net *handling.Network
	// Value converts demand i's handled stock to the objective: 30 /
	// holding days, times its priority weight.
	Value []float64
	// Tonnes converts handled stock to plain tonnes handled (no priority
	// weight): the handling measure that Target is stated in.
	Tonnes []float64
	// Adds lists what each option (index into Instance.Sites) adds.
	Adds [][]NodeAdd
	// Group puts options that exclude each other (modular sizes at one
	// place) in one group; -1 for none.
	Group []int32
	// months caches the months in which demands that count hold stock.
	months *[12]bool
	// Target, when > 0, asks for the least build cost reaching this many
	// tonnes handled (plain); otherwise Params.Budget caps the build cost
	// and the weighted tonnes handled are maximised.
	Target float64
}

// NodeAdd is capacity an option adds to a node (t).
type NodeAdd struct {
	Node int32
	T    float64
}

// ErrTargetUnreachable wraps the error of a handling target that no
// choice of options reaches.
var ErrTargetUnreachable = errors.New("handling target unreachable")

// TargetError reports an unreachable handling target and the most that
// can be handled with every option at its largest size.
type TargetError struct {
	Target, Best float64 // tonnes handled
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("the handling target of %.0f t cannot be reached: at most %.0f t can be handled with every candidate and expansion built", e.Target, e.Best)
}

// Unwrap makes errors.Is(err, ErrTargetUnreachable) hold.
func (e *TargetError) Unwrap() error { return ErrTargetUnreachable }

// CapacityValue is the outcome of evaluating a set of open options.
type CapacityValue struct {
	Weighted float64 // the objective: priority-weighted tonnes handled
	Tonnes   float64 // plain tonnes handled
	Cost     float64 // build cost of the open options
	Assign   *handling.Assignment
}

// check validates the model against in.
func (m *CapacityModel) check(in *Instance) error {
	if m == nil || m.Net == nil {
		return errors.New("capacity: the instance has no capacity model")
	}
	n := m.Net.Len()
	if len(m.Value) != n || len(m.Tonnes) != n {
		return fmt.Errorf("capacity: %d demands but %d values and %d tonnes", n, len(m.Value), len(m.Tonnes))
	}
	if len(m.Adds) != len(in.Sites) || len(m.Group) != len(in.Sites) {
		return fmt.Errorf("capacity: %d options but %d adds and %d groups", len(in.Sites), len(m.Adds), len(m.Group))
	}
	for j, adds := range m.Adds {
		for _, a := range adds {
			if a.Node < 0 || int(a.Node) >= len(m.Net.Cap) || !(a.T >= 0) || math.IsInf(a.T, 0) {
				return fmt.Errorf("capacity: option %d adds %v t to node %d", j, a.T, a.Node)
			}
		}
	}
	return nil
}

// Capacities returns the node capacities with the open options added.
func (m *CapacityModel) Capacities(open []bool) []float64 {
	c := make([]float64, len(m.Net.Cap))
	copy(c, m.Net.Cap)
	for j, adds := range m.Adds {
		if open[j] {
			for _, a := range adds {
				c[a.Node] += a.T
			}
		}
	}
	return c
}

// Evaluate measures the open options exactly as the handling measure does.
// Only the months in which counted demands hold stock are assigned (the
// others cannot change the objective); Assign's other months stay 0.
func (m *CapacityModel) Evaluate(ctx context.Context, in *Instance, open []bool) (*CapacityValue, error) {
	a, err := m.Net.AssignMonths(ctx, m.Capacities(open), m.activeMonths())
	if err != nil {
		return nil, err
	}
	v := &CapacityValue{Assign: a}
	for i := range a.Handled {
		s := 0.0
		for _, h := range a.Handled[i] {
			s += h
		}
		v.Weighted += s * m.Value[i]
		v.Tonnes += s * m.Tonnes[i]
	}
	for j, o := range open {
		if o {
			v.Cost += in.Sites[j].FixedCost
		}
	}
	return v, nil
}

// activeMonths are the months in which a demand with a value holds stock.
func (m *CapacityModel) activeMonths() [12]bool {
	if m.months == nil {
		var mo [12]bool
		for i, st := range m.Net.Stock {
			if m.Value[i] > 0 || m.Tonnes[i] > 0 {
				for k, s := range st {
					mo[k] = mo[k] || s > 0
				}
			}
		}
		m.months = &mo
	}
	return *m.months
}

// evalCapacity is the registry's Evaluate: the weighted tonnes handled.
func evalCapacity(in *Instance, open []bool) float64 {
	if in.Capacity == nil {
		return 0
	}
	v, err := in.Capacity.Evaluate(context.Background(), in, open)
	if err != nil {
		return 0
	}
	return v.Weighted
}
