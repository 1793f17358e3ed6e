package plan_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/runs"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// holdWorker makes svc's worker wait after its first plan until release
// is closed, so that later plans stay queued in svc.
func holdWorker(svc *plan.Service) (release chan struct{}, finished chan string) {
	release, finished = make(chan struct{}), make(chan string, 8)
	first := true
	svc.Finished = func(id, status string) {
		finished <- status
		if first {
			first = false
			<-release
		}
	}
	return release, finished
}

type row struct {
	Status, Owner, Error string
	Attempts             int
}

func planRow(t *testing.T, pool *pgxpool.Pool, id string) row {
	t.Helper()
	var r row
	var err error
	for try := 0; try < 20; try++ { // connections cut by cutDatabase fail once
		err = pool.QueryRow(context.Background(), `SELECT status, coalesce(owner, ''), coalesce(error, ''), attempts FROM plan WHERE id = $1`, id).
			Scan(&r.Status, &r.Owner, &r.Error, &r.Attempts)
		if err == nil {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal(err)
	return r
}

// Services on one database share the queue: a plan waiting behind a
// busy worker of one is taken by another's, while a CLI run (no workers)
// takes nothing queued.
func TestServicesShareTheQueue(t *testing.T) {
	pool, a := county(t)
	ctx := context.Background()
	release, finished := holdWorker(a)
	defer close(release)
	if _, err := a.Submit(ctx, mclpRequest()); err != nil {
		t.Fatal(err)
	}
	<-finished // a's only worker now waits; the next plan stays queued
	waiting, err := a.Submit(ctx, mclpRequest())
	if err != nil {
		t.Fatal(err)
	}
	cli, err := plan.Open(ctx, pool, access.NewGeodesic(1, 60), quiet(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := cli.Run(ctx, mclpRequest()); err != nil || p.Status != "done" {
		t.Fatalf("CLI run: %+v %v", p, err)
	}
	cli.Close()
	if r := planRow(t, pool, waiting.ID); r.Status != "queued" || r.Error != "" {
		t.Fatalf("queued plan after a CLI run: %+v", r)
	}
	b, err := plan.NewService(ctx, pool, access.NewGeodesic(1, 60), quiet(), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if p := waitFinished(t, b, waiting.ID); p.Status != "done" {
		t.Fatalf("plan taken by the second service: %s %s", p.Status, p.Error)
	}
}

// insertOrphan stores a plan as a process that died while running it
// would leave it: the plan running, its River job running for an hour
// (longer than any plan may run) on its attempt-th attempt.
func insertOrphan(t *testing.T, pool *pgxpool.Pool, attempt int) string {
	t.Helper()
	req := mclpRequest()
	req.TimeLimitS, req.Name = 30, "orphan"
	params, _ := json.Marshal(req)
	ctx := context.Background()
	var id string
	err := pool.QueryRow(ctx, `INSERT INTO plan (params, status, owner, attempts, started_at)
		VALUES ($1, 'running', 'host/1', $2, now() - interval '1 hour') RETURNING id::text`, params, attempt).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `WITH j AS (
		  INSERT INTO river_job (kind, args, state, attempt, max_attempts, attempted_at, attempted_by, queue, priority, scheduled_at)
		  VALUES ('coldchain_plan', jsonb_build_object('plan_id', $1::text), 'running', $2, 2,
		          now() - interval '1 hour', '{host/1}', 'default', 1, now() - interval '1 hour') RETURNING id)
		UPDATE plan SET job_id = (SELECT id FROM j) WHERE id = $1::uuid`, id, attempt)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A plan whose process died is rescued by River and run again by a live
// service; the second time it is failed with a reason that says what
// happened, never left running.
func TestDeadProcessPlanRescuedOnceThenFailed(t *testing.T) {
	pool, svc := county(t) // its River client is the leader, which rescues
	once := insertOrphan(t, pool, 1)
	twice := insertOrphan(t, pool, 2)
	if p := waitFinished(t, svc, once); p.Status != "done" {
		t.Fatalf("rescued orphan: %s %s", p.Status, p.Error)
	}
	if r := planRow(t, pool, once); r.Attempts != 2 || r.Owner != "" {
		t.Errorf("re-run orphan row %+v, want 2 attempts and no owner", r)
	}
	p := waitFinished(t, svc, twice)
	if p.Status != "failed" || p.Error != runs.ReasonInterrupted {
		t.Fatalf("orphan interrupted twice: %s %q, want failed %q", p.Status, p.Error, runs.ReasonInterrupted)
	}
}

// slowRequest asks for a plan over a dense generated grid, so that it is
// still being prepared or solved when the test interrupts it.
func slowRequest() plan.Request {
	req := mclpRequest()
	req.Candidates, req.CandidateHexKm, req.TimeLimitS = "generated", 1, 600
	return req
}

func waitStatus(t *testing.T, pool *pgxpool.Pool, id, status string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for planRow(t, pool, id).Status != status {
		if time.Now().After(deadline) {
			t.Fatalf("plan %s never %s: %+v", id, status, planRow(t, pool, id))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Shutting a service down hands its running plan back to the queue (not
// "cancelled", which stays a user's word); the second time it fails,
// saying why. A user's cancel stays "cancelled".
func TestShutdownHandsRunningPlansBack(t *testing.T) {
	pool, a := county(t)
	ctx := context.Background()
	p, err := a.Submit(ctx, slowRequest())
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, pool, p.ID, "running")
	a.Close()
	if r := planRow(t, pool, p.ID); r.Status != "queued" || r.Attempts != 1 || r.Owner != "" || r.Error != "" {
		t.Fatalf("after shutdown: %+v, want queued, unowned, 1 attempt", r)
	}
	b, err := plan.NewService(ctx, pool, access.NewGeodesic(1, 60), quiet(), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, pool, p.ID, "running") // adopted
	b.Close()
	if r := planRow(t, pool, p.ID); r.Status != "failed" || r.Attempts != 2 || r.Error != runs.ReasonInterrupted {
		t.Fatalf("after the second shutdown: %+v", r)
	}

	c, err := plan.NewService(ctx, pool, access.NewGeodesic(1, 60), quiet(), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	user, err := c.Submit(ctx, slowRequest())
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, pool, user.ID, "running")
	if err := c.Cancel(ctx, user.ID); err != nil {
		t.Fatal(err)
	}
	if r := planRow(t, pool, user.ID); r.Status != "failed" || r.Error != "cancelled" {
		t.Fatalf("cancelled by the user: %+v", r)
	}
}

// cutDatabase refuses new connections to pool's database and ends the
// open ones, as a database restart would; the returned func restores it.
func cutDatabase(t *testing.T, pool *pgxpool.Pool) (restore func()) {
	t.Helper()
	ctx := context.Background()
	cfg := pool.Config().ConnConfig.Copy()
	name := cfg.Database
	cfg.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
		t.Fatal(err)
	}
	return func() {
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS true`); err != nil {
			t.Fatal(err)
		}
	}
}

// A plan that meets a database outage is recorded once the database
// returns: it never stays queued or running.
func TestPlanSurvivesDatabaseOutage(t *testing.T) {
	pool, svc := county(t)
	ctx := context.Background()
	release, finished := holdWorker(svc)
	if _, err := svc.Submit(ctx, mclpRequest()); err != nil {
		t.Fatal(err)
	}
	<-finished
	waiting, err := svc.Submit(ctx, mclpRequest())
	if err != nil {
		t.Fatal(err)
	}
	restore := cutDatabase(t, pool)
	close(release) // the worker takes the plan while the database is away
	time.Sleep(1500 * time.Millisecond)
	restore()
	select {
	case status := <-finished:
		if status != "done" {
			t.Fatalf("plan after the outage: %s", status)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the plan never finished after the database returned")
	}
	if r := planRow(t, pool, waiting.ID); r.Status != "done" {
		t.Fatalf("stored plan %+v", r)
	}

	// Cut while the plan is being prepared or solved: it is retried, or
	// its result stored, once the database is back.
	req := slowRequest()
	req.CandidateHexKm, req.TimeLimitS = 2, 120
	running, err := svc.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, pool, running.ID, "running")
	restore = cutDatabase(t, pool)
	time.Sleep(1500 * time.Millisecond)
	restore()
	if p := waitFinished(t, svc, running.ID); p.Status != "done" {
		t.Fatalf("plan cut off mid-run: %s %q, want done after a retry", p.Status, p.Error)
	}
}

func init() {
	if os.Getenv("PLAN_TEST_LOG") != "" {
		logOut = os.Stderr
	}
}
