package plan

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// reasonDatabase is stored when the database failed a plan's every attempt.
const reasonDatabase = "the database was unavailable while the plan ran, twice: submit it again"

// runJob runs plan j under ctx through its phases (start, prepare, solve,
// store) and returns its final status here; err is set (the plan stored as
// failed) when the data cannot satisfy the request. Cancellation by ctx's
// cause: errShutdown hands the plan back to the queue, errCancelled and
// errLost store nothing more (the plan is no longer this run's), any other
// cause is stored as "cancelled".
func (s *Service) runJob(parent context.Context, j job) (status string, infeasible error) {
	ctx, cancel := context.WithCancelCause(parent)
	s.own(j.id, cancel)
	defer func() {
		cancel(nil)
		s.disown(j.id)
		s.prepared(j.id, nil)
	}()
	for {
		if err := s.persist(ctx, func(c context.Context) error { return s.q.Start(c, j.id) }); err != nil {
			s.Log.Info("plan not started", "plan", j.id, "err", err)
			return runs.Failed, nil
		}
		start := time.Now()
		res, err := s.attempt(ctx, j)
		if err == nil {
			return s.finish(ctx, j.id, res, start), nil
		}
		if cause := context.Cause(ctx); cause != nil {
			return s.interrupted(j.id, cause), nil
		}
		if isTransient(err) {
			s.Log.Warn("plan lost the database", "plan", j.id, "err", err)
			if s.retry(ctx, j.id) {
				continue
			}
			return s.failWith(ctx, j.id, reasonDatabase), nil
		}
		if errors.Is(err, derrors.ErrInvalid) || errors.Is(err, derrors.ErrNotFound) {
			status := s.failWith(ctx, j.id, derrors.Message(err, err.Error()))
			s.prepared(j.id, err)
			return status, err
		}
		if errors.Is(err, errPrepLimit) {
			return s.failWith(ctx, j.id, errPrepLimit.Error()+": narrow the region or the classes, or raise time_limit_s"), nil
		}
		s.Log.Warn("plan failed", "plan", j.id, "err", err)
		return s.failWith(ctx, j.id, err.Error()), nil
	}
}

// attempt prepares the instance from PostGIS (under the plan's time
// limit) and solves it.
func (s *Service) attempt(ctx context.Context, j job) (*Result, error) {
	req := j.req
	limit := secondsDuration(req.TimeLimitS)
	prepCtx, cancel := context.WithTimeoutCause(ctx, limit, errPrepLimit)
	in, err := build(prepCtx, s.Pool, s.Travel, &req)
	cancel()
	if err == nil {
		s.prepared(j.id, nil)
	}
	if err != nil {
		if context.Cause(prepCtx) == errPrepLimit && ctx.Err() == nil {
			return nil, errPrepLimit
		}
		return nil, err
	}
	return execute(ctx, s.Travel, in)
}

// finish stores a solved plan.
func (s *Service) finish(ctx context.Context, id string, res *Result, start time.Time) string {
	b, err := json.Marshal(res)
	if err != nil {
		return s.failWith(ctx, id, err.Error())
	}
	if err := s.persist(ctx, func(c context.Context) error { return s.q.Finish(c, id, b) }); err != nil {
		s.Log.Warn("plan result not stored", "plan", id, "err", err)
		return runs.Failed
	}
	s.Log.Info("plan done", "plan", id, "objective", res.Objective, "gap", res.Gap, "duration", time.Since(start))
	return runs.Done
}

// failWith stores plan id as failed with reason.
func (s *Service) failWith(ctx context.Context, id, reason string) string {
	if err := s.persist(ctx, func(c context.Context) error { return s.q.Fail(c, id, reason) }); err != nil {
		s.Log.Warn("plan failure not stored", "plan", id, "reason", reason, "err", err)
	}
	return runs.Failed
}

// interrupted handles a run cancelled for cause.
func (s *Service) interrupted(id string, cause error) string {
	switch cause {
	case errShutdown:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return s.release(ctx, id)
	case errCancelled, errLost:
		return runs.Failed
	}
	return s.failWith(context.Background(), id, runs.ReasonCancelled)
}

// retry waits for the database and puts plan id back to run here again;
// false when it has used its attempts.
func (s *Service) retry(ctx context.Context, id string) bool {
	var again bool
	err := s.persist(ctx, func(c context.Context) error {
		var err error
		again, err = s.q.Retry(c, id)
		return err
	})
	return err == nil && again
}

// persist runs a store step, retrying while the database is unavailable
// (an outage) until it answers or the service shuts down, so that a plan
// is recorded when the database returns rather than left running.
func (s *Service) persist(ctx context.Context, step func(context.Context) error) error {
	store := context.WithoutCancel(ctx)
	wait := 200 * time.Millisecond
	for {
		c, cancel := context.WithTimeout(store, 30*time.Second)
		err := step(c)
		cancel()
		if err == nil || !isTransient(err) {
			return err
		}
		s.Log.Warn("database unavailable; retrying", "err", err, "in", wait)
		select {
		case <-s.ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// isTransient reports an error that a working database would not give:
// lost connections and the server being down or restarting.
func isTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return errors.Is(postgres.Translate(err, ""), derrors.ErrUnavailable)
}
