package locate

import "context"

// Solve solves in for params and returns the best solution found with a
// proven bound. It honours ctx cancellation and params.TimeLimit by returning
// the best solution found so far. It returns an error for an ill-formed
// instance or an infeasible request (e.g. p larger than the candidates).
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
	return sp.solve(ctx, in, params)
}
