package parks

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// Work names park-siting runs among jobs (jobs.Args.Work).
const Work = "parks"

// maxWait is how long Submit waits for a worker to finish a run before it
// returns the queued or running plan.
const maxWait = 2 * time.Minute

var errHandedBack = errors.New("the park-siting run was handed back to the queue")

// Submit validates req, queues it as a job on q and waits (up to two
// minutes, or until ctx ends) for a worker of any process to run it. It
// answers like Run: the finished plan, a malformed request as ErrInvalid
// storing nothing, a request the data cannot answer as a
// *runs.InfeasibleError; a run still waiting or running is returned as
// it is.
func (s *Service) Submit(ctx context.Context, q *jobs.Client, req Request) (*runs.Plan, error) {
	known, err := s.classes(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := req.Normalize(known); err != nil {
		return nil, err
	}
	params, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var id string
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if id, err = runs.NewQueue(s.Pool, "").Add(ctx, tx, Kind, params, req.Region); err != nil {
			return err
		}
		ids, err := q.InsertTx(ctx, tx, jobs.Args{PlanID: id, Region: req.Region, Work: Work})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE plan SET job_id = $2 WHERE id = $1`, id, ids[0])
		return err
	})
	if err != nil {
		return nil, postgres.Translate(err, "park-siting plan")
	}
	return s.await(ctx, id)
}

// await polls plan id until it finishes, ctx ends or maxWait passes.
func (s *Service) await(ctx context.Context, id string) (*runs.Plan, error) {
	deadline := time.Now().Add(maxWait)
	for {
		var status, kind string
		err := s.Pool.QueryRow(context.WithoutCancel(ctx), `SELECT status, coalesce(failure_kind, '') FROM plan WHERE id = $1`, id).Scan(&status, &kind)
		if err != nil {
			return nil, postgres.Translate(err, "park-siting plan")
		}
		if status == runs.Done || status == runs.Failed || ctx.Err() != nil || time.Now().After(deadline) {
			p, err := s.Get(context.WithoutCancel(ctx), id)
			if err != nil || kind == "" {
				return p, err
			}
			reason := derrors.Invalid("%s", p.Error)
			if kind == runs.FailNotFound {
				reason = derrors.NotFound("%s", p.Error)
			}
			return p, &runs.InfeasibleError{PlanID: id, Reason: reason}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Work runs a queued park-siting plan (a jobs.Handler): the analysis, then
// its result and grid stored together. A run cut short by a shutdown or
// a lost database goes back to the queue; River runs it again.
func (s *Service) Work(ctx context.Context, j jobs.Job) error {
	q := runs.NewQueue(s.Pool, jobs.Name())
	p, err := runs.Get(ctx, s.Pool, j.Args.PlanID)
	if errors.Is(err, derrors.ErrNotFound) || err == nil && p.Status != runs.Queued && p.Status != runs.Running {
		return nil
	}
	if err != nil {
		return err
	}
	attempt, err := q.Start(ctx, p.ID)
	if err != nil {
		return nil // finished or cancelled meanwhile
	}
	res, cells, runErr := s.analyse(ctx, p.Params)
	store := context.WithoutCancel(ctx)
	switch {
	case runErr == nil:
	case ctx.Err() != nil || errors.Is(postgres.Translate(runErr, ""), derrors.ErrUnavailable):
		if status, err := q.Release(store, p.ID, attempt); err == nil && status == runs.Queued {
			return errHandedBack
		}
		return nil
	case errors.Is(runErr, derrors.ErrInvalid) || errors.Is(runErr, derrors.ErrNotFound):
		kind := runs.FailInvalid
		if errors.Is(runErr, derrors.ErrNotFound) {
			kind = runs.FailNotFound
		}
		_ = q.Fail(store, p.ID, attempt, derrors.Message(runErr, runErr.Error()), kind)
		return nil
	default:
		_ = q.Fail(store, p.ID, attempt, runErr.Error(), "")
		return nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	err = q.FinishWithin(store, p.ID, attempt, b, func(tx pgx.Tx) error { return insertCells(store, tx, p.ID, cells) })
	if err != nil && !errors.Is(err, runs.ErrLost) {
		return err
	}
	if s.Log != nil && err == nil {
		s.Log.Info("park siting done", "plan", p.ID, "sites", len(res.Sites.Features), "cells", res.Grid.Cells, "seconds", res.Seconds)
	}
	return nil
}

// analyse runs a stored request.
func (s *Service) analyse(ctx context.Context, params []byte) (*Result, []CellOut, error) {
	var req Request
	if err := json.Unmarshal(params, &req); err != nil {
		return nil, nil, derrors.Invalid("the stored request cannot be read: %v", err)
	}
	known, err := s.classes(ctx)
	if err != nil {
		return nil, nil, err
	}
	ahp, err := req.Normalize(known)
	if err != nil {
		return nil, nil, err
	}
	return Analyse(ctx, s.Pool, s.Travel, &req, ahp)
}
