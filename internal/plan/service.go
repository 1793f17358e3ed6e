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
	errLost      = errors.New("the plan's lease was lost")
	errPrepLimit = errors.New("preparing the plan took longer than its time limit")
)

// Options tune a Service.
type Options struct {
	// Workers is how many plans run at once (at least 1).
	Workers int
	// QueueLen is how many submitted plans may wait for a worker.
	QueueLen int
	// Lease is how long a plan stays this process's without a heartbeat
	// (default 30 s; the heartbeat runs every third of it).
	Lease time.Duration
	// Adopt makes the service take over queued plans no live process owns
	// (left by a crashed or stopped one).
	Adopt bool
}

// Service runs plans on a bounded pool of workers. Each plan it queues or
// runs is leased to this process in the plan table (package runs); a
// heartbeat renews the leases and sweeps plans of processes that stopped.
type Service struct {
	Pool   *pgxpool.Pool
	Travel access.Model
	Log    *slog.Logger
	// Finished, if set, is called after each plan leaves a worker with its
	// status (done, failed, or queued when shutdown handed it back).
	Finished func(id, status string)

	opt    Options
	q      *runs.Queue
	slots  chan struct{} // one per queued job: a full queue refuses before storing
	queue  chan job
	mu     sync.Mutex
	owned  map[string]context.CancelCauseFunc // queued or running here; nil func while queued
	closed bool
	waits  prepWaits // submitters waiting for a preparation's outcome
	ctx    context.Context
	stop   context.CancelCauseFunc
	wg     sync.WaitGroup
}

type job struct {
	id  string
	req Request
}

// NewService starts workers plan workers with a queue of queueLen that
// also adopts plans left by stopped processes. Live plans of other
// processes are never touched.
func NewService(ctx context.Context, pool *pgxpool.Pool, travel access.Model, log *slog.Logger, workers, queueLen int) (*Service, error) {
	return Open(ctx, pool, travel, log, Options{Workers: workers, QueueLen: queueLen, Adopt: true})
}

// Open starts a service with opt: its workers and its lease heartbeat,
// after a first sweep of expired leases.
func Open(ctx context.Context, pool *pgxpool.Pool, travel access.Model, log *slog.Logger, opt Options) (*Service, error) {
	opt.Workers = max(opt.Workers, 1)
	opt.QueueLen = max(opt.QueueLen, 1)
	q := runs.NewQueue(pool)
	if opt.Lease > 0 {
		q.TTL = opt.Lease
	}
	s := &Service{Pool: pool, Travel: travel, Log: log, opt: opt, q: q,
		slots: make(chan struct{}, opt.QueueLen), queue: make(chan job, opt.QueueLen), owned: map[string]context.CancelCauseFunc{}}
	s.ctx, s.stop = context.WithCancelCause(context.WithoutCancel(ctx))
	if err := s.tick(ctx); err != nil {
		return nil, err
	}
	for i := 0; i < opt.Workers; i++ {
		s.wg.Add(1)
		go s.work()
	}
	s.wg.Add(1)
	go s.heartbeat()
	return s, nil
}

// Close stops taking plans, hands running and queued plans back to the
// queue (a plan that already used its attempts fails, saying so) and waits
// for the workers.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop(errShutdown)
	s.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case j := <-s.queue:
			<-s.slots
			s.release(ctx, j.id)
		default:
			return
		}
	}
}

// QueueLen is the number of plans waiting.
func (s *Service) QueueLen() int { return len(s.queue) }

func (s *Service) work() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case j := <-s.queue:
			<-s.slots
			if s.ctx.Err() != nil {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				s.release(ctx, j.id)
				cancel()
				return
			}
			status, _ := s.runJob(s.ctx, j)
			if s.Finished != nil {
				s.Finished(j.id, status)
			}
		}
	}
}

// heartbeat renews this process's leases and sweeps other processes'
// expired ones every third of the lease until the service closes.
func (s *Service) heartbeat() {
	defer s.wg.Done()
	t := time.NewTicker(s.q.TTL / 3)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			if err := s.tick(s.ctx); err != nil && s.ctx.Err() == nil {
				s.Log.Warn("plan heartbeat", "err", err)
			}
		}
	}
}

// tick renews leases (cancelling plans this process lost), re-queues or
// fails plans whose owners stopped, and adopts queued orphans.
func (s *Service) tick(ctx context.Context) error {
	s.mu.Lock()
	ids := make([]string, 0, len(s.owned))
	for id := range s.owned {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	if len(ids) > 0 {
		held, err := s.q.Renew(ctx, ids)
		if err != nil {
			return err
		}
		s.mu.Lock()
		for _, id := range ids {
			if cancel := s.owned[id]; cancel != nil && !held[id] {
				cancel(errLost)
			}
		}
		s.mu.Unlock()
	}
	requeued, failed, err := s.q.Sweep(ctx, runs.KindFacility)
	if err != nil {
		return err
	}
	if requeued+failed > 0 {
		s.Log.Warn("plans of a stopped process", "requeued", requeued, "failed", failed)
	}
	if s.opt.Adopt {
		return s.adopt(ctx)
	}
	return nil
}

// adopt claims as many unowned queued plans as the queue has room for.
func (s *Service) adopt(ctx context.Context) error {
	n := 0
	for s.reserve() {
		n++
	}
	claimed, err := s.q.Claim(ctx, runs.KindFacility, n)
	for i := len(claimed); i < n; i++ {
		<-s.slots
	}
	if err != nil {
		return err
	}
	for _, c := range claimed {
		var req Request
		if err := json.Unmarshal(c.Params, &req); err != nil {
			<-s.slots
			_ = s.q.Fail(ctx, c.ID, "its stored request cannot be read: "+err.Error())
			continue
		}
		s.Log.Info("plan adopted", "plan", c.ID)
		s.own(c.ID, nil)
		s.queue <- job{id: c.ID, req: req}
	}
	return nil
}

// reserve takes a queue slot if one is free.
func (s *Service) reserve() bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *Service) own(id string, cancel context.CancelCauseFunc) {
	s.mu.Lock()
	s.owned[id] = cancel
	s.mu.Unlock()
}

func (s *Service) disown(id string) {
	s.mu.Lock()
	delete(s.owned, id)
	s.mu.Unlock()
}

// release hands plan id back to the queue.
func (s *Service) release(ctx context.Context, id string) string {
	defer s.disown(id)
	status, err := s.q.Release(ctx, id)
	if err != nil {
		s.Log.Warn("hand plan back to the queue", "plan", id, "err", err)
		return runs.Queued // the lease expires and another process re-queues it
	}
	s.Log.Info("plan handed back", "plan", id, "status", status)
	return status
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

// add validates req and stores it as a queued plan owned by this process.
// A malformed request is ErrInvalid and stores nothing.
func (s *Service) add(ctx context.Context, req *Request) (string, error) {
	zones, err := s.classZones(ctx)
	if err != nil {
		return "", err
	}
	if err := req.Normalize(zones); err != nil {
		return "", err
	}
	params, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	return s.q.Add(ctx, runs.KindFacility, params, req.Region)
}

// Submit validates req and queues it; the plan is prepared and solved by
// a worker. A malformed request is ErrInvalid, a full queue ErrBusy; both
// store nothing. A request the data cannot satisfy is stored as failed.
func (s *Service) Submit(ctx context.Context, req Request) (*Plan, error) {
	p, _, err := s.submit(ctx, req, false)
	return p, err
}

// submit stores and queues req; with wait it registers for the outcome
// of the plan's preparation before the plan is queued.
func (s *Service) submit(ctx context.Context, req Request, wait bool) (*Plan, chan error, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, nil, errShuttingDown
	}
	if !s.reserve() {
		return nil, nil, fmt.Errorf("%w (%d plans waiting)", ErrBusy, s.opt.QueueLen)
	}
	id, err := s.add(ctx, &req)
	if err != nil {
		<-s.slots
		return nil, nil, err
	}
	var c chan error
	if wait {
		c = s.watchPrep(id)
	}
	s.own(id, nil)
	s.queue <- job{id: id, req: req}
	p, err := s.Get(context.WithoutCancel(ctx), id)
	return p, c, err
}

// Run validates, prepares and runs req in the calling goroutine (the
// CLI). A request the data cannot satisfy is stored as failed and
// returned as an *InfeasibleError.
func (s *Service) Run(ctx context.Context, req Request) (*Plan, error) {
	id, err := s.add(ctx, &req)
	if err != nil {
		return nil, err
	}
	s.own(id, nil)
	_, runErr := s.runJob(ctx, job{id: id, req: req})
	p, err := s.Get(context.WithoutCancel(ctx), id)
	if err != nil {
		return nil, err
	}
	if runErr != nil {
		return p, &InfeasibleError{PlanID: id, Reason: runErr}
	}
	return p, nil
}

// Get returns plan id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*Plan, error) {
	return runs.Get(ctx, s.Pool, id)
}

// Cancel stops a queued or running plan, wherever it runs; it is stored as
// failed ("cancelled"). A finished plan is ErrConflict.
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
	if cancel := s.owned[p.ID]; cancel != nil {
		cancel(errCancelled)
	}
	s.mu.Unlock()
	return nil
}
