package runs

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/postgres"
)

// ErrLost reports that a run may no longer store its plan: the plan was
// cancelled, finished, or started again by another process (its job was
// rescued after this process seemed dead).
var ErrLost = errors.New("the plan is no longer this run's (cancelled, finished, or started again elsewhere)")

// Reasons stored with plans that did not finish.
const (
	ReasonCancelled = "cancelled"
	// ReasonInterrupted is stored when a plan's run was cut short twice
	// (its process crashed, was killed, shut down or lost the database).
	ReasonInterrupted = "interrupted twice before it finished: the process running it stopped or lost the database; submit it again"
)

// Failure kinds stored with plans the data cannot satisfy.
const (
	FailInvalid  = "invalid"
	FailNotFound = "not_found"
)

// Queue is the plan table's side of running plans as jobs: plans are
// added queued (with their job in the same transaction), and each run
// starts, prepares, finishes, fails or hands back its plan. Every write of
// a run names the attempt it started, so a run whose plan was started
// again elsewhere stores nothing.
type Queue struct {
	Pool *pgxpool.Pool
	// Worker names this process in the plan table's owner column.
	Worker string
	// MaxAttempts is how many times a plan may start before an
	// interruption fails it instead of handing it back.
	MaxAttempts int
}

// NewQueue returns a queue on pool for worker, with two attempts.
func NewQueue(pool *pgxpool.Pool, worker string) *Queue {
	return &Queue{Pool: pool, Worker: worker, MaxAttempts: 2}
}

// Add stores a new queued plan of kind in tx and returns its id.
func (q *Queue) Add(ctx context.Context, tx pgx.Tx, kind string, params []byte, region string) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `INSERT INTO plan (kind, params, status, region_code)
		VALUES ($1, $2, 'queued', NULLIF($3, '')) RETURNING id::text`, kind, params, region).Scan(&id)
	return id, postgres.Translate(err, "plan")
}

// Start marks plan id running here and returns the attempt it starts (1
// the first time). A plan rescued from a dead process is still running
// and starts again. ErrLost when the plan has finished.
func (q *Queue) Start(ctx context.Context, id string) (int, error) {
	var attempt int
	err := q.Pool.QueryRow(ctx, `UPDATE plan SET status = 'running', started_at = now(), attempts = attempts + 1,
		owner = $2, lease_until = NULL WHERE id = $1 AND status IN ('queued', 'running') RETURNING attempts`, id, q.Worker).Scan(&attempt)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrLost
	}
	return attempt, postgres.Translate(err, "plan")
}

// Prepared records that attempt's preparation of plan id succeeded.
func (q *Queue) Prepared(ctx context.Context, id string, attempt int) error {
	_, err := q.Pool.Exec(ctx, `UPDATE plan SET prepared_at = now() WHERE id = $1 AND attempts = $2 AND status = 'running'`, id, attempt)
	return postgres.Translate(err, "plan")
}

// Finish stores result and marks plan id done; ErrLost if it is not
// attempt's running plan.
func (q *Queue) Finish(ctx context.Context, id string, attempt int, result []byte) error {
	return q.end(ctx, `UPDATE plan SET status = 'done', result = $3, finished_at = now(), owner = NULL
		WHERE id = $1 AND attempts = $2 AND status = 'running'`, id, attempt, result)
}

// Fail marks plan id failed with reason (kind: FailInvalid, FailNotFound
// or ""); ErrLost if it is not attempt's unfinished plan (attempt 0: a
// plan that never started).
func (q *Queue) Fail(ctx context.Context, id string, attempt int, reason, kind string) error {
	return q.end(ctx, `UPDATE plan SET status = 'failed', error = $3, failure_kind = NULLIF($4, ''), finished_at = now(), owner = NULL
		WHERE id = $1 AND attempts = $2 AND status IN ('queued', 'running')`, id, attempt, reason, kind)
}

// FinishWithin is Finish that first runs within in the same transaction
// (storing what belongs to the result), once attempt is known to hold
// the plan.
func (q *Queue) FinishWithin(ctx context.Context, id string, attempt int, result []byte, within func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, q.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT 1 FROM plan WHERE id = $1 AND attempts = $2 AND status = 'running' FOR UPDATE`, id, attempt)
		if err != nil {
			return err
		}
		held, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		if len(held) == 0 {
			return ErrLost
		}
		if err := within(tx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE plan SET status = 'done', result = $2, finished_at = now(), owner = NULL WHERE id = $1`, id, result)
		return err
	})
	if errors.Is(err, ErrLost) {
		return err
	}
	return postgres.Translate(err, "plan")
}

func (q *Queue) end(ctx context.Context, sql, id string, attempt int, args ...any) error {
	tag, err := q.Pool.Exec(ctx, sql, append([]any{id, attempt}, args...)...)
	if err != nil {
		return postgres.Translate(err, "plan")
	}
	if tag.RowsAffected() == 0 {
		return ErrLost
	}
	return nil
}

// Release hands attempt's plan id back to the queue for any process to
// run again (on shutdown, or after losing the database), or fails it with
// ReasonInterrupted once it has used its attempts. It returns the plan's
// new status.
func (q *Queue) Release(ctx context.Context, id string, attempt int) (string, error) {
	var status string
	err := q.Pool.QueryRow(ctx, `UPDATE plan SET
		status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END,
		error = CASE WHEN attempts >= $3 THEN $4 END,
		finished_at = CASE WHEN attempts >= $3 THEN now() END,
		started_at = CASE WHEN attempts >= $3 THEN started_at END,
		owner = NULL
		WHERE id = $1 AND attempts = $2 AND status IN ('queued', 'running') RETURNING status`,
		id, attempt, q.MaxAttempts, ReasonInterrupted).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrLost
	}
	return status, postgres.Translate(err, "plan")
}

// Holds reports whether attempt still holds plan id: it is running and
// was not started again elsewhere. cancelled is set when a user
// cancelled it.
func (q *Queue) Holds(ctx context.Context, id string, attempt int) (held, cancelled bool, err error) {
	var status, reason string
	var attempts int
	err = q.Pool.QueryRow(ctx, `SELECT status, coalesce(error, ''), attempts FROM plan WHERE id = $1`, id).Scan(&status, &reason, &attempts)
	if err != nil {
		return false, false, postgres.Translate(err, "plan")
	}
	return status == Running && attempts == attempt, status == Failed && reason == ReasonCancelled, nil
}

// Cancel fails plan id as cancelled by a user, whichever process runs it,
// with its unfinished parts; false when it had already finished.
func Cancel(ctx context.Context, pool *pgxpool.Pool, id string) (bool, error) {
	var n int
	err := pool.QueryRow(ctx, `WITH p AS (
		  UPDATE plan SET status = 'failed', error = $2, finished_at = now(), owner = NULL
		   WHERE id = $1 AND status IN ('queued', 'running') RETURNING id),
		parts AS (
		  UPDATE plan_part SET status = 'failed', error = $2, finished_at = now()
		   WHERE plan_id IN (SELECT id FROM p) AND status IN ('queued', 'running'))
		SELECT count(*) FROM p`, id, ReasonCancelled).Scan(&n)
	if err != nil {
		return false, postgres.Translate(err, "plan")
	}
	return n > 0, nil
}

// Sweep fails the unfinished plans of kind whose job is over without
// having stored them, or one of whose parts' job is: River discarded it
// after its process died on its last attempt, or it was cancelled. The
// reason says what happened. It returns how many it failed.
func (q *Queue) Sweep(ctx context.Context, kind string) (int, error) {
	tag, err := q.Pool.Exec(ctx, `UPDATE plan p SET status = 'failed', error = $2, finished_at = now(), owner = NULL
		 WHERE p.kind = $1 AND p.status IN ('queued', 'running')
		   AND (EXISTS (SELECT 1 FROM river_job j
		                 WHERE j.id = p.job_id AND j.state IN ('discarded', 'cancelled', 'completed'))
		     OR EXISTS (SELECT 1 FROM plan_part pp JOIN river_job j ON j.id = pp.job_id
		                 WHERE pp.plan_id = p.id AND pp.status IN ('queued', 'running')
		                   AND j.state IN ('discarded', 'cancelled')))`, kind, ReasonInterrupted)
	if err != nil {
		return 0, postgres.Translate(err, "plans")
	}
	return int(tag.RowsAffected()), nil
}
