// Package jobs runs coldchain's long work as jobs in PostgreSQL through
// River (github.com/riverqueue/river): a job is inserted in the same
// transaction as the plan it computes, and any number of processes
// pointed at the same database (coldchain serve, coldchain worker) take
// jobs, each at most Workers at once. River gives the retries, the
// rescue of jobs whose process died (a job running longer than
// RescueAfter is handed to another process, or discarded after its last
// attempt) and cancellation across processes.
//
// The package knows nothing of plans: the kinds of work are Handlers
// registered by the packages that own them (plan). The plan table stays
// the product's record of a plan; River is only its queue.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// MaxAttempts is how many times a job starts before River discards it
// (a plan whose process died twice is failed, saying so).
const MaxAttempts = 2

// DefaultRescueAfter is how long a job may run before River considers its
// process dead and hands it to another: longer than the longest plan
// (preparation and solving each bounded by a 10-minute limit) plus the
// time to store it.
const DefaultRescueAfter = 25 * time.Minute

// ErrCancelled is the cause of a running job's context when the job was
// cancelled (Cancel), from this process or another.
var ErrCancelled = river.ErrJobCancelledRemotely

// Args is a job: a plan, or one part of a decomposed plan.
type Args struct {
	// PlanID is the plan the job computes.
	PlanID string `json:"plan_id"`
	// Part numbers a part of a decomposed plan (1, 2, …); 0 is the whole
	// plan, or the combination of its parts.
	Part int `json:"part,omitempty"`
	// Region is the part's region code (for the log line).
	Region string `json:"region,omitempty"`
	// Work names the Handler that does the job ("" the default one).
	Work string `json:"work,omitempty"`
}

// Kind names River's job kind.
func (Args) Kind() string { return "coldchain_plan" }

// Job is a job as a Handler sees it.
type Job struct {
	ID          int64
	Args        Args
	Attempt     int // 1 on the first start
	MaxAttempts int
}

// Handler does a job's work. It returns nil when the job is finished
// (stored as done or failed in the product's own tables) and an error
// when River should retry it.
type Handler func(ctx context.Context, j Job) error

// Options configure a Client.
type Options struct {
	// Workers is how many jobs this process runs at once; 0 makes a
	// client that only inserts and cancels jobs.
	Workers int
	// RescueAfter is how long a job may run before River hands it to
	// another process (default DefaultRescueAfter). Each job is cancelled
	// a little before it, so a live job is never run twice.
	RescueAfter time.Duration
	// Handlers do the jobs by their Args.Work ("" for the default one);
	// required when Workers > 0. A job of unknown work fails.
	Handlers map[string]Handler
	// Log gets one line per job taken, and River's own warnings.
	Log *slog.Logger
}

// Client inserts, cancels and (with workers) runs jobs.
type Client struct {
	river   *river.Client[pgx.Tx]
	opt     Options
	name    string
	started bool
}

// Name is this process's name in the log lines: host/pid.
func Name() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// Open returns a client on pool; call Start to take jobs.
func Open(pool *pgxpool.Pool, opt Options) (*Client, error) {
	if opt.RescueAfter <= 0 {
		opt.RescueAfter = DefaultRescueAfter
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	c := &Client{opt: opt, name: Name()}
	cfg := &river.Config{
		Logger:               opt.Log.With("component", "river"),
		MaxAttempts:          MaxAttempts,
		RescueStuckJobsAfter: opt.RescueAfter,
		JobTimeout:           c.timeout(),
	}
	if opt.Workers > 0 {
		if opt.Handlers[""] == nil {
			return nil, errors.New("jobs: workers without a default handler")
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &worker{c: c})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opt.Workers}}
		cfg.FetchPollInterval = 500 * time.Millisecond
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	c.river = rc
	return c, nil
}

// timeout is the longest a job runs here: a little less than RescueAfter.
func (c *Client) timeout() time.Duration {
	return c.opt.RescueAfter - min(c.opt.RescueAfter/10, time.Minute)
}

// Start makes a client with workers take jobs until Stop.
func (c *Client) Start(ctx context.Context) error {
	if c.opt.Workers == 0 {
		return nil
	}
	if err := c.river.Start(ctx); err != nil {
		return fmt.Errorf("start the job workers: %w", err)
	}
	c.started = true
	c.opt.Log.Info("taking jobs", "worker", c.name, "workers", c.opt.Workers, "rescue_after", c.opt.RescueAfter)
	return nil
}

// Stop cancels the jobs running here (their handlers hand them back) and
// waits up to wait for them to return.
func (c *Client) Stop(wait time.Duration) {
	if !c.started {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.river.StopAndCancel(ctx); err != nil {
		c.opt.Log.Warn("stop the job workers", "err", err)
	}
	c.started = false
}

// InsertTx queues jobs in tx, returning their ids in order.
func (c *Client) InsertTx(ctx context.Context, tx pgx.Tx, jobs ...Args) ([]int64, error) {
	params := make([]river.InsertManyParams, len(jobs))
	for i, a := range jobs {
		params[i] = river.InsertManyParams{Args: a}
	}
	res, err := c.river.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, fmt.Errorf("queue job: %w", err)
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.Job.ID
	}
	return ids, nil
}

// Cancel cancels jobs ids wherever they are: a queued job never runs, a
// running one has its context cancelled in the process running it.
func (c *Client) Cancel(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		if _, err := c.river.JobCancel(ctx, id); err != nil && !errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("cancel job %d: %w", id, err)
		}
	}
	return nil
}

// Migrate brings River's own tables (river_job, river_leader, …) up to
// date; it is part of the database's migration step.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	// River's own lines would repeat the ones below.
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("job queue tables: %w", err)
	}
	for _, v := range res.Versions {
		if log != nil {
			log.Info("migrated job queue", "version", v.Version, "name", v.Name)
		}
	}
	return nil
}

// worker adapts River's worker interface to the Handler.
type worker struct {
	river.WorkerDefaults[Args]
	c *Client
}

// NextRetry retries a job soon: the retry is for a process that stopped
// or a database that came back, not for a failing request.
func (w *worker) NextRetry(*river.Job[Args]) time.Time { return time.Now().Add(time.Second) }

// Work logs the job taken and runs the handler.
func (w *worker) Work(ctx context.Context, j *river.Job[Args]) error {
	w.c.opt.Log.Info("job taken", "worker", w.c.name, "plan", j.Args.PlanID, "part", j.Args.Part,
		"region", j.Args.Region, "work", j.Args.Work, "job", j.ID, "attempt", j.Attempt)
	h := w.c.opt.Handlers[j.Args.Work]
	if h == nil {
		return river.JobCancel(fmt.Errorf("no handler for work %q in this process", j.Args.Work))
	}
	return h(ctx, Job{ID: j.ID, Args: j.Args, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts})
}
