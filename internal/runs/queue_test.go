package runs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/runs"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func status(t *testing.T, pool *pgxpool.Pool, id string) (string, string, int) {
	t.Helper()
	var st, owner string
	var attempts int
	if err := pool.QueryRow(context.Background(), `SELECT status, coalesce(owner, ''), attempts FROM plan WHERE id = $1`, id).Scan(&st, &owner, &attempts); err != nil {
		t.Fatal(err)
	}
	return st, owner, attempts
}

// Leases: another process's sweep and claim leave live plans alone, take
// over expired ones, re-queue a plan once and then fail it with the
// reason; a cancel wins over the owner.
func TestQueueLeases(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	a, b := runs.NewQueue(pool), runs.NewQueue(pool)
	a.TTL = 300 * time.Millisecond
	if a.Owner == b.Owner {
		t.Fatal("two queues share an owner id")
	}
	id, err := a.Add(ctx, runs.KindFacility, []byte(`{}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n, f, err := b.Sweep(ctx, runs.KindFacility); n+f != 0 || err != nil {
		t.Fatalf("sweep of a live plan: %d re-queued, %d failed, %v", n, f, err)
	}
	if c, _ := b.Claim(ctx, runs.KindFacility, 10); len(c) != 0 {
		t.Fatalf("claimed a live plan: %v", c)
	}
	time.Sleep(400 * time.Millisecond) // a stops renewing: the lease expires
	if n, _, _ := b.Sweep(ctx, runs.KindFacility); n != 1 {
		t.Fatalf("sweep re-queued %d expired plans, want 1", n)
	}
	claimed, err := b.Claim(ctx, runs.KindFacility, 10)
	if err != nil || len(claimed) != 1 || claimed[0].ID != id {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := a.Finish(ctx, id, []byte(`{}`)); !errors.Is(err, runs.ErrLost) {
		t.Fatalf("the old owner stored a result: %v", err)
	}
	if err := b.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _, attempts := status(t, pool, id); st != runs.Running || attempts != 2 {
		t.Fatalf("after the second start: %s, %d attempts", st, attempts)
	}
	if st, err := b.Release(ctx, id); st != runs.Failed || err != nil {
		t.Fatalf("release after two attempts: %s %v, want failed", st, err)
	}
	p, _ := runs.Get(ctx, pool, id)
	if p.Error != runs.ReasonInterrupted {
		t.Errorf("reason %q", p.Error)
	}

	other, _ := a.Add(ctx, runs.KindFacility, []byte(`{}`), "")
	if ok, err := runs.Cancel(ctx, pool, other); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := a.Start(ctx, other); !errors.Is(err, runs.ErrLost) {
		t.Fatalf("started a cancelled plan: %v", err)
	}
	if ok, _ := runs.Cancel(ctx, pool, other); ok {
		t.Error("cancelled a finished plan")
	}
}
