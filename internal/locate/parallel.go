package locate

import (
	"context"
	"math"
	"sync"
	"time"
)

// maxWorkers bounds Params.Workers.
const maxWorkers = 64

// portfolioSeedStep separates the seeds of a portfolio's workers.
const portfolioSeedStep = 1_000_003

// solvePortfolio runs params.Workers independent searches of one problem
// at once, worker k with seed Seed + k x portfolioSeedStep, and returns the
// best solution with the best bound of all (every worker's bound is valid).
// As soon as one worker closes the gap (or meets StopGap) the others stop.
// The result is deterministic for a seed when every worker ends before the
// time limit: a worker that stops early for another's proof cannot beat it,
// and ties go to a proven result, then to the lowest worker.
func solvePortfolio(ctx context.Context, in *Instance, params Params, maximise bool, one func(context.Context, *Instance, Params) (*Result, error)) (*Result, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := min(params.Workers, maxWorkers)
	results := make([]*Result, w)
	errs := make([]error, w)
	var wg sync.WaitGroup
	for k := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := params
			p.Workers = 1
			p.Seed = params.Seed + int64(k)*portfolioSeedStep
			results[k], errs[k] = one(ctx, in, p)
			if r := results[k]; r != nil && (r.Gap == 0 || gapMet(params.StopGap, r.Objective, r.Bound)) {
				cancel()
			}
		}()
	}
	wg.Wait()
	return mergePortfolio(maximise, results, errs, start)
}

// mergePortfolio picks the best result (the largest objective when
// maximise) and tightens its bound with the
// others'. Without any result it returns the first worker's error.
func mergePortfolio(maximise bool, results []*Result, errs []error, start time.Time) (*Result, error) {
	better := func(a, b *Result) bool { // a strictly better than b
		if maximise {
			return a.Objective > b.Objective
		}
		return a.Objective < b.Objective
	}
	best, bestErr := -1, error(nil)
	iters := 0
	bound := math.NaN()
	for k, r := range results {
		if r == nil {
			continue
		}
		iters += r.Iterations
		switch {
		case math.IsNaN(bound):
			bound = r.Bound
		case maximise:
			bound = math.Min(bound, r.Bound)
		default:
			bound = math.Max(bound, r.Bound)
		}
		if best < 0 || better(r, results[best]) || (!better(results[best], r) && r.Gap == 0 && results[best].Gap != 0) {
			best, bestErr = k, errs[k]
		}
	}
	if best < 0 {
		return nil, errs[0]
	}
	res := *results[best]
	if maximise {
		res.Bound = math.Max(res.Objective, bound)
	} else {
		res.Bound = math.Min(res.Objective, bound)
	}
	res.Gap = GapPercent(res.Objective, res.Bound)
	res.Iterations = iters
	res.Seconds = time.Since(start).Seconds()
	return &res, bestErr
}
