package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// errHandedBack makes River run a job again: its run was cut short by a
// shutdown or a lost database and the plan is queued again.
var errHandedBack = errors.New("the plan was handed back to the queue")

// handle runs one job: a whole plan, a part of a decomposed one, or the
// combination of its parts.
func (s *Service) handle(ctx context.Context, j jobs.Job) error {
	if j.Args.Part > 0 {
		return s.runPart(ctx, j)
	}
	p, err := s.Get(ctx, j.Args.PlanID)
	if errors.Is(err, derrors.ErrNotFound) {
		return nil // deleted: nothing to do
	}
	if err != nil {
		return err
	}
	if p.Status != runs.Queued && p.Status != runs.Running {
		return nil // cancelled, or finished by an earlier attempt
	}
	var req Request
	if err := json.Unmarshal(p.Params, &req); err != nil {
		_ = s.q.Fail(ctx, p.ID, 0, "its stored request cannot be read: "+err.Error(), "")
		return nil
	}
	parts, err := s.partCount(ctx, p.ID)
	if err != nil {
		return err // River runs the job again
	}
	var status string
	if parts > 0 {
		status, _ = s.combineJob(ctx, p.ID, req)
	} else {
		status, _ = s.runJob(ctx, p.ID, req)
	}
	if s.Finished != nil {
		s.Finished(p.ID, status)
	}
	if status == runs.Queued {
		return errHandedBack
	}
	return nil
}

// runJob runs plan id under ctx through its phases (start, prepare,
// solve, store) and returns its final status here; infeasible is set
// (the plan stored as failed) when the data cannot satisfy the request.
func (s *Service) runJob(parent context.Context, id string, req Request) (status string, infeasible error) {
	return s.runAttempt(parent, id, func(ctx context.Context, attempt int) (*Result, error) {
		return s.attempt(ctx, id, attempt, req)
	})
}

// runAttempt starts plan id, runs work under a context that a cancel, a
// shutdown or another process's start of the plan cancels, and stores
// its outcome.
func (s *Service) runAttempt(parent context.Context, id string, work func(context.Context, int) (*Result, error)) (string, error) {
	var attempt int
	err := s.persist(parent, func(c context.Context) (err error) { attempt, err = s.q.Start(c, id); return err })
	if err != nil {
		s.Log.Info("plan not started", "plan", id, "err", err)
		return runs.Failed, nil
	}
	ctx, cancel := context.WithCancelCause(parent)
	s.own(id, cancel)
	defer func() {
		cancel(nil)
		s.disown(id)
	}()
	go s.watch(ctx, cancel, func(c context.Context) (bool, bool, error) { return s.q.Holds(c, id, attempt) })
	start := time.Now()
	res, err := work(ctx, attempt)
	if err == nil {
		return s.finish(ctx, id, attempt, res, start), nil
	}
	if ctx.Err() != nil {
		return s.interrupted(id, attempt, s.cause(ctx)), nil
	}
	if isTransient(err) {
		s.Log.Warn("plan lost the database", "plan", id, "err", err)
		return s.release(ctx, id, attempt), nil
	}
	if errors.Is(err, derrors.ErrInvalid) || errors.Is(err, derrors.ErrNotFound) {
		return s.failWith(ctx, id, attempt, derrors.Message(err, err.Error()), failureKind(err)), err
	}
	if errors.Is(err, errPrepLimit) {
		return s.failWith(ctx, id, attempt, errPrepLimit.Error()+": narrow the region or the classes, or raise time_limit_s", ""), nil
	}
	s.Log.Warn("plan failed", "plan", id, "err", err)
	return s.failWith(ctx, id, attempt, err.Error(), ""), nil
}

func failureKind(err error) string {
	if errors.Is(err, derrors.ErrNotFound) {
		return runs.FailNotFound
	}
	return runs.FailInvalid
}

// cause says why ctx of a running plan ended: the service shutting down,
// a user's cancel (here or through River from another process), another
// process having started the plan, or River's time limit for a job.
func (s *Service) cause(ctx context.Context) error {
	cause := context.Cause(ctx)
	switch {
	case s.closing():
		return errShutdown
	case errors.Is(cause, jobs.ErrCancelled):
		return errCancelled
	case errors.Is(cause, context.DeadlineExceeded):
		return fmt.Errorf("the plan ran longer than a worker allows a job (%w)", cause)
	}
	return cause
}

// watch polls the plan row every second while ctx lives and cancels it
// when the run no longer holds its plan: a user cancelled it (from any
// process) or another process started it again.
func (s *Service) watch(ctx context.Context, cancel context.CancelCauseFunc, holds func(context.Context) (held, cancelled bool, err error)) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		held, cancelled, err := holds(ctx)
		switch {
		case err != nil:
			continue // the database is away: the run's own steps find out
		case cancelled:
			cancel(errCancelled)
			return
		case !held:
			cancel(errLost)
			return
		}
	}
}

// attempt prepares the instance from PostGIS (under the plan's time
// limit) and solves it.
func (s *Service) attempt(ctx context.Context, id string, attempt int, req Request) (*Result, error) {
	limit := secondsDuration(req.TimeLimitS)
	prepCtx, cancel := context.WithTimeoutCause(ctx, limit, errPrepLimit)
	in, err := build(prepCtx, s.Pool, s.Travel, &req)
	cancel()
	if err != nil {
		if context.Cause(prepCtx) == errPrepLimit && ctx.Err() == nil {
			return nil, errPrepLimit
		}
		return nil, err
	}
	if err := s.q.Prepared(ctx, id, attempt); err != nil {
		return nil, err
	}
	return execute(ctx, s.Travel, in)
}

// finish stores a solved plan.
func (s *Service) finish(ctx context.Context, id string, attempt int, res *Result, start time.Time) string {
	b, err := json.Marshal(res)
	if err != nil {
		return s.failWith(ctx, id, attempt, err.Error(), "")
	}
	if err := s.persist(ctx, func(c context.Context) error { return s.q.Finish(c, id, attempt, b) }); err != nil {
		s.Log.Warn("plan result not stored", "plan", id, "err", err)
		return runs.Failed
	}
	// As in the stored result, a plan that claims no bound has no gap
	// (it logged gap=0 for a province plan combined from its parts).
	var gap any = res.Gap
	if res.NoBound {
		gap = "none"
	}
	s.Log.Info("plan done", "plan", id, "objective", res.Objective, "gap", gap, "duration", time.Since(start))
	return runs.Done
}

// failWith stores plan id as failed with reason and kind.
func (s *Service) failWith(ctx context.Context, id string, attempt int, reason, kind string) string {
	if err := s.persist(ctx, func(c context.Context) error { return s.q.Fail(c, id, attempt, reason, kind) }); err != nil {
		s.Log.Warn("plan failure not stored", "plan", id, "reason", reason, "err", err)
	}
	return runs.Failed
}

// release hands attempt's plan id back to the queue.
func (s *Service) release(ctx context.Context, id string, attempt int) string {
	var status string
	err := s.persist(ctx, func(c context.Context) (err error) { status, err = s.q.Release(c, id, attempt); return err })
	if err != nil {
		s.Log.Warn("hand plan back to the queue", "plan", id, "err", err)
		return runs.Queued // River runs its job again; the next start finds out
	}
	s.Log.Info("plan handed back", "plan", id, "status", status)
	return status
}

// interrupted handles a run cancelled for cause.
func (s *Service) interrupted(id string, attempt int, cause error) string {
	switch cause {
	case errShutdown:
		return s.release(context.Background(), id, attempt)
	case errCancelled, errLost:
		s.Log.Info("plan stopped", "plan", id, "cause", cause)
		return runs.Failed
	}
	reason := runs.ReasonCancelled
	if cause != nil && cause != context.Canceled {
		reason = cause.Error()
	}
	return s.failWith(context.Background(), id, attempt, reason, "")
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
