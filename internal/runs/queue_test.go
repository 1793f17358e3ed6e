package runs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/runs"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func add(t *testing.T, pool *pgxpool.Pool, q *runs.Queue) string {
	t.Helper()
	ctx := context.Background()
	var id string
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) (err error) {
		id, err = q.Add(ctx, tx, runs.KindFacility, []byte(`{}`), "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func row(t *testing.T, pool *pgxpool.Pool, id string) (status, reason string, attempts int) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `SELECT status, coalesce(error, ''), attempts FROM plan WHERE id = $1`, id).Scan(&status, &reason, &attempts)
	if err != nil {
		t.Fatal(err)
	}
	return status, reason, attempts
}

// A run started again elsewhere (its job rescued) makes the first run's
// writes fail with ErrLost; handing back fails the plan once its attempts
// are used; a finished plan cannot be cancelled.
func TestAttemptsGuardWrites(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	q := runs.NewQueue(pool, "test/1")
	id := add(t, pool, q)
	first, err := q.Start(ctx, id)
	if err != nil || first != 1 {
		t.Fatalf("start: %d %v", first, err)
	}
	second, err := q.Start(ctx, id) // rescued: started again
	if err != nil || second != 2 {
		t.Fatalf("second start: %d %v", second, err)
	}
	if err := q.Finish(ctx, id, first, []byte(`{}`)); !errors.Is(err, runs.ErrLost) {
		t.Fatalf("the first run stored its result: %v", err)
	}
	if status, err := q.Release(ctx, id, second); err != nil || status != runs.Failed {
		t.Fatalf("hand back after two attempts: %s %v", status, err)
	}
	if st, reason, n := row(t, pool, id); st != runs.Failed || reason != runs.ReasonInterrupted || n != 2 {
		t.Fatalf("plan %s %q %d", st, reason, n)
	}
	if ok, err := runs.Cancel(ctx, pool, id); ok || err != nil {
		t.Fatalf("cancelled a finished plan: %v %v", ok, err)
	}

	id = add(t, pool, q)
	a, _ := q.Start(ctx, id)
	if status, err := q.Release(ctx, id, a); err != nil || status != runs.Queued {
		t.Fatalf("hand back after one attempt: %s %v", status, err)
	}
	a, _ = q.Start(ctx, id)
	if err := q.Finish(ctx, id, a, []byte(`{"objective": 1}`)); err != nil {
		t.Fatal(err)
	}
	if st, _, n := row(t, pool, id); st != runs.Done || n != 2 {
		t.Fatalf("plan %s after %d attempts", st, n)
	}
}

// Sweep fails an unfinished plan whose job River discarded, and leaves a
// plan whose job is waiting alone.
func TestSweepFailsDiscardedJobs(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	q := runs.NewQueue(pool, "test/1")
	dead, alive := add(t, pool, q), add(t, pool, q)
	for id, state := range map[string]string{dead: "discarded", alive: "available"} {
		_, err := pool.Exec(ctx, `WITH j AS (INSERT INTO river_job (kind, args, state, max_attempts, queue, priority, finalized_at)
			VALUES ('coldchain_plan', '{}', $2::river_job_state, 2, 'default', 1, CASE WHEN $2 = 'discarded' THEN now() END) RETURNING id)
			UPDATE plan SET job_id = (SELECT id FROM j) WHERE id = $1`, id, state)
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := q.Sweep(ctx, runs.KindFacility)
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want the discarded one", n, err)
	}
	if st, reason, _ := row(t, pool, dead); st != runs.Failed || reason != runs.ReasonInterrupted {
		t.Errorf("discarded job's plan: %s %q", st, reason)
	}
	if st, _, _ := row(t, pool, alive); st != runs.Queued {
		t.Errorf("waiting job's plan: %s", st)
	}
}
