package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/parks"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// Plan is a stored scenario (see runs.Plan).
type Plan = runs.Plan

// InfeasibleError is a request the data cannot satisfy (see
// runs.InfeasibleError).
type InfeasibleError = runs.InfeasibleError

// ErrBusy reports a full queue (or a service shutting down); it is
// ErrUnavailable and nothing was stored.
var ErrBusy = derrors.Unavailable("the plan queue is full: try again in a minute")

var errShuttingDown = derrors.Unavailable("the server is shutting down: try again in a minute")

// Causes of a running plan's cancellation.
var (
	errShutdown  = errors.New("the service is shutting down")
	errCancelled = errors.New("cancelled by a user")
	errLost      = errors.New("the plan was started again by another process")
	errPrepLimit = errors.New("preparing the plan took longer than its time limit")
)

// Options tune a Service.
type Options struct {
	// Workers is how many plans (or parts of plans) this process runs at
	// once; 0 runs none: the service only queues plans for other processes
	// (coldchain serve --workers 0) or runs them in the caller (Run).
	Workers int
	// QueueLen is how many plans may wait for a worker, over all processes
	// (default 64).
	QueueLen int
	// RescueAfter is how long a plan's job may run before it is taken to
	// belong to a dead process and handed to another (default
	// jobs.DefaultRescueAfter).
	RescueAfter time.Duration
}

// Service queues plans as jobs (package jobs) and, with workers, runs
// them: any number of services on the same database share the queue. Its
// workers run every kind of job: plans, the county parts of province
// plans, and park-siting runs (package parks).
type Service struct {
	Pool   *pgxpool.Pool
	Travel access.Model
	Log    *slog.Logger
	// Finished, if set, is called after each plan leaves a worker of this
	// service with its status (done, failed, or queued when shutdown
	// handed it back).
	Finished func(id, status string)

	opt    Options
	q      *runs.Queue
	jobs   *jobs.Client
	mu     sync.Mutex
	owned  map[string]context.CancelCauseFunc // plans (and parts) running here
	closed bool
	ctx    context.Context
	stop   context.CancelCauseFunc
	wg     sync.WaitGroup
}

// NewService starts a service running workers plans at once (at least
// one) with room for queueLen waiting plans.
func NewService(ctx context.Context, pool *pgxpool.Pool, travel access.Model, log *slog.Logger, workers, queueLen int) (*Service, error) {
	return Open(ctx, pool, travel, log, Options{Workers: max(workers, 1), QueueLen: queueLen})
}

// Open starts a service with opt; with workers it first fails plans whose
// jobs River gave up on, then takes jobs until Close.
func Open(ctx context.Context, pool *pgxpool.Pool, travel access.Model, log *slog.Logger, opt Options) (*Service, error) {
	opt.Workers = max(opt.Workers, 0)
	if opt.QueueLen <= 0 {
		opt.QueueLen = 64
	}
	s := &Service{Pool: pool, Travel: travel, Log: log, opt: opt, q: runs.NewQueue(pool, jobs.Name()),
		owned: map[string]context.CancelCauseFunc{}}
	s.ctx, s.stop = context.WithCancelCause(context.WithoutCancel(ctx))
	parkRuns := &parks.Service{Pool: pool, Travel: travel, Log: log}
	c, err := jobs.Open(pool, jobs.Options{Workers: opt.Workers, RescueAfter: opt.RescueAfter, Log: log,
		Handlers: map[string]jobs.Handler{"": s.handle, parks.Work: parkRuns.Work}})
	if err != nil {
		return nil, err
	}
	s.jobs = c
	if opt.Workers == 0 {
		return s, nil
	}
	if err := s.sweep(ctx); err != nil {
		return nil, err
	}
	if err := c.Start(s.ctx); err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go s.sweeper()
	return s, nil
}

// Close stops taking plans and hands the plans running here back to the
// queue for another process (a plan that already used its attempts
// fails, saying so).
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.jobs.Stop(30 * time.Second)
	s.stop(errShutdown)
	s.wg.Wait()
}

// closing reports whether Close has begun.
func (s *Service) closing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// QueueLen is the number of plans waiting, over all processes (-1 when
// the database does not answer).
func (s *Service) QueueLen() int {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	var n int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM plan WHERE kind = $1 AND status = 'queued'`, runs.KindFacility).Scan(&n); err != nil {
		return -1
	}
	return n
}

// sweeper fails, every few seconds, plans whose jobs River gave up on.
func (s *Service) sweeper() {
	defer s.wg.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			if err := s.sweep(s.ctx); err != nil && s.ctx.Err() == nil {
				s.Log.Warn("plan sweep", "err", err)
			}
		}
	}
}

func (s *Service) sweep(ctx context.Context) error {
	for _, kind := range []string{runs.KindFacility, runs.KindParks} {
		n, err := s.q.Sweep(ctx, kind)
		if err != nil {
			return err
		}
		if n > 0 {
			s.Log.Warn("plans whose processes stopped on their last attempt failed", "kind", kind, "plans", n)
		}
	}
	return nil
}

// Jobs is the job queue the service puts plans on (for other kinds of
// runs, such as park siting, that its workers also run).
func (s *Service) Jobs() *jobs.Client { return s.jobs }

func (s *Service) own(key string, cancel context.CancelCauseFunc) {
	s.mu.Lock()
	s.owned[key] = cancel
	s.mu.Unlock()
}

func (s *Service) disown(key string) {
	s.mu.Lock()
	delete(s.owned, key)
	s.mu.Unlock()
}

// classZones reads each class's zones.
func (s *Service) classZones(ctx context.Context) (map[string][]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT code, zones FROM product_class`)
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	out := map[string][]string{}
	var code string
	var zones []string
	_, err = pgx.ForEachRow(rows, []any{&code, &zones}, func() error { out[code] = zones; return nil })
	return out, postgres.Translate(err, "product classes")
}

// normalize validates req against the product classes. A malformed
// request is ErrInvalid.
func (s *Service) normalize(ctx context.Context, req *Request) error {
	zones, err := s.classZones(ctx)
	if err != nil {
		return err
	}
	return req.Normalize(zones)
}

// Submit validates req and queues it; the plan is prepared and solved by
// a worker of any process. A malformed request is ErrInvalid, a full
// queue ErrBusy; both store nothing. A request the data cannot satisfy is
// stored as failed.
func (s *Service) Submit(ctx context.Context, req Request) (*Plan, error) {
	if s.closing() {
		return nil, errShuttingDown
	}
	if err := s.normalize(ctx, &req); err != nil {
		return nil, err
	}
	id, err := s.enqueue(ctx, &req)
	if err != nil {
		return nil, err
	}
	return s.Get(context.WithoutCancel(ctx), id)
}

// enqueue stores req as a queued plan with its job (or, for a request
// decomposed by county, its parts' jobs) in one transaction, unless
// QueueLen plans are already waiting.
func (s *Service) enqueue(ctx context.Context, req *Request) (string, error) {
	parts, err := s.decompose(ctx, req)
	if err != nil {
		return "", err
	}
	params, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	var id string
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// One submitter at a time counts the queue, so it never overfills.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, queueLock); err != nil {
			return err
		}
		var waiting int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM plan WHERE kind = $1 AND status = 'queued'`, runs.KindFacility).Scan(&waiting); err != nil {
			return err
		}
		if waiting >= s.opt.QueueLen {
			return fmt.Errorf("%w (%d plans waiting)", ErrBusy, waiting)
		}
		if id, err = s.q.Add(ctx, tx, runs.KindFacility, params, req.Region); err != nil {
			return err
		}
		if len(parts) > 0 {
			return s.addParts(ctx, tx, id, parts)
		}
		ids, err := s.jobs.InsertTx(ctx, tx, jobs.Args{PlanID: id, Region: req.Region})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE plan SET job_id = $2 WHERE id = $1`, id, ids[0])
		return err
	})
	if err != nil && !errors.Is(err, derrors.ErrUnavailable) {
		err = postgres.Translate(err, "plan")
	}
	return id, err
}

// queueLock is the advisory lock key held while a plan is queued.
const queueLock int64 = 0x706c616e71 // "planq"

// Run validates, prepares and runs req in the calling goroutine (the
// CLI), not as a job: RunWith with the default options.
func (s *Service) Run(ctx context.Context, req Request) (*Plan, error) {
	return s.RunWith(ctx, req, RunOptions{})
}

// RunOptions tune RunWith.
type RunOptions struct {
	// Whole solves a province, a prefecture or any region above county
	// level as one instance instead of by county parts.
	Whole bool
	// Parallel is how many county parts run at once (default 1).
	Parallel int
}

// RunWith validates, prepares and runs req in the calling goroutine (the
// CLI), not as a job. A request over a province or prefecture (or a list
// of regions) is decomposed by county exactly as a submitted one is,
// stored as one plan with its parts, and its parts run here, then are
// combined; opt.Whole solves one region as one instance. A request the
// data cannot satisfy is stored as failed and returned as an
// *InfeasibleError.
func (s *Service) RunWith(ctx context.Context, req Request, opt RunOptions) (*Plan, error) {
	if err := s.normalize(ctx, &req); err != nil {
		return nil, err
	}
	var parts []partPlan
	var err error
	switch {
	case !opt.Whole:
		parts, err = s.decompose(ctx, &req)
	case len(req.Regions) > 0:
		err = derrors.Invalid("regions: a list of regions is planned by county parts; give one region code to solve it as one instance")
	}
	if err != nil {
		return nil, err
	}
	id, err := s.store(ctx, &req, parts)
	if err != nil {
		return nil, err
	}
	var runErr error
	if len(parts) > 0 {
		runErr = s.runParts(ctx, id, req, parts, opt.Parallel)
	} else {
		_, runErr = s.runJob(ctx, id, req)
	}
	p, err := s.Get(context.WithoutCancel(ctx), id)
	if err != nil {
		return nil, err
	}
	if runErr != nil {
		return p, &InfeasibleError{PlanID: id, Reason: runErr}
	}
	return p, nil
}

// store stores req as a queued plan with its parts, without jobs: the
// caller runs it.
func (s *Service) store(ctx context.Context, req *Request, parts []partPlan) (string, error) {
	params, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	var id string
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if id, err = s.q.Add(ctx, tx, runs.KindFacility, params, req.Region); err != nil {
			return err
		}
		if len(parts) > 0 {
			_, err = insertParts(ctx, tx, id, parts)
		}
		return err
	})
	return id, postgres.Translate(err, "plan")
}

// Get returns plan id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*Plan, error) {
	return runs.Get(ctx, s.Pool, id)
}

// Cancel stops a queued or running plan, wherever it runs (its jobs are
// cancelled through River, and the run watching its plan row stops); it
// is stored as failed ("cancelled"). A finished plan is ErrConflict.
func (s *Service) Cancel(ctx context.Context, id string) error {
	p, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if p.Status == runs.Done || p.Status == runs.Failed {
		return derrors.Conflict("plan %s is already %s", id, p.Status)
	}
	ok, err := runs.Cancel(ctx, s.Pool, p.ID)
	if err != nil {
		return err
	}
	if !ok {
		return derrors.Conflict("plan %s has just finished", id)
	}
	s.mu.Lock()
	for key, cancel := range s.owned {
		if key == p.ID || len(key) > len(p.ID) && key[:len(p.ID)+1] == p.ID+"/" {
			cancel(errCancelled)
		}
	}
	s.mu.Unlock()
	rows, err := s.Pool.Query(ctx, `SELECT job_id FROM plan WHERE id = $1 AND job_id IS NOT NULL
		UNION ALL SELECT job_id FROM plan_part WHERE plan_id = $1 AND job_id IS NOT NULL`, p.ID)
	if err != nil {
		return postgres.Translate(err, "plan")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return postgres.Translate(err, "plan")
	}
	if err := s.jobs.Cancel(ctx, ids...); err != nil {
		s.Log.Warn("cancel the plan's jobs", "plan", p.ID, "err", err)
	}
	return nil
}
