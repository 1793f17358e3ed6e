package plan

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// partOutcome is what a finished part stores for the combination.
type partOutcome struct {
	Objective float64         `json:"objective"`
	Bound     float64         `json:"bound"`
	Gap       float64         `json:"gap"`
	Seconds   float64         `json:"seconds"`
	Sites     json.RawMessage `json:"sites"`
	NewSites  []coverage.Site `json:"new_sites"`
	// Expanded maps an expanded facility's id to the tonnes added in the
	// plan's first zone; ExpansionCost is what the expansions cost.
	Expanded      map[string]float64 `json:"expanded,omitempty"`
	ExpansionCost float64            `json:"expansion_cost,omitempty"`
}

// runPart runs part j.Args.Part of a decomposed plan as a job, and
// queues the combination after the last part.
func (s *Service) runPart(parent context.Context, j jobs.Job) error {
	id := j.Args.PlanID
	stored, err := s.partAttempt(parent, id, j.Args.Part)
	if err != nil || !stored {
		return err
	}
	return s.persist(parent, func(c context.Context) error { return s.maybeCombine(c, id) })
}

// partAttempt runs part n of plan id: start, solve the county, store the
// part. stored is set when the part ended here (done or failed for
// good); errHandedBack when it went back to the queue for another try.
func (s *Service) partAttempt(parent context.Context, id string, n int) (stored bool, err error) {
	var attempt int
	var req Request
	err = s.persist(parent, func(c context.Context) (err error) { attempt, req, err = s.startPart(c, id, n); return err })
	if errors.Is(err, runs.ErrLost) {
		return false, nil // the plan is over (cancelled, failed) or the part done
	}
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancelCause(parent)
	key := id + "/" + strconv.Itoa(n)
	s.own(key, cancel)
	defer func() {
		cancel(nil)
		s.disown(key)
	}()
	go s.watch(ctx, cancel, func(c context.Context) (bool, bool, error) { return s.holdsPart(c, id, n, attempt) })
	out, err := s.solvePart(ctx, &req)
	var failure string
	switch {
	case err == nil:
	case ctx.Err() != nil:
		cause := s.cause(ctx)
		if cause == errCancelled || cause == errLost {
			s.Log.Info("plan part stopped", "plan", id, "part", n, "cause", cause)
			return false, nil
		}
		if cause != errShutdown {
			failure = cause.Error()
			break
		}
		return s.releasePart(ctx, id, n, attempt)
	case isTransient(err):
		return s.releasePart(ctx, id, n, attempt)
	default:
		failure = derrors.Message(err, err.Error())
	}
	if err := s.persist(ctx, func(c context.Context) error { return s.storePart(c, id, n, attempt, out, failure) }); err != nil {
		return false, nil // lost: another attempt stores it
	}
	s.Log.Info("plan part finished", "plan", id, "part", n, "region", req.Region, "failed", failure)
	return true, nil
}

// runParts runs plan id's parts in the calling goroutine, parallel at a
// time, each tried again when it is handed back (as River would), and
// then combines them into the plan; infeasible is set when no part could
// be planned.
func (s *Service) runParts(ctx context.Context, id string, req Request, parts []partPlan, parallel int) (infeasible error) {
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, p := range parts {
		if p.skip {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(n int) {
			defer func() { <-sem; wg.Done() }()
			for try := 0; try < s.q.MaxAttempts; try++ {
				if _, err := s.partAttempt(ctx, id, n); !errors.Is(err, errHandedBack) {
					if err != nil {
						s.Log.Warn("plan part", "plan", id, "part", n, "err", err)
					}
					return
				}
			}
		}(i + 1)
	}
	wg.Wait()
	_, infeasible = s.combineJob(ctx, id, req)
	return infeasible
}

// solvePart prepares and solves a part's request.
func (s *Service) solvePart(ctx context.Context, req *Request) (*partOutcome, error) {
	prepCtx, cancel := context.WithTimeoutCause(ctx, secondsDuration(req.TimeLimitS), errPrepLimit)
	in, err := build(prepCtx, s.Pool, s.Travel, req)
	cancel()
	if err != nil {
		if context.Cause(prepCtx) == errPrepLimit && ctx.Err() == nil {
			return nil, errPrepLimit
		}
		return nil, err
	}
	in.part = true
	res, ch, err := executeChoice(ctx, s.Travel, in)
	if err != nil {
		return nil, err
	}
	out := &partOutcome{Objective: res.Objective, Bound: res.Bound, Gap: res.Gap, Seconds: res.Seconds, Sites: res.Sites}
	for _, k := range ch.order {
		out.NewSites = append(out.NewSites, ch.newSite[k])
	}
	for _, j := range ch.xorder {
		if out.Expanded == nil {
			out.Expanded = map[string]float64{}
		}
		out.Expanded[in.data.Sites[j].ID] += ch.addT[j]
		for _, e := range ch.expand[j] {
			out.ExpansionCost += in.req.ExpansionMenu[in.refs[e].module].BuildCost
		}
	}
	return out, nil
}

// startPart marks part n of plan id running here (and the plan, at its
// first part) and returns the attempt and the part's request; ErrLost
// when the plan is over or the part finished.
func (s *Service) startPart(ctx context.Context, id string, n int) (int, Request, error) {
	var attempt int
	var req Request
	err := s.Pool.QueryRow(ctx, `
		WITH p AS (UPDATE plan SET status = 'running', started_at = coalesce(started_at, now())
		            WHERE id = $1 AND status IN ('queued', 'running') RETURNING id)
		UPDATE plan_part SET status = 'running', attempts = attempts + 1, worker = $3, started_at = now()
		 WHERE plan_id = $1 AND n = $2 AND status IN ('queued', 'running') AND EXISTS (SELECT 1 FROM p)
		RETURNING attempts, request`, id, n, s.q.Worker).Scan(&attempt, &req)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, req, runs.ErrLost
	}
	return attempt, req, postgres.Translate(err, "plan part")
}

// holdsPart reports whether attempt still runs part n of plan id, and
// whether a user cancelled the plan.
func (s *Service) holdsPart(ctx context.Context, id string, n, attempt int) (held, cancelled bool, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT pp.status = 'running' AND pp.attempts = $3 AND p.status = 'running',
		       p.status = 'failed' AND p.error = $4
		  FROM plan_part pp JOIN plan p ON p.id = pp.plan_id WHERE pp.plan_id = $1 AND pp.n = $2`,
		id, n, attempt, runs.ReasonCancelled).Scan(&held, &cancelled)
	return held, cancelled, postgres.Translate(err, "plan part")
}

// releasePart hands a part cut short by a shutdown or a lost database
// back to the queue (errHandedBack: River runs its job again), or fails
// it once it has used its attempts (stored).
func (s *Service) releasePart(ctx context.Context, id string, n, attempt int) (stored bool, err error) {
	var status string
	err = s.persist(ctx, func(c context.Context) error {
		return s.Pool.QueryRow(c, `UPDATE plan_part SET
			status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'queued' END,
			error = CASE WHEN attempts >= $4 THEN $5 END,
			finished_at = CASE WHEN attempts >= $4 THEN now() END, worker = NULL
			WHERE plan_id = $1 AND n = $2 AND attempts = $3 AND status = 'running' RETURNING status`,
			id, n, attempt, s.q.MaxAttempts, runs.ReasonInterrupted).Scan(&status)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	s.Log.Info("plan part handed back", "plan", id, "part", n, "status", status, "err", err)
	if status == runs.Failed {
		return true, nil
	}
	return false, errHandedBack
}

// storePart stores attempt's part n as done with out, or failed.
func (s *Service) storePart(ctx context.Context, id string, n, attempt int, out *partOutcome, failure string) error {
	var b []byte
	status := runs.Failed
	if failure == "" {
		status = runs.Done
		var err error
		if b, err = json.Marshal(out); err != nil {
			return err
		}
	}
	tag, err := s.Pool.Exec(ctx, `UPDATE plan_part SET status = $4, result = $5, error = NULLIF($6, ''), finished_at = now()
		WHERE plan_id = $1 AND n = $2 AND attempts = $3 AND status = 'running'`, id, n, attempt, status, b, failure)
	if err != nil {
		return postgres.Translate(err, "plan part")
	}
	if tag.RowsAffected() == 0 {
		return runs.ErrLost
	}
	return nil
}

// maybeCombine queues the job combining plan id's parts once none is
// left to run (once: the plan row is locked while it looks).
func (s *Service) maybeCombine(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var status string
		var job *int64
		var left int
		if err := tx.QueryRow(ctx, `SELECT status, job_id FROM plan WHERE id = $1 FOR UPDATE`, id).Scan(&status, &job); err != nil {
			return postgres.Translate(err, "plan")
		}
		if (status != runs.Queued && status != runs.Running) || job != nil {
			return nil
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM plan_part WHERE plan_id = $1 AND status IN ('queued', 'running')`, id).Scan(&left); err != nil {
			return postgres.Translate(err, "plan parts")
		}
		if left > 0 {
			return nil
		}
		ids, err := s.jobs.InsertTx(ctx, tx, jobs.Args{PlanID: id})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE plan SET job_id = $2 WHERE id = $1`, id, ids[0])
		return postgres.Translate(err, "plan")
	})
}

// loadParts reads plan id's parts with the outcomes of those done.
func (s *Service) loadParts(ctx context.Context, id string) ([]Part, []*partOutcome, error) {
	rows, err := s.Pool.Query(ctx, `SELECT pp.n, pp.region_code, coalesce(r.name, ''), pp.status, coalesce(pp.error, ''), coalesce(pp.worker, ''),
		       pp.output_t, pp.request, pp.result
		  FROM plan_part pp LEFT JOIN region r ON r.code = pp.region_code WHERE pp.plan_id = $1 ORDER BY pp.n`, id)
	if err != nil {
		return nil, nil, postgres.Translate(err, "plan parts")
	}
	var parts []Part
	var outs []*partOutcome
	var p Part
	var req Request
	var res []byte
	_, err = pgx.ForEachRow(rows, []any{&p.N, &p.Region, &p.Name, &p.Status, &p.Error, &p.Worker, &p.OutputT, &req, &res}, func() error {
		p.P, p.Budget = req.P, req.Budget
		var out *partOutcome
		if res != nil {
			out = &partOutcome{}
			if err := json.Unmarshal(res, out); err != nil {
				return err
			}
			p.Objective, p.Bound, p.Gap, p.Seconds, p.Sites = out.Objective, out.Bound, out.Gap, out.Seconds, len(out.NewSites)+len(out.Expanded)
		}
		parts = append(parts, p)
		outs = append(outs, out)
		p, req, res = Part{}, Request{}, nil
		return nil
	})
	return parts, outs, postgres.Translate(err, "plan parts")
}

// combineJob combines plan id's finished parts into its result and
// returns the plan's status; infeasible is set (the plan stored as
// failed) when no part could be planned.
func (s *Service) combineJob(ctx context.Context, id string, req Request) (status string, infeasible error) {
	return s.runAttempt(ctx, id, func(c context.Context, attempt int) (*Result, error) {
		start := time.Now()
		res, err := s.combine(c, id, &req)
		if err == nil {
			s.Log.Info("plan parts combined", "plan", id, "parts", len(res.Parts), "duration", time.Since(start))
		}
		return res, err
	})
}
