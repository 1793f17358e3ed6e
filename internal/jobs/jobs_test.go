package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// A queued job reaches the handler of its work with its arguments, once
// its transaction commits, and is logged with its plan id; a job of work
// no handler does is cancelled, not retried; Cancel stops a running job
// through its context.
func TestHandlersAndCancel(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	logs := &pgtest.LogBuffer{}
	got := make(chan jobs.Args, 4)
	running := make(chan struct{}, 1)
	stopped := make(chan error, 1)
	c, err := jobs.Open(pool, jobs.Options{Workers: 2, Log: slog.New(slog.NewTextHandler(logs, nil)), Handlers: map[string]jobs.Handler{
		"": func(_ context.Context, j jobs.Job) error { got <- j.Args; return nil },
		"slow": func(ctx context.Context, j jobs.Job) error {
			running <- struct{}{}
			<-ctx.Done()
			stopped <- context.Cause(ctx)
			return ctx.Err()
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(10 * time.Second)
	insert := func(a jobs.Args) int64 {
		t.Helper()
		var ids []int64
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) (err error) { ids, err = c.InsertTx(ctx, tx, a); return err })
		if err != nil {
			t.Fatal(err)
		}
		return ids[0]
	}
	insert(jobs.Args{PlanID: "p1", Part: 2, Region: "390102"})
	select {
	case a := <-got:
		if a.PlanID != "p1" || a.Part != 2 || a.Region != "390102" {
			t.Fatalf("handler got %+v", a)
		}
	case <-time.After(time.Minute):
		t.Fatal("the job never ran")
	}
	waitFor(t, func() bool {
		return strings.Contains(logs.String(), `msg="job taken"`) && strings.Contains(logs.String(), "plan=p1 part=2")
	})

	unknown := insert(jobs.Args{PlanID: "p2", Work: "nobody"})
	waitFor(t, func() bool { return jobState(t, pool, unknown) == "cancelled" })

	slow := insert(jobs.Args{PlanID: "p3", Work: "slow"})
	<-running
	if err := c.Cancel(ctx, slow); err != nil {
		t.Fatal(err)
	}
	select {
	case cause := <-stopped:
		if !errors.Is(cause, jobs.ErrCancelled) {
			t.Fatalf("running job stopped by %v, want jobs.ErrCancelled", cause)
		}
	case <-time.After(time.Minute):
		t.Fatal("cancel never reached the running job")
	}
}

func jobState(t *testing.T, pool interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id int64) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(context.Background(), `SELECT state::text FROM river_job WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
