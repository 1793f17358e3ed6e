package plan

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// StoreFinished stores a run that finished elsewhere (a park-siting run:
// kind "parks") as a plan, in tx: done with result, or failed with failure
// when result is nil. within, if not nil, runs in the same transaction
// with the new plan's id before the plan is marked finished (afterwards
// nothing of it may change). It returns the plan's id.
func StoreFinished(ctx context.Context, tx pgx.Tx, kind string, params, result []byte, failure, region string, started time.Time, within func(id string) error) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `INSERT INTO plan (kind, params, status, region_code, started_at)
		VALUES ($1, $2, 'running', NULLIF($3, ''), $4) RETURNING id::text`, kind, params, region, started).Scan(&id)
	if err != nil {
		return "", postgres.Translate(err, "plan")
	}
	if within != nil {
		if err := within(id); err != nil {
			return "", err
		}
	}
	if result != nil {
		_, err = tx.Exec(ctx, `UPDATE plan SET status = 'done', result = $2, finished_at = now() WHERE id = $1`, id, result)
	} else {
		_, err = tx.Exec(ctx, `UPDATE plan SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, id, failure)
	}
	if err != nil {
		return "", postgres.Translate(err, "plan")
	}
	return id, nil
}

// ListKind returns plans of one kind: the ones named by ids, in that order
// (ErrNotFound if one does not exist or is of another kind), or when ids is
// empty the newest limit plans.
func ListKind(ctx context.Context, pool *pgxpool.Pool, kind string, ids []string, limit int) ([]*Plan, error) {
	ids = slices.Clone(ids)
	for i, id := range ids {
		ids[i] = strings.ToLower(strings.TrimSpace(id))
		if !uuidPattern.MatchString(ids[i]) {
			return nil, derrors.NotFound("%s plan %q not found", kind, id)
		}
	}
	rows, err := pool.Query(ctx, `SELECT id::text, kind, status, params, error, result, created_at, started_at, finished_at
		  FROM plan
		 WHERE kind = $1 AND (coalesce(cardinality($2::uuid[]), 0) = 0 OR id = ANY($2::uuid[]))
		 ORDER BY created_at DESC, id
		 LIMIT CASE WHEN coalesce(cardinality($2::uuid[]), 0) = 0 THEN $3::int END`, kind, ids, limit)
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	byID := map[string]*Plan{}
	var order []*Plan
	var p Plan
	var errText *string
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Kind, &p.Status, &p.Params, &errText, &p.Result, &p.CreatedAt, &p.StartedAt, &p.FinishedAt}, func() error {
		pp := p
		if errText != nil {
			pp.Error = *errText
		}
		byID[pp.ID] = &pp
		order = append(order, &pp)
		return nil
	})
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	if len(ids) == 0 {
		return order, nil
	}
	out := make([]*Plan, 0, len(ids))
	for _, id := range ids {
		p, ok := byID[id]
		if !ok {
			return nil, derrors.NotFound("%s plan %q not found", kind, id)
		}
		out = append(out, p)
	}
	return out, nil
}
