package runs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/postgres"
)

// ErrLost reports that a plan is no longer this process's to store: it
// was cancelled, or re-queued by another process after its lease expired.
var ErrLost = errors.New("the plan is no longer owned by this process (cancelled, or re-queued after its lease expired)")

// Reasons stored with plans that did not finish.
const (
	ReasonCancelled = "cancelled"
	// ReasonInterrupted is stored when a plan's run was cut short twice
	// (its process crashed, was killed, shut down or lost the database).
	ReasonInterrupted = "interrupted twice before it finished: the process running it stopped or lost the database; submit it again"
)

// Queue keeps the plans one process owns: it adds them queued under its
// lease, starts, renews, finishes, fails and releases them, and sweeps
// and claims the plans whose owners' leases expired.
type Queue struct {
	Pool *pgxpool.Pool
	// Owner names this process in the plan table.
	Owner string
	// TTL is how long a lease lasts without renewal; renew well within it.
	TTL time.Duration
	// MaxAttempts is how many times a plan may start before an
	// interruption fails it instead of re-queueing it.
	MaxAttempts int
}

// NewQueue returns a queue on pool with a fresh owner id, a 30 s lease
// and two attempts.
func NewQueue(pool *pgxpool.Pool) *Queue {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &Queue{Pool: pool, Owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b)), TTL: 30 * time.Second, MaxAttempts: 2}
}

func (q *Queue) ttl() string { return fmt.Sprintf("%d milliseconds", q.TTL.Milliseconds()) }

// Add stores a new queued plan of kind owned by this process and returns
// its id.
func (q *Queue) Add(ctx context.Context, kind string, params []byte, region string) (string, error) {
	var id string
	err := q.Pool.QueryRow(ctx, `INSERT INTO plan (kind, params, status, region_code, owner, lease_until)
		VALUES ($1, $2, 'queued', NULLIF($3, ''), $4, now() + $5::interval) RETURNING id::text`,
		kind, params, region, q.Owner, q.ttl()).Scan(&id)
	return id, postgres.Translate(err, "plan")
}

// Start marks queued plan id running and counts the attempt. It returns
// ErrLost when the plan is not this process's queued plan any more.
func (q *Queue) Start(ctx context.Context, id string) error {
	tag, err := q.Pool.Exec(ctx, `UPDATE plan SET status = 'running', started_at = now(), attempts = attempts + 1,
		lease_until = now() + $3::interval WHERE id = $1 AND owner = $2 AND status = 'queued'`, id, q.Owner, q.ttl())
	if err != nil {
		return postgres.Translate(err, "plan")
	}
	if tag.RowsAffected() == 0 {
		return ErrLost
	}
	return nil
}

// Renew extends the leases of ids and returns those still owned by this
// process and unfinished.
func (q *Queue) Renew(ctx context.Context, ids []string) (map[string]bool, error) {
	rows, err := q.Pool.Query(ctx, `UPDATE plan SET lease_until = now() + $3::interval
		WHERE id = ANY($1::uuid[]) AND owner = $2 AND status IN ('queued', 'running') RETURNING id::text`, ids, q.Owner, q.ttl())
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	out := make(map[string]bool, len(held))
	for _, id := range held {
		out[id] = true
	}
	return out, nil
}

// Finish stores result and marks plan id done; ErrLost if it is not this
// process's running plan.
func (q *Queue) Finish(ctx context.Context, id string, result []byte) error {
	return q.end(ctx, `UPDATE plan SET status = 'done', result = $3, finished_at = now(), owner = NULL, lease_until = NULL
		WHERE id = $1 AND owner = $2 AND status = 'running'`, id, result)
}

// Fail marks this process's plan id failed with reason; ErrLost if it is
// not this process's unfinished plan.
func (q *Queue) Fail(ctx context.Context, id, reason string) error {
	return q.end(ctx, `UPDATE plan SET status = 'failed', error = $3, finished_at = now(), owner = NULL, lease_until = NULL
		WHERE id = $1 AND owner = $2 AND status IN ('queued', 'running')`, id, reason)
}

func (q *Queue) end(ctx context.Context, sql, id string, arg any) error {
	tag, err := q.Pool.Exec(ctx, sql, id, q.Owner, arg)
	if err != nil {
		return postgres.Translate(err, "plan")
	}
	if tag.RowsAffected() == 0 {
		return ErrLost
	}
	return nil
}

// Cancel fails plan id as cancelled by a user, whichever process owns it;
// false when it had already finished.
func Cancel(ctx context.Context, pool *pgxpool.Pool, id string) (bool, error) {
	tag, err := pool.Exec(ctx, `UPDATE plan SET status = 'failed', error = $2, finished_at = now(), owner = NULL, lease_until = NULL
		WHERE id = $1 AND status IN ('queued', 'running')`, id, ReasonCancelled)
	if err != nil {
		return false, postgres.Translate(err, "plan")
	}
	return tag.RowsAffected() > 0, nil
}

// Release gives plan id back to the queue for any process to run (on
// shutdown, or after losing the database), or fails it with
// ReasonInterrupted once it has used its attempts. It returns the plan's
// new status.
func (q *Queue) Release(ctx context.Context, id string) (string, error) {
	var status string
	err := q.Pool.QueryRow(ctx, `UPDATE plan SET
		status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END,
		error = CASE WHEN attempts >= $3 THEN $4 END,
		finished_at = CASE WHEN attempts >= $3 THEN now() END,
		started_at = CASE WHEN attempts >= $3 THEN started_at END,
		owner = NULL, lease_until = NULL
		WHERE id = $1 AND owner = $2 AND status IN ('queued', 'running') RETURNING status`,
		id, q.Owner, q.MaxAttempts, ReasonInterrupted).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrLost
	}
	return status, postgres.Translate(err, "plan")
}

// Sweep handles the running plans whose owners' leases expired: each is
// re-queued (unowned) if it has attempts left, else failed with
// ReasonInterrupted. Live plans of other processes are never touched.
func (q *Queue) Sweep(ctx context.Context, kind string) (requeued, failed int, err error) {
	rows, err := q.Pool.Query(ctx, `UPDATE plan SET
		status = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'queued' END,
		error = CASE WHEN attempts >= $2 THEN $3 END,
		finished_at = CASE WHEN attempts >= $2 THEN now() END,
		started_at = CASE WHEN attempts >= $2 THEN started_at END,
		owner = NULL, lease_until = NULL
		WHERE kind = $1 AND status = 'running' AND (lease_until IS NULL OR lease_until < now())
		RETURNING status`, kind, q.MaxAttempts, ReasonInterrupted)
	if err != nil {
		return 0, 0, postgres.Translate(err, "plans")
	}
	statuses, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, s := range statuses {
		if s == Failed {
			failed++
		} else {
			requeued++
		}
	}
	return requeued, failed, postgres.Translate(err, "plans")
}

// Claimed is a queued plan this process took over.
type Claimed struct {
	ID     string
	Params []byte
}

// Claim takes over up to n queued plans of kind that no live process owns
// (oldest first) and returns them.
func (q *Queue) Claim(ctx context.Context, kind string, n int) ([]Claimed, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := q.Pool.Query(ctx, `UPDATE plan SET owner = $2, lease_until = now() + $3::interval
		WHERE id IN (SELECT id FROM plan
		              WHERE kind = $1 AND status = 'queued' AND (owner IS NULL OR lease_until IS NULL OR lease_until < now())
		              ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING id::text, params`, kind, q.Owner, q.ttl(), n)
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Claimed, error) {
		var c Claimed
		err := r.Scan(&c.ID, &c.Params)
		return c, err
	})
	return out, postgres.Translate(err, "plans")
}

// Retry puts this process's running plan id back to queued for this
// process to start again, if it has attempts left (false otherwise).
func (q *Queue) Retry(ctx context.Context, id string) (bool, error) {
	tag, err := q.Pool.Exec(ctx, `UPDATE plan SET status = 'queued', started_at = NULL, lease_until = now() + $4::interval
		WHERE id = $1 AND owner = $2 AND status = 'running' AND attempts < $3`, id, q.Owner, q.MaxAttempts, q.ttl())
	if err != nil {
		return false, postgres.Translate(err, "plan")
	}
	return tag.RowsAffected() > 0, nil
}
