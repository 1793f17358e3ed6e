package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Plan is a stored scenario.
type Plan struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Status     string          `json:"status"` // queued|running|done|failed
	Params     json.RawMessage `json:"params"`
	Error      string          `json:"error,omitempty"`
	Result     json.RawMessage `json:"result,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at,omitempty"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

// Service runs plans on a bounded pool of workers.
type Service struct {
	Pool   *pgxpool.Pool
	Travel access.Model
	Log    *slog.Logger

	queue   chan job
	mu      sync.Mutex
	cancels map[string]context.CancelFunc
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	// Finished, if set, is called after each plan ends (tests, metrics).
	Finished func(id, status string)
}

type job struct {
	id string
	in *instance
}

// ErrBusy reports a full queue.
var ErrBusy = errors.New("the plan queue is full; try again later")

// NewService starts workers plan workers with a queue of queueLen. Plans
// left queued or running by a previous process are marked failed.
func NewService(ctx context.Context, pool *pgxpool.Pool, travel access.Model, log *slog.Logger, workers, queueLen int) (*Service, error) {
	if workers < 1 {
		workers = 1
	}
	_, err := pool.Exec(ctx, `UPDATE plan SET status = 'failed', error = 'interrupted: the server stopped before the plan finished', finished_at = now()
		WHERE status IN ('queued', 'running')`)
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	s := &Service{Pool: pool, Travel: travel, Log: log, queue: make(chan job, queueLen), cancels: map[string]context.CancelFunc{}}
	s.ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	for i := 0; i < workers; i++ {
		s.wg.Add(1)
		go s.work()
	}
	return s, nil
}

// Close cancels running plans and waits for the workers.
func (s *Service) Close() {
	s.stop()
	s.wg.Wait()
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
			s.runJob(j)
		}
	}
}

func (s *Service) runJob(j job) {
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.cancels[j.id] = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.cancels, j.id)
		s.mu.Unlock()
		cancel()
	}()
	status := s.execute(ctx, j)
	if s.Finished != nil {
		s.Finished(j.id, status)
	}
}

// execute runs one plan and stores its outcome; it returns the status.
func (s *Service) execute(ctx context.Context, j job) string {
	store := context.WithoutCancel(ctx)
	tag, err := s.Pool.Exec(store, `UPDATE plan SET status = 'running', started_at = now() WHERE id = $1 AND status = 'queued'`, j.id)
	if err != nil || tag.RowsAffected() == 0 {
		return "failed" // cancelled while queued, or the database is gone
	}
	start := time.Now()
	res, err := execute(ctx, s.Travel, j.in)
	if err == nil {
		var b []byte
		if b, err = json.Marshal(res); err == nil {
			_, err = s.Pool.Exec(store, `UPDATE plan SET status = 'done', result = $2, finished_at = now() WHERE id = $1`, j.id, b)
			if err == nil {
				s.Log.Info("plan done", "plan", j.id, "objective", res.Objective, "gap", res.Gap, "duration", time.Since(start))
				return "done"
			}
		}
	}
	reason := err.Error()
	if errors.Is(err, context.Canceled) {
		reason = "cancelled"
	}
	s.Log.Warn("plan failed", "plan", j.id, "err", err)
	s.fail(store, j.id, reason)
	return "failed"
}

func (s *Service) fail(ctx context.Context, id, reason string) {
	if _, err := s.Pool.Exec(ctx, `UPDATE plan SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running')`, id, reason); err != nil {
		s.Log.Error("record failed plan", "plan", id, "err", err)
	}
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

// InfeasibleError is a request the data cannot satisfy; the plan is stored
// as failed with the reason.
type InfeasibleError struct {
	PlanID string
	Reason error
}

func (e *InfeasibleError) Error() string { return e.Reason.Error() }
func (e *InfeasibleError) Unwrap() error { return e.Reason }

// prepare validates req, builds its instance and stores the plan as
// queued. A malformed request is ErrInvalid and stores nothing; a request
// the data cannot satisfy is stored as failed and returned as an
// *InfeasibleError.
func (s *Service) prepare(ctx context.Context, req Request) (*Plan, *instance, error) {
	zones, err := s.classZones(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := req.Normalize(zones); err != nil {
		return nil, nil, err
	}
	params, err := json.Marshal(req)
	if err != nil {
		return nil, nil, err
	}
	in, buildErr := build(ctx, s.Pool, s.Travel, &req)
	if buildErr != nil && !errors.Is(buildErr, derrors.ErrInvalid) && !errors.Is(buildErr, derrors.ErrNotFound) {
		return nil, nil, buildErr
	}
	status, reason := "queued", any(nil)
	if buildErr != nil {
		status, reason = "failed", derrors.Message(buildErr, buildErr.Error())
	}
	var id string
	err = s.Pool.QueryRow(ctx, `INSERT INTO plan (params, status, error, region_code, finished_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), CASE WHEN $2 = 'failed' THEN now() END) RETURNING id`,
		params, status, reason, req.Region).Scan(&id)
	if err != nil {
		return nil, nil, postgres.Translate(err, "plan")
	}
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if buildErr != nil {
		return p, nil, &InfeasibleError{PlanID: id, Reason: buildErr}
	}
	return p, in, nil
}

// Submit validates and prepares req and queues it; the plan runs in the
// background. See prepare for the errors.
func (s *Service) Submit(ctx context.Context, req Request) (*Plan, error) {
	p, in, err := s.prepare(ctx, req)
	if err != nil {
		return p, err
	}
	select {
	case s.queue <- job{id: p.ID, in: in}:
		return p, nil
	default:
		s.fail(context.WithoutCancel(ctx), p.ID, ErrBusy.Error())
		return nil, fmt.Errorf("%w: %w", derrors.ErrUnavailable, ErrBusy)
	}
}

// Run prepares and runs req in the calling goroutine (the CLI).
func (s *Service) Run(ctx context.Context, req Request) (*Plan, error) {
	p, in, err := s.prepare(ctx, req)
	if err != nil {
		return p, err
	}
	s.execute(ctx, job{id: p.ID, in: in})
	return s.Get(context.WithoutCancel(ctx), p.ID)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Get returns plan id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*Plan, error) {
	if !uuidPattern.MatchString(id) {
		return nil, derrors.NotFound("plan %q not found", id)
	}
	var p Plan
	var errText *string
	err := s.Pool.QueryRow(ctx, `SELECT id::text, kind, status, params, error, result, created_at, started_at, finished_at
		FROM plan WHERE id = $1`, id).Scan(&p.ID, &p.Kind, &p.Status, &p.Params, &errText, &p.Result, &p.CreatedAt, &p.StartedAt, &p.FinishedAt)
	if err != nil {
		return nil, postgres.Translate(err, fmt.Sprintf("plan %q", id))
	}
	if errText != nil {
		p.Error = *errText
	}
	return &p, nil
}

// Cancel stops a queued or running plan; it is stored as failed
// ("cancelled"). A finished plan is ErrConflict.
func (s *Service) Cancel(ctx context.Context, id string) error {
	p, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if p.Status == "done" || p.Status == "failed" {
		return derrors.Conflict("plan %s is already %s", id, p.Status)
	}
	s.mu.Lock()
	cancel := s.cancels[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		return nil
	}
	s.fail(ctx, id, "cancelled")
	return nil
}
