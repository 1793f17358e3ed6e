package locate

import "context"

// Solve solves in for params and returns the best solution found with a
// proven bound. It honours ctx cancellation and params.TimeLimit by returning
// the best solution found so far. It returns an error for an ill-formed
// instance or an infeasible request (e.g. p larger than the candidates).
// With params.Workers > 1 problems over demand-to-site arcs run a parallel
// portfolio of seeds (see solvePortfolio); network problems use one core.
func Solve(ctx context.Context, in *Instance, params Params) (*Result, error) {
	sp, err := Lookup(string(params.Problem))
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := checkStopGap(params.StopGap); err != nil {
		return nil, err
	}
	if params.Workers > 1 && !sp.Network {
		return solvePortfolio(ctx, in, params, sp.Sense == Maximise, sp.solve)
	}
	return sp.solve(ctx, in, params)
}
