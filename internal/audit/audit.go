// Package audit records who did what through the API: each write (feature
// created, updated or deleted, plan submitted, cancelled or adopted) with
// the API token's name and the time, in the append-only table edit_log.
package audit

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// MaxLimit bounds a listing.
const MaxLimit = 1000

// Entry is one recorded write.
type Entry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	TokenID  string    `json:"token_id,omitempty"`
	Action   string    `json:"action"`
	Target   string    `json:"target"`
	TargetID string    `json:"target_id"`
	// ETag is the feature's entity tag after the write (updates).
	ETag string `json:"etag,omitempty"`
}

// Log is the edit log.
type Log struct {
	Pool *pgxpool.Pool
}

// Record appends e (its ID and At are set by the database).
func (l *Log) Record(ctx context.Context, e Entry) error {
	_, err := l.Pool.Exec(ctx, `INSERT INTO edit_log (actor, token_id, action, target, target_id, etag)
		VALUES ($1, NULLIF($2, ''), $3, $4, $5, NULLIF($6, ''))`, e.Actor, e.TokenID, e.Action, e.Target, e.TargetID, e.ETag)
	return postgres.Translate(err, "edit log")
}

// Query selects entries: of one target (a layer or "plans") and id when
// set, newest first, at most Limit (1 to MaxLimit).
type Query struct {
	Target, TargetID string
	Limit            int
}

// List returns the entries q selects. It returns ErrInvalid for a limit
// out of range.
func (l *Log) List(ctx context.Context, q Query) ([]Entry, error) {
	if q.Limit < 1 || q.Limit > MaxLimit {
		return nil, derrors.Invalid("limit: want 1 to %d, got %d", MaxLimit, q.Limit)
	}
	rows, err := l.Pool.Query(ctx, `SELECT id, at, actor, coalesce(token_id, ''), action, target, target_id, coalesce(etag, '')
		FROM edit_log WHERE ($1 = '' OR target = $1) AND ($2 = '' OR target_id = $2)
		ORDER BY at DESC, id DESC LIMIT $3`, q.Target, q.TargetID, q.Limit)
	if err != nil {
		return nil, postgres.Translate(err, "edit log")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.TokenID, &e.Action, &e.Target, &e.TargetID, &e.ETag)
		return e, err
	})
	if err != nil {
		return nil, postgres.Translate(err, "edit log")
	}
	return out, nil
}
