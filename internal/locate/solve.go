package locate

import (
	"context"
	"fmt"
)

// Solve solves in for params and returns the best solution found with a
// proven bound. It honours ctx cancellation and params.TimeLimit by returning
// the best solution found so far. It returns an error for an ill-formed
// instance or an infeasible request (e.g. p larger than the candidates).
func Solve(ctx context.Context, in *Instance, params Params) (*Result, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	switch params.Problem {
	case PMedian:
		return solvePMedian(ctx, in, params)
	case PCenter:
		return solvePCenter(ctx, in, params)
	case MCLP:
		return solveMCLP(ctx, in, params)
	case LSCP:
		return solveLSCP(ctx, in, params)
	case CFLP:
		return solveCFLP(ctx, in, params)
	}
	return nil, fmt.Errorf("unknown problem %q", params.Problem)
}
