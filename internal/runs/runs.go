// Package runs owns the plan table's lifecycle: the stored Plan, its
// kinds, the plan table's side of running plans as jobs, failure reasons,
// and stored results. The packages that compute plans (plan for facility
// siting, parks for park siting) are peers above it; neither stores plans
// itself.
//
// Plans run as River jobs (package jobs), which any process may take. The
// plan table stays the record: each start of a plan counts an attempt,
// and every write of a run names its attempt, so a run whose job was
// rescued and started again elsewhere cannot store anything. A plan whose
// job River gave up on is failed by Sweep with a reason that says what
// happened.
package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Plan kinds: what computed the plan.
const (
	KindFacility = "facility" // facility siting (package plan)
	KindParks    = "parks"    // park siting (package parks)
)

// Plan statuses.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
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
	// Parts counts the county parts of a plan decomposed by county by
	// status, while it runs and after (nil for a plan run whole).
	Parts *PartsProgress `json:"parts_progress,omitempty"`
}

// PartsProgress counts a decomposed plan's county parts by status.
type PartsProgress struct {
	Total   int `json:"total"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Running int `json:"running"`
}

// InfeasibleError is a request the data cannot satisfy; the plan is stored
// as failed with the reason.
type InfeasibleError struct {
	PlanID string
	Reason error
}

func (e *InfeasibleError) Error() string { return e.Reason.Error() }
func (e *InfeasibleError) Unwrap() error { return e.Reason }

var idPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidID reports whether id has the form of a plan id (a UUID).
func ValidID(id string) bool { return idPattern.MatchString(id) }

const planColumns = `id::text, kind, status, params, error, result, created_at, started_at, finished_at,
	(SELECT CASE WHEN count(*) > 0 THEN json_build_object('total', count(*),
	        'done', count(*) FILTER (WHERE pp.status = 'done'), 'failed', count(*) FILTER (WHERE pp.status = 'failed'),
	        'skipped', count(*) FILTER (WHERE pp.status = 'skipped'), 'running', count(*) FILTER (WHERE pp.status = 'running')) END
	   FROM plan_part pp WHERE pp.plan_id = plan.id)`

// scan reads planColumns.
func scan(row pgx.Row) (*Plan, error) {
	var p Plan
	var errText *string
	if err := row.Scan(&p.ID, &p.Kind, &p.Status, &p.Params, &errText, &p.Result, &p.CreatedAt, &p.StartedAt, &p.FinishedAt, &p.Parts); err != nil {
		return nil, err
	}
	if errText != nil {
		p.Error = *errText
	}
	return &p, nil
}

// Get returns plan id of any kind, or ErrNotFound.
func Get(ctx context.Context, pool *pgxpool.Pool, id string) (*Plan, error) {
	if !ValidID(id) {
		return nil, derrors.NotFound("plan %q not found", id)
	}
	p, err := scan(pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plan WHERE id = $1`, id))
	if err != nil {
		return nil, postgres.Translate(err, fmt.Sprintf("plan %q", id))
	}
	return p, nil
}

// ListKind returns plans of one kind: the ones named by ids, in that order
// (ErrNotFound if one does not exist or is of another kind), or when ids is
// empty the newest limit plans.
func ListKind(ctx context.Context, pool *pgxpool.Pool, kind string, ids []string, limit int) ([]*Plan, error) {
	ids = slices.Clone(ids)
	for i, id := range ids {
		ids[i] = strings.ToLower(strings.TrimSpace(id))
		if !ValidID(ids[i]) {
			return nil, derrors.NotFound("%s plan %q not found", kind, id)
		}
	}
	rows, err := pool.Query(ctx, `SELECT `+planColumns+`
		  FROM plan
		 WHERE kind = $1 AND (coalesce(cardinality($2::uuid[]), 0) = 0 OR id = ANY($2::uuid[]))
		 ORDER BY created_at DESC, id
		 LIMIT CASE WHEN coalesce(cardinality($2::uuid[]), 0) = 0 THEN $3::int END`, kind, ids, limit)
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	order, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Plan, error) { return scan(r) })
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	if len(ids) == 0 {
		return order, nil
	}
	byID := map[string]*Plan{}
	for _, p := range order {
		byID[p.ID] = p
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

// StoreFinished stores a run that finished in its caller (a park-siting
// run) as a plan of kind, in tx: done with result, or failed with failure
// when result is nil. within, if not nil, runs in the same transaction
// with the new plan's id before the plan is marked finished (afterwards
// nothing of it may change). It returns the plan's id.
func StoreFinished(ctx context.Context, tx pgx.Tx, kind string, params, result []byte, failure, region string, started time.Time, within func(id string) error) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `INSERT INTO plan (kind, params, status, region_code, started_at, attempts)
		VALUES ($1, $2, 'running', NULLIF($3, ''), $4, 1) RETURNING id::text`, kind, params, region, started).Scan(&id)
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
